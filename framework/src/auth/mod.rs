//! Users (Django's `django.contrib.auth`): the contract a user entity fulfils, the request
//! user, and password hashing.

pub mod difflib;
pub mod hashers;
pub mod password_validation;
pub mod tokens;

use crate::models::{ModelMeta, filter_pk};
use crate::settings::AppState;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter};
use std::marker::PhantomData;

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

/// A user entity, as Django's `AbstractBaseUser`. Implement it for your user entity.
pub trait AuthUser: ModelMeta {
    /// The login field's name in request bodies (`USERNAME_FIELD`).
    const USERNAME_FIELD: &'static str;
    /// Whether logins match the login field case-insensitively (django-allauth matches
    /// e-mail addresses with `iexact`).
    const USERNAME_CASE_INSENSITIVE: bool = false;
    /// The column users log in with (`USERNAME_FIELD`).
    fn username_column() -> Self::Column;
    /// The stored password hash (Django's format).
    fn password_hash(user: &Self::Model) -> &str;
    /// The subset of the user the framework works with.
    fn request_user(user: &Self::Model) -> RequestUser;
    /// Django's `last_login` column, if the model has one (set by
    /// [`UserStore::update_last_login`]).
    fn last_login_column() -> Option<Self::Column> {
        None
    }
    /// The column holding the password hash; by default the column named `password`, as
    /// in Django's `AbstractBaseUser`. Logins store upgraded hashes there.
    fn password_column() -> Option<Self::Column> {
        "password".parse().ok()
    }
}

/// How the framework finds users; one per application, in [`crate::settings::AppState`].
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
}

/// The [`UserStore`] of an entity implementing [`AuthUser`].
pub struct EntityUserStore<U>(PhantomData<fn() -> U>);

impl<U> EntityUserStore<U> {
    /// A store over the user entity `U`.
    pub fn new() -> Self {
        EntityUserStore(PhantomData)
    }
}

impl<U> Default for EntityUserStore<U> {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl<U: AuthUser> UserStore for EntityUserStore<U> {
    fn username_field(&self) -> &'static str {
        U::USERNAME_FIELD
    }

    async fn get_by_id(
        &self,
        db: &DatabaseConnection,
        id: i64,
    ) -> Result<Option<RequestUser>, DbErr> {
        let user = filter_pk(U::find(), id).one(db).await?;
        Ok(user.map(|u| U::request_user(&u)))
    }

    async fn get_by_username(
        &self,
        db: &DatabaseConnection,
        username: &str,
    ) -> Result<Option<(RequestUser, String)>, DbErr> {
        let column = U::username_column();
        let condition = if U::USERNAME_CASE_INSENSITIVE {
            // django-allauth's e-mail login: `email__iexact`.
            Expr::expr(Func::lower(column.into_expr())).eq(username.to_lowercase())
        } else {
            column.eq(username)
        };
        let user = U::find().filter(condition).one(db).await?;
        Ok(user.map(|u| (U::request_user(&u), U::password_hash(&u).to_string())))
    }

    async fn password_hash_by_id(
        &self,
        db: &DatabaseConnection,
        id: i64,
    ) -> Result<Option<String>, DbErr> {
        let user = filter_pk(U::find(), id).one(db).await?;
        Ok(user.map(|u| U::password_hash(&u).to_string()))
    }

    async fn update_last_login(&self, db: &DatabaseConnection, id: i64) -> Result<(), DbErr> {
        let Some(column) = U::last_login_column() else {
            return Ok(());
        };
        U::update_many()
            .col_expr(column, Expr::value(crate::timezone::now()))
            .filter(crate::models::pk_column::<U>().eq(id))
            .exec(db)
            .await
            .map(|_| ())
    }

    async fn set_password_hash(
        &self,
        db: &DatabaseConnection,
        id: i64,
        encoded: &str,
    ) -> Result<(), DbErr> {
        let Some(column) = U::password_column() else {
            return Ok(());
        };
        U::update_many()
            .col_expr(column, Expr::value(encoded))
            .filter(crate::models::pk_column::<U>().eq(id))
            .exec(db)
            .await?;
        Ok(())
    }
}

/// Django's `authenticate(username=..., password=...)` with its `ModelBackend`: the active
/// user whose login field is `username` and whose password is `password`, else `None`.
///
/// The hash runs on the blocking pool; an unknown user costs one hash too (Django's timing
/// defence), and the stored and computed hashes are compared in constant time. A correct
/// password whose hash is not the current default (a Django PBKDF2 hash, other Argon2
/// parameters) is re-hashed and stored, as Django's `check_password` setter does.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<Option<RequestUser>, DbErr> {
    // No stored login contains NUL, and PostgreSQL refuses it in a query parameter.
    let found = if username.contains('\0') {
        None
    } else {
        state.users.get_by_username(&state.db, username).await?
    };
    match found {
        Some((user, hash)) => {
            let valid = hashers::check_password(password.to_owned(), hash.clone()).await;
            if valid && hashers::must_update(&hash) {
                let upgraded = hashers::make_password(password.to_owned()).await;
                state
                    .users
                    .set_password_hash(&state.db, user.id, &upgraded)
                    .await?;
            }
            Ok((valid && user.is_active).then_some(user))
        }
        None => {
            hashers::run_dummy_hasher(password.to_owned()).await;
            Ok(None)
        }
    }
}
