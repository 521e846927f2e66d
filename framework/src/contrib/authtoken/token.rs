//! DRF's `rest_framework.authtoken.models.Token` (table `authtoken_token`): one key per user.
//!
//! `user_id` points at the application's user table; the foreign key exists in the database
//! (see [`super::create_table_statement`]), not as a sea-orm relation, so the framework does not
//! need to know the user entity.

use sea_orm::entity::prelude::*;

/// A user's token.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authtoken_token")]
pub struct Model {
    /// The key: 40 lowercase hexadecimal characters (`max_length = 40`, primary key).
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(40))"
    )]
    pub key: String,
    /// When the token was created (Django's `auto_now_add`).
    pub created: DateTimeUtc,
    /// The owner (`OneToOneField` to the user model: unique).
    #[sea_orm(unique)]
    pub user_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
