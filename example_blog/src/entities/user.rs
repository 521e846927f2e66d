//! `accounts.User` (table `accounts_user`): Django's `AbstractUser` without `username`; the
//! e-mail address is the login.

use sea_orm::entity::prelude::*;

/// A user account. `password` holds a Django-format hash (`algorithm$...`), never the raw
/// password.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts_user")]
pub struct Model {
    /// Primary key (Django's `BigAutoField`).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The password hash, `max_length = 128`.
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub password: String,
    /// The time of the last successful login, if any.
    pub last_login: Option<DateTimeUtc>,
    /// Has every permission without them being assigned.
    pub is_superuser: bool,
    /// The unique login (`EmailField`, `max_length = 254`).
    #[sea_orm(unique, column_type = "String(StringLen::N(254))")]
    pub email: String,
    /// `max_length = 150`, may be empty.
    #[sea_orm(column_type = "String(StringLen::N(150))")]
    pub first_name: String,
    /// `max_length = 150`, may be empty.
    #[sea_orm(column_type = "String(StringLen::N(150))")]
    pub last_name: String,
    /// May use the admin (and, in the blog, write tags).
    pub is_staff: bool,
    /// Inactive users cannot log in.
    pub is_active: bool,
    /// When the account was created.
    pub date_joined: DateTimeUtc,
    /// The user's articles (Django's `related_name="articles"`).
    #[sea_orm(has_many)]
    pub articles: HasMany<super::article::Entity>,
    /// The user's comments (Django's default `comment_set`).
    #[sea_orm(has_many)]
    pub comment_set: HasMany<super::comment::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
