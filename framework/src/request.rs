//! DRF's `Request`: the incoming request plus what the pipeline learned about it
//! (the authenticated user, path parameters), and its parsed body.

use crate::exceptions::{ApiError, ApiResult};
use crate::parsers;
use crate::serializers::SerializerContext;
use crate::settings::AppState;
use crate::users::RequestUser;
use poem::http::{HeaderMap, Method, Uri, header};
use sea_orm::DatabaseConnection;

/// Everything a view knows about the request it is answering.
pub struct RequestContext {
    state: AppState,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
    query: Vec<(String, String)>,
    path_params: Vec<(&'static str, String)>,
    base_url: String,
    user: Option<RequestUser>,
    remote_addr: Option<std::net::IpAddr>,
    /// Shared with the copies of the request (`take`, `clone_with_method`): they have the
    /// same session, as DRF's `clone_request` shares Django's request.
    session: std::sync::Arc<SessionFlags>,
    /// Route reversal keeping the request's `.json` format suffix (set with the `format`
    /// path parameter).
    format_urls: Option<std::sync::Arc<crate::urls::Reverser>>,
    /// The negotiated renderer: `(format, accepted media type)` (DRF's
    /// `request.accepted_renderer` / `accepted_media_type`).
    accepted: Option<(String, String)>,
}

/// What answering a request did with its session and CSRF token (one allocation for the
/// flags, which the session and CSRF middleware read).
#[derive(Debug, Default)]
struct SessionFlags {
    /// The session was looked at: the response varies on `Cookie`.
    accessed: std::sync::atomic::AtomicBool,
    /// The session turned out empty (no such session, or flushed).
    emptied: std::sync::atomic::AtomicBool,
    /// A page used the CSRF token (Django's `CSRF_COOKIE_NEEDS_UPDATE`): the response sets
    /// the `csrftoken` cookie.
    csrf_token_used: std::sync::atomic::AtomicBool,
}

impl RequestContext {
    /// Builds the context; `uri` is the original request URI (path and query).
    pub fn new(
        state: AppState,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Self {
        let query = uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let host = headers
            .get(poem::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let base_url = format!("http://{host}");
        RequestContext {
            state,
            method,
            uri,
            headers,
            body,
            query,
            path_params: Vec::new(),
            base_url,
            user: None,
            remote_addr: None,
            session: Default::default(),
            format_urls: None,
            accepted: None,
        }
    }

    /// The same request with another method (DRF's `clone_request`, used by OPTIONS to ask
    /// "could this user POST / PUT here?").
    pub fn clone_with_method(&self, method: Method) -> RequestContext {
        RequestContext {
            state: self.state.clone(),
            method,
            uri: self.uri.clone(),
            headers: self.headers.clone(),
            body: Vec::new(),
            query: self.query.clone(),
            path_params: self.path_params.clone(),
            base_url: self.base_url.clone(),
            user: self.user.clone(),
            remote_addr: self.remote_addr,
            session: self.session.clone(),
            format_urls: self.format_urls.clone(),
            accepted: self.accepted.clone(),
        }
    }

    /// Sets the request body (read after the context was made).
    pub(crate) fn set_body(&mut self, body: Vec<u8>) {
        self.body = body;
    }

    /// Whether the request came with a body.
    pub fn has_body(&self) -> bool {
        !self.body.is_empty()
    }

    /// Moves the request out (body included), leaving a copy without a body in its place
    /// (function views own their request).
    pub fn take(&mut self) -> RequestContext {
        let copy = self.clone_with_method(self.method.clone());
        std::mem::replace(self, copy)
    }

    /// The negotiated renderer's format (`json`, `api`) and the accepted media type (with the
    /// client's parameters), once content negotiation succeeded.
    pub fn accepted_renderer(&self) -> Option<(&str, &str)> {
        self.accepted
            .as_ref()
            .map(|(format, media)| (format.as_str(), media.as_str()))
    }

    /// Records the negotiated renderer (done by `views::dispatch`).
    pub fn set_accepted_renderer(&mut self, format: &str, media_type: &str) {
        self.accepted = Some((format.to_string(), media_type.to_string()));
    }

    /// The shared application state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The database connection.
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// The HTTP method (HEAD is answered as GET).
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header as text, if present and valid. Takes a name (`"accept"`) or, a little
    /// faster, one of `http::header`'s constants (`header::ACCEPT`).
    pub fn header<K: poem::http::header::AsHeaderName>(&self, name: K) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The original URI (path and query string).
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// True for GET, HEAD and OPTIONS (DRF's `SAFE_METHODS`).
    pub fn is_safe_method(&self) -> bool {
        matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    /// The authenticated user, if any (DRF's `request.user` when not anonymous).
    pub fn user(&self) -> Option<&RequestUser> {
        self.user.as_ref()
    }

    /// The authenticated user, or 401 `Authentication credentials were not provided.`
    pub fn require_user(&self) -> ApiResult<&RequestUser> {
        self.user.as_ref().ok_or(ApiError::NotAuthenticated)
    }

    /// Sets the authenticated user (done by the authentication step).
    pub fn set_user(&mut self, user: Option<RequestUser>) {
        self.user = user;
    }

    /// All query parameters, in order, repeated keys included.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }

    /// A query parameter as Django's `request.query_params.get(name)` reads it: the last value
    /// when the parameter is repeated.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A path parameter captured by the router (e.g. `pk`).
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.path_params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Records a path parameter (done by the router).
    pub fn set_path_param(&mut self, name: &'static str, value: String) {
        if name == crate::negotiation::URL_FORMAT_OVERRIDE {
            self.format_urls = Some(std::sync::Arc::new(self.state.urls.with_format(&value)));
        }
        self.path_params.push((name, value));
    }

    /// `scheme://host` of the request.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// DRF's `request.build_absolute_uri(path)`.
    pub fn build_absolute_uri(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The absolute URL of this request (path and query).
    pub fn absolute_url(&self) -> String {
        let path = self.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        self.build_absolute_uri(path)
    }

    /// The request body parsed by the content type (DRF's `request.data`): a JSON object.
    pub fn data(&self) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        parsers::parse(
            self.header(header::CONTENT_TYPE),
            &self.body,
            &self.state.settings.parser_limits,
        )
    }

    /// The context serializers need.
    pub fn serializer_context(&self) -> SerializerContext<'_> {
        SerializerContext {
            db: &self.state.db,
            base_url: &self.base_url,
            urls: self.format_urls.as_deref().unwrap_or(&self.state.urls),
            html_input: parsers::is_html_input(self.header(header::CONTENT_TYPE)),
        }
    }

    /// The client's IP address as the server saw it (Django's `REMOTE_ADDR`), if known.
    pub fn remote_addr(&self) -> Option<std::net::IpAddr> {
        self.remote_addr
    }

    /// Records the client's address (done by the URL dispatcher).
    pub fn set_remote_addr(&mut self, addr: Option<std::net::IpAddr>) {
        self.remote_addr = addr;
    }

    /// Records that the session was looked at (Django's `request.session.accessed`): the
    /// response then varies on `Cookie`.
    pub fn mark_session_accessed(&self) {
        self.session
            .accessed
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether the session was looked at while answering this request.
    pub fn session_accessed(&self) -> bool {
        self.session
            .accessed
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records that the request's session is empty: its cookie names no live session, or it
    /// was flushed (Django's `request.session.is_empty()`). The response then deletes the
    /// cookie.
    pub fn mark_session_emptied(&self) {
        self.session
            .emptied
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether the session was found empty while answering this request.
    pub fn session_emptied(&self) -> bool {
        self.session
            .emptied
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records that the response uses the CSRF token (Django's `get_token(request)` in a
    /// template): `contrib::sessions::CsrfViewMiddleware` then sets the `csrftoken` cookie.
    pub fn mark_csrf_token_used(&self) {
        self.session
            .csrf_token_used
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether the response uses the CSRF token.
    pub fn csrf_token_used(&self) -> bool {
        self.session
            .csrf_token_used
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}
