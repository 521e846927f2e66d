//! Views (DRF's `APIView`): the request pipeline every route goes through, in DRF's order:
//! authentication, permission (`has_permission`), throttles (429), method (405), then the
//! handler, which does the object lookup (404), object permission (403) and body parsing
//! (415/400).

use crate::authentication::{Authentication, authenticate_header, perform_authentication};
use crate::exceptions::{ApiError, ApiResult};
use crate::parsers::PARSED_MEDIA_TYPES;
use crate::request::RequestContext;
use crate::response::Response;
use crate::settings::AppState;
use crate::throttling::{Throttle, check_throttles};
use poem::http::Method;
use poem_openapi::registry::{MetaOperation, Registry};
use std::sync::Arc;

/// A view: what a URL pattern points at.
#[async_trait::async_trait]
pub trait ApiView: Send + Sync + 'static {
    /// The methods the view handles, besides HEAD (answered as GET) and OPTIONS
    /// (answered with metadata). They make the `Allow` header and 405 answers.
    fn methods(&self) -> Vec<Method>;

    /// The authentication classes; `None` uses the settings' defaults.
    fn authentication_classes(&self) -> Option<Vec<Arc<dyn Authentication>>> {
        None
    }

    /// The `WWW-Authenticate` value of 401 answers; `None` takes the first authentication
    /// class's (simplejwt's token views set their own).
    fn www_authenticate(&self) -> Option<String> {
        None
    }

    /// Request-level permission check (DRF's `check_permissions`).
    fn check_permissions(&self, _ctx: &RequestContext) -> ApiResult<()> {
        Ok(())
    }

    /// Handles an allowed method (HEAD arrives as HEAD; treat it as GET).
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response>;

    /// The view's name in OPTIONS metadata (`Article List`).
    fn name(&self) -> String {
        String::new()
    }

    /// The view's description in OPTIONS metadata.
    fn description(&self) -> String {
        String::new()
    }

    /// OPTIONS `actions`: for each writable method this user may use, its fields
    /// (`{"POST": {...}}`); `None` when there is none.
    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<serde_json::Value> {
        None
    }

    /// The OpenAPI operations of this view at `path` (OpenAPI syntax, `/api/articles/{id}/`),
    /// registering the schemas they use.
    fn openapi_operations(&self, _path: &str, _registry: &mut Registry) -> Vec<MetaOperation> {
        Vec::new()
    }

    /// The throttle classes (`throttle_classes`); `None` uses the settings' defaults.
    fn throttle_classes(&self) -> Option<Vec<Arc<dyn Throttle>>> {
        None
    }

    /// The view's `throttle_scope`, for [`crate::throttling::ScopedRateThrottle`].
    fn throttle_scope(&self) -> Option<String> {
        None
    }
}

/// The `Allow` header value of a view: its methods, then HEAD (if GET) and OPTIONS.
pub fn allow_header(methods: &[Method]) -> String {
    let mut names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    if methods.contains(&Method::GET) {
        names.push("HEAD");
    }
    names.push("OPTIONS");
    names.join(", ")
}

/// Runs a request through a view: DRF's `dispatch` (initial checks, handler, exception
/// handler, final headers).
pub async fn dispatch(view: &dyn ApiView, mut ctx: RequestContext) -> Response {
    let classes = view
        .authentication_classes()
        .unwrap_or_else(|| ctx.state().settings.default_authentication_classes.clone());
    let methods = view.methods();
    let result = run(view, &classes, &methods, &mut ctx).await;
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            let header = view
                .www_authenticate()
                .or_else(|| authenticate_header(&classes));
            error.into_response(header.as_deref())
        }
    };
    response
        .with_header("Allow", &allow_header(&methods))
        .with_header("Vary", "Accept")
        .with_session_vary(&ctx)
}

async fn run(
    view: &dyn ApiView,
    classes: &[Arc<dyn Authentication>],
    methods: &[Method],
    ctx: &mut RequestContext,
) -> ApiResult<Response> {
    negotiate(ctx)?;
    perform_authentication(classes, ctx).await?;
    view.check_permissions(ctx)?;
    check_throttles(view, ctx).await?;
    let method = ctx.method().clone();
    let allowed = methods.contains(&method)
        || method == Method::OPTIONS
        || (method == Method::HEAD && methods.contains(&Method::GET));
    if !allowed {
        return Err(ApiError::MethodNotAllowed(method));
    }
    if method == Method::OPTIONS {
        let actions = view.metadata_actions(ctx).await;
        return Ok(metadata(view, actions));
    }
    view.handle(ctx).await
}

/// The media types the renderers produce (JSON; the browsable API's HTML comes later).
pub const RENDERED_MEDIA_TYPES: &[&str] = &["application/json", "text/html"];

/// DRF's content negotiation: 406 when no renderer satisfies the `Accept` header.
fn negotiate(ctx: &RequestContext) -> ApiResult<()> {
    let Some(accept) = ctx.header("accept") else {
        return Ok(());
    };
    let acceptable = accept.split(',').any(|range| {
        let media = range
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        media.is_empty()
            || media == "*/*"
            || RENDERED_MEDIA_TYPES.iter().any(|rendered| {
                media == *rendered
                    || media
                        .strip_suffix("/*")
                        .is_some_and(|kind| rendered.starts_with(&format!("{kind}/")))
            })
    });
    if acceptable {
        Ok(())
    } else {
        Err(ApiError::NotAcceptable)
    }
}

/// DRF's `SimpleMetadata` answer to OPTIONS.
fn metadata(view: &dyn ApiView, actions: Option<serde_json::Value>) -> Response {
    #[derive(serde::Serialize)]
    struct Metadata<'a> {
        name: String,
        description: String,
        renders: &'a [&'a str],
        parses: &'a [&'a str],
        #[serde(skip_serializing_if = "Option::is_none")]
        actions: Option<serde_json::Value>,
    }
    Response::ok(&Metadata {
        name: view.name(),
        description: view.description(),
        renders: RENDERED_MEDIA_TYPES,
        parses: PARSED_MEDIA_TYPES,
        actions,
    })
}

/// The OPTIONS `actions` of a serializer for the methods in `methods` that pass `allowed`
/// (DRF's `determine_actions`: each method is checked as if the request used it).
pub async fn metadata_actions_for<S, F, Fut>(
    ctx: &RequestContext,
    methods: &[Method],
    allowed: F,
) -> Option<serde_json::Value>
where
    S: crate::serializers::ModelSerializer,
    F: Fn(RequestContext) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut actions = serde_json::Map::new();
    for method in [Method::PUT, Method::POST] {
        if methods.contains(&method) && allowed(ctx.clone_with_method(method.clone())).await {
            let fields = S::metadata();
            let value = serde_json::to_value(crate::metadata::Fields(&fields)).ok()?;
            actions.insert(method.to_string(), value);
        }
    }
    (!actions.is_empty()).then_some(serde_json::Value::Object(actions))
}

/// Builds a request context for a view (used by the URL dispatcher and tests).
pub fn context_for(state: &AppState, req: &poem::Request, body: Vec<u8>) -> RequestContext {
    let mut ctx = RequestContext::new(
        state.clone(),
        req.method().clone(),
        req.original_uri().clone(),
        req.headers().clone(),
        body,
    );
    let remote_addr = req
        .remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string());
    ctx.set_remote_addr(remote_addr);
    ctx
}
