//! CORS (django-cors-headers' `CorsMiddleware`): a poem middleware that answers preflight
//! requests itself and adds `Access-Control-*` headers to every other response, with
//! django-cors-headers' settings, defaults and behaviour:
//!
//! - requests whose path matches [`CorsMiddleware::urls_regex`] (default: all) are handled;
//! - a preflight (`OPTIONS` with `Access-Control-Request-Method`) gets 200 with an empty
//!   `text/html; charset=utf-8` body without reaching the application;
//! - every handled response gets `origin` added to `Vary` (as Django's `patch_vary_headers`);
//! - when the `Origin` is allowed (listed, matching a regex, or all allowed):
//!   `Access-Control-Allow-Origin` (the origin, or `*` when all origins are allowed without
//!   credentials), `Access-Control-Allow-Credentials: true` if enabled,
//!   `Access-Control-Expose-Headers` if configured, and on `OPTIONS` the allowed headers,
//!   methods and `Access-Control-Max-Age`, whatever the status (404s and 301s of the URL
//!   resolver included).
//!
//! ```rust
//! # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc_support/blog.rs"));
//! use rest_framework::contrib::cors::CorsMiddleware;
//! use rest_framework::poem::EndpointExt;
//! use rest_framework::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = rest_framework::sea_orm::Database::connect("sqlite::memory:").await?;
//! # let state = AppState::new::<user::Entity>(db, Settings::new("not a production secret"));
//! # let urlpatterns = UrlPatterns::new();
//! let cors = CorsMiddleware::new()
//!     .allowed_origins(["http://localhost:8080"])?
//!     .allow_credentials(true);
//! let app = urlpatterns.into_endpoint(state).with(cors);
//! # let _ = app;
//! # Ok(())
//! # }
//! ```
//!
//! Origin regexes use the `regex` crate's syntax and, as Python's `re.match`, must match at the
//! start of the origin (anchor the end with `$` yourself).

use crate::response::patch_vary_headers;
use poem::http::header::{ACCESS_CONTROL_REQUEST_METHOD, CONTENT_TYPE, ORIGIN};
use poem::http::{HeaderMap, HeaderValue, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use regex::Regex;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// django-cors-headers' `default_headers` (`CORS_ALLOW_HEADERS`).
pub const DEFAULT_ALLOW_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

/// django-cors-headers' `default_methods` (`CORS_ALLOW_METHODS`).
pub const DEFAULT_ALLOW_METHODS: &[&str] = &["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

/// `CORS_PREFLIGHT_MAX_AGE`'s default: one day.
pub const DEFAULT_PREFLIGHT_MAX_AGE: u64 = 86_400;

/// django-cors-headers' settings, as a poem middleware. See the module docs.
#[derive(Debug, Clone)]
pub struct CorsMiddleware {
    allowed_origins: Vec<String>,
    allowed_origin_parts: Vec<(String, String)>,
    allowed_origin_regexes: Vec<Regex>,
    allow_all_origins: bool,
    allow_credentials: bool,
    allow_private_network: bool,
    allow_headers: Vec<String>,
    allow_methods: Vec<String>,
    preflight_max_age: u64,
    expose_headers: Vec<String>,
    urls_regex: Option<Regex>,
}

impl Default for CorsMiddleware {
    fn default() -> Self {
        Self::new()
    }
}

impl CorsMiddleware {
    /// django-cors-headers' defaults: no origin allowed, no credentials, the default headers
    /// and methods, a max age of one day, every URL.
    pub fn new() -> Self {
        CorsMiddleware {
            allowed_origins: Vec::new(),
            allowed_origin_parts: Vec::new(),
            allowed_origin_regexes: Vec::new(),
            allow_all_origins: false,
            allow_credentials: false,
            allow_private_network: false,
            allow_headers: DEFAULT_ALLOW_HEADERS
                .iter()
                .map(|h| h.to_string())
                .collect(),
            allow_methods: DEFAULT_ALLOW_METHODS
                .iter()
                .map(|m| m.to_string())
                .collect(),
            preflight_max_age: DEFAULT_PREFLIGHT_MAX_AGE,
            expose_headers: Vec::new(),
            urls_regex: None,
        }
    }

    /// `CORS_ALLOWED_ORIGINS`: origins such as `https://example.com` or
    /// `http://localhost:8080` (scheme and host, no path), or `null`. An origin without a
    /// scheme or host, or with a path, is an error (django-cors-headers' checks E013, E014).
    pub fn allowed_origins<I, S>(mut self, origins: I) -> std::result::Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for origin in origins {
            let origin = origin.into();
            if origin != "null" && origin != "file://" {
                let parts = urlsplit(&origin)
                    .map_err(|()| format!("origin {origin:?} is not a valid URL"))?;
                if parts.scheme.is_empty() || parts.netloc.is_empty() {
                    return Err(format!("origin {origin:?} is missing scheme or netloc"));
                }
                if !parts.rest.is_empty() {
                    return Err(format!(
                        "origin {origin:?} should not have a path, query or fragment"
                    ));
                }
            }
            if let Ok(parts) = urlsplit(&origin) {
                self.allowed_origin_parts.push((parts.scheme, parts.netloc));
            }
            self.allowed_origins.push(origin);
        }
        Ok(self)
    }

    /// `CORS_ALLOWED_ORIGIN_REGEXES`: origins matching one of these (from their start, as
    /// Python's `re.match`) are allowed.
    pub fn allowed_origin_regexes<I, S>(mut self, patterns: I) -> std::result::Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for pattern in patterns {
            let regex = Regex::new(pattern.as_ref()).map_err(|err| err.to_string())?;
            self.allowed_origin_regexes.push(regex);
        }
        Ok(self)
    }

    /// `CORS_ALLOW_ALL_ORIGINS`.
    pub fn allow_all_origins(mut self, allow: bool) -> Self {
        self.allow_all_origins = allow;
        self
    }

    /// `CORS_ALLOW_CREDENTIALS`.
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.allow_credentials = allow;
        self
    }

    /// `CORS_ALLOW_PRIVATE_NETWORK`: answer `Access-Control-Request-Private-Network: true`.
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.allow_private_network = allow;
        self
    }

    /// `CORS_ALLOW_HEADERS` (default [`DEFAULT_ALLOW_HEADERS`]).
    pub fn allow_headers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, headers: I) -> Self {
        self.allow_headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// `CORS_ALLOW_METHODS` (default [`DEFAULT_ALLOW_METHODS`]).
    pub fn allow_methods<I: IntoIterator<Item = S>, S: Into<String>>(mut self, methods: I) -> Self {
        self.allow_methods = methods.into_iter().map(Into::into).collect();
        self
    }

    /// `CORS_PREFLIGHT_MAX_AGE` in seconds; 0 sends no `Access-Control-Max-Age`.
    pub fn preflight_max_age(mut self, seconds: u64) -> Self {
        self.preflight_max_age = seconds;
        self
    }

    /// `CORS_EXPOSE_HEADERS` (default none).
    pub fn expose_headers<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        headers: I,
    ) -> Self {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// `CORS_URLS_REGEX`: only paths matching it (from their start) are handled; default all.
    pub fn urls_regex(mut self, pattern: &str) -> std::result::Result<Self, String> {
        self.urls_regex = Some(Regex::new(pattern).map_err(|err| err.to_string())?);
        Ok(self)
    }

    /// corsheaders' `is_enabled`.
    fn is_enabled(&self, path: &str) -> bool {
        self.urls_regex
            .as_ref()
            .is_none_or(|regex| matches_at_start(regex, path))
    }

    /// corsheaders' `origin_found_in_white_lists`.
    fn origin_allowed(&self, origin: &str, parts: &UrlParts) -> bool {
        (origin == "null" && self.allowed_origins.iter().any(|o| o == "null"))
            || self
                .allowed_origin_parts
                .iter()
                .any(|(scheme, netloc)| *scheme == parts.scheme && *netloc == parts.netloc)
            || self
                .allowed_origin_regexes
                .iter()
                .any(|regex| matches_at_start(regex, origin))
    }

    /// corsheaders' `add_response_headers`, for a request with these headers and method.
    fn add_response_headers(&self, request: &RequestFacts, response: &mut Response) {
        let headers = response.headers_mut();
        patch_vary_headers(headers, &["origin"]);
        let Some(origin) = request.origin.as_ref().filter(|o| !o.as_bytes().is_empty()) else {
            return;
        };
        let origin_text = String::from_utf8_lossy(origin.as_bytes());
        let Ok(parts) = urlsplit(&origin_text) else {
            return;
        };
        if !self.allow_all_origins && !self.origin_allowed(&origin_text, &parts) {
            return;
        }
        let allow_origin = if self.allow_all_origins && !self.allow_credentials {
            HeaderValue::from_static("*")
        } else {
            origin.clone()
        };
        headers.insert("access-control-allow-origin", allow_origin);
        if self.allow_credentials {
            headers.insert(
                "access-control-allow-credentials",
                HeaderValue::from_static("true"),
            );
        }
        set_list(
            headers,
            "access-control-expose-headers",
            &self.expose_headers,
        );
        if request.method == Method::OPTIONS {
            set_list(headers, "access-control-allow-headers", &self.allow_headers);
            set_list(headers, "access-control-allow-methods", &self.allow_methods);
            if self.preflight_max_age > 0 {
                headers.insert("access-control-max-age", self.preflight_max_age.into());
            }
        }
        if self.allow_private_network && request.private_network {
            headers.insert(
                "access-control-allow-private-network",
                HeaderValue::from_static("true"),
            );
        }
    }
}

/// Sets `name` to the values joined by `, `, unless there are none.
fn set_list(headers: &mut HeaderMap, name: &'static str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    if let Ok(value) = HeaderValue::try_from(values.join(", ")) {
        headers.insert(name, value);
    }
}

/// Python's `re.match`: a match that starts at the beginning. (The leftmost match starts at 0
/// whenever any match does.)
fn matches_at_start(regex: &Regex, text: &str) -> bool {
    regex.find(text).is_some_and(|m| m.start() == 0)
}

/// The parts of a URL that Python's `urlsplit` gives and CORS compares.
struct UrlParts {
    scheme: String,
    netloc: String,
    /// Path, query and fragment.
    rest: String,
}

/// Python's `urllib.parse.urlsplit`, as far as scheme and netloc go: the scheme (lower-cased)
/// when the text before the first `:` is a valid scheme, the netloc after `//` up to `/`,
/// `?` or `#`. Unbalanced or invalid `[...]` IPv6 hosts are errors (Python's `ValueError`).
fn urlsplit(url: &str) -> std::result::Result<UrlParts, ()> {
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut scheme = String::new();
    let mut rest = url.as_str();
    if let Some(colon) = url.find(':') {
        let candidate = &url[..colon];
        let valid = candidate.starts_with(|c: char| c.is_ascii_alphabetic())
            && candidate
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if valid {
            scheme = candidate.to_ascii_lowercase();
            rest = &url[colon + 1..];
        }
    }
    let mut netloc = String::new();
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        netloc = after[..end].to_string();
        rest = &after[end..];
        let (open, close) = (netloc.contains('['), netloc.contains(']'));
        if open != close {
            return Err(());
        }
        if open {
            let inside = netloc
                .split_once('[')
                .and_then(|(_, tail)| tail.split_once(']'))
                .map(|(host, _)| host)
                .ok_or(())?;
            let address = inside.split_once('%').map_or(inside, |(a, _)| a);
            if !inside.starts_with('v') && address.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(());
            }
        }
    }
    Ok(UrlParts {
        scheme,
        netloc,
        rest: rest.to_string(),
    })
}

/// What [`CorsMiddleware`] needs of the request after the application has consumed it.
struct RequestFacts {
    method: Method,
    origin: Option<HeaderValue>,
    private_network: bool,
}

/// The endpoint [`CorsMiddleware`] wraps around an application.
pub struct CorsEndpoint<E> {
    inner: E,
    cors: CorsMiddleware,
}

impl<E: Endpoint> Middleware<E> for CorsMiddleware {
    type Output = CorsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        CorsEndpoint {
            inner: ep,
            cors: self.clone(),
        }
    }
}

/// Not among `http::header`'s names; built at compile time.
const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: poem::http::HeaderName =
    poem::http::HeaderName::from_static("access-control-request-private-network");

impl<E: Endpoint> Endpoint for CorsEndpoint<E> {
    type Output = Response;

    fn call(&self, req: Request) -> impl Future<Output = Result<Self::Output>> + Send {
        let facts = self
            .cors
            .is_enabled(req.uri().path())
            .then(|| RequestFacts {
                method: req.method().clone(),
                origin: req.headers().get(ORIGIN).cloned(),
                private_network: req
                    .headers()
                    .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
                    .is_some_and(|v| v.as_bytes() == b"true"),
            });
        // corsheaders answers a preflight itself; the application never sees it.
        let preflight = facts.as_ref().is_some_and(|facts| {
            facts.method == Method::OPTIONS
                && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD)
        });
        CorsResponse {
            inner: (!preflight).then(|| self.inner.call(req)),
            facts,
            cors: &self.cors,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`CorsEndpoint::call`]: the application's answer (none for a preflight)
    /// with the CORS headers added. Written by hand so that the application's future is
    /// polled where it is, not moved into an `async` block's state (it is most of the
    /// request's future, a few KiB).
    struct CorsResponse<'a, F> {
        #[pin]
        inner: Option<F>,
        // `None` when the middleware does not apply to the path.
        facts: Option<RequestFacts>,
        cors: &'a CorsMiddleware,
    }
}

impl<F, T> Future for CorsResponse<'_, F>
where
    F: Future<Output = Result<T>>,
    T: IntoResponse,
{
    type Output = Result<Response>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = match this.inner.as_pin_mut() {
            Some(inner) => std::task::ready!(inner.poll(cx)).map(IntoResponse::into_response),
            None => Ok(Response::builder()
                .status(StatusCode::OK)
                .header(CONTENT_TYPE, "text/html; charset=utf-8")
                .body(Vec::<u8>::new())),
        };
        let Some(facts) = this.facts.as_ref() else {
            return Poll::Ready(answer);
        };
        let mut response = answer.unwrap_or_else(|err| err.into_response());
        this.cors.add_response_headers(facts, &mut response);
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlsplit_as_python() {
        let parts = urlsplit("HTTP://LocalHost:8080/x?y#z").unwrap();
        assert_eq!(
            (
                parts.scheme.as_str(),
                parts.netloc.as_str(),
                parts.rest.as_str()
            ),
            ("http", "LocalHost:8080", "/x?y#z")
        );
        let parts = urlsplit("localhost:8080").unwrap();
        assert_eq!(
            (parts.scheme.as_str(), parts.netloc.as_str()),
            ("localhost", "")
        );
        let parts = urlsplit("null").unwrap();
        assert_eq!((parts.scheme.as_str(), parts.netloc.as_str()), ("", ""));
        assert!(urlsplit("http://[::1]:8080").is_ok());
        assert!(urlsplit("http://[::1:8080").is_err());
        assert!(urlsplit("http://[nope]").is_err());
    }

    #[test]
    fn origins_are_checked_as_corsheaders_checks() {
        assert!(
            CorsMiddleware::new()
                .allowed_origins(["localhost:8080"])
                .is_err()
        );
        assert!(
            CorsMiddleware::new()
                .allowed_origins(["example.com"])
                .is_err()
        );
        assert!(
            CorsMiddleware::new()
                .allowed_origins(["https://a.com/path"])
                .is_err()
        );
        assert!(
            CorsMiddleware::new()
                .allowed_origins(["null", "file://"])
                .is_ok()
        );
        assert!(CorsMiddleware::new().allowed_origin_regexes(["("]).is_err());
    }

    #[test]
    fn regexes_match_from_the_start() {
        let cors = CorsMiddleware::new()
            .allowed_origin_regexes([r"https://\w+\.example\.com$"])
            .unwrap();
        let allowed = |origin: &str| cors.origin_allowed(origin, &urlsplit(origin).unwrap());
        assert!(allowed("https://api.example.com"));
        assert!(!allowed("https://api.example.com.evil.net"));
        assert!(!allowed("xhttps://api.example.com"));
    }
}
