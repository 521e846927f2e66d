//! simplejwt's `rest_framework_simplejwt.token_blacklist` app: the tables that record issued
//! refresh tokens and revoke them.
//!
//! - [`outstanding_token`] / [`blacklisted_token`]: sea-orm entities of Django's tables
//!   `token_blacklist_outstandingtoken` (`id`, `jti` unique, `token`, `created_at` null,
//!   `expires_at`, `user_id` null, `SET NULL` on user deletion) and
//!   `token_blacklist_blacklistedtoken` (`id`, `blacklisted_at`, `token_id` unique, cascading);
//! - [`create_table_statements`] / [`drop_table_statements`] / [`create_tables`]: their DDL,
//!   for the application's migrations;
//! - [`outstand`], [`blacklist`], [`is_blacklisted`]: simplejwt's `BlacklistMixin` methods.
//!
//! The tables are the ones simplejwt's migrations create, so a token blacklisted by either
//! side is refused by both. Turn the app on with
//! [`JwtSettings::token_blacklist`](crate::contrib::simplejwt::jwt::JwtSettings::token_blacklist).
//!
//! ```
//! use rest_framework::contrib::simplejwt::token_blacklist;
//! use rest_framework::sea_orm::ConnectionTrait;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = rest_framework::sea_orm::Database::connect("sqlite::memory:").await?;
//! // In a sea-orm-migration migration, `manager.create_table(table)` for each; here directly:
//! for table in token_blacklist::create_table_statements("accounts_user") {
//!     db.execute(&table).await?;
//! }
//! # Ok(())
//! # }
//! ```

pub mod blacklisted_token;
pub mod outstanding_token;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, ColumnDef, ForeignKey, ForeignKeyAction, Index, IndexCreateStatement, OnConflict, Query,
    Table, TableCreateStatement, TableDropStatement,
};
use sea_orm::{
    ActiveValue, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait,
};

/// Django's table of outstanding tokens.
pub const OUTSTANDING_TABLE: &str = "token_blacklist_outstandingtoken";
/// Django's table of blacklisted tokens.
pub const BLACKLISTED_TABLE: &str = "token_blacklist_blacklistedtoken";

/// Django's `BigAutoField` primary key.
fn id_column() -> ColumnDef {
    ColumnDef::new("id")
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// `CREATE TABLE` for both tables as simplejwt's migrations leave them, outstanding tokens
/// first. `user_table` is the application's user table (`user_id` references its `id`).
pub fn create_table_statements(user_table: &str) -> Vec<TableCreateStatement> {
    let outstanding = Table::create()
        .table(OUTSTANDING_TABLE)
        .col(id_column())
        .col(
            ColumnDef::new("jti")
                .string_len(255)
                .not_null()
                .unique_key(),
        )
        .col(ColumnDef::new("token").text().not_null())
        .col(
            ColumnDef::new("created_at")
                .timestamp_with_time_zone()
                .null(),
        )
        .col(
            ColumnDef::new("expires_at")
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new("user_id").big_integer().null())
        .foreign_key(
            ForeignKey::create()
                .name(format!("{OUTSTANDING_TABLE}_user_id_fk_{user_table}_id"))
                .from(OUTSTANDING_TABLE, "user_id")
                .to(Alias::new(user_table), "id")
                .on_delete(ForeignKeyAction::SetNull)
                .on_update(ForeignKeyAction::NoAction),
        )
        .to_owned();
    let blacklisted = Table::create()
        .table(BLACKLISTED_TABLE)
        .col(id_column())
        .col(
            ColumnDef::new("blacklisted_at")
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new("token_id")
                .big_integer()
                .not_null()
                .unique_key(),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!(
                    "{BLACKLISTED_TABLE}_token_id_fk_{OUTSTANDING_TABLE}_id"
                ))
                .from(BLACKLISTED_TABLE, "token_id")
                .to(OUTSTANDING_TABLE, "id")
                .on_delete(ForeignKeyAction::Cascade)
                .on_update(ForeignKeyAction::NoAction),
        )
        .to_owned();
    vec![outstanding, blacklisted]
}

/// The index Django puts on the foreign key `user_id` of the outstanding tokens.
pub fn create_index_statements() -> Vec<IndexCreateStatement> {
    vec![
        Index::create()
            .name(format!("{OUTSTANDING_TABLE}_user_id_idx"))
            .table(OUTSTANDING_TABLE)
            .col("user_id")
            .to_owned(),
    ]
}

/// `DROP TABLE` for both tables, blacklisted tokens first.
pub fn drop_table_statements() -> Vec<TableDropStatement> {
    vec![
        Table::drop().table(BLACKLISTED_TABLE).to_owned(),
        Table::drop().table(OUTSTANDING_TABLE).to_owned(),
    ]
}

/// Creates both tables and the index on `db` (for applications without sea-orm-migration,
/// and tests).
pub async fn create_tables<C: ConnectionTrait>(db: &C, user_table: &str) -> Result<(), DbErr> {
    for table in create_table_statements(user_table) {
        db.execute(&table).await?;
    }
    for index in create_index_statements() {
        db.execute(&index).await?;
    }
    Ok(())
}

/// An issued token, as [`outstand`] and [`blacklist`] record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken<'a> {
    /// The `jti` claim.
    pub jti: &'a str,
    /// The encoded token.
    pub token: &'a str,
    /// The user, if it exists.
    pub user_id: Option<i64>,
    /// When it was issued (simplejwt: the token object's `current_time`).
    pub created_at: DateTime<Utc>,
    /// Its `exp`.
    pub expires_at: DateTime<Utc>,
}

/// Records `token` as outstanding unless its `jti` already is (simplejwt's `outstand()`,
/// `get_or_create` by `jti`); returns the row's id.
pub async fn outstand<C: ConnectionTrait>(db: &C, token: &IssuedToken<'_>) -> Result<i64, DbErr> {
    outstanding_token::Entity::insert(outstanding_token::ActiveModel {
        id: ActiveValue::NotSet,
        jti: ActiveValue::Set(token.jti.to_string()),
        token: ActiveValue::Set(token.token.to_string()),
        created_at: ActiveValue::Set(Some(token.created_at)),
        expires_at: ActiveValue::Set(token.expires_at),
        user_id: ActiveValue::Set(token.user_id),
    })
    .on_conflict(
        OnConflict::column(outstanding_token::Column::Jti)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    outstanding_token::Entity::find()
        .select_only()
        .column(outstanding_token::Column::Id)
        .filter(outstanding_token::Column::Jti.eq(token.jti))
        .into_tuple::<i64>()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("outstanding token {}", token.jti)))
}

/// Blacklists `token`, recording it as outstanding first if needed (simplejwt's
/// `blacklist()`), in one transaction. Returns whether this call blacklisted it: `false` when
/// it already was, so blacklisting twice is harmless, and of several requests blacklisting
/// the same token at once exactly one gets `true` (the blacklist row is inserted or not,
/// atomically, under its unique `token_id`: on PostgreSQL the others wait for the first
/// one's commit, on SQLite for its write lock).
pub async fn blacklist(db: &DatabaseConnection, token: &IssuedToken<'_>) -> Result<bool, DbErr> {
    use sea_orm::QueryTrait;
    let txn = db.begin().await?;
    let token_id = outstand(&txn, token).await?;
    let insert = blacklisted_token::Entity::insert(blacklisted_token::ActiveModel {
        id: ActiveValue::NotSet,
        blacklisted_at: ActiveValue::Set(crate::timezone::now()),
        token_id: ActiveValue::Set(token_id),
    })
    .on_conflict(
        OnConflict::column(blacklisted_token::Column::TokenId)
            .do_nothing()
            .to_owned(),
    )
    .into_query();
    let inserted = txn.execute(&insert).await?.rows_affected() == 1;
    txn.commit().await?;
    Ok(inserted)
}

/// Whether the token with this `jti` is blacklisted (simplejwt's `check_blacklist()`).
pub async fn is_blacklisted<C: ConnectionTrait>(db: &C, jti: &str) -> Result<bool, DbErr> {
    let outstanding_ids = Query::select()
        .column(outstanding_token::Column::Id)
        .from(outstanding_token::Entity)
        .and_where(outstanding_token::Column::Jti.eq(jti))
        .to_owned();
    let count = blacklisted_token::Entity::find()
        .filter(blacklisted_token::Column::TokenId.in_subquery(outstanding_ids))
        .count(db)
        .await?;
    Ok(count > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{Database, DatabaseBackend};

    #[test]
    fn ddl_matches_simplejwts_migrations() {
        let sql: Vec<String> = create_table_statements("accounts_user")
            .iter()
            .map(|t| DatabaseBackend::Postgres.build(t).to_string())
            .collect();
        for part in [
            r#"CREATE TABLE "token_blacklist_outstandingtoken""#,
            r#""id" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL PRIMARY KEY"#,
            r#""jti" varchar(255) NOT NULL UNIQUE"#,
            r#""token" text NOT NULL"#,
            r#""created_at" timestamp with time zone NULL"#,
            r#""expires_at" timestamp with time zone NOT NULL"#,
            r#""user_id" bigint NULL"#,
            r#"FOREIGN KEY ("user_id") REFERENCES "accounts_user" ("id") ON DELETE SET NULL"#,
        ] {
            assert!(sql[0].contains(part), "{part} not in {}", sql[0]);
        }
        for part in [
            r#"CREATE TABLE "token_blacklist_blacklistedtoken""#,
            r#""blacklisted_at" timestamp with time zone NOT NULL"#,
            r#""token_id" bigint NOT NULL UNIQUE"#,
            r#"FOREIGN KEY ("token_id") REFERENCES "token_blacklist_outstandingtoken" ("id") ON DELETE CASCADE"#,
        ] {
            assert!(sql[1].contains(part), "{part} not in {}", sql[1]);
        }
    }

    #[tokio::test]
    async fn outstand_blacklist_and_check() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        db.execute_unprepared("CREATE TABLE users (id integer PRIMARY KEY)")
            .await
            .expect("users");
        db.execute_unprepared("INSERT INTO users (id) VALUES (1)")
            .await
            .expect("rows");
        create_tables(&db, "users").await.expect("tables");
        let now = crate::timezone::now();
        let token = IssuedToken {
            jti: "a1",
            token: "x.y.z",
            user_id: Some(1),
            created_at: now,
            expires_at: now + chrono::Duration::days(1),
        };
        let id = outstand(&db, &token).await.expect("outstand");
        assert_eq!(outstand(&db, &token).await.expect("again"), id);
        assert!(!is_blacklisted(&db, "a1").await.expect("check"));
        assert!(blacklist(&db, &token).await.expect("blacklist"));
        assert!(
            !blacklist(&db, &token).await.expect("blacklist twice"),
            "the second call finds it blacklisted"
        );
        assert!(is_blacklisted(&db, "a1").await.expect("check"));
        assert!(!is_blacklisted(&db, "other").await.expect("check"));
        assert_eq!(
            blacklisted_token::Entity::find()
                .count(&db)
                .await
                .expect("count"),
            1
        );
        // Blacklisting a token never seen records it first.
        let unseen = IssuedToken {
            jti: "b2",
            user_id: None,
            ..token.clone()
        };
        assert!(blacklist(&db, &unseen).await.expect("blacklist unseen"));
        assert!(is_blacklisted(&db, "b2").await.expect("check"));
        // Deleting the user keeps its tokens, without a user.
        db.execute_unprepared("DELETE FROM users WHERE id = 1")
            .await
            .expect("delete user");
        let row = outstanding_token::Entity::find_by_id(id)
            .one(&db)
            .await
            .expect("find")
            .expect("kept");
        assert_eq!((row.user_id, row.jti.as_str()), (None, "a1"));
        assert!(is_blacklisted(&db, "a1").await.expect("check"));
    }
}
