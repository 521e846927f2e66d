//! simplejwt's `JWTAuthentication` (`rest_framework_simplejwt.authentication`).

use super::jwt::{self, JwtSettings};
use super::tokens;
use crate::authentication::{Authentication, basic};
use crate::exceptions::{ApiError, ApiResult};
use crate::openapi::SecurityScheme;
use crate::request::RequestContext;
use crate::settings::Settings;
use crate::users::RequestUser;
use serde_json::json;

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
    for token_type in &state.settings.jwt().auth_token_types {
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
        let settings = ctx.state().settings.jwt();
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
    let jwt: &JwtSettings = &settings.jwt();
    let prefix = jwt
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
