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

/// Django's `patch_vary_headers`: adds `new` to `Vary` unless already there (compared
/// case-insensitively), keeping the existing values first; `*` absorbs everything.
pub fn patch_vary_headers(headers: &mut poem::http::HeaderMap, new: &[&str]) {
    // The items of `Vary` headers, split at commas and trimmed (bytes: no text copies).
    fn items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
        value
            .split(|&b| b == b',')
            .map(<[u8]>::trim_ascii)
            .filter(|item| !item.is_empty())
    }
    // The result, "a, b, c"; the existing values are its first `existing` bytes.
    let mut joined = Vec::with_capacity(32);
    let mut star = false;
    let mut push = |joined: &mut Vec<u8>, item: &[u8]| {
        if !joined.is_empty() {
            joined.extend_from_slice(b", ");
        }
        joined.extend_from_slice(item);
        star |= item == b"*";
    };
    for value in headers.get_all(poem::http::header::VARY) {
        for item in items(value.as_bytes()) {
            push(&mut joined, item);
        }
    }
    let existing = joined.len();
    for header in new {
        let present =
            items(&joined[..existing]).any(|item| item.eq_ignore_ascii_case(header.as_bytes()));
        if !present {
            push(&mut joined, header.as_bytes());
        }
    }
    if star {
        joined = b"*".to_vec();
    }
    if let Ok(value) = poem::http::HeaderValue::from_maybe_shared(bytes::Bytes::from(joined)) {
        headers.insert(poem::http::header::VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::patch_vary_headers;
    use poem::http::header::VARY;
    use poem::http::{HeaderMap, HeaderValue};

    #[test]
    fn vary_is_patched_as_django() {
        let mut headers = HeaderMap::new();
        patch_vary_headers(&mut headers, &["origin"]);
        assert_eq!(headers[VARY], "origin");
        let mut headers = HeaderMap::new();
        headers.insert(VARY, HeaderValue::from_static("Accept, Cookie"));
        patch_vary_headers(&mut headers, &["origin"]);
        assert_eq!(headers[VARY], "Accept, Cookie, origin");
        patch_vary_headers(&mut headers, &["Origin"]);
        assert_eq!(headers[VARY], "Accept, Cookie, origin");
        let mut headers = HeaderMap::new();
        headers.insert(VARY, HeaderValue::from_static("*"));
        patch_vary_headers(&mut headers, &["origin"]);
        assert_eq!(headers[VARY], "*");
    }
}
