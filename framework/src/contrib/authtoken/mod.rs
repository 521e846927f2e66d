//! DRF's `rest_framework.authtoken`: one random key per user, sent as
//! `Authorization: Token <key>`.
//!
//! - [`token`]: the sea-orm entity of Django's table `authtoken_token` (`key` varchar(40)
//!   primary key, `created`, `user_id` unique foreign key to the user table);
//! - [`create_table_statement`] / [`drop_table_statement`]: its DDL, for the application's
//!   migrations (the foreign key's target is the application's user table);
//! - [`get_or_create_token`]: the user's key, created on first use (40 lowercase hexadecimal
//!   characters from the operating system's CSPRNG, as DRF's `secrets.token_hex(20)`);
//! - [`TokenAuthentication`]: the authentication class;
//! - [`ObtainAuthTokenView`]: `POST {"username", "password"}` → `{"token": key}`.
//!
//! The table is the one DRF creates, so tokens issued by either side work on the other.
//!
//! ```
//! use rest_framework::contrib::authtoken::{self, ObtainAuthTokenView, TokenAuthentication};
//! use rest_framework::prelude::*;
//! use std::sync::Arc;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = rest_framework::sea_orm::Database::connect("sqlite::memory:").await?;
//! // In a migration: `manager.create_table(authtoken::create_table_statement("accounts_user"))`;
//! // without sea-orm-migration (and in tests):
//! authtoken::create_table(&db, "accounts_user").await?;
//! // In the settings and URLs:
//! let mut settings = Settings::new("not a production secret");
//! settings.default_authentication_classes.push(Arc::new(TokenAuthentication::new()));
//! let urlpatterns = UrlPatterns::new().path("/api/api-token-auth/", ObtainAuthTokenView);
//! # let _ = (settings, urlpatterns);
//! # Ok(())
//! # }
//! ```

mod authentication;
#[cfg(test)]
mod basic_tests;
pub mod token;
mod views;

#[cfg(test)]
pub(crate) mod test_support;

pub use authentication::TokenAuthentication;
pub use views::ObtainAuthTokenView;

use rand::{RngCore, TryRngCore};
use sea_orm::sea_query::{
    Alias, ColumnDef, ForeignKey, ForeignKeyAction, Table, TableCreateStatement, TableDropStatement,
};
use sea_orm::{ActiveValue, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, SqlErr};

/// Django's table name of the token model.
pub const TABLE: &str = "authtoken_token";

/// Length of a key in characters (`max_length = 40`).
pub const KEY_LENGTH: usize = 40;

/// A new key: 20 bytes from the operating system's CSPRNG, as 40 lowercase hexadecimal
/// characters (DRF's `Token.generate_key`, `secrets.token_hex(20)`).
pub fn generate_key() -> String {
    let mut bytes = [0u8; KEY_LENGTH / 2];
    if let Err(err) = rand::rngs::OsRng.try_fill_bytes(&mut bytes) {
        // The thread-local generator is a CSPRNG seeded from the OS as well.
        tracing::warn!("OS random source failed ({err}); using the thread-local CSPRNG");
        rand::rng().fill_bytes(&mut bytes);
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `CREATE TABLE authtoken_token` as DRF's migrations make it: `key` varchar(40) primary key,
/// `created` (timestamp with time zone), `user_id` bigint unique, with a foreign key to
/// `user_table (id)` `ON DELETE CASCADE` (Django's `on_delete=CASCADE`).
pub fn create_table_statement(user_table: &str) -> TableCreateStatement {
    Table::create()
        .table(TABLE)
        .col(
            ColumnDef::new("key")
                .string_len(KEY_LENGTH as u32)
                .not_null()
                .primary_key(),
        )
        .col(
            ColumnDef::new("created")
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new("user_id")
                .big_integer()
                .not_null()
                .unique_key(),
        )
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

/// `DROP TABLE authtoken_token`.
pub fn drop_table_statement() -> TableDropStatement {
    Table::drop().table(TABLE).to_owned()
}

/// Creates the table on `db` (for applications without sea-orm-migration, and tests).
pub async fn create_table<C: ConnectionTrait>(db: &C, user_table: &str) -> Result<(), DbErr> {
    db.execute(&create_table_statement(user_table))
        .await
        .map(|_| ())
}

/// The key of `user_id`'s token, if the user has one.
pub async fn get_token<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<Option<String>, DbErr> {
    let token = token::Entity::find()
        .filter(token::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    Ok(token.map(|token| token.key))
}

/// The key of `user_id`'s token, created if the user has none (DRF's
/// `Token.objects.get_or_create(user=user)`): the same key on every call.
///
/// Two concurrent first calls for one user both get the key that was stored.
pub async fn get_or_create_token<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<String, DbErr> {
    // A fresh key can only collide with another user's key by a 2^-160 chance; retry anyway.
    const ATTEMPTS: usize = 3;
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        if let Some(key) = get_token(db, user_id).await? {
            return Ok(key);
        }
        let key = generate_key();
        let insert = token::Entity::insert(token::ActiveModel {
            key: ActiveValue::Set(key.clone()),
            created: ActiveValue::Set(crate::timezone::now()),
            user_id: ActiveValue::Set(user_id),
        })
        .exec_without_returning(db)
        .await;
        match insert {
            Ok(_) => return Ok(key),
            // Another request created the user's token meanwhile (or the key exists): look again.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                last_error = Some(err);
            }
            Err(err) => return Err(err),
        }
    }
    Err(last_error.unwrap_or_else(|| DbErr::Custom("could not create a token".into())))
}

/// Deletes `user_id`'s token, if any (dj-rest-auth's logout does this). Returns whether one
/// existed.
pub async fn delete_token<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<bool, DbErr> {
    let result = token::Entity::delete_many()
        .filter(token::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{Database, DatabaseBackend};

    #[test]
    fn keys_are_40_lowercase_hex_and_random() {
        let keys: std::collections::HashSet<String> = (0..200).map(|_| generate_key()).collect();
        assert_eq!(keys.len(), 200);
        for key in &keys {
            assert_eq!(key.len(), KEY_LENGTH, "{key}");
            assert!(
                key.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
                "{key}"
            );
        }
    }

    #[test]
    fn ddl_matches_django() {
        let postgres = DatabaseBackend::Postgres
            .build(&create_table_statement("accounts_user"))
            .to_string();
        for part in [
            r#"CREATE TABLE "authtoken_token""#,
            r#""key" varchar(40) NOT NULL PRIMARY KEY"#,
            r#""created" timestamp with time zone NOT NULL"#,
            r#""user_id" bigint NOT NULL UNIQUE"#,
            r#"CONSTRAINT "authtoken_token_user_id_fk_accounts_user_id" FOREIGN KEY ("user_id") REFERENCES "accounts_user" ("id") ON DELETE CASCADE ON UPDATE NO ACTION"#,
        ] {
            assert!(postgres.contains(part), "{part} not in {postgres}");
        }
        let sqlite = DatabaseBackend::Sqlite
            .build(&create_table_statement("users"))
            .to_string();
        assert!(sqlite.contains(r#"REFERENCES "users" ("id")"#), "{sqlite}");
        assert_eq!(
            DatabaseBackend::Sqlite
                .build(&drop_table_statement())
                .to_string(),
            r#"DROP TABLE "authtoken_token""#
        );
    }

    #[tokio::test]
    async fn get_or_create_returns_one_key_per_user() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        db.execute_unprepared("CREATE TABLE users (id integer PRIMARY KEY)")
            .await
            .expect("users");
        db.execute_unprepared("INSERT INTO users (id) VALUES (1), (2)")
            .await
            .expect("rows");
        create_table(&db, "users").await.expect("create table");

        assert_eq!(get_token(&db, 1).await.expect("get"), None);
        let first = get_or_create_token(&db, 1).await.expect("create");
        assert_eq!(first.len(), KEY_LENGTH);
        assert_eq!(get_or_create_token(&db, 1).await.expect("again"), first);
        assert_eq!(get_token(&db, 1).await.expect("get"), Some(first.clone()));
        let other = get_or_create_token(&db, 2).await.expect("other user");
        assert_ne!(other, first);

        let stored = token::Entity::find_by_id(first.clone())
            .one(&db)
            .await
            .expect("find")
            .expect("stored");
        assert_eq!(stored.user_id, 1);
        assert!((chrono::Utc::now() - stored.created).num_seconds().abs() < 60);

        // The foreign key holds (sqlx enables SQLite's foreign keys).
        assert!(get_or_create_token(&db, 99).await.is_err());

        assert!(delete_token(&db, 1).await.expect("delete"));
        assert!(!delete_token(&db, 1).await.expect("delete again"));
        let renewed = get_or_create_token(&db, 1).await.expect("renew");
        assert_ne!(renewed, first);

        // Deleting the user deletes the token (ON DELETE CASCADE).
        db.execute_unprepared("DELETE FROM users WHERE id = 2")
            .await
            .expect("delete user");
        assert_eq!(get_token(&db, 2).await.expect("get"), None);
    }
}
