//! `accounts.0001_initial`: the custom user table `accounts_user` (Django's `AbstractUser`
//! without `username`, with a unique `email`). Django's `groups` / `user_permissions`
//! many-to-many tables are not part of the blog.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_pk_auto, boolean, string_len, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

/// Creates `accounts_user`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const USER: &str = "accounts_user";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(USER)
                    .col(big_pk_auto("id"))
                    .col(string_len("password", 128))
                    .col(timestamp_with_time_zone_null("last_login"))
                    .col(boolean("is_superuser").default(false))
                    .col(string_len("first_name", 150).default(""))
                    .col(string_len("last_name", 150).default(""))
                    .col(boolean("is_staff").default(false))
                    .col(boolean("is_active").default(true))
                    .col(timestamp_with_time_zone("date_joined"))
                    .col(string_len("email", 254).unique_key())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(USER).to_owned())
            .await
    }
}
