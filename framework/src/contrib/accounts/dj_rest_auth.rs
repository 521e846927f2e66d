//! dj-rest-auth's JWT views (`USE_JWT = True`): the token refresh view with cookie support
//! (`token/refresh/`) and the logout view (`logout/`). `token/verify/` is simplejwt's
//! [`TokenVerifyView`](crate::contrib::simplejwt::views::TokenVerifyView).
//!
//! The cookies are [`super::jwt_cookies`]'s, named by
//! [`Settings::jwt_cookies`](crate::settings::Settings::jwt_cookies).

use super::jwt_cookies::{
    request_cookie, set_jwt_access_cookie, set_jwt_refresh_cookie, unset_jwt_cookies,
};
use crate::contrib::simplejwt::views::{
    refresh_operation, refreshed_body, string_fields_metadata, token_not_valid, token_operation,
    token_result, token_view_basics,
};
use crate::contrib::simplejwt::{jwt::TokenType, tokens};
use crate::exceptions::{ApiError, ApiResult, ValidationErrors};
use crate::fields::{DrfDateTime, FieldOptions, parse_field};
use crate::openapi::response;
use crate::request::RequestContext;
use crate::response::Response;
use crate::views::ApiView;
use poem::http::{Method, StatusCode};
use poem_openapi::registry::{MetaOperation, MetaSchemaRef, Registry};
use serde_json::{Value, json};

/// dj-rest-auth's `RefreshViewWithCookieSupport`: simplejwt's `TokenRefreshView` whose
/// `refresh` comes from the body or, when the body has no `refresh` field, from the refresh
/// cookie. The answer adds `access_expiration` and `refresh_expiration` (now + lifetime) and
/// sets the JWT cookies; with `JWT_AUTH_HTTPONLY` the new refresh token travels only in its
/// cookie. Neither body field nor cookie: 401
/// `{"detail": "No valid refresh token found.", "code": "token_not_valid"}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CookieTokenRefreshView;

impl CookieTokenRefreshView {
    /// dj-rest-auth's `CookieTokenRefreshSerializer.extract_refresh_token`.
    fn refresh_token(ctx: &RequestContext) -> ApiResult<String> {
        let data = ctx.data()?;
        let mut errors = ValidationErrors::default();
        let field: Option<String> =
            parse_field(&data, "refresh", &FieldOptions::DEFAULT, false, &mut errors);
        errors.into_result()?;
        if let Some(token) = field {
            return Ok(token);
        }
        let cookies = ctx.state().settings.jwt_cookies();
        cookies
            .refresh_cookie
            .as_deref()
            .and_then(|name| request_cookie(ctx, name))
            .ok_or_else(|| token_not_valid("No valid refresh token found."))
    }
}

#[async_trait::async_trait]
impl ApiView for CookieTokenRefreshView {
    token_view_basics!();

    fn name(&self) -> String {
        "Refresh View With Cookie Support".into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(string_fields_metadata(&[
            ("refresh", false, false, Some("WIll override cookie.")),
            ("access", false, true, None),
        ]))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let token = Self::refresh_token(ctx)?;
        let state = ctx.state();
        let refreshed = token_result(tokens::refresh(state, &token).await?)?;
        let jwt = &state.settings.jwt();
        let cookies = &state.settings.jwt_cookies();
        let mut body = refreshed_body(&refreshed);
        let now = crate::timezone::now();
        let access_expiration = now + jwt.access_token_lifetime;
        body.insert(
            "access_expiration".into(),
            DrfDateTime(&access_expiration).to_string().into(),
        );
        if refreshed.refresh.is_some() {
            if cookies.httponly {
                body.shift_remove("refresh");
            } else {
                let refresh_expiration = now + jwt.refresh_token_lifetime;
                body.insert(
                    "refresh_expiration".into(),
                    DrfDateTime(&refresh_expiration).to_string().into(),
                );
            }
        }
        let mut response = Response::ok(&body);
        response = set_jwt_access_cookie(
            response,
            cookies,
            &refreshed.access,
            jwt.access_token_lifetime,
        );
        if let Some(refresh) = &refreshed.refresh {
            response =
                set_jwt_refresh_cookie(response, cookies, refresh, jwt.refresh_token_lifetime);
        }
        Ok(response)
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        vec![refresh_operation(path, registry)]
    }
}

/// dj-rest-auth's docstring of `LogoutView`.
const LOGOUT_DESCRIPTION: &str = "Calls Django logout method and delete the Token object\nassigned to the current User object.\n\nAccepts/Returns nothing.";

/// dj-rest-auth's `LogoutView` with `USE_JWT` (no authentication required):
///
/// - deletes the user's DRF token when the request is authenticated and
///   [`LogoutView::delete_auth_token`] is on (the authtoken app is installed);
/// - with the blacklist app, blacklists the refresh token: from the body's `refresh` field,
///   or with `JWT_AUTH_HTTPONLY` from the refresh cookie only (as dj-rest-auth does);
/// - always answers with both JWT cookies deleted: 200 `{"detail": "Successfully logged
///   out."}`, or 401 `{"detail": "Refresh token was not included in request data."}` /
///   `{"detail": "<token error>"}`, **without** `WWW-Authenticate` (plain responses);
/// - `GET` is a 405 although `Allow` lists it (`ACCOUNT_LOGOUT_ON_GET` is off).
#[derive(Debug, Clone, Copy)]
pub struct LogoutView {
    /// Delete the user's `authtoken_token` row (dj-rest-auth: `request.user.auth_token.delete()`);
    /// needs the authtoken table. On by default.
    pub delete_auth_token: bool,
}

impl Default for LogoutView {
    fn default() -> Self {
        LogoutView {
            delete_auth_token: true,
        }
    }
}

impl LogoutView {
    /// The refresh token to blacklist: `Ok(Err(detail))` when it is missing.
    fn refresh_token(ctx: &RequestContext) -> ApiResult<Result<Value, &'static str>> {
        let cookies = &ctx.state().settings.jwt_cookies();
        if cookies.httponly {
            let cookie = cookies
                .refresh_cookie
                .as_deref()
                .and_then(|name| request_cookie(ctx, name));
            return Ok(cookie
                .map(Value::String)
                .ok_or("Refresh token was not included in cookie data."));
        }
        let data = ctx.data()?;
        Ok(data
            .get("refresh")
            .cloned()
            .ok_or("Refresh token was not included in request data."))
    }

    /// Blacklists the request's refresh token; `Ok(Some(detail))` is a 401 to answer.
    async fn blacklist_refresh(ctx: &RequestContext) -> ApiResult<Option<String>> {
        let token = match Self::refresh_token(ctx)? {
            // simplejwt refuses anything but a string as "Token is invalid".
            Ok(Value::String(token)) => token,
            Ok(_) => return Ok(Some("Token is invalid".into())),
            Err(detail) => return Ok(Some(detail.into())),
        };
        let state = ctx.state();
        match tokens::verify(state, &token, Some(TokenType::Refresh)).await? {
            Ok(claims) => {
                tokens::blacklist(state, &claims, &token).await?;
                Ok(None)
            }
            Err(err) => Ok(Some(err.message().into())),
        }
    }
}

#[async_trait::async_trait]
impl ApiView for LogoutView {
    /// dj-rest-auth's `permission_classes = (AllowAny,)`.
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        true
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::GET, Method::POST]
    }

    fn name(&self) -> String {
        "Logout".into()
    }

    fn description(&self) -> String {
        LOGOUT_DESCRIPTION.into()
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        if ctx.method() != Method::POST {
            // dj-rest-auth's `get()` without ACCOUNT_LOGOUT_ON_GET.
            return Err(ApiError::MethodNotAllowed(ctx.method().clone()));
        }
        let state = ctx.state();
        if self.delete_auth_token
            && let Some(user) = ctx.user()
        {
            crate::contrib::authtoken::delete_token(&state.db, user.id)
                .await
                .map_err(|err| ApiError::Internal(format!("authtoken: {err}")))?;
        }
        // dj-rest-auth's `django_logout(request)` (SESSION_LOGIN): the session is flushed
        // whatever happens to the refresh token.
        let session_cookies = crate::contrib::sessions::logout(state, ctx).await?;
        let failure = if state.settings.jwt().token_blacklist {
            Self::blacklist_refresh(ctx).await?
        } else {
            None
        };
        let response = match failure {
            None => Response::ok(&json!({"detail": "Successfully logged out."})),
            Some(detail) => Response::json(StatusCode::UNAUTHORIZED, &json!({ "detail": detail })),
        };
        let response = unset_jwt_cookies(response, &state.settings.jwt_cookies());
        // Django's session middleware sets its cookie after the view's.
        Ok(crate::cookies::set_cookies(response, &session_cookies))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        let mut op = token_operation(
            path,
            registry,
            "Logout",
            &[("refresh", false, false)],
            LOGOUT_DESCRIPTION,
        );
        crate::openapi::schema::register_object(
            registry,
            "RestAuthDetail".into(),
            vec![(
                "detail",
                crate::openapi::schema::field(
                    <String as poem_openapi::types::Type>::schema_ref(),
                    true,
                    false,
                    false,
                    None,
                ),
            )],
            vec!["detail"],
        );
        op.responses.responses = vec![response(
            200,
            "",
            Some(MetaSchemaRef::Reference("RestAuthDetail".into())),
        )];
        vec![op]
    }
}
