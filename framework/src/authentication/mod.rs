//! Authentication classes (DRF's `rest_framework.authentication`).
//!
//! Classes are tried in order. A class that does not recognise the request returns
//! `Ok(None)` and the next one is tried; one that recognises the credentials but finds them
//! invalid returns an error, which stops the request with 401 even on a GET. When no class
//! authenticates, the request is anonymous.

pub mod basic;
pub mod dj_rest_auth;
pub mod jwt;
pub mod jwt_cookies;
pub mod jwt_views;
pub mod session;

pub mod tokens;

pub use crate::authtoken::TokenAuthentication;
pub use basic::BasicAuthentication;
pub use jwt_cookies::JwtCookieAuthentication;
pub use session::SessionAuthentication;

use crate::auth::RequestUser;
use crate::exceptions::{ApiError, ApiResult};
use crate::openapi::SecurityScheme;
use crate::request::RequestContext;
use crate::settings::Settings;
use serde_json::json;
use std::sync::Arc;

/// An authentication class.
#[async_trait::async_trait]
pub trait Authentication: Send + Sync + 'static {
    /// `Ok(Some(user))`: authenticated; `Ok(None)`: not this class's credentials;
    /// `Err(..)`: this class's credentials, but invalid (401).
    async fn authenticate(&self, ctx: &RequestContext) -> ApiResult<Option<RequestUser>>;

    /// False when the request carries nothing this class reads, so that
    /// [`Authentication::authenticate`] would answer `Ok(None)`: [`perform_authentication`]
    /// then goes to the next class without running it (an anonymous request builds no
    /// authentication future at all). True by default, which always runs the class.
    fn may_authenticate(&self, _ctx: &RequestContext) -> bool {
        true
    }

    /// The `WWW-Authenticate` value for 401 responses (DRF's `authenticate_header`).
    fn authenticate_header(&self) -> Option<String> {
        None
    }

    /// The OpenAPI security schemes of this class (drf-spectacular's
    /// `OpenApiAuthenticationExtension`): names and definitions, in the order operations list
    /// them. None by default: the class is left out of the document.
    fn openapi_security_schemes(&self, _settings: &Settings) -> Vec<SecurityScheme> {
        Vec::new()
    }
}

/// Runs the classes in order and records the user on the context (DRF's `perform_authentication`).
pub async fn perform_authentication(
    classes: &[Arc<dyn Authentication>],
    ctx: &mut RequestContext,
) -> ApiResult<()> {
    for class in classes {
        if !class.may_authenticate(ctx) {
            continue;
        }
        if let Some(user) = class.authenticate(ctx).await? {
            ctx.set_user(Some(user));
            return Ok(());
        }
    }
    ctx.set_user(None);
    Ok(())
}

/// The `WWW-Authenticate` header of a view: that of its first authentication class.
pub fn authenticate_header(classes: &[Arc<dyn Authentication>]) -> Option<String> {
    classes
        .first()
        .and_then(|class| class.authenticate_header())
}

/// simplejwt's `JWTAuthentication`: `Authorization: Bearer <access token>` (header types from
/// [`jwt::JwtSettings::auth_header_types`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct JwtAuthentication;

/// simplejwt's 401 for an access token that is not valid (`AUTH_TOKEN_CLASSES` = access).
pub fn invalid_access_token(message: &str) -> ApiError {
    invalid_token_for_classes(&[(jwt::TokenType::Access, message)])
}

/// simplejwt's `InvalidToken` 401 of `JWTAuthentication`: one message per token class tried.
fn invalid_token_for_classes(failures: &[(jwt::TokenType, &str)]) -> ApiError {
    let messages: Vec<serde_json::Value> = failures
        .iter()
        .map(|(token_type, message)| {
            json!({
                "token_class": token_type.class_name(),
                "token_type": token_type.as_str(),
                "message": message,
            })
        })
        .collect();
    ApiError::AuthenticationFailed(json!({
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": messages,
    }))
}

/// simplejwt's `get_validated_token` + `get_user`: the raw token must be valid for one of
/// [`jwt::JwtSettings::auth_token_types`] (blacklist included for sliding tokens), and its
/// user must exist and be active.
pub async fn authenticate_raw_token(ctx: &RequestContext, raw: &str) -> ApiResult<RequestUser> {
    let state = ctx.state();
    let mut failures = Vec::new();
    for token_type in &state.settings.jwt.auth_token_types {
        match tokens::verify(state, raw, Some(*token_type)).await? {
            Ok(claims) => return authenticate_user_id(ctx, claims.user_id_i64()).await,
            Err(err) => failures.push((*token_type, err.message())),
        }
    }
    Err(invalid_token_for_classes(&failures))
}

#[async_trait::async_trait]
impl Authentication for JwtAuthentication {
    fn may_authenticate(&self, ctx: &RequestContext) -> bool {
        ctx.headers()
            .contains_key(poem::http::header::AUTHORIZATION)
    }

    async fn authenticate(&self, ctx: &RequestContext) -> ApiResult<Option<RequestUser>> {
        // simplejwt reads the header's bytes (latin-1, as WSGI gives them): a token that is
        // not text is an invalid token (401), not a missing header.
        let settings = &ctx.state().settings.jwt;
        let parts = basic::split_header_words(basic::authorization_header(ctx));
        let Some(scheme) = parts.first() else {
            return Ok(None);
        };
        if !settings
            .auth_header_types
            .iter()
            .any(|t| t.as_bytes() == *scheme)
        {
            return Ok(None);
        }
        if parts.len() != 2 {
            return Err(ApiError::AuthenticationFailed(json!({
                "detail": "Authorization header must contain two space-delimited values",
                "code": "bad_authorization_header",
            })));
        }
        authenticate_raw_token(ctx, &String::from_utf8_lossy(parts[1]))
            .await
            .map(Some)
    }

    fn authenticate_header(&self) -> Option<String> {
        Some("Bearer realm=\"api\"".into())
    }

    /// drf-spectacular's `SimpleJWTScheme`: `jwtAuth`, a bearer scheme with the first header
    /// type.
    fn openapi_security_schemes(&self, settings: &Settings) -> Vec<SecurityScheme> {
        vec![jwt_security_scheme("jwtAuth", settings)]
    }
}

/// The bearer scheme of simplejwt's header (`OpenAPI 3` has one `bearerFormat`: the first
/// of `AUTH_HEADER_TYPES`).
pub(crate) fn jwt_security_scheme(name: &str, settings: &Settings) -> SecurityScheme {
    let prefix = settings
        .jwt
        .auth_header_types
        .first()
        .map_or("Bearer", String::as_str);
    SecurityScheme::bearer(name, "Authorization", prefix, Some("JWT"))
}

/// simplejwt's `get_user`: the token's user must exist and be active.
pub async fn authenticate_user_id(
    ctx: &RequestContext,
    user_id: Option<i64>,
) -> ApiResult<RequestUser> {
    let Some(id) = user_id else {
        return Err(ApiError::AuthenticationFailed(json!({
            "detail": "Token contained no recognizable user identification",
            "code": "token_not_valid",
        })));
    };
    match ctx.state().user_by_id(id).await? {
        None => Err(ApiError::AuthenticationFailed(
            json!({"detail": "User not found", "code": "user_not_found"}),
        )),
        Some(user) if !user.is_active => Err(ApiError::AuthenticationFailed(
            json!({"detail": "User is inactive", "code": "user_inactive"}),
        )),
        Some(user) => Ok(user),
    }
}
