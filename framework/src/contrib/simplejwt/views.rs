//! simplejwt's views: `TokenObtainPairView` (`/api/token/`), `TokenRefreshView`,
//! `TokenVerifyView`, `TokenBlacklistView`, and the sliding token views
//! `TokenObtainSlidingView` / `TokenRefreshSlidingView`.
//!
//! They authenticate nobody (simplejwt's `authentication_classes = ()`), answer `POST` only
//! (`Allow: POST, OPTIONS`), and refuse a token with 401
//! `{"detail": "<reason>", "code": "token_not_valid"}` and `WWW-Authenticate: Bearer realm="api"`.

use crate::contrib::auth::{RequestUser, authenticate};
use crate::contrib::simplejwt::jwt::{TokenError, TokenType};
use crate::contrib::simplejwt::tokens;
use crate::exceptions::{ApiError, ApiResult, ValidationErrors};
use crate::fields::{FieldOptions, parse_field};
use crate::openapi::{operation, request_body, response, schema};
use crate::request::RequestContext;
use crate::response::Response;
use crate::views::ApiView;
use poem::http::Method;
use poem_openapi::registry::{MetaOperation, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde_json::json;

/// The `WWW-Authenticate` challenge of simplejwt's 401s.
pub const BEARER_CHALLENGE: &str = "Bearer realm=\"api\"";

/// simplejwt's docstring of `TokenObtainPairView` (its OPTIONS and schema description).
const DESCRIPTION: &str = "Takes a set of user credentials and returns an access and refresh JSON web\ntoken pair to prove the authentication of those credentials.";

/// The `ApiView` items every simplejwt token view shares: `POST` only, no authentication,
/// simplejwt's challenge on 401s.
macro_rules! token_view_basics {
    () => {
        fn methods(&self) -> Vec<poem::http::Method> {
            vec![poem::http::Method::POST]
        }

        fn authentication_classes(
            &self,
        ) -> Option<Vec<std::sync::Arc<dyn $crate::authentication::Authentication>>> {
            Some(Vec::new())
        }

        fn www_authenticate(&self) -> Option<String> {
            Some($crate::contrib::simplejwt::views::BEARER_CHALLENGE.into())
        }
    };
}
#[cfg(feature = "accounts")]
pub(crate) use token_view_basics;

/// simplejwt's `InvalidToken` 401 of its views: `{"detail": "<reason>", "code": "token_not_valid"}`.
pub fn token_not_valid(detail: &str) -> ApiError {
    ApiError::AuthenticationFailed(json!({"detail": detail, "code": "token_not_valid"}))
}

/// A token refusal as simplejwt's views answer it.
pub fn token_result<T>(result: Result<T, TokenError>) -> ApiResult<T> {
    result.map_err(|err| token_not_valid(err.message()))
}

/// A required `CharField` of the body (400 `This field is required.` / `... blank.` / ...).
pub fn required_string(ctx: &RequestContext, field: &str) -> ApiResult<String> {
    let data = ctx.data()?;
    let mut errors = ValidationErrors::default();
    let value: Option<String> =
        parse_field(&data, field, &FieldOptions::DEFAULT, true, &mut errors);
    errors.into_result()?;
    value.ok_or_else(|| ApiError::Internal(format!("validated field {field} missing")))
}

/// `Refresh` from `refresh`: DRF's default label.
fn label(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect::<String>())
        .unwrap_or_default()
}

/// One string field of OPTIONS metadata: `(name, required, read_only, help_text)`.
pub type MetadataField<'a> = (&'a str, bool, bool, Option<&'a str>);

/// OPTIONS `actions` of a token serializer: `{"POST": {field: {"type": "string", ...}}}`.
pub fn string_fields_metadata(fields: &[MetadataField<'_>]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (name, required, read_only, help_text) in fields {
        let mut field = json!({
            "type": "string",
            "required": required,
            "read_only": read_only,
            "label": label(name),
        });
        if let (Some(help), Some(object)) = (help_text, field.as_object_mut()) {
            object.insert("help_text".into(), json!(help));
        }
        map.insert((*name).to_string(), field);
    }
    json!({ "POST": map })
}

/// drf-spectacular's tag and operation id prefix for `path`: `("token", "token_refresh")`
/// for `/api/token/refresh/`.
fn path_names(path: &str) -> (&'static str, String) {
    let trimmed = path
        .strip_prefix("/api/")
        .unwrap_or(path.trim_start_matches('/'));
    // `str::is_empty`: poem-openapi's `Type::is_empty` (always false) is in scope.
    let segments: Vec<&str> = trimmed.split('/').filter(|s| !str::is_empty(s)).collect();
    let tag = segments.first().copied().unwrap_or("api").to_string();
    (
        Box::leak(tag.into_boxed_str()),
        segments.join("_").replace('-', "_"),
    )
}

/// A `POST` operation at `path` with `schema_name` as body and 200 response, registering
/// the schema with string properties `(name, read_only, write_only)`, all required.
pub fn token_operation(
    path: &str,
    registry: &mut Registry,
    schema_name: &str,
    properties: &[(&'static str, bool, bool)],
    description: &'static str,
) -> MetaOperation {
    let string = || <String as Type>::schema_ref();
    schema::register_object(
        registry,
        schema_name.into(),
        properties
            .iter()
            .map(|(name, read_only, write_only)| {
                (
                    *name,
                    schema::field(string(), *read_only, *write_only, false, None),
                )
            })
            .collect(),
        properties.iter().map(|(name, _, _)| *name).collect(),
    );
    let (tag, prefix) = path_names(path);
    let mut op = operation(Method::POST, tag, format!("{prefix}_create"));
    op.description = Some(description);
    op.request = Some(request_body(schema_name));
    op.responses.responses.push(response(
        200,
        "",
        Some(MetaSchemaRef::Reference(schema_name.into())),
    ));
    op
}

/// simplejwt's `TokenObtainSerializer`: the login field and the password, checked with
/// Django's `authenticate()` (401 `No active account found with the given credentials`).
async fn authenticate_credentials(ctx: &RequestContext) -> ApiResult<RequestUser> {
    let data = ctx.data()?;
    let state = ctx.state();
    let username_field = state.users.username_field();
    let mut errors = ValidationErrors::default();
    let username: Option<String> = parse_field(
        &data,
        username_field,
        &FieldOptions::DEFAULT,
        true,
        &mut errors,
    );
    let password: Option<String> =
        parse_field(&data, "password", &FieldOptions::DEFAULT, true, &mut errors);
    errors.into_result()?;
    let (Some(username), Some(password)) = (username, password) else {
        return Err(ApiError::Internal("validated fields missing".into()));
    };
    let user = authenticate(state, &username, &password)
        .await?
        .ok_or_else(|| {
            ApiError::authentication_failed("No active account found with the given credentials")
        })?;
    if state.settings.jwt().update_last_login {
        state.users.update_last_login(&state.db, user.id).await?;
    }
    Ok(user)
}

/// OPTIONS actions of the obtain views: the login field and the password.
fn credentials_metadata(ctx: &RequestContext) -> serde_json::Value {
    let username = ctx.state().users.username_field();
    string_fields_metadata(&[
        (username, true, false, None),
        ("password", true, false, None),
    ])
}

/// simplejwt's `TokenObtainPairView`: `{"<username field>", "password"}` ->
/// `{"refresh", "access"}`; wrong credentials are a 401. With the blacklist app the refresh
/// token is recorded as outstanding.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenObtainPairView;

#[async_trait::async_trait]
impl ApiView for TokenObtainPairView {
    fn is_login_view(&self) -> bool {
        true
    }

    token_view_basics!();

    fn name(&self) -> String {
        "Token Obtain Pair".into()
    }

    fn description(&self) -> String {
        DESCRIPTION.into()
    }

    async fn metadata_actions(&self, ctx: &RequestContext) -> Option<serde_json::Value> {
        Some(credentials_metadata(ctx))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let user = authenticate_credentials(ctx).await?;
        let pair = tokens::obtain_pair(ctx.state(), user.id).await?;
        Ok(Response::ok(
            &json!({"refresh": pair.refresh, "access": pair.access}),
        ))
    }

    fn openapi_operations(&self, _path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        let string = || <String as Type>::schema_ref();
        schema::register_object(
            registry,
            "TokenObtainPair".into(),
            vec![
                ("email", schema::field(string(), false, true, false, None)),
                (
                    "password",
                    schema::field(string(), false, true, false, None),
                ),
                ("access", schema::field(string(), true, false, false, None)),
                ("refresh", schema::field(string(), true, false, false, None)),
            ],
            vec!["email", "password", "access", "refresh"],
        );
        let mut op = operation(Method::POST, "token", "token_create".into());
        op.description = Some(DESCRIPTION);
        op.request = Some(request_body("TokenObtainPair"));
        op.responses.responses.push(response(
            200,
            "",
            Some(MetaSchemaRef::Reference("TokenObtainPair".into())),
        ));
        vec![op]
    }
}

/// simplejwt's docstring of `TokenRefreshView`.
pub const REFRESH_DESCRIPTION: &str = "Takes a refresh type JSON web token and returns an access type JSON web\ntoken if the refresh token is valid.";
/// simplejwt's docstring of `TokenVerifyView`.
const VERIFY_DESCRIPTION: &str = "Takes a token and indicates if it is valid.  This view provides no\ninformation about a token's fitness for a particular use.";
/// simplejwt's docstring of `TokenBlacklistView`.
const BLACKLIST_DESCRIPTION: &str = "Takes a token and blacklists it. Must be used with the\n`rest_framework_simplejwt.token_blacklist` app installed.";
/// simplejwt's docstring of `TokenObtainSlidingView`.
const OBTAIN_SLIDING_DESCRIPTION: &str = "Takes a set of user credentials and returns a sliding JSON web token to\nprove the authentication of those credentials.";
/// simplejwt's docstring of `TokenRefreshSlidingView`.
const REFRESH_SLIDING_DESCRIPTION: &str = "Takes a sliding JSON web token and returns a new, refreshed version if the\ntoken's refresh period has not expired.";

/// The OpenAPI operation of the refresh views (schema `TokenRefresh`).
pub fn refresh_operation(path: &str, registry: &mut Registry) -> MetaOperation {
    token_operation(
        path,
        registry,
        "TokenRefresh",
        &[("access", true, false), ("refresh", false, false)],
        REFRESH_DESCRIPTION,
    )
}

/// simplejwt's `TokenRefreshView`: `{"refresh"}` -> `{"access"}`, plus `"refresh"` (a
/// rotated token) with [`JwtSettings::rotate_refresh_tokens`](super::jwt::JwtSettings); the
/// token sent is then blacklisted with `blacklist_after_rotation`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenRefreshView;

#[async_trait::async_trait]
impl ApiView for TokenRefreshView {
    token_view_basics!();

    fn name(&self) -> String {
        "Token Refresh".into()
    }

    fn description(&self) -> String {
        REFRESH_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<serde_json::Value> {
        Some(string_fields_metadata(&[
            ("refresh", true, false, None),
            ("access", false, true, None),
        ]))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let token = required_string(ctx, "refresh")?;
        let refreshed = token_result(tokens::refresh(ctx.state(), &token).await?)?;
        Ok(Response::ok(&refreshed_body(&refreshed)))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        vec![refresh_operation(path, registry)]
    }
}

/// `{"access": ..., "refresh": ...}` (refresh only when rotated), simplejwt's order.
pub fn refreshed_body(refreshed: &tokens::Refreshed) -> serde_json::Map<String, serde_json::Value> {
    let mut body = serde_json::Map::new();
    body.insert("access".into(), refreshed.access.clone().into());
    if let Some(refresh) = &refreshed.refresh {
        body.insert("refresh".into(), refresh.clone().into());
    }
    body
}

/// simplejwt's `TokenVerifyView`: `{"token"}` -> `{}` for any valid token (access, refresh
/// or sliding); a blacklisted one is a 400 `{"non_field_errors": ["Token is blacklisted"]}`
/// (checked, as simplejwt does, when `blacklist_after_rotation` is on with the blacklist app).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenVerifyView;

#[async_trait::async_trait]
impl ApiView for TokenVerifyView {
    token_view_basics!();

    fn name(&self) -> String {
        "Token Verify".into()
    }

    fn description(&self) -> String {
        VERIFY_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<serde_json::Value> {
        Some(string_fields_metadata(&[("token", true, false, None)]))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let token = required_string(ctx, "token")?;
        let state = ctx.state();
        let claims = token_result(tokens::verify(state, &token, None).await?)?;
        if state.settings.jwt().blacklist_after_rotation
            && tokens::is_blacklisted(state, &claims).await?
        {
            return Err(ApiError::non_field(TokenError::Blacklisted.message()));
        }
        Ok(Response::ok(&json!({})))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        vec![token_operation(
            path,
            registry,
            "TokenVerify",
            &[("token", false, true)],
            VERIFY_DESCRIPTION,
        )]
    }
}

/// simplejwt's `TokenBlacklistView`: `{"refresh"}` -> `{}`, the refresh token blacklisted
/// (needs the blacklist app; without it the token is only verified).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenBlacklistView;

#[async_trait::async_trait]
impl ApiView for TokenBlacklistView {
    token_view_basics!();

    fn name(&self) -> String {
        "Token Blacklist".into()
    }

    fn description(&self) -> String {
        BLACKLIST_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<serde_json::Value> {
        Some(string_fields_metadata(&[("refresh", true, false, None)]))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let token = required_string(ctx, "refresh")?;
        let state = ctx.state();
        let claims = token_result(tokens::verify(state, &token, Some(TokenType::Refresh)).await?)?;
        tokens::blacklist(state, &claims, &token).await?;
        Ok(Response::ok(&json!({})))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        vec![token_operation(
            path,
            registry,
            "TokenBlacklist",
            &[("refresh", false, true)],
            BLACKLIST_DESCRIPTION,
        )]
    }
}

/// simplejwt's `TokenObtainSlidingView`: credentials -> `{"token": "<sliding token>"}`
/// (lifetime [`sliding_token_lifetime`](super::jwt::JwtSettings::sliding_token_lifetime),
/// renewable until its `refresh_exp`). Authenticating with sliding tokens needs
/// [`TokenType::Sliding`] in [`auth_token_types`](super::jwt::JwtSettings::auth_token_types).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenObtainSlidingView;

#[async_trait::async_trait]
impl ApiView for TokenObtainSlidingView {
    fn is_login_view(&self) -> bool {
        true
    }

    token_view_basics!();

    fn name(&self) -> String {
        "Token Obtain Sliding".into()
    }

    fn description(&self) -> String {
        OBTAIN_SLIDING_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, ctx: &RequestContext) -> Option<serde_json::Value> {
        Some(credentials_metadata(ctx))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let user = authenticate_credentials(ctx).await?;
        let token = tokens::obtain_sliding(ctx.state(), user.id).await?;
        Ok(Response::ok(&json!({ "token": token })))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        vec![token_operation(
            path,
            registry,
            "TokenObtainSliding",
            &[("token", true, false)],
            OBTAIN_SLIDING_DESCRIPTION,
        )]
    }
}

/// simplejwt's `TokenRefreshSlidingView`: `{"token"}` -> `{"token": "<renewed>"}` (same `jti`
/// and `refresh_exp`, new `exp` and `iat`); past its `refresh_exp` the token is refused with
/// `Token 'refresh_exp' claim has expired`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenRefreshSlidingView;

#[async_trait::async_trait]
impl ApiView for TokenRefreshSlidingView {
    token_view_basics!();

    fn name(&self) -> String {
        "Token Refresh Sliding".into()
    }

    fn description(&self) -> String {
        REFRESH_SLIDING_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<serde_json::Value> {
        Some(string_fields_metadata(&[("token", true, false, None)]))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let token = required_string(ctx, "token")?;
        let renewed = token_result(tokens::refresh_sliding(ctx.state(), &token).await?)?;
        Ok(Response::ok(&json!({ "token": renewed })))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        vec![token_operation(
            path,
            registry,
            "TokenRefreshSliding",
            &[("token", false, false)],
            REFRESH_SLIDING_DESCRIPTION,
        )]
    }
}

#[cfg(test)]
mod path_name_tests {
    #[test]
    fn operation_ids_join_the_path_segments() {
        assert_eq!(
            super::path_names("/api/token/refresh/"),
            ("token", "token_refresh".to_string())
        );
    }
}
