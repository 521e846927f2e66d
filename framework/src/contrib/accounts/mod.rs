//! Account endpoints (dj-rest-auth with django-allauth registration and simplejwt):
//! registration, login, the current user, password change and password reset by e-mail.
//!
//! Mount them with [`include()`]:
//!
//! ```rust
//! # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc_support/blog.rs"));
//! use rest_framework::contrib::accounts::{self, AccountUser, AccountsSettings};
//! use rest_framework::prelude::*;
//!
//! /// What the account views read and write of a user.
//! impl AccountUser for user::Entity {
//!     fn email(user: &user::Model) -> &str {
//!         &user.email
//!     }
//!     fn first_name(user: &user::Model) -> &str {
//!         &user.first_name
//!     }
//!     fn last_name(user: &user::Model) -> &str {
//!         &user.last_name
//!     }
//!     fn last_login(user: &user::Model) -> Option<chrono::DateTime<chrono::Utc>> {
//!         user.last_login
//!     }
//!     fn new_user(email: &str, password_hash: String) -> user::ActiveModel {
//!         use rest_framework::sea_orm::ActiveValue::Set;
//!         user::ActiveModel {
//!             email: Set(email.to_owned()),
//!             password: Set(password_hash),
//!             first_name: Set(String::new()),
//!             last_name: Set(String::new()),
//!             is_active: Set(true),
//!             is_staff: Set(false),
//!             is_superuser: Set(false),
//!             date_joined: Set(chrono::Utc::now()),
//!             ..Default::default()
//!         }
//!     }
//! }
//!
//! # fn main() {
//! let patterns = accounts::include::<user::Entity>(
//!     UrlPatterns::new(),
//!     "/api/accounts/v1/",
//!     AccountsSettings::default(),
//! );
//! # let _ = patterns;
//! # }
//! ```
//!
//! | route | view |
//! | --- | --- |
//! | `registration/` | [`views::RegisterView`] |
//! | `registration/verify-email/` | [`views::VerifyEmailView`] |
//! | `registration/resend-email/` | [`views::ResendEmailVerificationView`] |
//! | `login/` | [`views::LoginView`] |
//! | `user/` | [`views::UserDetailsView`] |
//! | `password/change/` | [`views::PasswordChangeView`] |
//! | `password/reset/` | [`views::PasswordResetView`] |
//! | `password/reset/confirm/` | [`views::PasswordResetConfirmView`] |
//! | `password/reset/confirm/{uidb64}/{token}/` | the same (the link in the e-mail; not in the schema) |
//!
//! Registration records the user's address in allauth's `account_emailaddress` table (see
//! [`email_address`]; the application's migrations create it). With
//! [`AccountsSettings::email_verification`] set to [`EmailVerification::Optional`] or
//! [`EmailVerification::Mandatory`], registration also mails a confirmation link
//! (`.../registration/account-confirm-email/<key>/`) whose key `registration/verify-email/`
//! accepts; with `Mandatory`, registration answers without tokens and login waits for it.

pub mod dj_rest_auth;
pub mod email_address;
pub mod jwt_cookies;
mod serializers;
pub mod views;

pub use jwt_cookies::{JwtCookieAuthentication, JwtCookieSettings};

use crate::contrib::auth::password_validation::{
    PasswordValidator, UserAttribute, default_password_validators,
};
use crate::contrib::auth::{AuthUser, RequestUser};
use crate::contrib::mail::{ConsoleBackend, EmailBackend};
use crate::exceptions::ApiResult;
use crate::request::RequestContext;
use crate::urls::UrlPatterns;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A user entity the account endpoints can create, show and update: Django's
/// `AbstractUser` fields `email`, `first_name`, `last_name`, `last_login`.
///
/// The column methods default to the columns with Django's names.
pub trait AccountUser: AuthUser {
    /// The e-mail address (`EMAIL_FIELD`).
    fn email(user: &Self::Model) -> &str;
    /// `first_name`.
    fn first_name(user: &Self::Model) -> &str;
    /// `last_name`.
    fn last_name(user: &Self::Model) -> &str;
    /// `last_login`.
    fn last_login(user: &Self::Model) -> Option<DateTime<Utc>>;
    /// A new active, non-staff user with this (already normalized) e-mail and password hash,
    /// empty names and `date_joined` now, ready to insert.
    fn new_user(email: &str, password_hash: String) -> Self::ActiveModel;

    /// The most characters `first_name` and `last_name` hold (Django: 150).
    const NAME_MAX_LENGTH: usize = 150;

    /// The column named `name` (`email`, `first_name`, `last_name`, `last_login`).
    fn column(name: &str) -> Option<Self::Column> {
        name.parse().ok()
    }

    /// The attributes `UserAttributeSimilarityValidator` compares passwords with, with
    /// Django's verbose names.
    fn similarity_attributes(user: &Self::Model) -> Vec<UserAttribute<'_>> {
        vec![
            UserAttribute {
                name: "first_name",
                verbose_name: "first name",
                value: Self::first_name(user),
            },
            UserAttribute {
                name: "last_name",
                verbose_name: "last name",
                value: Self::last_name(user),
            },
            UserAttribute {
                name: "email",
                verbose_name: "email address",
                value: Self::email(user),
            },
        ]
    }
}

/// Django's `login(request, user)` for session authentication: what registration, login and
/// password change call to log the user into a session (dj-rest-auth's `django_login` and
/// `update_session_auth_hash`). Returns the `Set-Cookie` values to send (`csrftoken`,
/// `sessionid`).
#[async_trait::async_trait]
pub trait SessionLogin: Send + Sync + 'static {
    /// Starts (or, after a password change, renews) the session of `user`.
    async fn login(&self, ctx: &RequestContext, user: &RequestUser) -> ApiResult<Vec<String>>;

    /// Django's `update_session_auth_hash` after a password change: keeps the request's
    /// session valid under the new password. By default the same as [`SessionLogin::login`].
    async fn update_session_auth_hash(
        &self,
        ctx: &RequestContext,
        user: &RequestUser,
    ) -> ApiResult<Vec<String>> {
        self.login(ctx, user).await
    }
}

/// [`SessionLogin`] with Django's database sessions ([`crate::contrib::sessions::login`]).
pub struct DjangoSessionLogin;

#[async_trait::async_trait]
impl SessionLogin for DjangoSessionLogin {
    async fn login(&self, ctx: &RequestContext, user: &RequestUser) -> ApiResult<Vec<String>> {
        let cookies = crate::contrib::sessions::login(ctx.state(), ctx, user).await?;
        Ok(cookies.iter().map(ToString::to_string).collect())
    }

    async fn update_session_auth_hash(
        &self,
        ctx: &RequestContext,
        user: &RequestUser,
    ) -> ApiResult<Vec<String>> {
        let cookies =
            crate::contrib::sessions::update_session_auth_hash(ctx.state(), ctx, user).await?;
        Ok(cookies.iter().map(ToString::to_string).collect())
    }
}

/// Settings of the account endpoints (dj-rest-auth's `REST_AUTH`, allauth's `ACCOUNT_*`,
/// Django's e-mail and password settings). The JWT cookies login sets (`JWT_AUTH_COOKIE`,
/// ...) are the framework's [`crate::settings::Settings::jwt_cookies`], shared with the
/// JWT cookie authentication, refresh and logout.
#[derive(Clone)]
pub struct AccountsSettings {
    /// `EMAIL_BACKEND` (default: print to the console).
    pub email_backend: Arc<dyn EmailBackend>,
    /// `DEFAULT_FROM_EMAIL`.
    pub default_from_email: String,
    /// The site's name in e-mails (`django.contrib.sites`' current site; `example.com`).
    pub site_name: String,
    /// The site's domain in e-mails.
    pub site_domain: String,
    /// `AUTH_PASSWORD_VALIDATORS`, in order.
    pub password_validators: Vec<Arc<dyn PasswordValidator>>,
    /// `PASSWORD_RESET_TIMEOUT` in seconds (3 days).
    pub password_reset_timeout: i64,
    /// Logs users into a session on registration, login and password change (`None`: JWT
    /// only).
    pub session_login: Option<Arc<dyn SessionLogin>>,
    /// `ACCOUNT_EMAIL_VERIFICATION` (default: none).
    pub email_verification: EmailVerification,
    /// `ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS`: how long a confirmation key is good (3).
    pub email_confirmation_expire_days: u64,
    /// The docstring of the registration serializer (dj-rest-auth's `REGISTER_SERIALIZER`):
    /// the `Register` component's description in the OpenAPI document (default: none).
    pub register_serializer_description: Option<&'static str>,
}

/// allauth's `ACCOUNT_EMAIL_VERIFICATION`: whether registration mails a confirmation link and
/// whether login waits for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmailVerification {
    /// No confirmation mail at registration (`"none"`). The verify and resend endpoints
    /// still work, as allauth's do.
    #[default]
    None,
    /// Registration mails a confirmation link; the user is logged in meanwhile (`"optional"`).
    Optional,
    /// Registration mails a confirmation link and answers without tokens; login refuses
    /// users whose address is not verified (`"mandatory"`).
    Mandatory,
}

impl Default for AccountsSettings {
    /// dj-rest-auth's and Django's defaults: no JWT cookies, console e-mail from
    /// `webmaster@localhost`, site `example.com`, Django's default validators.
    fn default() -> Self {
        AccountsSettings {
            email_backend: Arc::new(ConsoleBackend),
            default_from_email: "webmaster@localhost".into(),
            site_name: "example.com".into(),
            site_domain: "example.com".into(),
            password_validators: default_password_validators(),
            password_reset_timeout: crate::contrib::auth::tokens::PASSWORD_RESET_TIMEOUT,
            session_login: None,
            email_verification: EmailVerification::None,
            email_confirmation_expire_days: 3,
            register_serializer_description: None,
        }
    }
}

/// The settings and mount point the account views share.
pub(crate) struct Accounts {
    pub(crate) settings: AccountsSettings,
    /// Where the views are mounted (`/api/accounts/v1/`).
    pub(crate) prefix: String,
}

impl Accounts {
    /// The path of the reset link mailed to users.
    pub(crate) fn reset_link_path(&self, uid: &str, token: &str) -> String {
        format!("{}password/reset/confirm/{uid}/{token}/", self.prefix)
    }

    /// The path of the confirmation link mailed to users (dj-rest-auth's
    /// `account_confirm_email` route; the key is then posted to `registration/verify-email/`).
    pub(crate) fn confirm_email_link_path(&self, key: &str) -> String {
        format!("{}registration/account-confirm-email/{key}/", self.prefix)
    }
}

/// Adds the account views for the user entity `U` under `prefix` (which starts and ends
/// with `/`), as `path("api/accounts/v1/", include("dj_rest_auth.urls"))` and its
/// registration include.
pub fn include<U: AccountUser>(
    patterns: UrlPatterns,
    prefix: &str,
    settings: AccountsSettings,
) -> UrlPatterns {
    use views::*;
    let accounts = Arc::new(Accounts {
        settings,
        prefix: prefix.to_owned(),
    });
    let route = |tail: &str| format!("{prefix}{tail}");
    patterns
        .path(&route("registration/"), RegisterView::<U>::new(&accounts))
        .path_slash_optional(
            &route("registration/verify-email/"),
            VerifyEmailView::<U>::new(&accounts),
        )
        .path_slash_optional(
            &route("registration/resend-email/"),
            ResendEmailVerificationView::<U>::new(&accounts),
        )
        .path_slash_optional(&route("login/"), LoginView::<U>::new(&accounts))
        .path_slash_optional(&route("user/"), UserDetailsView::<U>::new(&accounts))
        .path_slash_optional(
            &route("password/change/"),
            PasswordChangeView::<U>::new(&accounts),
        )
        .path_slash_optional(
            &route("password/reset/"),
            PasswordResetView::<U>::new(&accounts),
        )
        .path_slash_optional(
            &route("password/reset/confirm/"),
            PasswordResetConfirmView::<U>::new(&accounts, true),
        )
        .path(
            &route("password/reset/confirm/{uidb64}/{token}/"),
            PasswordResetConfirmView::<U>::new(&accounts, false),
        )
}

#[cfg(test)]
mod tests;

impl crate::settings::SettingsExtension for JwtCookieSettings {
    fn default_for(_settings: &crate::settings::Settings) -> Self {
        JwtCookieSettings::default()
    }
}

/// dj-rest-auth's `REST_AUTH["JWT_AUTH_*"]`.
impl crate::settings::Settings {
    /// dj-rest-auth's JWT cookie settings (no cookies by default).
    pub fn jwt_cookies(&self) -> std::sync::Arc<JwtCookieSettings> {
        self.extension()
    }

    /// dj-rest-auth's JWT cookie settings, to change them.
    pub fn jwt_cookies_mut(&mut self) -> &mut JwtCookieSettings {
        self.extension_mut()
    }
}
