//! URL dispatch (Django's `urlpatterns`): match the request path against the patterns, run
//! the view, and answer as Django does when nothing matches: a 301 to the slashed path when
//! that exists (`APPEND_SLASH`), else the HTML 404 page. Adds Django's security headers.

use crate::openapi::{SchemaView, SwaggerUiView, build_document};
use crate::request::RequestContext;
use crate::routers::DefaultRouter;
use crate::settings::AppState;
use crate::views::{AllowedMethods, ApiView, context_taking_headers, dispatch_allowing};
use poem::http::{HeaderName, HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request};
use std::sync::Arc;

/// One URL pattern: a path such as `/api/articles/{id}/` and its view.
pub struct UrlPattern {
    route: String,
    segments: Vec<Segment>,
    view: Arc<dyn ApiView>,
    /// The view's methods and `Allow` header.
    allowed: AllowedMethods,
    name: Option<String>,
    /// With DRF's `format_suffix_patterns`: the segments before `.<format>`.
    suffix_segments: Option<Vec<Segment>>,
    /// Whether the route also answers without its trailing slash.
    slash_optional: bool,
}

#[derive(Clone)]
enum Segment {
    Literal(String),
    Param(&'static str),
}

impl UrlPattern {
    /// A pattern; `{name}` segments capture a path parameter.
    pub fn new(route: &str, view: Arc<dyn ApiView>, name: Option<String>) -> Self {
        UrlPattern {
            route: route.to_string(),
            segments: parse_segments(route),
            allowed: AllowedMethods::of(view.as_ref()),
            view,
            name,
            suffix_segments: None,
            slash_optional: false,
        }
    }

    /// The route also answers without its trailing slash, as dj-rest-auth's
    /// `re_path(r'login/?$', ...)` (no `APPEND_SLASH` redirect there).
    pub fn with_optional_slash(mut self) -> Self {
        self.slash_optional = true;
        self
    }

    /// DRF's `format_suffix_patterns`: the pattern also answers `<prefix>.<format>` with an
    /// optional trailing slash (`/api/articles.json`, `/api/articles/1.json/`), `format`
    /// becoming a path parameter. `prefix` is the route without its trailing slash, except for
    /// an API root (`/api/` answers `/api/.json`).
    pub fn with_format_suffix(mut self, prefix: &str) -> Self {
        self.suffix_segments = Some(parse_segments(prefix));
        self
    }

    /// The route, in OpenAPI syntax (`/api/articles/{id}/`).
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The view.
    pub fn view(&self) -> &Arc<dyn ApiView> {
        &self.view
    }

    /// The route name, for `reverse()`.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn matches(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        match_segments(&self.segments, path)
            .or_else(|| {
                let slashless = self.slash_optional && !path.ends_with('/');
                slashless
                    .then(|| match_segments(&self.segments, &format!("{path}/")))
                    .flatten()
            })
            .or_else(|| self.matches_with_format(path))
    }

    /// `<prefix>\.(?P<format>[a-z0-9]+)/?$`
    fn matches_with_format(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let segments = self.suffix_segments.as_ref()?;
        let path = path.strip_suffix('/').unwrap_or(path);
        let (head, format) = path.rsplit_once('.')?;
        let valid_format = !format.is_empty()
            && format
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !valid_format {
            return None;
        }
        let mut params = match_segments(segments, head)?;
        params.push(("format", format.to_string()));
        Some(params)
    }
}

fn parse_segments(route: &str) -> Vec<Segment> {
    route
        .split('/')
        .map(
            |part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                // Parameter names live as long as the app; leak the few there are.
                Some(param) => Segment::Param(Box::leak(param.to_string().into_boxed_str())),
                None => Segment::Literal(part.to_string()),
            },
        )
        .collect()
}

fn match_segments(segments: &[Segment], path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut params = Vec::new();
    let mut parts = path.split('/');
    for segment in segments {
        let part = parts.next()?;
        match segment {
            Segment::Literal(literal) if literal == part => {}
            Segment::Literal(_) => return None,
            // Django's `[^/.]+`: any non-empty segment without a dot.
            Segment::Param(_) if part.is_empty() || part.contains('.') => return None,
            Segment::Param(name) => params.push((*name, percent_decode(part))),
        }
    }
    parts.next().is_none().then_some(params)
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Django's `reverse()`: route names to paths, for hyperlinks and the API root.
#[derive(Debug, Default, Clone)]
pub struct Reverser {
    routes: Vec<(String, Vec<Option<String>>)>,
    /// Per route (same order): the segments before `.<format>` of its format-suffix form.
    suffixes: Vec<Option<Vec<Option<String>>>>,
    /// The format of the request (`.json`): reversed URLs keep it, as DRF's `reverse()`
    /// with `format=` does for hyperlinks.
    format: Option<String>,
}

impl Reverser {
    /// The named routes of `patterns`.
    pub fn new(patterns: &[UrlPattern]) -> Self {
        fn literals(segments: &[Segment]) -> Vec<Option<String>> {
            segments
                .iter()
                .map(|segment| match segment {
                    Segment::Literal(literal) => Some(literal.clone()),
                    Segment::Param(_) => None,
                })
                .collect()
        }
        let mut routes = Vec::new();
        let mut suffixes = Vec::new();
        for pattern in patterns {
            if let Some(name) = pattern.name() {
                routes.push((name.to_string(), literals(&pattern.segments)));
                suffixes.push(pattern.suffix_segments.as_deref().map(literals));
            }
        }
        Reverser {
            routes,
            suffixes,
            format: None,
        }
    }

    /// The same routes, reversing to their `.<format>` form where they have one.
    pub fn with_format(&self, format: &str) -> Reverser {
        Reverser {
            format: Some(format.to_string()),
            ..self.clone()
        }
    }

    /// The path of route `name` with its parameters filled from `args`, in order (with the
    /// request's format suffix, see [`Reverser::with_format`]).
    pub fn reverse(&self, name: &str, args: &[&str]) -> Option<String> {
        let index = self.routes.iter().position(|(route, _)| route == name)?;
        if let (Some(format), Some(Some(segments))) = (&self.format, self.suffixes.get(index)) {
            return Some(format!("{}.{format}", fill(segments, args)?));
        }
        fill(&self.routes[index].1, args)
    }
}

/// Joins route segments, filling parameters from `args` in order.
fn fill(segments: &[Option<String>], args: &[&str]) -> Option<String> {
    let mut args = args.iter();
    let mut out = Vec::with_capacity(segments.len());
    for segment in segments {
        match segment {
            Some(literal) => out.push(literal.clone()),
            None => out.push((*args.next()?).to_string()),
        }
    }
    Some(out.join("/"))
}

/// The URL configuration of an application.
#[derive(Default)]
pub struct UrlPatterns {
    patterns: Vec<UrlPattern>,
    schema: Option<(String, String)>,
}

impl UrlPatterns {
    /// No patterns yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `path(route, view)`: one view at a route such as `/api/token/`.
    pub fn path(mut self, route: &str, view: impl ApiView) -> Self {
        self.patterns
            .push(UrlPattern::new(route, Arc::new(view), None));
        self
    }

    /// `re_path(r'<route>/?$', view)`: [`UrlPatterns::path`] whose route (ending with `/`) also
    /// answers without the slash (dj-rest-auth's routes).
    pub fn path_slash_optional(mut self, route: &str, view: impl ApiView) -> Self {
        self.patterns
            .push(UrlPattern::new(route, Arc::new(view), None).with_optional_slash());
        self
    }

    /// `path(prefix, include(router.urls))`.
    pub fn include(mut self, prefix: &str, router: DefaultRouter) -> Self {
        self.patterns.extend(router.into_patterns(prefix));
        self
    }

    /// Serves the OpenAPI document of every pattern at `schema_route` (YAML, or JSON with
    /// `?format=json`) and Swagger UI at `swagger_route`.
    pub fn schema(mut self, schema_route: &str, swagger_route: &str) -> Self {
        self.schema = Some((schema_route.to_string(), swagger_route.to_string()));
        self
    }

    /// Django's `reverse(name, args)` over these patterns.
    pub fn reverse(&self, name: &str, args: &[&str]) -> Option<String> {
        Reverser::new(&self.patterns).reverse(name, args)
    }

    /// The poem endpoint serving these patterns.
    pub fn into_endpoint(mut self, mut state: AppState) -> UrlEndpoint {
        if let Some((schema_route, swagger_route)) = self.schema.take() {
            let document = build_document(&self.patterns, &state.settings);
            let schema = SchemaView::new(&document, &state.settings.schema_title);
            let swagger = SwaggerUiView::new(&document);
            self.patterns.push(UrlPattern::new(
                &schema_route,
                Arc::new(schema),
                Some("schema".into()),
            ));
            self.patterns.push(UrlPattern::new(
                &swagger_route,
                Arc::new(swagger),
                Some("swagger-ui".into()),
            ));
        }
        state.urls = Arc::new(Reverser::new(&self.patterns));
        UrlEndpoint {
            patterns: Arc::new(self.patterns),
            state,
        }
    }
}

/// The poem endpoint of a [`UrlPatterns`].
pub struct UrlEndpoint {
    patterns: Arc<Vec<UrlPattern>>,
    state: AppState,
}

const NOT_FOUND_PAGE: &str = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n";

impl UrlEndpoint {
    fn find(&self, path: &str) -> Option<(&UrlPattern, Vec<(&'static str, String)>)> {
        self.patterns
            .iter()
            .find_map(|pattern| pattern.matches(path).map(|params| (pattern, params)))
    }

    /// Matches the request to a pattern and makes its context; the answer itself when no
    /// pattern matches.
    fn route(&self, mut req: Request) -> Routed<'_> {
        // Django's CommonMiddleware asks for the host before anything else is looked at.
        if !self.host_allowed(&mut req) {
            return Routed::Answered(disallowed_host(&req));
        }
        let Some((pattern, params)) = self.find(req.original_uri().path()) else {
            let path = req.original_uri().path().to_owned();
            return Routed::Answered(not_found_or_redirect(self, &req, &path));
        };
        if let Err(error) = self.check_sizes(&req) {
            return Routed::Answered(with_security_headers(
                error.into_response(None).into_poem(),
                true,
            ));
        }
        let body = req.take_body();
        let mut ctx = context_taking_headers(&self.state, &mut req, Vec::new());
        for (name, value) in params {
            ctx.set_path_param(name, value);
        }
        Routed::View { pattern, ctx, body }
    }
}

impl UrlEndpoint {
    /// Django's `get_host()` check against `ALLOWED_HOSTS`. A request without a `Host`
    /// header is for the address it came to (WSGI's `SERVER_NAME` and `SERVER_PORT`), which
    /// then becomes its `Host`, so that absolute URLs have one.
    fn host_allowed(&self, req: &mut Request) -> bool {
        if !req.headers().contains_key(header::HOST) {
            let local = req.local_addr().as_socket_addr().map(ToString::to_string);
            if let Some(value) = local.and_then(|addr| HeaderValue::try_from(addr).ok()) {
                req.headers_mut().insert(header::HOST, value);
            }
        }
        let host = req.headers().get(header::HOST).map(HeaderValue::to_str);
        matches!(host, Some(Ok(host)) if self.state.settings.allowed_hosts.allows(host))
    }

    /// The parser limit that can be checked before the body is read: the number of query
    /// parameters.
    fn check_sizes(&self, req: &Request) -> crate::exceptions::ApiResult<()> {
        let limits = &self.state.settings.parser_limits;
        match req.original_uri().query() {
            Some(query) => limits.check_number_fields(query.as_bytes()),
            None => Ok(()),
        }
    }
}

/// Django's answer to a `Host` outside `ALLOWED_HOSTS`: its 400 page (the exception is
/// raised inside CommonMiddleware, so `X-Frame-Options`, added further in, is missing), and
/// a warning naming the host, as Django's `django.security.DisallowedHost` logger.
fn disallowed_host(req: &Request) -> poem::Response {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    tracing::warn!(
        target: "rest_framework::security",
        "Invalid HTTP_HOST header: {host:?}. You may need to add {host:?} to ALLOWED_HOSTS."
    );
    let response = crate::hosts::BAD_REQUEST_PAGE
        .with_status(StatusCode::BAD_REQUEST)
        .with_content_type("text/html; charset=utf-8")
        .into_response();
    with_security_headers(response, false)
}

/// Where [`UrlEndpoint::route`] sends a request.
// `View` is the common variant and lives inside the request's future: boxing it would only
// add an allocation per request.
#[allow(clippy::large_enum_variant)]
enum Routed<'a> {
    /// To the view of `pattern`, its body not read yet.
    View {
        pattern: &'a UrlPattern,
        ctx: RequestContext,
        body: poem::Body,
    },
    /// No pattern matches: Django's answer (404 page or slash redirect).
    Answered(poem::Response),
}

impl Endpoint for UrlEndpoint {
    type Output = poem::Response;

    // Not an `async fn`: routing happens before the future is made, and the future borrows
    // the request it keeps (an `async fn` would store its argument twice, and this future is
    // a part of every request's).
    fn call(&self, req: Request) -> impl Future<Output = poem::Result<Self::Output>> + Send {
        crate::runtime::note_request();
        let mut routed = self.route(req);
        async move {
            let (pattern, ctx, body) = match &mut routed {
                Routed::View { pattern, ctx, body } => (*pattern, ctx, body),
                Routed::Answered(response) => return Ok(std::mem::take(response)),
            };
            if !body.is_empty() {
                let limit = ctx.state().settings.parser_limits.max_memory_size;
                let declared = ctx
                    .header(header::CONTENT_LENGTH)
                    .and_then(|value| value.parse::<usize>().ok());
                match Box::pin(read_body(std::mem::take(body), limit, declared)).await {
                    Ok(bytes) => ctx.set_body(bytes),
                    Err(message) => {
                        let error = crate::exceptions::ApiError::ParseError(message.into());
                        return Ok(with_security_headers(
                            error.into_response(None).into_poem(),
                            true,
                        ));
                    }
                }
            }
            let response = dispatch_allowing(pattern.view().as_ref(), &pattern.allowed, ctx)
                .await
                .into_poem();
            Ok(with_security_headers(response, true))
        }
    }
}

/// How much of a body past the limit is read (and thrown away) before the 400 is sent: a
/// client still sending when the answer comes would see its connection reset instead.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The request body, up to `limit` bytes (Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`), or the
/// error to answer. Past the limit the rest is read and dropped (up to [`DRAIN_LIMIT`]), so
/// memory holds at most `limit` bytes and one chunk.
async fn read_body(
    body: poem::Body,
    limit: Option<usize>,
    declared: Option<usize>,
) -> Result<Vec<u8>, &'static str> {
    use futures_util::StreamExt;
    let limit = limit.unwrap_or(usize::MAX);
    let mut data = Vec::with_capacity(declared.unwrap_or(0).min(limit).min(DRAIN_LIMIT));
    let mut dropped: Option<usize> = None;
    let mut chunks = body.into_bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| "The request body could not be read.")?;
        match &mut dropped {
            None if data.len() + chunk.len() <= limit => data.extend_from_slice(&chunk),
            None => dropped = Some(chunk.len()),
            Some(bytes) => {
                *bytes += chunk.len();
                if *bytes > DRAIN_LIMIT {
                    break;
                }
            }
        }
    }
    match dropped {
        Some(_) => Err(crate::parsers::DATA_TOO_BIG),
        None => Ok(data),
    }
}

fn not_found_or_redirect(endpoint: &UrlEndpoint, req: &Request, path: &str) -> poem::Response {
    let mut response = not_found_or_redirect_page(endpoint, req, path);
    // Django's middleware answers these too.
    crate::middleware::process_page(
        &endpoint.state.settings,
        req.headers(),
        response.headers_mut(),
    );
    response
}

fn not_found_or_redirect_page(endpoint: &UrlEndpoint, req: &Request, path: &str) -> poem::Response {
    // Django's CommonMiddleware (APPEND_SLASH): redirect when the slashed path exists.
    if !path.ends_with('/') && endpoint.find(&format!("{path}/")).is_some() {
        let location = match req.original_uri().query() {
            Some(query) => format!("{path}/?{query}"),
            None => format!("{path}/"),
        };
        let response = poem::Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, location)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            // Explicit, so that a HEAD answer has it too.
            .header(header::CONTENT_LENGTH, "0")
            .finish();
        return with_security_headers(response, false);
    }
    let response = NOT_FOUND_PAGE
        .with_status(StatusCode::NOT_FOUND)
        .with_content_type("text/html; charset=utf-8")
        .into_response();
    with_security_headers(response, true)
}

/// Django's SecurityMiddleware and XFrameOptionsMiddleware headers.
fn with_security_headers(mut response: poem::Response, frame_options: bool) -> poem::Response {
    // Not among `http::header`'s names; built at compile time.
    const CROSS_ORIGIN_OPENER_POLICY: HeaderName =
        HeaderName::from_static("cross-origin-opener-policy");
    const DENY: HeaderValue = HeaderValue::from_static("DENY");
    const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
    const SAME_ORIGIN: HeaderValue = HeaderValue::from_static("same-origin");
    let headers = response.headers_mut();
    if frame_options {
        headers.insert(header::X_FRAME_OPTIONS, DENY);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF);
    headers.insert(header::REFERRER_POLICY, SAME_ORIGIN);
    headers
        .entry(CROSS_ORIGIN_OPENER_POLICY)
        .or_insert(SAME_ORIGIN);
    response
}
