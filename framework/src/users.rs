//! The user of a request, and where users are found: what the core knows of users.
//!
//! The user model itself (Django's `django.contrib.auth`: the `AuthUser` contract, password
//! hashing, logins) is `contrib::auth`, which implements [`UserStore`] for an entity. The
//! core only asks the store, so an app with users of its own kind plugs in here.

use sea_orm::{DatabaseConnection, DbErr};

/// The authenticated user of a request: what authentication, permissions and views need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUser {
    /// Primary key.
    pub id: i64,
    /// The login name (Django's `USERNAME_FIELD` value, e.g. the email).
    pub username: String,
    /// Django's `is_active`.
    pub is_active: bool,
    /// Django's `is_staff`.
    pub is_staff: bool,
    /// Django's `is_superuser`.
    pub is_superuser: bool,
}

/// How the framework finds users; one per application, in [`crate::settings::AppState`]. `contrib::auth`
/// implements it for a user entity (`EntityUserStore`); implement it yourself for users that
/// live elsewhere.
#[async_trait::async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// The name of the login field in request bodies (Django's `USERNAME_FIELD`, e.g. `email`).
    fn username_field(&self) -> &'static str;
    /// Loads an active or inactive user by primary key.
    async fn get_by_id(
        &self,
        db: &DatabaseConnection,
        id: i64,
    ) -> Result<Option<RequestUser>, DbErr>;
    /// Loads a user and their password hash by login name.
    async fn get_by_username(
        &self,
        db: &DatabaseConnection,
        username: &str,
    ) -> Result<Option<(RequestUser, String)>, DbErr>;

    /// The stored password hash of the user `id` (sessions sign it: Django's
    /// `get_session_auth_hash`). The default looks the user up by id, then by login name.
    async fn password_hash_by_id(
        &self,
        db: &DatabaseConnection,
        id: i64,
    ) -> Result<Option<String>, DbErr> {
        let Some(user) = self.get_by_id(db, id).await? else {
            return Ok(None);
        };
        let found = self.get_by_username(db, &user.username).await?;
        Ok(found.and_then(|(found, hash)| (found.id == id).then_some(hash)))
    }

    /// Django's `update_last_login`: sets the user's `last_login` to now. Stores whose users
    /// have no `last_login` do nothing (the default).
    async fn update_last_login(&self, _db: &DatabaseConnection, _id: i64) -> Result<(), DbErr> {
        Ok(())
    }

    /// Stores a new password hash for the user `id` (a login upgrading an old hash). The
    /// default stores nothing.
    async fn set_password_hash(
        &self,
        _db: &DatabaseConnection,
        _id: i64,
        _encoded: &str,
    ) -> Result<(), DbErr> {
        Ok(())
    }

    /// Django's `authenticate(username=..., password=...)` with this store's users: the
    /// active user whose password matches, or `None`. The default knows no passwords and
    /// answers `None`; `contrib::auth::EntityUserStore` checks Django's password hashes.
    async fn authenticate(
        &self,
        _db: &DatabaseConnection,
        _username: &str,
        _password: &str,
    ) -> Result<Option<RequestUser>, DbErr> {
        Ok(None)
    }
}
