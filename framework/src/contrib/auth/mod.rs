//! Users (Django's `django.contrib.auth`): the contract a user entity fulfils, the request
//! user, and password hashing.

pub mod difflib;
pub mod hashers;
pub mod password_validation;
pub mod tokens;

pub use crate::users::{RequestUser, UserStore};

use crate::models::{ModelMeta, filter_pk};
use crate::settings::{AppState, Settings};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, QueryFilter};
use std::marker::PhantomData;

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

    async fn authenticate(
        &self,
        db: &DatabaseConnection,
        username: &str,
        password: &str,
    ) -> Result<Option<RequestUser>, DbErr> {
        check_credentials(self, db, username, password).await
    }
}

/// `AppState::new::<User>(db, settings)`: the application state whose users are the entity
/// `U` (Django's `AUTH_USER_MODEL`).
impl AppState {
    /// State for a database, settings and a user entity.
    pub fn new<U: AuthUser>(db: DatabaseConnection, settings: Settings) -> Self {
        AppState::with_user_store(
            db,
            settings,
            std::sync::Arc::new(EntityUserStore::<U>::new()),
        )
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
    check_credentials(&*state.users, &state.db, username, password).await
}

/// [`authenticate`] against any [`UserStore`]: its users' Django password hashes are checked
/// (what [`EntityUserStore`]'s [`UserStore::authenticate`] does).
pub async fn check_credentials(
    users: &dyn UserStore,
    db: &DatabaseConnection,
    username: &str,
    password: &str,
) -> Result<Option<RequestUser>, DbErr> {
    // No stored login contains NUL, and PostgreSQL refuses it in a query parameter.
    let found = if username.contains('\0') {
        None
    } else {
        users.get_by_username(db, username).await?
    };
    match found {
        Some((user, hash)) => {
            let valid = hashers::check_password(password.to_owned(), hash.clone()).await;
            if valid && hashers::must_update(&hash) {
                let upgraded = hashers::make_password(password.to_owned()).await;
                users.set_password_hash(db, user.id, &upgraded).await?;
            }
            Ok((valid && user.is_active).then_some(user))
        }
        None => {
            hashers::run_dummy_hasher(password.to_owned()).await;
            Ok(None)
        }
    }
}
