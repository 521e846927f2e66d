//! `sessions.0001_initial` (Django's `django.contrib.sessions`): the table `django_session`
//! (`session_key` varchar(40) primary key, `session_data` text, `expire_date` indexed), as
//! [`rest_framework::contrib::sessions::create_table_statement`] writes it.

use rest_framework::contrib::sessions;
use sea_orm_migration::prelude::*;

/// Creates `django_session` and its `expire_date` index.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(sessions::create_table_statement())
            .await?;
        manager
            .create_index(sessions::create_index_statement())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(sessions::drop_table_statement()).await
    }
}
