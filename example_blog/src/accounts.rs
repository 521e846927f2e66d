//! Creating users from code and from the command line: the blog's `UserManager`
//! (`reference/drf_blog/accounts/managers.py`).

use crate::entities::user;
use rest_framework::contrib::auth::hashers::make_password;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

/// Django's `BaseUserManager.normalize_email`: trims the address and lower-cases its domain
/// part (`Jane.Doe@Example.COM` -> `Jane.Doe@example.com`). The local part is kept as typed;
/// a string without `@` is returned unchanged.
pub fn normalize_email(email: &str) -> String {
    match email.trim().rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => email.to_owned(),
    }
}

/// A plausible e-mail address: `local@domain`, both parts non-empty, no whitespace, at most
/// 254 characters (the column's length). Not a full RFC 5322 check.
pub fn is_valid_email(email: &str) -> bool {
    email.chars().count() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .rsplit_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
}

/// Creates an active user (`UserManager.create_user`, or `create_superuser` when `is_staff`):
/// the e-mail is normalized with [`normalize_email`], the password is hashed with
/// [`make_password`], `is_superuser` is `is_staff`, names are empty and `date_joined` is now.
///
/// Fails with `DbErr::Custom("The given email must be set")` for an empty address, and with
/// the database's unique-constraint error if the address is taken.
pub async fn create_user(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    is_staff: bool,
) -> Result<user::Model, DbErr> {
    let email = normalize_email(email);
    if email.is_empty() {
        return Err(DbErr::Custom("The given email must be set".to_owned()));
    }
    let password = make_password(password.to_owned()).await;
    new_user(&email, password, is_staff).insert(db).await
}

/// An active user to insert: `email` as given, `password` already hashed, `is_superuser`
/// equal to `is_staff`, empty names, `date_joined` now.
pub fn new_user(email: &str, password: String, is_staff: bool) -> user::ActiveModel {
    user::ActiveModel {
        password: Set(password),
        last_login: Set(None),
        is_superuser: Set(is_staff),
        email: Set(email.to_owned()),
        first_name: Set(String::new()),
        last_name: Set(String::new()),
        is_staff: Set(is_staff),
        is_active: Set(true),
        // Microseconds, as Django stores and DRF prints them.
        date_joined: Set(rest_framework::timezone::now()),
        ..Default::default()
    }
}

/// Creates a staff superuser, or, if a user with this (normalized) e-mail exists, sets its
/// password and makes it an active staff superuser (the reference's `ensure_admin`
/// command). Returns the user and whether it was created.
pub async fn create_or_reset_superuser(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<(user::Model, bool), DbErr> {
    let normalized = normalize_email(email);
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(normalized.as_str()))
        .one(db)
        .await?;
    match existing {
        None => Ok((create_user(db, &normalized, password, true).await?, true)),
        Some(existing) => {
            let password = make_password(password.to_owned()).await;
            let mut active: user::ActiveModel = existing.into();
            active.password = Set(password);
            active.is_staff = Set(true);
            active.is_superuser = Set(true);
            active.is_active = Set(true);
            Ok((active.update(db).await?, false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_django() {
        assert_eq!(
            normalize_email("Jane.Doe@Example.COM"),
            "Jane.Doe@example.com"
        );
        assert_eq!(normalize_email("  a@B.c "), "a@b.c");
        assert_eq!(normalize_email("a@b@C"), "a@b@c");
        assert_eq!(normalize_email("no-at-sign"), "no-at-sign");
        assert_eq!(normalize_email(""), "");
    }

    #[test]
    fn validates_emails() {
        assert!(is_valid_email("admin@example.com"));
        assert!(!is_valid_email("admin"));
        assert!(!is_valid_email("@example.com"));
        assert!(!is_valid_email("admin@"));
        assert!(!is_valid_email("ad min@example.com"));
    }
}
