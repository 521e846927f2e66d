//! Renderers (DRF's `rest_framework.renderers`): the last step of a response, chosen by
//! content negotiation ([`crate::negotiation`]).
//!
//! Views build their bodies as compact JSON (serde straight to bytes); a renderer turns that
//! response into what the client accepted. [`JsonRenderer`] pretty-prints for
//! `Accept: application/json; indent=N`; [`BrowsableApiRenderer`] answers `text/html` (and
//! `?format=api`) with an HTML page showing the response. Responses whose body is not JSON
//! (the OpenAPI document, Swagger UI) pass through unchanged.
//!
//! The default list is [`crate::settings::Settings::default_renderer_classes`]; a view
//! overrides it with [`crate::views::ApiView::renderer_classes`].

use crate::negotiation::indent_of;
use crate::request::RequestContext;
use crate::response::{APPLICATION_JSON, Response};
use poem::http::HeaderValue;
use std::sync::Arc;

/// What a renderer knows about the response it renders.
pub struct RendererContext<'a> {
    /// The media type negotiation accepted, with the client's parameters.
    pub accepted_media_type: &'a str,
    /// The request.
    pub request: &'a RequestContext,
    /// The view, whose name (`Article List`) pages show.
    pub view: &'a dyn crate::views::ApiView,
}

impl RendererContext<'_> {
    /// The view's name (`Article List`); asked only by renderers that show it, since
    /// building it costs an allocation per response.
    pub fn view_name(&self) -> String {
        self.view.name()
    }
}

/// A renderer (DRF's `BaseRenderer`).
pub trait Renderer: Send + Sync + 'static {
    /// The media type it produces (`application/json`).
    fn media_type(&self) -> &str;
    /// The format name of `?format=` and of the `.json` suffix (`json`).
    fn format(&self) -> &str;
    /// Renders a response whose body the view wrote as JSON.
    fn render(&self, response: Response, context: &RendererContext<'_>) -> Response;
}

/// The renderers of a DRF project with default settings: JSON, then the browsable API.
pub fn default_renderers() -> Vec<Arc<dyn Renderer>> {
    vec![Arc::new(JsonRenderer), Arc::new(BrowsableApiRenderer)]
}

/// True when the response body is JSON written by a view (not YAML, HTML, or no body).
fn has_json_body(response: &Response) -> bool {
    response.body.is_some()
        && response
            .headers
            .get(poem::http::header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes() == APPLICATION_JSON.as_bytes())
}

/// JSON text indented as Python's `json.dumps(indent=N)` (separators `,` and `: `).
pub fn pretty_json(body: &[u8], indent: usize) -> Option<Vec<u8>> {
    use serde::Serialize;
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let indent = " ".repeat(indent);
    let mut out = Vec::with_capacity(body.len() * 2);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer).ok()?;
    Some(out)
}

/// DRF's `JSONRenderer`: compact JSON, or indented for `application/json; indent=N`.
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn media_type(&self) -> &str {
        APPLICATION_JSON
    }
    fn format(&self) -> &str {
        "json"
    }
    fn render(&self, mut response: Response, context: &RendererContext<'_>) -> Response {
        if !has_json_body(&response) {
            return response;
        }
        if let (Some(indent), Some(body)) = (
            indent_of(context.accepted_media_type),
            response.body.as_deref(),
        ) && let Some(pretty) = pretty_json(body, indent)
        {
            response.body = Some(pretty);
        }
        if let Some(body) = &mut response.body {
            escape_line_separators(body);
        }
        response
    }
}

/// Writes U+2028 and U+2029 as `\u2028` and `\u2029`, as DRF's `JSONRenderer` does ("JSON
/// that is a strict javascript subset"): in JSON text they can only occur inside strings,
/// where the escape means the same character.
pub fn escape_line_separators(json: &mut Vec<u8>) {
    // Both are E2 80 A8 / E2 80 A9 in UTF-8; most bodies have no E2 at all.
    const LEAD: u8 = 0xE2;
    let Some(first) = memchr::memchr(LEAD, json) else {
        return;
    };
    let mut out = Vec::with_capacity(json.len() + 8);
    out.extend_from_slice(&json[..first]);
    let mut rest = &json[first..];
    while let Some(at) = memchr::memchr(LEAD, rest) {
        out.extend_from_slice(&rest[..at]);
        match rest[at..] {
            [LEAD, 0x80, 0xA8, ..] => out.extend_from_slice(b"\\u2028"),
            [LEAD, 0x80, 0xA9, ..] => out.extend_from_slice(b"\\u2029"),
            _ => {
                out.push(LEAD);
                rest = &rest[at + 1..];
                continue;
            }
        }
        rest = &rest[at + 3..];
    }
    out.extend_from_slice(rest);
    *json = out;
}

/// DRF's `BrowsableAPIRenderer` (format `api`, `text/html`), for now a plain page: the view's
/// name, the request's method and path, the response's status and headers and its JSON
/// (indented by 4, as the browsable API shows it), all HTML-escaped. The forms of the full
/// browsable API come later.
pub struct BrowsableApiRenderer;

impl Renderer for BrowsableApiRenderer {
    fn media_type(&self) -> &str {
        "text/html"
    }
    fn format(&self) -> &str {
        "api"
    }
    fn render(&self, response: Response, context: &RendererContext<'_>) -> Response {
        if !has_json_body(&response) {
            return response;
        }
        // The page's template context has Django's `user`, which looks at the session.
        context.request.mark_session_accessed();
        let body = response.body.as_deref().unwrap_or_default();
        let json = pretty_json(body, 4).unwrap_or_else(|| body.to_vec());
        let page = html_page(&response, context, &String::from_utf8_lossy(&json));
        let mut response = response;
        response.headers.insert(
            poem::http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response.body = Some(page.into_bytes());
        // `{% csrf_token %}` in the page's forms (sets the cookie, by `CsrfViewMiddleware`).
        context.request.mark_csrf_token_used();
        response
    }
}

/// A renderer for views that write their bodies themselves (DRF's `TemplateHTMLRenderer`,
/// drf-spectacular's OpenAPI renderers): it takes part in negotiation with its media type
/// and format, and leaves the response as the view wrote it. The view reads the choice
/// from [`RequestContext::accepted_renderer`].
#[derive(Debug, Clone, Copy)]
pub struct PassthroughRenderer {
    /// The media type offered.
    pub media_type: &'static str,
    /// The format name.
    pub format: &'static str,
}

impl Renderer for PassthroughRenderer {
    fn media_type(&self) -> &str {
        self.media_type
    }
    fn format(&self) -> &str {
        self.format
    }
    fn render(&self, response: Response, _context: &RendererContext<'_>) -> Response {
        response
    }
}

/// DRF's `TemplateHTMLRenderer` for pages a view writes itself (`text/html`, format `html`).
pub const TEMPLATE_HTML_RENDERER: PassthroughRenderer = PassthroughRenderer {
    media_type: "text/html",
    format: "html",
};

/// The HTML page of [`BrowsableApiRenderer`].
fn html_page(response: &Response, context: &RendererContext<'_>, json: &str) -> String {
    let view_name = context.view_name();
    let name = if view_name.is_empty() {
        "Api"
    } else {
        view_name.as_str()
    };
    let request = context.request;
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let status = response.status;
    let mut headers = String::new();
    for (header, value) in &response.headers {
        headers.push_str(&format!(
            "<b>{}:</b> <span class=\"lit\">{}</span>\n",
            escape(&title_case_header(header.as_str())),
            escape(&String::from_utf8_lossy(value.as_bytes()))
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>{title} \u{2013} Django REST framework</title>\n</head>\n<body>\n<h1>{title}</h1>\n<pre class=\"request-info\"><b>{method}</b> {path}</pre>\n<pre class=\"response-info\"><span class=\"meta\"><b>HTTP {code} {reason}</b>\n{headers}\n</span>{json}</pre>\n</body>\n</html>\n",
        title = escape(name),
        method = escape(request.method().as_str()),
        path = escape(path),
        code = status.as_u16(),
        reason = escape(status.canonical_reason().unwrap_or("")),
        json = escape(json),
    )
}

/// `content-type` -> `Content-Type`.
fn title_case_header(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Django's `escape()`: `& < > " '`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_is_python_indent() {
        let body = br#"{"a":1,"b":[1,{"c":[]}],"d":{},"e":"x\"<"}"#;
        let pretty = String::from_utf8(pretty_json(body, 2).unwrap()).unwrap();
        assert_eq!(
            pretty,
            "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    {\n      \"c\": []\n    }\n  ],\n  \"d\": {},\n  \"e\": \"x\\\"<\"\n}"
        );
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;"
        );
        assert_eq!(title_case_header("content-type"), "Content-Type");
    }

    #[test]
    fn line_separators_are_escaped_as_drf_escapes_them() {
        let escaped = |text: &str| {
            let mut json = serde_json::to_vec(text).unwrap();
            escape_line_separators(&mut json);
            String::from_utf8(json).unwrap()
        };
        assert_eq!(escaped("a\u{2028}b\u{2029}"), r#""a\u2028b\u2029""#);
        // Other characters that start with the same byte stay as they are.
        assert_eq!(escaped("€ ✓ \u{2027}\u{202a}"), "\"€ ✓ \u{2027}\u{202a}\"");
        assert_eq!(escaped("plain"), "\"plain\"");
        assert_eq!(escaped("\u{2028}"), r#""\u2028""#);
        // The escaped text reads back as the same string.
        let text = "x\u{2028}€\u{2029}";
        assert_eq!(
            serde_json::from_str::<String>(&escaped(text)).unwrap(),
            text
        );
    }
}
