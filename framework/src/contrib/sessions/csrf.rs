//! Django's CSRF protection (`django.middleware.csrf`, Django 6), as DRF's
//! `SessionAuthentication.enforce_csrf` runs it.
//!
//! - The secret: 32 characters of `[a-zA-Z0-9]` in the `csrftoken` cookie (`Max-Age=31449600;
//!   Path=/; SameSite=Lax`, readable by JavaScript). A 64-character cookie (Django < 4.0
//!   stored it masked) is unmasked.
//! - Tokens handed to pages ([`get_token`]) are masked: a random 32-character mask followed by
//!   the secret shifted by the mask, so each response carries a different token.
//! - An unsafe request (anything but GET, HEAD, OPTIONS, TRACE) must send the secret, masked or
//!   not, in the `csrfmiddlewaretoken` form field (POST) or the `X-CSRFToken` header; it is
//!   compared in constant time. Before that, an `Origin` header must be the request's own
//!   origin or a trusted one (`CSRF_TRUSTED_ORIGINS`), and an HTTPS request without `Origin`
//!   must have a `Referer` on a trusted host.
//!
//! Refusals are DRF's 403 `{"detail": "CSRF Failed: <Django's reason>"}`.

use crate::cookies::{SameSite, SetCookie, get_cookie};
use crate::exceptions::{ApiError, ApiResult};
use crate::request::RequestContext;
use crate::signing::{constant_time_eq, get_random_string};
use poem::http::Method;

/// Length of the secret (`CSRF_SECRET_LENGTH`).
pub const CSRF_SECRET_LENGTH: usize = 32;
/// Length of a masked token (`CSRF_TOKEN_LENGTH`).
pub const CSRF_TOKEN_LENGTH: usize = 2 * CSRF_SECRET_LENGTH;
/// The characters of secrets, masks and tokens (`CSRF_ALLOWED_CHARS`).
pub const CSRF_ALLOWED_CHARS: &[u8; 62] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Django's reason: an `Origin` that is neither the request's origin nor trusted (`%s` is the
/// origin).
pub const REASON_BAD_ORIGIN: &str =
    "Origin checking failed - %s does not match any trusted origins.";
/// Django's reason: an HTTPS request with neither `Origin` nor `Referer`.
pub const REASON_NO_REFERER: &str = "Referer checking failed - no Referer.";
/// Django's reason: a `Referer` on an untrusted host (`%s` is the referer).
pub const REASON_BAD_REFERER: &str =
    "Referer checking failed - %s does not match any trusted origins.";
/// Django's reason: no `csrftoken` cookie.
pub const REASON_NO_CSRF_COOKIE: &str = "CSRF cookie not set.";
/// Django's reason: neither the form field nor the header.
pub const REASON_CSRF_TOKEN_MISSING: &str = "CSRF token missing.";
/// Django's reason: a `Referer` that is not a URL.
pub const REASON_MALFORMED_REFERER: &str = "Referer checking failed - Referer is malformed.";
/// Django's reason: an `http:` referer on an HTTPS request.
pub const REASON_INSECURE_REFERER: &str =
    "Referer checking failed - Referer is insecure while host is secure.";
/// Django's phrase for a cookie or token of the wrong length.
pub const REASON_INCORRECT_LENGTH: &str = "has incorrect length";
/// Django's phrase for a cookie or token with characters outside `[a-zA-Z0-9]`.
pub const REASON_INVALID_CHARACTERS: &str = "has invalid characters";

/// Django's `CSRF_*` settings.
#[derive(Debug, Clone)]
pub struct CsrfSettings {
    /// `CSRF_COOKIE_NAME` (`csrftoken`).
    pub cookie_name: String,
    /// `CSRF_COOKIE_AGE` in seconds (a year: 31449600).
    pub cookie_age: i64,
    /// `CSRF_COOKIE_PATH` (`/`).
    pub cookie_path: String,
    /// `CSRF_COOKIE_DOMAIN` (none).
    pub cookie_domain: Option<String>,
    /// `CSRF_COOKIE_SECURE`.
    pub cookie_secure: bool,
    /// `CSRF_COOKIE_HTTPONLY` (false: JavaScript reads the cookie to send the header).
    pub cookie_httponly: bool,
    /// `CSRF_COOKIE_SAMESITE` (`Lax`).
    pub cookie_samesite: Option<SameSite>,
    /// The header carrying the token (`CSRF_HEADER_NAME = "HTTP_X_CSRFTOKEN"`).
    pub header_name: String,
    /// `CSRF_TRUSTED_ORIGINS`: `scheme://host[:port]`, `*.` for subdomains
    /// (`https://*.example.com`).
    pub trusted_origins: Vec<String>,
    /// Django's `SECURE_PROXY_SSL_HEADER`: `(header, value)` a TLS-terminating proxy sets on
    /// HTTPS requests (e.g. `("x-forwarded-proto", "https")`); the request is then secure and
    /// its `Referer` is checked.
    pub secure_proxy_ssl_header: Option<(String, String)>,
}

impl Default for CsrfSettings {
    fn default() -> Self {
        CsrfSettings {
            cookie_name: "csrftoken".into(),
            cookie_age: 60 * 60 * 24 * 7 * 52,
            cookie_path: "/".into(),
            cookie_domain: None,
            cookie_secure: false,
            cookie_httponly: false,
            cookie_samesite: Some(SameSite::Lax),
            header_name: "X-CSRFToken".into(),
            trusted_origins: Vec::new(),
            secure_proxy_ssl_header: None,
        }
    }
}

impl CsrfSettings {
    /// The `Set-Cookie` of the secret (Django's `_set_csrf_cookie`).
    pub fn cookie(&self, secret: &str) -> SetCookie {
        let mut cookie = SetCookie::new(&self.cookie_name, secret)
            .max_age(self.cookie_age)
            .secure(self.cookie_secure)
            .http_only(self.cookie_httponly)
            .same_site(self.cookie_samesite);
        cookie.path = Some(self.cookie_path.clone());
        cookie.domain = self.cookie_domain.clone();
        cookie
    }

    /// How Django names the header in messages (`HttpHeaders.parse_header_name`):
    /// `X-CSRFToken` → `X-Csrftoken`.
    fn header_display_name(&self) -> String {
        self.header_name
            .split('-')
            .map(|part| {
                let lower = part.to_ascii_lowercase();
                let mut chars = lower.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// A new random secret (`_get_new_csrf_string`).
pub fn new_secret() -> String {
    get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
}

fn char_index(c: u8) -> usize {
    CSRF_ALLOWED_CHARS
        .iter()
        .position(|&allowed| allowed == c)
        .unwrap_or(0)
}

/// Masks a secret (`_mask_cipher_secret`): `mask + cipher`, 64 characters.
pub fn mask_secret(secret: &str) -> String {
    let mask = new_secret();
    let n = CSRF_ALLOWED_CHARS.len();
    let cipher: String = secret
        .bytes()
        .zip(mask.bytes())
        .map(|(s, m)| char::from(CSRF_ALLOWED_CHARS[(char_index(s) + char_index(m)) % n]))
        .collect();
    mask + &cipher
}

/// Unmasks a 64-character token (`_unmask_cipher_token`) into its secret. Any text is
/// unmasked byte by byte (callers check the format first; the fuzzer found that slicing it
/// as `str` panicked inside a multi-byte character).
pub fn unmask_token(token: &str) -> String {
    let bytes = token.as_bytes();
    let (mask, cipher) = bytes.split_at(CSRF_SECRET_LENGTH.min(bytes.len()));
    let n = CSRF_ALLOWED_CHARS.len();
    cipher
        .iter()
        .copied()
        .zip(mask.iter().copied())
        .map(|(c, m)| char::from(CSRF_ALLOWED_CHARS[(char_index(c) + n - char_index(m)) % n]))
        .collect()
}

/// `_check_token_format`: the phrase of Django's reason when `token` is malformed.
fn check_token_format(token: &str) -> Result<(), &'static str> {
    // Python counts characters (the header was read as latin-1), not UTF-8 bytes.
    let length = token.chars().count();
    if length != CSRF_TOKEN_LENGTH && length != CSRF_SECRET_LENGTH {
        return Err(REASON_INCORRECT_LENGTH);
    }
    if !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(REASON_INVALID_CHARACTERS);
    }
    Ok(())
}

/// `_does_token_match`: a well-formed token, masked or not, against the secret, in constant
/// time.
fn token_matches(token: &str, secret: &str) -> bool {
    let token = if token.len() == CSRF_TOKEN_LENGTH {
        unmask_token(token)
    } else {
        token.to_owned()
    };
    constant_time_eq(&token, secret)
}

/// A header as Django's WSGI `request.META` holds it: the bytes as latin-1.
fn header_latin1(ctx: &RequestContext, name: &str) -> Option<String> {
    ctx.headers()
        .get(name)
        .map(|value| value.as_bytes().iter().map(|&b| char::from(b)).collect())
}

/// The secret of the request's `csrftoken` cookie (`_get_secret`): `Ok(None)` without the
/// cookie, `Err(phrase)` when it is malformed.
pub fn request_secret(ctx: &RequestContext) -> Result<Option<String>, &'static str> {
    let settings = &ctx.state().settings.csrf();
    let Some(secret) = get_cookie(ctx.headers(), &settings.cookie_name) else {
        return Ok(None);
    };
    check_token_format(&secret)?;
    Ok(Some(if secret.len() == CSRF_TOKEN_LENGTH {
        unmask_token(&secret)
    } else {
        secret
    }))
}

/// Django's `get_token(request)`: a masked token for a form or a page, and the cookie to set.
///
/// The token masks the request's secret (a new one when the request has no valid cookie).
/// Django re-sends the cookie whenever `get_token` is used (to renew its expiry), so the
/// cookie is always `Some`: append it to the response with [`SetCookie::apply`].
pub fn get_token(ctx: &RequestContext) -> (String, Option<SetCookie>) {
    let secret = request_secret(ctx)
        .ok()
        .flatten()
        .unwrap_or_else(new_secret);
    let cookie = ctx.state().settings.csrf().cookie(&secret);
    (mask_secret(&secret), Some(cookie))
}

/// Django's `rotate_token(request)` (done at login): a new secret and its cookie.
pub fn rotate_token(ctx: &RequestContext) -> (String, SetCookie) {
    let secret = new_secret();
    let cookie = ctx.state().settings.csrf().cookie(&secret);
    (secret, cookie)
}

/// Python's `urlsplit(url)`: `(scheme, netloc)`; `None` where Python raises `ValueError`
/// (an unbalanced `[` in the host).
fn urlsplit(url: &str) -> Option<(String, String)> {
    let mut rest = url;
    let mut scheme = String::new();
    if let Some((candidate, after)) = url.split_once(':')
        && candidate
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        scheme = candidate.to_ascii_lowercase();
        rest = after;
    }
    let netloc = match rest.strip_prefix("//") {
        Some(after) => after
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .to_owned(),
        None => String::new(),
    };
    if netloc.contains('[') != netloc.contains(']') {
        return None;
    }
    Some((scheme, netloc))
}

/// Django's `is_same_domain(host, pattern)`: `pattern` exactly, or, when it starts with `.`,
/// any subdomain of it or the domain itself.
fn is_same_domain(host: &str, pattern: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let pattern = pattern.to_ascii_lowercase();
    match pattern.strip_prefix('.') {
        Some(domain) => host.ends_with(&pattern) || host == domain,
        None => host == pattern,
    }
}

/// Whether the request came over HTTPS (`request.is_secure()`).
fn is_secure(ctx: &RequestContext) -> bool {
    if let Some((header, expected)) = &ctx.state().settings.csrf().secure_proxy_ssl_header
        && let Some(value) = ctx.header(header)
    {
        // Django takes the first of a comma-separated list of proxies' values.
        return value.split(',').next().unwrap_or_default().trim() == expected;
    }
    ctx.base_url().starts_with("https://")
}

/// `_origin_verified`: the request's own origin, an exact trusted origin, or a subdomain of a
/// `*.` trusted origin with the same scheme.
fn origin_verified(ctx: &RequestContext, origin: &str) -> bool {
    let settings = &ctx.state().settings.csrf();
    if let Some(host) = ctx.header("host") {
        let scheme = if is_secure(ctx) { "https" } else { "http" };
        if origin == format!("{scheme}://{host}") {
            return true;
        }
    }
    if settings
        .trusted_origins
        .iter()
        .any(|trusted| !trusted.contains('*') && trusted == origin)
    {
        return true;
    }
    let Some((scheme, netloc)) = urlsplit(origin) else {
        return false;
    };
    settings
        .trusted_origins
        .iter()
        .filter(|trusted| trusted.contains('*'))
        .filter_map(|trusted| urlsplit(trusted))
        .any(|(trusted_scheme, trusted_netloc)| {
            trusted_scheme == scheme
                && is_same_domain(&netloc, trusted_netloc.trim_start_matches('*'))
        })
}

/// `_check_referer` (HTTPS requests without `Origin`).
fn check_referer(ctx: &RequestContext) -> Result<(), String> {
    let settings = &ctx.state().settings.csrf();
    let Some(referer) = header_latin1(ctx, "referer") else {
        return Err(REASON_NO_REFERER.into());
    };
    let Some((scheme, netloc)) = urlsplit(&referer) else {
        return Err(REASON_MALFORMED_REFERER.into());
    };
    if scheme.is_empty() || netloc.is_empty() {
        return Err(REASON_MALFORMED_REFERER.into());
    }
    if scheme != "https" {
        return Err(REASON_INSECURE_REFERER.into());
    }
    let trusted_host = settings.trusted_origins.iter().any(|trusted| {
        urlsplit(trusted)
            .is_some_and(|(_, host)| is_same_domain(&netloc, host.trim_start_matches('*')))
    });
    if trusted_host {
        return Ok(());
    }
    let good_referer = match &settings.cookie_domain {
        Some(domain) => domain.clone(),
        None => ctx.header("host").unwrap_or_default().to_owned(),
    };
    if is_same_domain(&netloc, &good_referer) {
        Ok(())
    } else {
        Err(REASON_BAD_REFERER.replace("%s", &referer))
    }
}

/// The token the request sends: the `csrfmiddlewaretoken` field of a POSTed form, else the
/// header; with the source's name for messages (`None`: neither).
fn request_token(ctx: &RequestContext) -> Option<(String, String)> {
    let settings = &ctx.state().settings.csrf();
    if ctx.method() == Method::POST && is_form(ctx) {
        let field = ctx
            .data()
            .ok()
            .and_then(|mut data| data.remove("csrfmiddlewaretoken"))
            .and_then(|value| match value {
                serde_json::Value::String(text) => Some(text),
                // A repeated field: `QueryDict.get` takes the last value.
                serde_json::Value::Array(values) => values
                    .last()
                    .and_then(|last| last.as_str().map(str::to_owned)),
                _ => None,
            })
            .unwrap_or_default();
        if !field.is_empty() {
            return Some((field, "POST".into()));
        }
    }
    let header = header_latin1(ctx, &settings.header_name)?;
    Some((
        header,
        format!("the '{}' HTTP header", settings.header_display_name()),
    ))
}

/// Whether the body is a form (DRF's `request.POST` is empty for other media types).
fn is_form(ctx: &RequestContext) -> bool {
    let media = ctx
        .header(poem::http::header::CONTENT_TYPE)
        .unwrap_or_default();
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/x-www-form-urlencoded" || essence == "multipart/form-data"
}

/// `_check_token`: the cookie, then the token, then their match.
fn check_token(ctx: &RequestContext) -> Result<(), String> {
    let secret = request_secret(ctx)
        .map_err(|phrase| format!("CSRF cookie {phrase}."))?
        .ok_or_else(|| REASON_NO_CSRF_COOKIE.to_owned())?;
    let (token, source) = request_token(ctx).ok_or_else(|| REASON_CSRF_TOKEN_MISSING.to_owned())?;
    check_token_format(&token).map_err(|phrase| format!("CSRF token from {source} {phrase}."))?;
    if token_matches(&token, &secret) {
        Ok(())
    } else {
        Err(format!("CSRF token from {source} incorrect."))
    }
}

/// `CsrfViewMiddleware.process_view`: `Err(reason)` when Django would reject the request.
pub fn check(ctx: &RequestContext) -> Result<(), String> {
    if matches!(
        *ctx.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return Ok(());
    }
    if let Some(origin) = header_latin1(ctx, "origin") {
        if !origin_verified(ctx, &origin) {
            return Err(REASON_BAD_ORIGIN.replace("%s", &origin));
        }
    } else if is_secure(ctx) {
        check_referer(ctx)?;
    }
    check_token(ctx)
}

/// DRF's `SessionAuthentication.enforce_csrf`: 403 `CSRF Failed: <reason>`.
pub fn enforce_csrf(ctx: &RequestContext) -> ApiResult<()> {
    check(ctx).map_err(|reason| ApiError::PermissionDenied(format!("CSRF Failed: {reason}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{AppState, Settings};
    use poem::http::{HeaderMap, HeaderName, HeaderValue};

    fn state(trusted: &[&str]) -> AppState {
        // CSRF checks never touch the database.
        let db = sea_orm::DatabaseConnection::default();
        let mut settings = Settings::new(b"key".to_vec());
        settings.csrf_mut().trusted_origins = trusted.iter().map(|s| s.to_string()).collect();
        settings.csrf_mut().secure_proxy_ssl_header =
            Some(("x-forwarded-proto".into(), "https".into()));
        AppState::new::<crate::contrib::authtoken::test_support::user::Entity>(db, settings)
    }

    fn ctx(
        state: &AppState,
        method: Method,
        scheme: &str,
        headers: &[(&str, &[u8])],
    ) -> RequestContext {
        let mut map = HeaderMap::new();
        map.insert("host", HeaderValue::from_static("testserver"));
        for (name, value) in headers {
            map.append(
                HeaderName::try_from(*name).expect("name"),
                HeaderValue::from_bytes(value).expect("value"),
            );
        }
        if scheme == "https" {
            map.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        }
        RequestContext::new(
            state.clone(),
            method,
            "/api/articles/".parse().expect("uri"),
            map,
            Vec::new(),
        )
    }

    const SECRET: &str = "abcdefghijklmnopqrstuvwxyzABCDEF";

    #[test]
    fn masking_round_trips_and_matches_django() {
        let masked = mask_secret(SECRET);
        assert_eq!(masked.len(), CSRF_TOKEN_LENGTH);
        assert!(masked.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(unmask_token(&masked), SECRET);
        assert_ne!(mask_secret(SECRET), masked);
        // Django 6.1's `_unmask_cipher_token` of this token.
        let django = "99999999999999999999999999999999abcdefghijklmnopqrstuvwxyzABCDEF";
        assert_eq!(unmask_token(django), "bcdefghijklmnopqrstuvwxyzABCDEFG");
    }

    #[test]
    fn token_checks_give_djangos_reasons() {
        let state = state(&[]);
        let cookie = format!("csrftoken={SECRET}");
        let masked = mask_secret(SECRET);
        let post = |headers: &[(&str, &[u8])]| check(&ctx(&state, Method::POST, "http", headers));
        assert_eq!(post(&[]), Err("CSRF cookie not set.".into()));
        assert_eq!(
            post(&[("cookie", b"csrftoken=short")]),
            Err("CSRF cookie has incorrect length.".into())
        );
        assert_eq!(
            post(&[("cookie", b"csrftoken=abcdefghijklmnopqrstuvwxyzABCDE!")]),
            Err("CSRF cookie has invalid characters.".into())
        );
        assert_eq!(
            post(&[("cookie", cookie.as_bytes())]),
            Err("CSRF token missing.".into())
        );
        assert_eq!(
            post(&[("cookie", cookie.as_bytes()), ("x-csrftoken", b"nope")]),
            Err("CSRF token from the 'X-Csrftoken' HTTP header has incorrect length.".into())
        );
        assert_eq!(
            post(&[
                ("cookie", cookie.as_bytes()),
                ("x-csrftoken", b"abcdefghijklmnopqrstuvwxyzABCD\xe9!")
            ]),
            Err("CSRF token from the 'X-Csrftoken' HTTP header has invalid characters.".into())
        );
        assert_eq!(
            post(&[
                ("cookie", cookie.as_bytes()),
                ("x-csrftoken", b"bbcdefghijklmnopqrstuvwxyzABCDEF")
            ]),
            Err("CSRF token from the 'X-Csrftoken' HTTP header incorrect.".into())
        );
        for token in [SECRET, masked.as_str()] {
            assert_eq!(
                post(&[
                    ("cookie", cookie.as_bytes()),
                    ("x-csrftoken", token.as_bytes())
                ]),
                Ok(()),
                "{token}"
            );
        }
        // A masked cookie (Django < 4.0) is unmasked.
        let masked_cookie = format!("csrftoken={masked}");
        assert_eq!(
            post(&[
                ("cookie", masked_cookie.as_bytes()),
                ("x-csrftoken", SECRET.as_bytes())
            ]),
            Ok(())
        );
        // Safe methods are never checked.
        assert_eq!(check(&ctx(&state, Method::GET, "http", &[])), Ok(()));
        assert_eq!(check(&ctx(&state, Method::OPTIONS, "http", &[])), Ok(()));
    }

    #[test]
    fn origins_are_checked_before_tokens() {
        let state = state(&["https://trusted.example", "http://*.wild.example"]);
        let cookie = format!("csrftoken={SECRET}");
        let post = |scheme: &str, extra: &[(&str, &[u8])]| {
            let mut headers: Vec<(&str, &[u8])> = vec![
                ("cookie", cookie.as_bytes()),
                ("x-csrftoken", SECRET.as_bytes()),
            ];
            headers.extend_from_slice(extra);
            check(&ctx(&state, Method::POST, scheme, &headers))
        };
        assert_eq!(post("http", &[("origin", b"http://testserver")]), Ok(()));
        assert_eq!(
            post("http", &[("origin", b"https://trusted.example")]),
            Ok(())
        );
        assert_eq!(
            post("http", &[("origin", b"http://a.wild.example")]),
            Ok(())
        );
        assert_eq!(post("http", &[("origin", b"http://wild.example")]), Ok(()));
        for origin in [
            "http://evil.example",
            "https://testserver",
            "https://a.wild.example",
            "null",
        ] {
            assert_eq!(
                post("http", &[("origin", origin.as_bytes())]),
                Err(format!(
                    "Origin checking failed - {origin} does not match any trusted origins."
                ))
            );
        }
        // HTTPS without Origin: the Referer decides.
        assert_eq!(post("https", &[]), Err(REASON_NO_REFERER.into()));
        assert_eq!(
            post("https", &[("referer", b"not a url")]),
            Err(REASON_MALFORMED_REFERER.into())
        );
        assert_eq!(
            post("https", &[("referer", b"http://testserver/")]),
            Err(REASON_INSECURE_REFERER.into())
        );
        assert_eq!(
            post("https", &[("referer", b"https://evil.example/x")]),
            Err(
                "Referer checking failed - https://evil.example/x does not match any trusted \
                 origins."
                    .into()
            )
        );
        assert_eq!(
            post("https", &[("referer", b"https://testserver/page")]),
            Ok(())
        );
        assert_eq!(
            post("https", &[("referer", b"https://trusted.example/")]),
            Ok(())
        );
        assert_eq!(post("https", &[("origin", b"https://testserver")]), Ok(()));
    }

    #[test]
    fn get_token_masks_the_cookie_secret_or_a_new_one() {
        let state = state(&[]);
        let cookie = format!("csrftoken={SECRET}");
        let with_cookie = ctx(
            &state,
            Method::GET,
            "http",
            &[("cookie", cookie.as_bytes())],
        );
        let (token, set) = get_token(&with_cookie);
        assert_eq!(unmask_token(&token), SECRET);
        let set = set.expect("cookie").header_value_at(chrono::Utc::now());
        assert!(
            set.starts_with(&format!("csrftoken={SECRET}; expires=")),
            "{set}"
        );
        assert!(
            set.ends_with("; Max-Age=31449600; Path=/; SameSite=Lax"),
            "{set}"
        );

        let (token, set) = get_token(&ctx(
            &state,
            Method::GET,
            "http",
            &[("cookie", b"csrftoken=bad")],
        ));
        let secret = set.expect("cookie").value;
        assert_eq!(secret.len(), CSRF_SECRET_LENGTH);
        assert_eq!(unmask_token(&token), secret);
        assert_ne!(secret, SECRET);
    }
}
