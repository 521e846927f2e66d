//! simplejwt's `BlacklistedToken` (table `token_blacklist_blacklistedtoken`): the outstanding
//! tokens that are refused from now on.

use sea_orm::entity::prelude::*;

/// A blacklisted token.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_blacklist_blacklistedtoken")]
pub struct Model {
    /// Primary key (Django's `BigAutoField`).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// When it was blacklisted (`auto_now_add`).
    pub blacklisted_at: DateTimeUtc,
    /// The outstanding token (`OneToOneField`, `on_delete=CASCADE`).
    #[sea_orm(unique)]
    pub token_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
