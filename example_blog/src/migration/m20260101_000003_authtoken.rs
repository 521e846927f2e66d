//! `authtoken.0001_initial` (DRF's `rest_framework.authtoken`): the table `authtoken_token`
//! (`key` varchar(40) primary key, `created`, `user_id` unique, cascading to `accounts_user`),
//! as [`rest_framework::contrib::authtoken::create_table_statement`] writes it.

use rest_framework::contrib::authtoken;
use sea_orm_migration::prelude::*;

/// Creates `authtoken_token`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const USER: &str = "accounts_user";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(authtoken::create_table_statement(USER))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(authtoken::drop_table_statement()).await
    }
}
