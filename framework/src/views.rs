//! Views (DRF's `APIView`): the request pipeline every route goes through, in DRF's order:
//! authentication, permission (`has_permission`), throttles (429), method (405), then the
//! handler, which does the object lookup (404), object permission (403) and body parsing
//! (415/400).

use crate::authentication::{Authentication, authenticate_header, perform_authentication};
use crate::exceptions::ExceptionContext;
use crate::exceptions::{ApiError, ApiResult};
use crate::negotiation::select_renderer;
use crate::parsers::PARSED_MEDIA_TYPES;
use crate::renderers::{Renderer, RendererContext};
use crate::request::RequestContext;
use crate::response::Response;
use crate::settings::AppState;
use crate::throttling::{Throttle, check_throttles};
use poem::http::{HeaderValue, Method, header};
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

    /// Whether HEAD is answered as GET and listed in `Allow` (Django's class-based views);
    /// DRF's function views (`@api_view`) allow only the methods they list.
    fn head_as_get(&self) -> bool {
        true
    }

    /// The `Allow` header when it is not the one [`ApiView::methods`] makes (dj-rest-auth's
    /// `VerifyEmailView` declares `allowed_methods = ('POST', 'OPTIONS', 'HEAD')`).
    fn allow(&self) -> Option<String> {
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

    /// The renderers this view offers (DRF's `renderer_classes`); `None` uses the settings'
    /// defaults.
    fn renderer_classes(&self) -> Option<Vec<Arc<dyn Renderer>>> {
        None
    }

    /// Whether the OpenAPI document offers `method` without credentials (`{}` among the
    /// operation's security requirements): drf-spectacular's rule, true for `AllowAny` and
    /// for `IsAuthenticatedOrReadOnly` on safe methods (see
    /// [`crate::permissions::Permission::openapi_allows_anonymous`]).
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        false
    }

    /// Error statuses `method` can answer beyond those the framework infers (for
    /// [`Settings::schema_document_errors`](crate::settings::Settings::schema_document_errors)):
    /// a view that answers 404 without a path parameter, say.
    fn openapi_error_statuses(&self, _method: &Method) -> Vec<u16> {
        Vec::new()
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

    /// Whether the view checks a password from its body (`username` or `email`, and
    /// `password`): [`crate::throttling::LoginRateThrottle`] limits such views only.
    fn is_login_view(&self) -> bool {
        false
    }

    /// The media types of the view's parsers, in the order of its `parser_classes` (OPTIONS
    /// lists them as `parses`).
    fn parses(&self) -> &'static [&'static str] {
        PARSED_MEDIA_TYPES
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

/// The methods a view answers and its `Allow` header, worked out once per route (the URL
/// dispatcher keeps one per pattern) instead of on every request.
pub struct AllowedMethods {
    methods: Vec<Method>,
    allow: Option<HeaderValue>,
}

impl AllowedMethods {
    /// The methods and `Allow` header of `view`.
    pub fn of(view: &dyn ApiView) -> Self {
        let methods = view.methods();
        let allow = if let Some(allow) = view.allow() {
            allow
        } else if view.head_as_get() {
            allow_header(&methods)
        } else {
            let mut names: Vec<&str> = methods.iter().map(Method::as_str).collect();
            names.push("OPTIONS");
            names.join(", ")
        };
        AllowedMethods {
            methods,
            allow: HeaderValue::try_from(allow).ok(),
        }
    }
}

/// Runs a request through a view: DRF's `dispatch` (content negotiation, initial checks,
/// handler, exception handler, final headers, rendering).
pub async fn dispatch(view: &dyn ApiView, mut ctx: RequestContext) -> Response {
    dispatch_allowing(view, &AllowedMethods::of(view), &mut ctx).await
}

/// [`dispatch`] with the view's [`AllowedMethods`] worked out beforehand. The request is
/// borrowed: its caller keeps it, so that the future of a request holds one copy of it (an
/// `async fn` stores an argument moved into it twice).
pub async fn dispatch_allowing(
    view: &dyn ApiView,
    allowed: &AllowedMethods,
    ctx: &mut RequestContext,
) -> Response {
    let settings = ctx.state().settings.clone();
    // The view's own classes, else the settings' (borrowed: no copy per request).
    let own_classes = view.authentication_classes();
    let classes = own_classes
        .as_deref()
        .unwrap_or(&settings.default_authentication_classes);
    let own_renderers = view.renderer_classes();
    let renderers = own_renderers
        .as_deref()
        .unwrap_or(&settings.default_renderer_classes);
    // DRF negotiates before authenticating: an unknown format is 404 even for anonymous users.
    let negotiated = select_renderer(renderers, ctx);
    if let Ok(chosen) = &negotiated {
        ctx.set_accepted_renderer(chosen.renderer.format(), &chosen.accepted_media_type);
    }
    let result = match &negotiated {
        // The scope lets the request record how its JSON body held lone surrogates; a
        // request without a body has nothing to record (and is not slowed by the scope,
        // whose every poll swaps a thread-local).
        Ok(_) if ctx.has_body() => {
            let run = run(view, classes, &allowed.methods, renderers, ctx);
            Box::pin(crate::parsers::lone_surrogates::scope(run)).await
        }
        Ok(_) => run(view, classes, &allowed.methods, renderers, ctx).await,
        Err(error) => Err(error.clone()),
    };
    let mut response = match result {
        Ok(response) => response,
        Err(error) => handle_exception(view, classes, &settings, error, ctx),
    };
    if let Some(allow) = &allowed.allow {
        response.headers.insert(header::ALLOW, allow.clone());
    }
    // DRF's `default_response_headers`: the answer depends on `Accept` only when there is a
    // choice of renderers.
    if renderers.len() > 1 {
        response
            .headers
            .insert(header::VARY, HeaderValue::from_static("Accept"));
    }
    // A failed negotiation renders with the first renderer (DRF's `force=True`).
    let chosen = match negotiated {
        Ok(chosen) => Some((chosen.renderer, chosen.accepted_media_type)),
        Err(_) => renderers
            .first()
            .map(|first| (first.clone(), first.media_type().to_string())),
    };
    let response = match chosen {
        Some((renderer, accepted)) => renderer.render(
            response,
            &RendererContext {
                accepted_media_type: &accepted,
                request: ctx,
                view,
            },
        ),
        None => response,
    };
    // Django's middleware, after the view and its rendering.
    crate::middleware::process_response(&settings, ctx, response)
}

/// DRF's `handle_exception`: the settings' exception handler, with the view's
/// `WWW-Authenticate` for 401s. Out of line: errors are the rare path.
#[cold]
#[inline(never)]
fn handle_exception(
    view: &dyn ApiView,
    classes: &[Arc<dyn Authentication>],
    settings: &crate::settings::Settings,
    error: ApiError,
    ctx: &RequestContext,
) -> Response {
    let header = view
        .www_authenticate()
        .or_else(|| authenticate_header(classes));
    let context = ExceptionContext {
        request: ctx,
        www_authenticate: header.as_deref(),
    };
    (settings.exception_handler)(error, &context)
}

async fn run(
    view: &dyn ApiView,
    classes: &[Arc<dyn Authentication>],
    methods: &[Method],
    renderers: &[Arc<dyn Renderer>],
    ctx: &mut RequestContext,
) -> ApiResult<Response> {
    perform_authentication(classes, ctx).await?;
    view.check_permissions(ctx)?;
    check_throttles(view, ctx).await?;
    let method = ctx.method().clone();
    let allowed = methods.contains(&method)
        || method == Method::OPTIONS
        || (method == Method::HEAD && view.head_as_get() && methods.contains(&Method::GET));
    if !allowed {
        return Err(ApiError::MethodNotAllowed(method));
    }
    if method == Method::OPTIONS {
        let actions = view.metadata_actions(ctx).await;
        let renders: Vec<&str> = renderers.iter().map(|r| r.media_type()).collect();
        return Ok(metadata(view, &renders, actions));
    }
    view.handle(ctx).await
}

/// The media types of the default renderers (JSON and the browsable API's HTML).
pub const RENDERED_MEDIA_TYPES: &[&str] = &["application/json", "text/html"];

/// DRF's `SimpleMetadata` answer to OPTIONS.
#[cold]
fn metadata(view: &dyn ApiView, renders: &[&str], actions: Option<serde_json::Value>) -> Response {
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
        renders,
        parses: view.parses(),
        actions,
    })
}

/// The OPTIONS `actions` of a serializer for the methods in `methods` that pass `allowed`
/// (DRF's `determine_actions`: each method is checked as if the request used it).
#[doc(hidden)] // Called by generated code, through `crate::__private`.
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
    context_with_headers(state, req, req.headers().clone(), body)
}

/// [`context_for`] taking the request's headers out instead of copying them (the URL
/// dispatcher, which has no use for the request afterwards).
pub(crate) fn context_taking_headers(
    state: &AppState,
    req: &mut poem::Request,
    body: Vec<u8>,
) -> RequestContext {
    let headers = std::mem::take(req.headers_mut());
    context_with_headers(state, req, headers, body)
}

fn context_with_headers(
    state: &AppState,
    req: &poem::Request,
    headers: poem::http::HeaderMap,
    body: Vec<u8>,
) -> RequestContext {
    let mut ctx = RequestContext::new(
        state.clone(),
        req.method().clone(),
        req.original_uri().clone(),
        headers,
        body,
    );
    // Kept as an address: only throttling formats it.
    ctx.set_remote_addr(req.remote_addr().as_socket_addr().map(|a| a.ip()));
    ctx
}
