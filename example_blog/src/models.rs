//! Django's `Meta` for the blog's entities: display names and default orderings, and the
//! user entity's contract with the framework's authentication.

use crate::entities::{article, comment, tag, user};
use rest_framework::contrib::accounts::AccountUser;
use rest_framework::contrib::auth::{AuthUser, RequestUser};
use rest_framework::models::ModelMeta;
use rest_framework::sea_orm::Order;

impl ModelMeta for user::Entity {
    const NAME: &'static str = "User";
    const VERBOSE_NAME: &'static str = "user";
    fn ordering() -> Vec<(user::Column, Order)> {
        vec![(user::Column::Id, Order::Asc)]
    }
}

impl ModelMeta for tag::Entity {
    const NAME: &'static str = "Tag";
    const VERBOSE_NAME: &'static str = "tag";
    fn ordering() -> Vec<(tag::Column, Order)> {
        vec![(tag::Column::Name, Order::Asc)]
    }
}

impl ModelMeta for article::Entity {
    const NAME: &'static str = "Article";
    const VERBOSE_NAME: &'static str = "article";
    /// Newest first; the id breaks ties between equal timestamps.
    fn ordering() -> Vec<(article::Column, Order)> {
        vec![
            (article::Column::CreatedAt, Order::Desc),
            (article::Column::Id, Order::Desc),
        ]
    }
}

impl ModelMeta for comment::Entity {
    const NAME: &'static str = "Comment";
    const VERBOSE_NAME: &'static str = "comment";
    /// Oldest first (reading order); the id breaks ties.
    fn ordering() -> Vec<(comment::Column, Order)> {
        vec![
            (comment::Column::CreatedAt, Order::Asc),
            (comment::Column::Id, Order::Asc),
        ]
    }
}

/// Users log in with their e-mail address (no username).
impl AuthUser for user::Entity {
    const USERNAME_FIELD: &'static str = "email";
    const USERNAME_CASE_INSENSITIVE: bool = true;

    fn username_column() -> user::Column {
        user::Column::Email
    }

    fn password_hash(user: &user::Model) -> &str {
        &user.password
    }

    fn request_user(user: &user::Model) -> RequestUser {
        RequestUser {
            id: user.id,
            username: user.email.clone(),
            is_active: user.is_active,
            is_staff: user.is_staff,
            is_superuser: user.is_superuser,
        }
    }

    fn last_login_column() -> Option<user::Column> {
        Some(user::Column::LastLogin)
    }
}

/// The account endpoints (`/api/accounts/v1/`) register, show and update users.
impl AccountUser for user::Entity {
    fn email(user: &user::Model) -> &str {
        &user.email
    }

    fn first_name(user: &user::Model) -> &str {
        &user.first_name
    }

    fn last_name(user: &user::Model) -> &str {
        &user.last_name
    }

    fn last_login(user: &user::Model) -> Option<chrono::DateTime<chrono::Utc>> {
        user.last_login
    }

    fn new_user(email: &str, password_hash: String) -> user::ActiveModel {
        crate::accounts::new_user(email, password_hash, false)
    }
}
