//! allauth's `EmailAddress` model (table `account_emailaddress`) and its HMAC confirmation
//! keys (`EmailConfirmationHMAC`).
//!
//! Registration records the new user's address here (primary, not verified), whatever the
//! verification setting, as allauth does; `registration/verify-email/` marks it verified.
//!
//! ```
//! use rest_framework::contrib::accounts::email_address;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = rest_framework::sea_orm::Database::connect("sqlite::memory:").await?;
//! // In a sea-orm-migration migration, pass `manager.get_connection()`:
//! email_address::create_table(&db, "accounts_user", true).await?;
//! # Ok(())
//! # }
//! ```

use crate::signing;
use sea_orm::sea_query::{
    Alias, ColumnDef, ForeignKey, ForeignKeyAction, Table, TableCreateStatement, TableDropStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use serde_json::Value;
use std::time::Duration;

/// The sea-orm entity of `account_emailaddress`.
pub mod entity {
    use sea_orm::entity::prelude::*;

    /// One e-mail address of a user.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "account_emailaddress")]
    pub struct Model {
        /// allauth's `AutoField` id (an `integer`, not a `bigint`).
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The address, lower-cased (at most 254 characters).
        pub email: String,
        /// Whether the owner confirmed it.
        pub verified: bool,
        /// Whether it is the user's primary address.
        pub primary: bool,
        /// The owner.
        pub user_id: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// allauth's table name.
pub const TABLE: &str = "account_emailaddress";

/// `ACCOUNT_EMAIL_MAX_LENGTH`.
pub const EMAIL_MAX_LENGTH: u32 = 254;

/// allauth's `ACCOUNT_SALT` for confirmation keys.
pub const SALT: &str = "account";

/// `CREATE TABLE account_emailaddress` as allauth's migrations make it: `id` integer
/// primary key, `email` varchar(254), `verified` and `primary` booleans, `user_id` with a
/// foreign key to `user_table (id)` `ON DELETE CASCADE`. The indexes come from
/// [`create_index_statements`].
pub fn create_table_statement(user_table: &str) -> TableCreateStatement {
    Table::create()
        .table(TABLE)
        .col(
            ColumnDef::new("id")
                .integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(
            ColumnDef::new("email")
                .string_len(EMAIL_MAX_LENGTH)
                .not_null(),
        )
        .col(ColumnDef::new("verified").boolean().not_null())
        .col(ColumnDef::new("primary").boolean().not_null())
        .col(ColumnDef::new("user_id").big_integer().not_null())
        .foreign_key(
            ForeignKey::create()
                .name(format!("{TABLE}_user_id_fk_{user_table}_id"))
                .from(TABLE, "user_id")
                .to(Alias::new(user_table), "id")
                .on_delete(ForeignKeyAction::Cascade)
                .on_update(ForeignKeyAction::NoAction),
        )
        .to_owned()
}

/// allauth's indexes with Django's names: `(user_id, email)` unique, `user_id`, `email`
/// (and its `varchar_pattern_ops` twin on PostgreSQL), one primary address per user
/// (`unique_primary_email`) and, with `ACCOUNT_UNIQUE_EMAIL` (`unique_email`), one verified
/// owner per address (`unique_verified_email`). Partial indexes need raw SQL; the booleans are
/// compared with `TRUE`, which both SQLite and PostgreSQL read.
pub fn create_index_statements(backend: DbBackend, unique_email: bool) -> Vec<String> {
    let mut statements = vec![
        format!(
            "CREATE UNIQUE INDEX \"{TABLE}_user_id_email_987c8728_uniq\" ON \"{TABLE}\" (\"user_id\", \"email\")"
        ),
        format!("CREATE INDEX \"{TABLE}_user_id_2c513194\" ON \"{TABLE}\" (\"user_id\")"),
        format!("CREATE INDEX \"{TABLE}_email_03be32b2\" ON \"{TABLE}\" (\"email\")"),
        format!(
            "CREATE UNIQUE INDEX \"unique_primary_email\" ON \"{TABLE}\" (\"user_id\", \"primary\") WHERE \"primary\" = TRUE"
        ),
    ];
    if unique_email {
        statements.push(format!(
            "CREATE UNIQUE INDEX \"unique_verified_email\" ON \"{TABLE}\" (\"email\") WHERE \"verified\" = TRUE"
        ));
    }
    if backend == DbBackend::Postgres {
        statements.push(format!(
            "CREATE INDEX \"{TABLE}_email_03be32b2_like\" ON \"{TABLE}\" (\"email\" varchar_pattern_ops)"
        ));
    }
    statements
}

/// `DROP TABLE account_emailaddress` (its indexes go with it).
pub fn drop_table_statement() -> TableDropStatement {
    Table::drop().table(TABLE).to_owned()
}

/// Creates the table and its indexes on `db` (migrations call this with their connection).
pub async fn create_table<C: ConnectionTrait>(
    db: &C,
    user_table: &str,
    unique_email: bool,
) -> Result<(), DbErr> {
    db.execute(&create_table_statement(user_table)).await?;
    for sql in create_index_statements(db.get_database_backend(), unique_email) {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// `EmailConfirmationHMAC(address).key`: the address's id, signed with a timestamp
/// (`signing.dumps(pk, salt="account")`).
pub fn confirmation_key(address_id: i32, secret_key: &[u8]) -> String {
    signing::dumps(&Value::from(address_id), secret_key, SALT, false)
}

/// The address id a confirmation key carries, if its signature is good and it is at most
/// `max_age` old (`EmailConfirmationHMAC.from_key`'s `signing.loads`).
pub fn address_id_from_key(key: &str, secret_key: &[u8], max_age: Duration) -> Option<i32> {
    let value = signing::loads(key, secret_key, SALT, Some(max_age)).ok()?;
    value.as_i64().and_then(|id| i32::try_from(id).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a secret key";
    const THREE_DAYS: Duration = Duration::from_secs(3 * 86400);

    #[test]
    fn confirmation_keys_round_trip_and_expire() {
        let key = confirmation_key(42, KEY);
        assert_eq!(address_id_from_key(&key, KEY, THREE_DAYS), Some(42));
        assert_eq!(address_id_from_key(&key, b"another key", THREE_DAYS), None);
        let old = signing::dumps_at(
            &Value::from(42),
            KEY,
            SALT,
            false,
            chrono::Utc::now().timestamp() - 3 * 86400 - 10,
        );
        assert_eq!(address_id_from_key(&old, KEY, THREE_DAYS), None);
        assert_eq!(address_id_from_key("garbage", KEY, THREE_DAYS), None);
        let text = signing::dumps(&Value::from("42"), KEY, SALT, false);
        assert_eq!(address_id_from_key(&text, KEY, THREE_DAYS), None);
    }

    #[test]
    fn partial_indexes_are_portable_and_like_index_is_postgres_only() {
        let sqlite = create_index_statements(DbBackend::Sqlite, true);
        assert_eq!(sqlite.len(), 5);
        assert!(
            sqlite
                .iter()
                .all(|sql| !sql.contains("varchar_pattern_ops"))
        );
        assert!(
            sqlite
                .iter()
                .any(|sql| sql.contains("unique_verified_email"))
        );
        assert_eq!(create_index_statements(DbBackend::Sqlite, false).len(), 4);
        assert_eq!(create_index_statements(DbBackend::Postgres, true).len(), 6);
    }
}
