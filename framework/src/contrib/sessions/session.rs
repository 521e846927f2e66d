//! Django's `django.contrib.sessions.models.Session` (table `django_session`).

use sea_orm::entity::prelude::*;

/// A stored session.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "django_session")]
pub struct Model {
    /// The key in the `sessionid` cookie (`max_length = 40`, primary key).
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(40))"
    )]
    pub session_key: String,
    /// The data, signed as Django's `signing.dumps` (see [`super::encode`]).
    #[sea_orm(column_type = "Text")]
    pub session_data: String,
    /// When the session stops being valid (indexed, for `clearsessions`).
    pub expire_date: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
