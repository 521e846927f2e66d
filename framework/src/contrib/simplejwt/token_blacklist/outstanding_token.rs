//! simplejwt's `OutstandingToken` (table `token_blacklist_outstandingtoken`): every refresh
//! (and sliding) token issued while the blacklist app is installed.
//!
//! `user_id` points at the application's user table; the foreign key (`ON DELETE SET NULL`)
//! exists in the database (see [`super::create_table_statements`]), not as a sea-orm relation.

use sea_orm::entity::prelude::*;

/// An issued token.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_blacklist_outstandingtoken")]
pub struct Model {
    /// Primary key (Django's `BigAutoField`).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The token's `jti` claim (unique, `max_length = 255`).
    #[sea_orm(unique, column_type = "String(StringLen::N(255))")]
    pub jti: String,
    /// The whole encoded token.
    #[sea_orm(column_type = "Text")]
    pub token: String,
    /// When the token was issued (nullable, as in simplejwt).
    pub created_at: Option<DateTimeUtc>,
    /// The token's `exp`.
    pub expires_at: DateTimeUtc,
    /// The token's user; `NULL` when unknown or deleted (`on_delete=SET_NULL`).
    pub user_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
