//! Django's database sessions (`django.contrib.sessions` with the `db` backend) and the session
//! part of `django.contrib.auth` (`login`, `logout`, `get_user`).
//!
//! Rows live in Django's own table `django_session` and hold Django's own format, so a session
//! created by a Django application works here and the other way round:
//!
//! - `session_key`: 32 characters of `[a-z0-9]`, sent in the `sessionid` cookie (`HttpOnly;
//!   Max-Age=1209600; Path=/; SameSite=Lax`);
//! - `session_data`: `signing.dumps(data, salt="django.contrib.sessions.SessionStore",
//!   compress=True)` of a JSON object (see [`crate::signing`]);
//! - `expire_date`: now + `SESSION_COOKIE_AGE` (two weeks) when the row was saved.
//!
//! A logged-in session holds `_auth_user_id` (the primary key as text), `_auth_user_backend`
//! (the authentication backend's dotted path) and `_auth_user_hash` (Django's
//! `get_session_auth_hash`: an HMAC of the user's password hash). Changing the password changes
//! the hash, so every session of the user stops authenticating (and is deleted when next seen).
//!
//! ```
//! use rest_framework::contrib::auth::RequestUser;
//! use rest_framework::contrib::sessions;
//! use rest_framework::cookies;
//! use rest_framework::exceptions::ApiResult;
//! use rest_framework::request::RequestContext;
//! use rest_framework::response::Response;
//!
//! /// A login view's end, after checking the credentials.
//! async fn logged_in(ctx: &RequestContext, user: &RequestUser) -> ApiResult<Response> {
//!     let cookies = sessions::login(ctx.state(), ctx, user).await?;
//!     let body = serde_json::json!({"detail": "Logged in."});
//!     Ok(cookies::set_cookies(Response::ok(&body), &cookies))
//! }
//! ```

pub mod authentication;
pub mod csrf;
mod middleware;
pub mod session;

pub use authentication::SessionAuthentication;
pub use middleware::{CsrfViewMiddleware, SessionMiddleware};

use crate::cookies::{SameSite, SetCookie, get_cookie};
use crate::exceptions::ApiResult;
use crate::request::RequestContext;
use crate::response::Response;
use crate::settings::{AppState, Settings};
use crate::signing::{self, constant_time_eq, hex, salted_hmac};
use crate::users::RequestUser;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{
    ColumnDef, Index, IndexCreateStatement, Table, TableCreateStatement, TableDropStatement,
};
use sea_orm::{ActiveValue, ConnectionTrait, DbErr, EntityTrait, QueryFilter, SqlErr};
use serde_json::{Map, Value};

/// Django's table name of the session model.
pub const TABLE: &str = "django_session";
/// The index Django creates on `expire_date`.
pub const EXPIRE_DATE_INDEX: &str = "django_session_expire_date_a5c62663";
/// The session's user id (`django.contrib.auth.SESSION_KEY`).
pub const SESSION_KEY: &str = "_auth_user_id";
/// The backend that authenticated the user (`BACKEND_SESSION_KEY`).
pub const BACKEND_SESSION_KEY: &str = "_auth_user_backend";
/// The user's session auth hash (`HASH_SESSION_KEY`).
pub const HASH_SESSION_KEY: &str = "_auth_user_hash";
/// Django's `ModelBackend`, recorded by [`login`] unless the settings name another backend.
pub const MODEL_BACKEND: &str = "django.contrib.auth.backends.ModelBackend";
/// The characters of session keys (`VALID_KEY_CHARS`).
pub const VALID_KEY_CHARS: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Length of a new session key.
pub const SESSION_KEY_LENGTH: usize = 32;

/// The data of a session: a JSON object, as Django's session dictionary.
pub type SessionData = Map<String, Value>;

/// Django's `SESSION_*` settings and `AUTHENTICATION_BACKENDS`.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// `SESSION_COOKIE_NAME` (`sessionid`).
    pub cookie_name: String,
    /// `SESSION_COOKIE_AGE` in seconds (two weeks: 1209600).
    pub cookie_age: i64,
    /// `SESSION_COOKIE_PATH` (`/`).
    pub cookie_path: String,
    /// `SESSION_COOKIE_DOMAIN` (none).
    pub cookie_domain: Option<String>,
    /// `SESSION_COOKIE_SECURE`.
    pub cookie_secure: bool,
    /// `SESSION_COOKIE_HTTPONLY` (true).
    pub cookie_httponly: bool,
    /// `SESSION_COOKIE_SAMESITE` (`Lax`).
    pub cookie_samesite: Option<SameSite>,
    /// The signing salt of `session_data` (`django.contrib.sessions.SessionStore` for the
    /// `db` engine).
    pub key_salt: String,
    /// `AUTHENTICATION_BACKENDS`: a session whose `_auth_user_backend` is not listed is
    /// anonymous. [`login`] records the first.
    pub authentication_backends: Vec<String>,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            cookie_name: "sessionid".into(),
            cookie_age: 60 * 60 * 24 * 7 * 2,
            cookie_path: "/".into(),
            cookie_domain: None,
            cookie_secure: false,
            cookie_httponly: true,
            cookie_samesite: Some(SameSite::Lax),
            key_salt: "django.contrib.sessions.SessionStore".into(),
            authentication_backends: vec![MODEL_BACKEND.into()],
        }
    }
}

impl SessionSettings {
    /// The `Set-Cookie` of a session key (Django's `SessionMiddleware.process_response`).
    pub fn cookie(&self, session_key: &str) -> SetCookie {
        let mut cookie = SetCookie::new(&self.cookie_name, session_key)
            .max_age(self.cookie_age)
            .secure(self.cookie_secure)
            .http_only(self.cookie_httponly)
            .same_site(self.cookie_samesite);
        cookie.path = Some(self.cookie_path.clone());
        cookie.domain = self.cookie_domain.clone();
        cookie
    }

    /// The `Set-Cookie` that deletes the session cookie (`response.delete_cookie`).
    pub fn deletion_cookie(&self) -> SetCookie {
        let mut cookie = SetCookie::deletion(&self.cookie_name, self.cookie_samesite);
        cookie.path = Some(self.cookie_path.clone());
        cookie.domain = self.cookie_domain.clone();
        cookie
    }
}

/// `CREATE TABLE django_session` as Django's `sessions.0001_initial` makes it.
pub fn create_table_statement() -> TableCreateStatement {
    Table::create()
        .table(TABLE)
        .col(
            ColumnDef::new("session_key")
                .string_len(40)
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new("session_data").text().not_null())
        .col(
            ColumnDef::new("expire_date")
                .timestamp_with_time_zone()
                .not_null(),
        )
        .to_owned()
}

/// `CREATE INDEX django_session_expire_date_a5c62663 ON django_session (expire_date)`.
pub fn create_index_statement() -> IndexCreateStatement {
    Index::create()
        .name(EXPIRE_DATE_INDEX)
        .table(TABLE)
        .col("expire_date")
        .to_owned()
}

/// `DROP TABLE django_session`.
pub fn drop_table_statement() -> TableDropStatement {
    Table::drop().table(TABLE).to_owned()
}

/// Creates the table and its index on `db` (for applications without sea-orm-migration, and
/// tests).
pub async fn create_table<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    db.execute(&create_table_statement()).await?;
    db.execute(&create_index_statement()).await.map(|_| ())
}

/// A new random session key: 32 characters of `[a-z0-9]` (`_get_new_session_key`).
pub fn new_session_key() -> String {
    signing::get_random_string(SESSION_KEY_LENGTH, VALID_KEY_CHARS)
}

/// Django's `get_session_auth_hash()` of a user with this stored password hash:
/// `salted_hmac(key_salt, password, algorithm="sha256").hexdigest()`.
pub fn session_auth_hash(secret_key: &[u8], password_hash: &str) -> String {
    hex(&salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        password_hash.as_bytes(),
        secret_key,
    ))
}

/// `SessionStore.encode(data)`: the `session_data` column.
pub fn encode(settings: &Settings, data: &SessionData) -> String {
    signing::dumps(
        &Value::Object(data.clone()),
        &settings.secret_key,
        &settings.sessions().key_salt,
        true,
    )
}

/// `SessionStore.decode(session_data)`: the data; empty when the signature or the payload is
/// bad (Django logs "Session data corrupted" and starts over).
pub fn decode(settings: &Settings, session_data: &str) -> SessionData {
    match signing::loads(
        session_data,
        &settings.secret_key,
        &settings.sessions().key_salt,
        None,
    ) {
        Ok(Value::Object(data)) => data,
        Ok(_) => SessionData::new(),
        Err(err) => {
            tracing::warn!("Session data corrupted: {err}");
            SessionData::new()
        }
    }
}

/// Keys worth a database lookup: what Django could have issued (8 to 40 characters of
/// `[a-z0-9]`; Django refuses keys under 8). Anything else is no session, without a query.
fn is_plausible_key(key: &str) -> bool {
    (8..=40).contains(&key.len()) && key.bytes().all(|b| VALID_KEY_CHARS.contains(&b))
}

/// The session key of the request's cookie, if it is one Django could have issued.
pub fn request_session_key(ctx: &RequestContext) -> Option<String> {
    get_cookie(ctx.headers(), &ctx.state().settings.sessions().cookie_name)
        .filter(|key| is_plausible_key(key))
}

/// The data of the session `key`, or `None` when there is no such unexpired session.
pub async fn load(state: &AppState, key: &str) -> Result<Option<SessionData>, DbErr> {
    if !is_plausible_key(key) {
        return Ok(None);
    }
    let row = session::Entity::find_by_id(key.to_owned())
        .one(&state.db)
        .await?;
    // Expiry is compared here, not in SQL: SQLite compares the stored text, and Django and
    // sqlx write datetimes differently.
    Ok(row
        .filter(|row| row.expire_date > Utc::now())
        .map(|row| decode(&state.settings, &row.session_data)))
}

/// Saves `data` under a new key (Django's `SessionStore.create()` then `save()`), expiring
/// `SESSION_COOKIE_AGE` from now; returns the key.
pub async fn create(state: &AppState, data: &SessionData) -> Result<String, DbErr> {
    let expire = Utc::now() + TimeDelta::seconds(state.settings.sessions().cookie_age);
    create_expiring(state, data, expire).await
}

/// [`create`] with an explicit expiry date.
pub async fn create_expiring(
    state: &AppState,
    data: &SessionData,
    expire_date: DateTime<Utc>,
) -> Result<String, DbErr> {
    const ATTEMPTS: usize = 3;
    let session_data = encode(&state.settings, data);
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        let key = new_session_key();
        let insert = session::Entity::insert(session::ActiveModel {
            session_key: ActiveValue::Set(key.clone()),
            session_data: ActiveValue::Set(session_data.clone()),
            expire_date: ActiveValue::Set(expire_date),
        })
        .exec_without_returning(&state.db)
        .await;
        match insert {
            Ok(_) => return Ok(key),
            // 36^32 keys: a collision is a freak; draw again as Django does.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                last_error = Some(err);
            }
            Err(err) => return Err(err),
        }
    }
    Err(last_error.unwrap_or_else(|| DbErr::Custom("could not create a session".into())))
}

/// Saves `data` under the existing session `key`, expiring `SESSION_COOKIE_AGE` from now
/// (Django's `SessionStore.save()` of a loaded session).
pub async fn save(state: &AppState, key: &str, data: &SessionData) -> Result<(), DbErr> {
    let expire = Utc::now() + TimeDelta::seconds(state.settings.sessions().cookie_age);
    session::Entity::update(session::ActiveModel {
        session_key: ActiveValue::Unchanged(key.to_owned()),
        session_data: ActiveValue::Set(encode(&state.settings, data)),
        expire_date: ActiveValue::Set(expire),
    })
    .exec(&state.db)
    .await
    .map(|_| ())
}

/// Deletes the session `key` (Django's `SessionStore.delete()`).
pub async fn delete(state: &AppState, key: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(key.to_owned())
        .exec(&state.db)
        .await
        .map(|_| ())
}

/// Deletes expired sessions (Django's `clearsessions` command); returns how many.
pub async fn clear_expired<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    use sea_orm::ColumnTrait;
    let result = session::Entity::delete_many()
        .filter(session::Column::ExpireDate.lt(Utc::now()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The user id stored in a session (Django accepts the primary key as text or number).
fn session_user_id(data: &SessionData) -> Option<i64> {
    match data.get(SESSION_KEY)? {
        Value::String(text) => text.trim().parse().ok(),
        Value::Number(number) => number.as_i64(),
        _ => None,
    }
}

/// Django's `login(request, user)`: stores the user in a session under a new key and rotates
/// the CSRF secret. Returns the cookies to set on the response, in Django's order:
/// `csrftoken` (the new secret), then `sessionid`.
///
/// The request's current session (its `sessionid` cookie): an anonymous one keeps its data
/// under a new key (`cycle_key`, against session fixation); one of another user or an older
/// password is emptied under a new key (`flush`); one already of this user keeps its key.
/// A replaced session's row is deleted.
pub async fn login(
    state: &AppState,
    request: &RequestContext,
    user: &RequestUser,
) -> ApiResult<Vec<SetCookie>> {
    request.mark_session_accessed();
    let password_hash = state
        .users
        .password_hash_by_id(&state.db, user.id)
        .await?
        .unwrap_or_default();
    let auth_hash = session_auth_hash(&state.settings.secret_key, &password_hash);
    let (old_key, mut data) = match request_session_key(request) {
        Some(key) => match load(state, &key).await? {
            Some(data) => (Some(key), data),
            None => (None, SessionData::new()),
        },
        None => (None, SessionData::new()),
    };
    // The same user logging in again keeps the session and its key; another user's (or an
    // older password's) session is flushed; an anonymous one moves to a new key.
    let mut keep_key = None;
    if data.contains_key(SESSION_KEY) {
        let same_hash = data
            .get(HASH_SESSION_KEY)
            .and_then(Value::as_str)
            .is_some_and(|stored| constant_time_eq(stored, &auth_hash));
        if session_user_id(&data) != Some(user.id) || !same_hash {
            data.clear();
        } else {
            keep_key = old_key.clone();
        }
    }
    if let (Some(key), None) = (&old_key, &keep_key) {
        delete(state, key).await?;
    }
    let backend = state
        .settings
        .sessions()
        .authentication_backends
        .first()
        .cloned()
        .unwrap_or_else(|| MODEL_BACKEND.into());
    data.insert(SESSION_KEY.into(), Value::String(user.id.to_string()));
    data.insert(BACKEND_SESSION_KEY.into(), Value::String(backend));
    data.insert(HASH_SESSION_KEY.into(), Value::String(auth_hash));
    let key = match keep_key {
        Some(key) => {
            save(state, &key, &data).await?;
            key
        }
        None => create(state, &data).await?,
    };
    let (_, csrf_cookie) = csrf::rotate_token(request);
    Ok(vec![csrf_cookie, state.settings.sessions().cookie(&key)])
}

/// Django's `update_session_auth_hash(request, user)` (after a password change): the
/// request's session moves to a new key and stores the new password's hash, so it stays
/// valid while every other session of the user ends. Unlike [`login`], the CSRF secret is
/// kept and no user is added to a session that had none. Returns the `sessionid` cookie.
pub async fn update_session_auth_hash(
    state: &AppState,
    request: &RequestContext,
    user: &RequestUser,
) -> ApiResult<Vec<SetCookie>> {
    request.mark_session_accessed();
    let password_hash = state
        .users
        .password_hash_by_id(&state.db, user.id)
        .await?
        .unwrap_or_default();
    let auth_hash = session_auth_hash(&state.settings.secret_key, &password_hash);
    let old_key = request_session_key(request);
    let mut data = match &old_key {
        Some(key) => load(state, key).await?.unwrap_or_default(),
        None => SessionData::new(),
    };
    if let Some(key) = &old_key {
        delete(state, key).await?;
    }
    data.insert(HASH_SESSION_KEY.into(), Value::String(auth_hash));
    let key = create(state, &data).await?;
    Ok(vec![state.settings.sessions().cookie(&key)])
}

/// Django's `logout(request)`: deletes the request's session (`flush`). Returns the cookie
/// to set: the deletion of `sessionid` when the request sent one (Django's
/// `SessionMiddleware` deletes the cookie of an emptied session), else nothing.
pub async fn logout(state: &AppState, request: &RequestContext) -> ApiResult<Vec<SetCookie>> {
    request.mark_session_accessed();
    let settings = &state.settings.sessions();
    if get_cookie(request.headers(), &settings.cookie_name).is_none() {
        return Ok(Vec::new());
    }
    if let Some(key) = request_session_key(request) {
        delete(state, &key).await?;
    }
    request.mark_session_emptied();
    Ok(vec![settings.deletion_cookie()])
}

/// The cookie part of Django's `SessionMiddleware.process_response`: when the request sent a
/// session cookie and its session is empty, the response deletes the cookie (and varies on
/// `Cookie`), unless the view set the cookie itself. A session is empty when its cookie names
/// no live session (found when the session was looked at), was flushed, or is a key Django
/// refuses without looking (under 8 characters, on every response).
pub fn delete_cookie_of_empty_session(request: &RequestContext, response: Response) -> Response {
    let mut response = response;
    delete_cookie_if_empty(
        &request.state().settings.sessions(),
        request.headers(),
        request.session_emptied(),
        &mut response.headers,
    );
    response
}

/// [`delete_cookie_of_empty_session`] on bare headers; `emptied` says whether the session was
/// found empty (responses made without a view, such as Django's 404 page and trailing-slash
/// redirect, pass `false`: only a key Django refuses unseen is deleted there).
pub fn delete_cookie_if_empty(
    settings: &SessionSettings,
    request_headers: &poem::http::HeaderMap,
    emptied: bool,
    response_headers: &mut poem::http::HeaderMap,
) {
    let Some(sent) = get_cookie(request_headers, &settings.cookie_name) else {
        return;
    };
    let empty = emptied || sent.chars().count() < 8;
    let prefix = format!("{}=", settings.cookie_name);
    let already_set = response_headers
        .get_all(poem::http::header::SET_COOKIE)
        .iter()
        .any(|value| value.as_bytes().starts_with(prefix.as_bytes()));
    if !empty || already_set {
        return;
    }
    if let Ok(value) = poem::http::HeaderValue::try_from(settings.deletion_cookie().to_string()) {
        response_headers.append(poem::http::header::SET_COOKIE, value);
        crate::response::patch_vary_headers(response_headers, &["Cookie"]);
    }
}

/// Django's `get_user(request)`: the active user of the request's session, or `None`
/// (anonymous) when there is no session, it expired, names an unknown backend, an unknown or
/// inactive user, or a password hash that is no longer the user's. In the last case the
/// session is deleted, as Django flushes it.
pub async fn get_user(
    state: &AppState,
    request: &RequestContext,
) -> ApiResult<Option<RequestUser>> {
    request.mark_session_accessed();
    let sent = get_cookie(request.headers(), &state.settings.sessions().cookie_name).is_some();
    let Some(key) = request_session_key(request) else {
        // A cookie no session can have: Django looks it up in vain and the session is empty.
        if sent {
            request.mark_session_emptied();
        }
        return Ok(None);
    };
    let Some(data) = load(state, &key).await? else {
        request.mark_session_emptied();
        return Ok(None);
    };
    let Some(user_id) = session_user_id(&data) else {
        return Ok(None);
    };
    let backend_known = data
        .get(BACKEND_SESSION_KEY)
        .and_then(Value::as_str)
        .is_some_and(|backend| {
            state
                .settings
                .sessions()
                .authentication_backends
                .iter()
                .any(|known| known == backend)
        });
    if !backend_known {
        return Ok(None);
    }
    // `ModelBackend.get_user`: inactive users are no users.
    let Some(user) = state.user_by_id(user_id).await?.filter(|u| u.is_active) else {
        return Ok(None);
    };
    let password_hash = state
        .users
        .password_hash_by_id(&state.db, user_id)
        .await?
        .unwrap_or_default();
    let expected = session_auth_hash(&state.settings.secret_key, &password_hash);
    let verified = data
        .get(HASH_SESSION_KEY)
        .and_then(Value::as_str)
        .is_some_and(|stored| !stored.is_empty() && constant_time_eq(stored, &expected));
    if !verified {
        delete(state, &key).await?;
        request.mark_session_emptied();
        return Ok(None);
    }
    Ok(Some(user))
}

#[cfg(test)]
mod tests;

impl crate::settings::SettingsExtension for SessionSettings {
    fn default_for(_settings: &Settings) -> Self {
        SessionSettings::default()
    }
}

impl crate::settings::SettingsExtension for csrf::CsrfSettings {
    fn default_for(_settings: &Settings) -> Self {
        csrf::CsrfSettings::default()
    }
}

/// Django's `SESSION_*` and `CSRF_*` settings.
impl Settings {
    /// Django's `SESSION_*` settings (cookie, age, authentication backends).
    pub fn sessions(&self) -> std::sync::Arc<SessionSettings> {
        self.extension()
    }

    /// Django's `SESSION_*` settings, to change them.
    pub fn sessions_mut(&mut self) -> &mut SessionSettings {
        self.extension_mut()
    }

    /// Django's `CSRF_*` settings (cookie, header, trusted origins).
    pub fn csrf(&self) -> std::sync::Arc<csrf::CsrfSettings> {
        self.extension()
    }

    /// Django's `CSRF_*` settings, to change them.
    pub fn csrf_mut(&mut self) -> &mut csrf::CsrfSettings {
        self.extension_mut()
    }
}
