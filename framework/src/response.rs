//! DRF's `Response`: a status, headers and an already-rendered body.
//!
//! Views return this; the router adds DRF's common headers and turns it into a poem response.

use poem::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;

/// A rendered API response.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: StatusCode,
    /// Headers set by the view (the router adds `Allow`, `Vary` and the security headers).
    pub headers: HeaderMap,
    /// The body; `None` for 204 (no body and no `Content-Type`).
    pub body: Option<Vec<u8>>,
}

/// DRF's JSON media type (sent without a charset parameter, as DRF does).
pub const APPLICATION_JSON: &str = "application/json";

impl Response {
    /// Serializes `data` with serde straight to bytes (no intermediate `Value`).
    pub fn json<T: Serialize + ?Sized>(status: StatusCode, data: &T) -> Self {
        // Room for a page of results: most bodies then need no reallocation while written.
        let mut bytes = Vec::with_capacity(2048);
        match serde_json::to_writer(&mut bytes, data) {
            Ok(()) => Self::json_bytes(status, bytes),
            Err(err) => crate::exceptions::ApiError::Internal(format!("serialization: {err}"))
                .into_response(None),
        }
    }

    /// 200 with a JSON body.
    pub fn ok<T: Serialize + ?Sized>(data: &T) -> Self {
        Self::json(StatusCode::OK, data)
    }

    /// A JSON body in DRF's representation, written by
    /// [`Representation::write_json`](crate::fields::Representation::write_json): the same
    /// bytes as [`json`](Self::json) of [`Repr`](crate::fields::Repr)`(data)`, faster for
    /// derived serializers.
    pub fn representation<T: crate::fields::Representation + ?Sized>(
        status: StatusCode,
        data: &T,
    ) -> Self {
        let mut bytes = Vec::with_capacity(2048);
        match data.write_json(&mut bytes) {
            Ok(()) => Self::json_bytes(status, bytes),
            Err(err) => crate::exceptions::ApiError::Internal(format!("serialization: {err}"))
                .into_response(None),
        }
    }

    /// A response from bytes that already hold JSON.
    pub fn json_bytes(status: StatusCode, body: Vec<u8>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            poem::http::header::CONTENT_TYPE,
            HeaderValue::from_static(APPLICATION_JSON),
        );
        Response {
            status,
            headers,
            body: Some(body),
        }
    }

    /// 204 No Content: no body, no `Content-Type`.
    pub fn no_content() -> Self {
        Response {
            status: StatusCode::NO_CONTENT,
            headers: HeaderMap::new(),
            body: None,
        }
    }

    /// Adds (or replaces) a header. Invalid header values are dropped, never panic.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.insert(name, value);
        }
        self
    }

    /// Appends a header value (for repeated headers such as `Set-Cookie`).
    pub fn append_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.append(name, value);
        }
        self
    }

    /// Adds `Cookie` to `Vary` when the request's session was looked at (Django's
    /// `SessionMiddleware`: the answer depends on the `sessionid` cookie).
    pub fn with_session_vary(mut self, ctx: &crate::request::RequestContext) -> Self {
        if ctx.session_accessed() {
            crate::cors::patch_vary_headers(&mut self.headers, &["Cookie"]);
        }
        self
    }

    /// Converts into a poem response.
    pub fn into_poem(self) -> poem::Response {
        let builder = poem::Response::builder().status(self.status);
        let mut response = match self.body {
            Some(body) => builder.body(body),
            None => builder.finish(),
        };
        // The header map moves over as it is: no copy, same order.
        *response.headers_mut() = self.headers;
        response
    }
}
