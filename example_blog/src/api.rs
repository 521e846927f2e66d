//! The blog's URL configuration and application: DRF's `urls.py` and `settings.py`.

use crate::config::Config;
use crate::entities::user;
use crate::views::{ArticleViewSet, CommentViewSet, TagViewSet, UserViewSet};
use rest_framework::authentication::{Authentication, BasicAuthentication};
use rest_framework::contrib::accounts::JwtCookieAuthentication;
use rest_framework::contrib::accounts::dj_rest_auth::{CookieTokenRefreshView, LogoutView};
use rest_framework::contrib::accounts::jwt_cookies::JwtCookieSettings;
use rest_framework::contrib::accounts::{AccountsSettings, DjangoSessionLogin};
use rest_framework::contrib::authtoken::{ObtainAuthTokenView, TokenAuthentication};
use rest_framework::contrib::cors::CorsMiddleware;
use rest_framework::contrib::mail::{ConsoleBackend, EmailBackend, FileBackend};
use rest_framework::contrib::sessions::{
    CsrfViewMiddleware, SessionAuthentication, SessionMiddleware,
};
use rest_framework::contrib::simplejwt::JwtAuthentication;
use rest_framework::contrib::simplejwt::views::{
    TokenBlacklistView, TokenObtainPairView, TokenRefreshView, TokenVerifyView,
};
use rest_framework::routers::DefaultRouter;
use rest_framework::settings::{AppState, Settings};
use rest_framework::urls::UrlPatterns;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The framework settings of the blog (DRF's `REST_FRAMEWORK`, simplejwt's `SIMPLE_JWT`).
pub fn settings(config: &Config) -> Settings {
    let mut settings = Settings::new(config.secret_key.as_bytes().to_vec());
    settings.schema_title = "Blog API".into();
    settings.schema_description =
        Some("DRF reference implementation of the blog API contract v1".into());
    // DRF's DEFAULT_AUTHENTICATION_CLASSES, in the reference's order.
    let classes: Vec<Arc<dyn Authentication>> = vec![
        Arc::new(JwtAuthentication),
        Arc::new(JwtCookieAuthentication),
        Arc::new(TokenAuthentication::new()),
        Arc::new(SessionAuthentication),
        Arc::new(BasicAuthentication::new()),
    ];
    settings.default_authentication_classes = classes;
    // Django's MIDDLEWARE: sessions, then CSRF.
    settings.middleware = vec![Arc::new(SessionMiddleware), Arc::new(CsrfViewMiddleware)];
    // Django's AUTHENTICATION_BACKENDS of the reference: sessions made by either log in.
    settings.sessions_mut().authentication_backends = vec![
        "django.contrib.auth.backends.ModelBackend".into(),
        "allauth.account.auth_backends.AuthenticationBackend".into(),
    ];
    // SIMPLE_JWT: rotation, with the rotated refresh token blacklisted (token_blacklist app).
    settings.jwt_mut().rotate_refresh_tokens = true;
    settings.jwt_mut().blacklist_after_rotation = true;
    settings.jwt_mut().token_blacklist = true;
    // REST_AUTH: JWT_AUTH_COOKIE, JWT_AUTH_REFRESH_COOKIE, JWT_AUTH_HTTPONLY = False.
    *settings.jwt_cookies_mut() = JwtCookieSettings {
        httponly: false,
        ..JwtCookieSettings::named("my-app-auth", "my-refresh-token")
    };
    if let Some(lifetime) = config.access_token_lifetime {
        settings.jwt_mut().access_token_lifetime = lifetime;
    }
    if let Some(lifetime) = config.refresh_token_lifetime {
        settings.jwt_mut().refresh_token_lifetime = lifetime;
    }
    settings.allowed_hosts = config.allowed_hosts.clone();
    settings.schema_document_errors = config.schema_document_errors;
    // Login brute-force protection: not in the DRF reference, so off by default for wire
    // compatibility; on in production mode.
    if config.production {
        settings.default_throttle_classes.push(Arc::new(
            rest_framework::throttling::LoginRateThrottle::new(),
        ));
    }
    settings
}

/// The settings of the account endpoints (dj-rest-auth's `REST_AUTH`, Django's e-mail
/// settings): the reference's JWT cookie names, not HttpOnly; e-mail to `EMAIL_FILE_PATH`
/// when set, else to the console.
pub fn accounts_settings(config: &Config) -> AccountsSettings {
    let email_backend: Arc<dyn EmailBackend> = match &config.email_file_path {
        Some(path) => Arc::new(FileBackend::new(path)),
        None => Arc::new(ConsoleBackend),
    };
    AccountsSettings {
        email_backend,
        // SESSION_LOGIN: registration, login and password change also log into a session.
        session_login: Some(Arc::new(DjangoSessionLogin)),
        register_serializer_description: Some(REGISTER_SERIALIZER_DOCSTRING),
        ..AccountsSettings::default()
    }
}

/// The docstring of the reference's `RegisterSerializer` (the schema's `Register`
/// description).
const REGISTER_SERIALIZER_DOCSTRING: &str =
    "dj-rest-auth registration for an email-only user model.

* dj-rest-auth declares a `username` field that it treats as required
  unless allauth's SIGNUP_FIELDS mentions it; this user model has no
  username, so the field is removed: the body is {email, password1,
  password2}.
* dj-rest-auth only rejects an e-mail that belongs to a *verified*
  address; with ACCOUNT_EMAIL_VERIFICATION = \"none\" nothing is ever
  verified, so a duplicate would reach the database's unique constraint
  and answer 500. Reject it here with dj-rest-auth's own message instead.";

/// The URL patterns of the blog.
pub fn urlpatterns() -> UrlPatterns {
    let router = DefaultRouter::new()
        .register("articles", ArticleViewSet)
        .register("comments", CommentViewSet)
        .register("tags", TagViewSet)
        .register("users", UserViewSet);
    UrlPatterns::new()
        .include("/api/", router)
        .path("/api/token/", TokenObtainPairView)
        .path("/api/token/refresh/", TokenRefreshView)
        .path("/api/token/verify/", TokenVerifyView)
        .path("/api/token/blacklist/", TokenBlacklistView)
        .path("/api/api-token-auth/", ObtainAuthTokenView)
        // dj-rest-auth's JWT routes (its urls.py order: ... logout/, ..., token/verify/,
        // token/refresh/).
        .path_slash_optional("/api/accounts/v1/logout/", LogoutView::default())
        .path_slash_optional("/api/accounts/v1/token/verify/", TokenVerifyView)
        .path_slash_optional("/api/accounts/v1/token/refresh/", CookieTokenRefreshView)
        .schema("/api/schema/", "/api/schema/swagger-ui/")
}

/// Builds the whole HTTP application (router, middleware) for a migrated database.
pub async fn build_app(
    db: DatabaseConnection,
    config: &Config,
) -> Result<rest_framework::poem::endpoint::BoxEndpoint<'static>, String> {
    use rest_framework::poem::EndpointExt;
    let state = AppState::new::<user::Entity>(db, settings(config));
    let patterns = rest_framework::contrib::accounts::include::<user::Entity>(
        urlpatterns(),
        "/api/accounts/v1/",
        accounts_settings(config),
    );
    Ok(patterns.into_endpoint(state).with(cors(config)?).boxed())
}

/// django-cors-headers as the reference configures it: `CORS_ALLOWED_ORIGINS` from the
/// config, `CORS_ALLOW_CREDENTIALS = True`, every other setting at its default.
pub fn cors(config: &Config) -> Result<CorsMiddleware, String> {
    let cors = CorsMiddleware::new()
        .allowed_origins(config.cors_allowed_origins.iter().cloned())
        .map_err(|err| format!("CORS_ALLOWED_ORIGINS: {err}"))?;
    Ok(cors.allow_credentials(true))
}
