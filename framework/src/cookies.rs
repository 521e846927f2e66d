//! Cookies as Django reads and writes them (`django.http.cookie.parse_cookie` and
//! `HttpResponse.set_cookie` / `delete_cookie`, which print through Python's
//! `http.cookies.Morsel`).
//!
//! Reading never fails: a malformed `Cookie` header yields whatever name/value pairs Django
//! would find in it (possibly none), so no request can turn a cookie into a 500.

use chrono::{DateTime, Utc};
use poem::http::HeaderMap;
use std::fmt;

/// The cookies of a request, as Django's `request.COOKIES`: every `Cookie` header's pairs, a
/// later pair replacing an earlier one of the same name.
///
/// The header bytes are read as latin-1 (what a WSGI server hands Django), split on `;`, each
/// chunk at its first `=` (a chunk without `=` is a value with an empty name), both sides
/// trimmed, quoted values unquoted as Python's `http.cookies._unquote`.
pub fn parse_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut cookies: Vec<(String, String)> = Vec::new();
    for header in headers.get_all(poem::http::header::COOKIE) {
        let text: String = header.as_bytes().iter().map(|&b| char::from(b)).collect();
        for (name, value) in parse_cookie(&text) {
            match cookies.iter_mut().find(|(existing, _)| *existing == name) {
                Some(slot) => slot.1 = value,
                None => cookies.push((name, value)),
            }
        }
    }
    cookies
}

/// The value of the cookie `name` of a request (`request.COOKIES.get(name)`).
pub fn get_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    parse_cookies(headers)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// Django's `parse_cookie` on one header value: the pairs in order (duplicates kept; the
/// last one wins when looked up by [`parse_cookies`]).
pub fn parse_cookie(header: &str) -> Vec<(String, String)> {
    header
        .split(';')
        .filter_map(|chunk| {
            let (name, value) = chunk.split_once('=').unwrap_or(("", chunk));
            let (name, value) = (name.trim(), value.trim());
            (!name.is_empty() || !value.is_empty()).then(|| (name.to_owned(), unquote(value)))
        })
        .collect()
}

/// Python's `http.cookies._unquote`: a value in double quotes loses them, and its `\ooo`
/// (octal) and `\c` escapes are resolved; anything else is returned as it is.
pub fn unquote(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return value.to_owned();
    };
    let chars: Vec<char> = inner.chars().collect();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            let octal = chars.get(i + 1..i + 4).filter(|digits| {
                matches!(digits[0], '0'..='3') && digits[1..].iter().all(|d| matches!(d, '0'..='7'))
            });
            if let Some(digits) = octal {
                let code = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + d.to_digit(8).unwrap_or(0));
                out.extend(char::from_u32(code));
                i += 4;
                continue;
            }
            if chars[i + 1] != '\n' {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Characters Python's `http.cookies` leaves unquoted in a value.
fn is_legal_cookie_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~:".contains(c)
}

/// Python's `http.cookies._quote`: legal values as they are, others in double quotes with
/// `"` and `\` escaped and unprintable latin-1 characters as `\ooo`.
pub fn quote(value: &str) -> String {
    if !value.is_empty() && value.chars().all(is_legal_cookie_char) {
        return value.to_owned();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_legal_cookie_char(c) || " ()/<=>?@[]{}".contains(c) => out.push(c),
            c if (c as u32) < 256 => out.push_str(&format!("\\{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Lax` (Django's default for its cookies).
    Lax,
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=None`.
    None,
}

/// One `Set-Cookie` header, printed as Django prints it:
/// `name=value; expires=Mon, 22 Nov 2027 12:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax`
/// (attributes in Python's `Morsel` order: alphabetical by attribute name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The cookie's name.
    pub name: String,
    /// The value (quoted on output when it needs to be).
    pub value: String,
    /// `Max-Age` in seconds; with it, `expires` is now + max-age (Django's `set_cookie`).
    pub max_age: Option<i64>,
    /// An explicit `expires` date (Django's `delete_cookie` sends the epoch).
    pub expires: Option<DateTime<Utc>>,
    /// `Path` (Django's default `/`).
    pub path: Option<String>,
    /// `Domain`.
    pub domain: Option<String>,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `SameSite`.
    pub same_site: Option<SameSite>,
}

impl SetCookie {
    /// `set_cookie(name, value)` with Django's defaults: `Path=/`, nothing else.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        SetCookie {
            name: name.into(),
            value: value.into(),
            max_age: None,
            expires: None,
            path: Some("/".into()),
            domain: None,
            secure: false,
            http_only: false,
            same_site: None,
        }
    }

    /// Django's `delete_cookie(name, samesite=...)`: an empty value that expired at the epoch
    /// (`name=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; ...`).
    pub fn deletion(name: impl Into<String>, same_site: Option<SameSite>) -> Self {
        SetCookie {
            max_age: Some(0),
            expires: DateTime::from_timestamp(0, 0),
            same_site,
            ..SetCookie::new(name, "")
        }
    }

    /// Sets `Max-Age` (and so `expires`).
    pub fn max_age(mut self, seconds: i64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Sets `HttpOnly`.
    pub fn http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// Sets `Secure`.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Sets `SameSite`.
    pub fn same_site(mut self, same_site: Option<SameSite>) -> Self {
        self.same_site = same_site;
        self
    }

    /// The header value, with `expires` computed from `now` (see `SetCookie::to_string`
    /// for the current time).
    pub fn header_value_at(&self, now: DateTime<Utc>) -> String {
        let mut parts = vec![format!("{}={}", self.name, quote(&self.value))];
        if let Some(domain) = &self.domain {
            parts.push(format!("Domain={domain}"));
        }
        let expires = self.expires.or_else(|| {
            self.max_age
                .and_then(|age| now.checked_add_signed(chrono::TimeDelta::seconds(age)))
        });
        if let Some(expires) = expires {
            parts.push(format!("expires={}", http_date(expires)));
        }
        if self.http_only {
            parts.push("HttpOnly".into());
        }
        if let Some(age) = self.max_age {
            parts.push(format!("Max-Age={age}"));
        }
        if let Some(path) = &self.path {
            parts.push(format!("Path={path}"));
        }
        if let Some(same_site) = self.same_site {
            parts.push(
                match same_site {
                    SameSite::Lax => "SameSite=Lax",
                    SameSite::Strict => "SameSite=Strict",
                    SameSite::None => "SameSite=None",
                }
                .into(),
            );
        }
        if self.secure {
            parts.push("Secure".into());
        }
        parts.join("; ")
    }

    /// Appends this cookie's `Set-Cookie` header to a response.
    pub fn apply(&self, response: crate::response::Response) -> crate::response::Response {
        response.append_header("Set-Cookie", &self.to_string())
    }
}

impl fmt::Display for SetCookie {
    /// The `Set-Cookie` header value as of now.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header_value_at(Utc::now()))
    }
}

/// Appends `Set-Cookie` headers for `cookies`, in order.
pub fn set_cookies(
    response: crate::response::Response,
    cookies: &[SetCookie],
) -> crate::response::Response {
    cookies
        .iter()
        .fold(response, |response, cookie| cookie.apply(response))
}

/// Django's `http_date`: `Wed, 22 Nov 2027 12:00:00 GMT`.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::HeaderValue;

    #[test]
    fn parses_like_django() {
        // Expected values from Django 6.1's `parse_cookie`.
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("", &[]),
            ("a=b", &[("a", "b")]),
            (" a = b ; c=d=e ;;", &[("a", "b"), ("c", "d=e")]),
            ("noequals", &[("", "noequals")]),
            ("=", &[]),
            ("a=\"quoted \\\"x\\\" \\101\"", &[("a", "quoted \"x\" A")]),
            ("a=\"", &[("a", "\"")]),
            ("a=\"unterminated", &[("a", "\"unterminated")]),
        ];
        for (header, expected) in cases {
            let parsed = parse_cookie(header);
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(parsed, expected, "{header:?}");
        }
    }

    #[test]
    fn malformed_headers_never_fail_and_last_wins() {
        let mut headers = HeaderMap::new();
        headers.append(
            poem::http::header::COOKIE,
            HeaderValue::from_bytes(b"sessionid=one; \xff\xfe=\xe9; x").expect("header"),
        );
        headers.append(
            poem::http::header::COOKIE,
            HeaderValue::from_static("sessionid=two"),
        );
        assert_eq!(get_cookie(&headers, "sessionid").as_deref(), Some("two"));
        assert_eq!(
            get_cookie(&headers, "\u{ff}\u{fe}").as_deref(),
            Some("\u{e9}")
        );
        assert_eq!(get_cookie(&headers, "").as_deref(), Some("x"));
        assert_eq!(get_cookie(&HeaderMap::new(), "sessionid"), None);
    }

    #[test]
    fn prints_like_django() {
        let now = DateTime::from_timestamp(1_795_000_000, 0).expect("date");
        let session = SetCookie::new("sessionid", "abc")
            .max_age(1_209_600)
            .http_only(true)
            .same_site(Some(SameSite::Lax));
        assert_eq!(
            session.header_value_at(now),
            "sessionid=abc; expires=Wed, 02 Dec 2026 11:06:40 GMT; HttpOnly; Max-Age=1209600; \
             Path=/; SameSite=Lax"
        );
        assert_eq!(
            SetCookie::deletion("sessionid", Some(SameSite::Lax)).header_value_at(now),
            "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"
        );
        assert_eq!(quote("a b;\"\\\u{1}é"), "\"a b\\073\\\"\\\\\\001\\351\"");
        assert_eq!(quote("eyJ.a-b_c"), "eyJ.a-b_c");
    }
}
