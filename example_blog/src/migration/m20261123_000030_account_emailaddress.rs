//! `account.0001_initial` … `0009` (django-allauth): the table `account_emailaddress`
//! (`id` integer, `email` varchar(254), `verified`, `primary`, `user_id` to `accounts_user`)
//! with allauth's indexes, `ACCOUNT_UNIQUE_EMAIL = True` (`unique_verified_email`), as
//! [`rest_framework::contrib::accounts::email_address::create_table`] writes them.

use rest_framework::contrib::accounts::email_address;
use sea_orm_migration::prelude::*;

/// Creates `account_emailaddress` and its indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        email_address::create_table(manager.get_connection(), "accounts_user", true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(email_address::drop_table_statement())
            .await
    }
}
