//! DRF's `ObtainAuthToken` (`obtain_auth_token`).

use super::get_or_create_token;
use crate::contrib::auth::authenticate;
use crate::exceptions::{ApiError, ApiResult, ValidationErrors};
use crate::fields::{FieldOptions, parse_field};
use crate::openapi::{operation, response, schema};
use crate::request::RequestContext;
use crate::response::Response;
use crate::views::ApiView;
use poem::http::Method;
use poem_openapi::registry::{MetaMediaType, MetaOperation, MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde_json::json;

/// The 400 text of wrong credentials (also an inactive user).
pub const UNABLE_TO_LOG_IN: &str = "Unable to log in with provided credentials.";

/// DRF's `ObtainAuthToken`: `POST {"username": <login>, "password": ...}` (JSON, form or
/// multipart) → 200 `{"token": "<40 hex>"}`, the same key on every call for a user.
///
/// - The field is `username` whatever the user model's login field is; its value is looked up
///   in that field (Django's `authenticate(username=...)`). It is trimmed; the password is not.
/// - Missing, null or blank fields: 400 per field; wrong credentials or an inactive user: 400
///   `{"non_field_errors": ["Unable to log in with provided credentials."]}`.
/// - `Allow: POST, OPTIONS`. As in DRF, no permission check, and the default authentication
///   classes run first (invalid credentials in an `Authorization` header are a 401 here too).
#[derive(Debug, Clone, Copy, Default)]
pub struct ObtainAuthTokenView;

/// `AuthTokenSerializer.password`: `trim_whitespace=False`.
const PASSWORD_OPTIONS: FieldOptions = FieldOptions {
    trim_whitespace: false,
    ..FieldOptions::DEFAULT
};

/// The body media types, in the order of `ObtainAuthToken.parser_classes`.
const PARSED: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/json",
];

#[async_trait::async_trait]
impl ApiView for ObtainAuthTokenView {
    fn is_login_view(&self) -> bool {
        true
    }

    fn methods(&self) -> Vec<Method> {
        vec![Method::POST]
    }

    fn name(&self) -> String {
        "Obtain Auth Token".into()
    }

    /// `parser_classes = (FormParser, MultiPartParser, JSONParser)`.
    fn parses(&self) -> &'static [&'static str] {
        &PARSED
    }

    /// `renderer_classes = (renderers.JSONRenderer,)`: JSON only, so no `Vary: Accept`.
    fn renderer_classes(&self) -> Option<Vec<std::sync::Arc<dyn crate::renderers::Renderer>>> {
        Some(vec![std::sync::Arc::new(crate::renderers::JsonRenderer)])
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<serde_json::Value> {
        // `AuthTokenSerializer`: two write-only CharFields and the read-only `token`.
        let field = |read_only: bool, label: &str| {
            json!({
                "type": "string",
                "required": !read_only,
                "read_only": read_only,
                "label": label,
            })
        };
        Some(json!({"POST": {
            "username": field(false, "Username"),
            "password": field(false, "Password"),
            "token": field(true, "Token"),
        }}))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let data = ctx.data()?;
        let mut errors = ValidationErrors::default();
        let username: Option<String> =
            parse_field(&data, "username", &FieldOptions::DEFAULT, true, &mut errors);
        let password: Option<String> =
            parse_field(&data, "password", &PASSWORD_OPTIONS, true, &mut errors);
        errors.into_result()?;
        let (Some(username), Some(password)) = (username, password) else {
            return Err(ApiError::Internal("validated fields missing".into()));
        };
        let state = ctx.state();
        let Some(user) = authenticate(state, &username, &password).await? else {
            return Err(ApiError::non_field(UNABLE_TO_LOG_IN));
        };
        let key = get_or_create_token(&state.db, user.id).await?;
        Ok(Response::ok(&json!({ "token": key })))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        let string = || <String as Type>::schema_ref();
        // DRF's `AuthTokenSerializer`: write-only credentials, the read-only key.
        schema::register_object(
            registry,
            "AuthToken".into(),
            vec![
                (
                    "username",
                    schema::field(string(), false, true, false, None),
                ),
                (
                    "password",
                    schema::field(string(), false, true, false, None),
                ),
                ("token", schema::field(string(), true, false, false, None)),
            ],
            vec!["username", "password", "token"],
        );
        let (tag, operation_id) = tag_and_operation_id(path);
        let mut op = operation(Method::POST, tag, format!("{operation_id}_create"));
        let request = MetaSchemaRef::Reference("AuthToken".into());
        op.request = Some(MetaRequest {
            description: None,
            content: PARSED
                .into_iter()
                .map(|content_type| MetaMediaType {
                    content_type,
                    schema: request.clone(),
                })
                .collect(),
            required: true,
        });
        op.responses.responses.push(response(
            200,
            "",
            Some(MetaSchemaRef::Reference("AuthToken".into())),
        ));
        vec![op]
    }
}

/// drf-spectacular's tag and operation id prefix of a route: `/api/api-token-auth/` →
/// (`api-token-auth`, `api_token_auth`) (the `api` prefix dropped).
fn tag_and_operation_id(path: &str) -> (&'static str, String) {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !str::is_empty(s)).collect();
    if segments.len() > 1 && segments[0] == "api" {
        segments.remove(0);
    }
    let tag = segments.first().copied().unwrap_or("api").to_owned();
    let id = segments.join("_").replace('-', "_");
    (Box::leak(tag.into_boxed_str()), id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contrib::authtoken::get_token;
    use crate::contrib::authtoken::test_support::{PASSWORD, TestUsers};
    use crate::views::dispatch;

    async fn post(users: &TestUsers, content_type: &str, body: &str) -> (u16, String) {
        let mut headers = poem::http::HeaderMap::new();
        headers.insert(
            "content-type",
            poem::http::HeaderValue::from_str(content_type).expect("header"),
        );
        let ctx = RequestContext::new(
            users.state.clone(),
            Method::POST,
            "/api/api-token-auth/".parse().expect("uri"),
            headers,
            body.as_bytes().to_vec(),
        );
        let response = dispatch(&ObtainAuthTokenView, ctx).await;
        let body = response.body.unwrap_or_default();
        (
            response.status.as_u16(),
            String::from_utf8(body).expect("utf-8"),
        )
    }

    #[tokio::test]
    async fn obtains_the_same_key_every_time() {
        let users = TestUsers::new().await;
        let body = format!(r#"{{"username":" active@example.com ","password":"{PASSWORD}"}}"#);
        let (status, first) = post(&users, "application/json", &body).await;
        assert_eq!(status, 200, "{first}");
        let key = get_token(&users.state.db, users.active_id)
            .await
            .expect("get")
            .expect("created");
        assert_eq!(first, format!(r#"{{"token":"{key}"}}"#));
        let form = format!("username=active%40example.com&password={PASSWORD}");
        let (status, second) = post(&users, "application/x-www-form-urlencoded", &form).await;
        assert_eq!((status, second), (200, first));
    }

    #[tokio::test]
    async fn refuses_like_drf() {
        let users = TestUsers::new().await;
        let unable = r#"{"non_field_errors":["Unable to log in with provided credentials."]}"#;
        let required =
            r#"{"username":["This field is required."],"password":["This field is required."]}"#;
        for (body, expected) in [
            (
                r#"{"username":"active@example.com","password":"wrong"}"#.to_owned(),
                unable,
            ),
            (
                format!(r#"{{"username":"inactive@example.com","password":"{PASSWORD}"}}"#),
                unable,
            ),
            (
                format!(r#"{{"username":"nobody@example.com","password":"{PASSWORD}"}}"#),
                unable,
            ),
            // The password is not trimmed.
            (
                format!(r#"{{"username":"active@example.com","password":" {PASSWORD}"}}"#),
                unable,
            ),
            ("{}".to_owned(), required),
            (
                format!(r#"{{"email":"active@example.com","password":"{PASSWORD}"}}"#),
                r#"{"username":["This field is required."]}"#,
            ),
            (
                r#"{"username":"  ","password":""}"#.to_owned(),
                r#"{"username":["This field may not be blank."],"password":["This field may not be blank."]}"#,
            ),
            (
                r#"{"username":null,"password":5}"#.to_owned(),
                r#"{"username":["This field may not be null."]}"#,
            ),
        ] {
            assert_eq!(
                post(&users, "application/json", &body).await,
                (400, expected.to_owned()),
                "{body}"
            );
        }
        assert_eq!(
            get_token(&users.state.db, users.active_id)
                .await
                .expect("get"),
            None
        );
    }

    #[tokio::test]
    async fn options_lists_the_serializer_fields() {
        let users = TestUsers::new().await;
        let ctx = RequestContext::new(
            users.state.clone(),
            Method::OPTIONS,
            "/api/api-token-auth/".parse().expect("uri"),
            poem::http::HeaderMap::new(),
            Vec::new(),
        );
        let response = dispatch(&ObtainAuthTokenView, ctx).await;
        assert_eq!(response.status.as_u16(), 200);
        let body: serde_json::Value =
            serde_json::from_slice(&response.body.unwrap_or_default()).expect("JSON");
        assert_eq!(body["name"], "Obtain Auth Token");
        assert_eq!(
            body["actions"]["POST"],
            json!({
                "username": {"type": "string", "required": true, "read_only": false, "label": "Username"},
                "password": {"type": "string", "required": true, "read_only": false, "label": "Password"},
                "token": {"type": "string", "required": false, "read_only": true, "label": "Token"},
            })
        );
        let keys: Vec<&String> = body["actions"]["POST"]
            .as_object()
            .expect("fields")
            .keys()
            .collect();
        assert_eq!(keys, ["username", "password", "token"]);
    }

    #[test]
    fn operation_names() {
        assert_eq!(
            tag_and_operation_id("/api/api-token-auth/"),
            ("api-token-auth", "api_token_auth".to_owned())
        );
        assert_eq!(
            tag_and_operation_id("/auth/token/"),
            ("auth", "auth_token".to_owned())
        );
        let mut registry = Registry::new();
        let ops = ObtainAuthTokenView.openapi_operations("/api/api-token-auth/", &mut registry);
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].operation_id, Some("api_token_auth_create"));
        assert_eq!(ops[0].tags, ["api-token-auth"]);
        assert!(registry.schemas.contains_key("AuthToken"));
    }
}
