//! simplejwt's views: `POST /api/token/` (`TokenObtainPairView`).
//! Refresh, verify and blacklist come with the accounts work.

use crate::auth::authenticate;
use crate::authentication::jwt::token_pair_for_user;
use crate::exceptions::{ApiError, ApiResult, ValidationErrors};
use crate::fields::{FieldOptions, parse_field};
use crate::openapi::{operation, request_body, response, schema};
use crate::request::RequestContext;
use crate::response::Response;
use crate::views::ApiView;
use poem::http::Method;
use poem_openapi::registry::{MetaOperation, Registry};
use poem_openapi::types::Type;
use serde_json::json;
use std::sync::Arc;

/// simplejwt's docstring of `TokenObtainPairView` (its OPTIONS and schema description).
const DESCRIPTION: &str = "Takes a set of user credentials and returns an access and refresh JSON web token pair to prove the authentication of those credentials.";

/// simplejwt's `TokenObtainPairView`: `{"<username field>", "password"}` ->
/// `{"refresh", "access"}`; wrong credentials are a 401.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenObtainPairView;

#[async_trait::async_trait]
impl ApiView for TokenObtainPairView {
    fn methods(&self) -> Vec<Method> {
        vec![Method::POST]
    }

    // simplejwt's token views authenticate nobody but still answer 401s with a challenge.
    fn authentication_classes(
        &self,
    ) -> Option<Vec<Arc<dyn crate::authentication::Authentication>>> {
        Some(Vec::new())
    }

    fn name(&self) -> String {
        "Token Obtain Pair".into()
    }

    fn description(&self) -> String {
        DESCRIPTION.replace("JSON web token", "JSON web\ntoken")
    }

    async fn metadata_actions(&self, ctx: &RequestContext) -> Option<serde_json::Value> {
        // simplejwt's serializer: the login field and the password, both CharFields.
        let label = |name: &str| {
            let mut chars = name.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        };
        let username = ctx.state().users.username_field();
        let field = |name: &str| json!({"type": "string", "required": true, "read_only": false, "label": label(name)});
        let mut fields = serde_json::Map::new();
        fields.insert(username.to_string(), field(username));
        fields.insert("password".into(), field("password"));
        Some(json!({ "POST": fields }))
    }

    fn www_authenticate(&self) -> Option<String> {
        Some("Bearer realm=\"api\"".into())
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
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
        let authenticated = authenticate(state, &username, &password).await?;
        let Some(user) = authenticated else {
            return Err(ApiError::authentication_failed(
                "No active account found with the given credentials",
            ));
        };
        let pair = token_pair_for_user(&state.settings.jwt, user.id);
        Ok(Response::ok(
            &json!({"refresh": pair.refresh, "access": pair.access}),
        ))
    }

    fn openapi_operations(&self, _path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        let string = || <String as Type>::schema_ref();
        schema::register_object(
            registry,
            "TokenObtainPairRequest".into(),
            vec![
                ("email", schema::field(string(), false, true, false, None)),
                (
                    "password",
                    schema::field(string(), false, true, false, None),
                ),
            ],
            vec!["email", "password"],
        );
        schema::register_object(
            registry,
            "TokenObtainPair".into(),
            vec![
                ("access", schema::field(string(), true, false, false, None)),
                ("refresh", schema::field(string(), true, false, false, None)),
            ],
            vec!["access", "refresh"],
        );
        let mut op = operation(Method::POST, "token", "token_create".into());
        op.description = Some(DESCRIPTION);
        op.request = Some(request_body("TokenObtainPairRequest"));
        op.responses.responses.push(response(
            200,
            "",
            Some(poem_openapi::registry::MetaSchemaRef::Reference(
                "TokenObtainPair".into(),
            )),
        ));
        vec![op]
    }
}
