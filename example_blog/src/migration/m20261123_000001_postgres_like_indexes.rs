//! The `varchar_pattern_ops` indexes that Django's migrations add on PostgreSQL to every
//! unique `CharField` (`<table>_<column>_<digest>_like`, Django's names), so that
//! `LIKE 'prefix%'` lookups (`startswith`) can use an index whatever the database's collation.
//! SQLite has no operator classes: there this migration does nothing.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

/// Creates the `_like` indexes on PostgreSQL.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(index, table, column)`: the names Django gives them (`names_digest(table, column)`).
const LIKE_INDEXES: [(&str, &str, &str); 3] = [
    (
        "accounts_user_email_b2644a56_like",
        "accounts_user",
        "email",
    ),
    ("blog_tag_name_c5718cc8_like", "blog_tag", "name"),
    (
        "authtoken_token_key_10f0b77e_like",
        "authtoken_token",
        "key",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (index, table, column) in LIKE_INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "CREATE INDEX \"{index}\" ON \"{table}\" (\"{column}\" varchar_pattern_ops)"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (index, _, _) in LIKE_INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS \"{index}\""))
                .await?;
        }
        Ok(())
    }
}
