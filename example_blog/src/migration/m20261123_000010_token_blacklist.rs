//! simplejwt's `token_blacklist` migrations (0001 to 0013): the tables
//! `token_blacklist_outstandingtoken` (user foreign key `SET NULL` to `accounts_user`) and
//! `token_blacklist_blacklistedtoken`, as [`rest_framework::contrib::simplejwt::token_blacklist`] writes them.

use rest_framework::contrib::simplejwt::token_blacklist;
use sea_orm_migration::prelude::*;

/// Creates the token blacklist tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

const USER: &str = "accounts_user";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in token_blacklist::create_table_statements(USER) {
            manager.create_table(table).await?;
        }
        for index in token_blacklist::create_index_statements() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in token_blacklist::drop_table_statements() {
            manager.drop_table(table).await?;
        }
        Ok(())
    }
}
