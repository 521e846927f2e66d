//! dj-rest-auth's JWT cookies (`dj_rest_auth.jwt_auth`): where the access and refresh tokens
//! travel when `REST_AUTH["JWT_AUTH_COOKIE"]` is set.
//!
//! - [`JwtCookieSettings`]: the `JWT_AUTH_*` settings (cookie names, path, flags);
//! - [`set_jwt_cookies`], [`set_jwt_access_cookie`], [`set_jwt_refresh_cookie`],
//!   [`unset_jwt_cookies`]: add the `Set-Cookie` headers dj-rest-auth's login, token refresh
//!   and logout send, with Django's attributes and attribute order
//!   (`my-app-auth=<access>; expires=<now+5 min>; Max-Age=300; Path=/; SameSite=Lax`);
//! - [`JwtCookieAuthentication`]: the authentication class that reads the access cookie when
//!   the request has no `Authorization` header;
//! - [`set_cookie_header`], [`delete_cookie_header`], [`request_cookie`]: Django's
//!   `HttpResponse.set_cookie` / `delete_cookie` formatting and `request.COOKIES`, for any
//!   cookie.

use crate::authentication::Authentication;
use crate::contrib::simplejwt::authentication::{
    JwtAuthentication, authenticate_raw_token, jwt_security_scheme,
};
use crate::exceptions::ApiResult;
use crate::request::RequestContext;
use crate::response::Response;
use crate::users::RequestUser;
use chrono::{DateTime, Duration, Utc};

/// dj-rest-auth's `JWT_AUTH_*` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtCookieSettings {
    /// `JWT_AUTH_COOKIE`: the access token cookie (default none: no cookies).
    pub access_cookie: Option<String>,
    /// `JWT_AUTH_REFRESH_COOKIE`: the refresh token cookie (default none).
    pub refresh_cookie: Option<String>,
    /// `JWT_AUTH_REFRESH_COOKIE_PATH` (default `/`).
    pub refresh_cookie_path: String,
    /// `JWT_AUTH_SECURE` (default false).
    pub secure: bool,
    /// `JWT_AUTH_HTTPONLY` (default true). When on, the refresh token is only sent as a
    /// cookie (left out of refresh responses) and logout reads it from the cookie only;
    /// when off, logout reads it from the body only, as dj-rest-auth does.
    pub httponly: bool,
    /// `JWT_AUTH_SAMESITE` (default `Lax`; `None` leaves the attribute out).
    pub samesite: Option<String>,
    /// `JWT_AUTH_COOKIE_DOMAIN` (default none).
    pub domain: Option<String>,
}

impl Default for JwtCookieSettings {
    fn default() -> Self {
        JwtCookieSettings {
            access_cookie: None,
            refresh_cookie: None,
            refresh_cookie_path: "/".into(),
            secure: false,
            httponly: true,
            samesite: Some("Lax".into()),
            domain: None,
        }
    }
}

impl JwtCookieSettings {
    /// dj-rest-auth's defaults with the two cookie names set.
    pub fn named(access_cookie: &str, refresh_cookie: &str) -> Self {
        JwtCookieSettings {
            access_cookie: Some(access_cookie.into()),
            refresh_cookie: Some(refresh_cookie.into()),
            ..Self::default()
        }
    }
}

/// The attributes of one `Set-Cookie` header (Django's `set_cookie` arguments).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CookieAttributes<'a> {
    /// `Max-Age` in seconds; `expires` is then `now + max_age` (Django adds it for old
    /// browsers).
    pub max_age: Option<i64>,
    /// A literal `expires` value (used by deletions).
    pub expires: Option<&'a str>,
    /// `Path` (Django's default `/`).
    pub path: &'a str,
    /// `Domain`.
    pub domain: Option<&'a str>,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub httponly: bool,
    /// `SameSite`.
    pub samesite: Option<&'a str>,
}

/// Django's `http_date`: `Mon, 23 Nov 2026 12:13:02 GMT`.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Python's `http.cookies` quoting: legal values as they are, others in double quotes with
/// `"` and `\` escaped and other bytes as octal escapes (`""` for an empty value).
fn quote_cookie_value(value: &str) -> String {
    let legal = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:".contains(&b);
    if !value.is_empty() && value.bytes().all(legal) {
        return value.to_string();
    }
    let mut quoted = String::from("\"");
    for byte in value.bytes() {
        match byte {
            b'"' => quoted.push_str("\\\""),
            b'\\' => quoted.push_str("\\\\"),
            0x20..=0x7e => quoted.push(char::from(byte)),
            other => quoted.push_str(&format!("\\{other:03o}")),
        }
    }
    quoted.push('"');
    quoted
}

/// A `Set-Cookie` value as Django writes it: `name=value`, then the attributes in Python's
/// `Morsel` order (`Domain`, `expires`, `HttpOnly`, `Max-Age`, `Path`, `SameSite`, `Secure`).
pub fn set_cookie_header(name: &str, value: &str, attributes: &CookieAttributes<'_>) -> String {
    let mut header = format!("{name}={}", quote_cookie_value(value));
    if let Some(domain) = attributes.domain {
        header.push_str(&format!("; Domain={domain}"));
    }
    let expires = match (attributes.expires, attributes.max_age) {
        (Some(expires), _) => Some(expires.to_string()),
        (None, Some(max_age)) => Some(http_date(Utc::now() + Duration::seconds(max_age))),
        (None, None) => None,
    };
    if let Some(expires) = expires {
        header.push_str(&format!("; expires={expires}"));
    }
    if attributes.httponly {
        header.push_str("; HttpOnly");
    }
    if let Some(max_age) = attributes.max_age {
        header.push_str(&format!("; Max-Age={max_age}"));
    }
    header.push_str(&format!("; Path={}", attributes.path));
    if let Some(samesite) = attributes.samesite {
        header.push_str(&format!("; SameSite={samesite}"));
    }
    if attributes.secure {
        header.push_str("; Secure");
    }
    header
}

/// Django's `delete_cookie`: an empty value that expired in 1970, `Max-Age=0`.
pub fn delete_cookie_header(
    name: &str,
    path: &str,
    domain: Option<&str>,
    samesite: Option<&str>,
) -> String {
    let secure = name.starts_with("__Secure-") || name.starts_with("__Host-");
    set_cookie_header(
        name,
        "",
        &CookieAttributes {
            max_age: Some(0),
            expires: Some("Thu, 01 Jan 1970 00:00:00 GMT"),
            path,
            domain,
            secure,
            httponly: false,
            samesite,
        },
    )
}

/// A cookie of the request (Django's `request.COOKIES[name]`: the last one of that name).
pub fn request_cookie(ctx: &RequestContext, name: &str) -> Option<String> {
    let mut found = None;
    for header in ctx.headers().get_all(poem::http::header::COOKIE) {
        let Ok(header) = header.to_str() else {
            continue;
        };
        for chunk in header.split(';') {
            let (key, value) = chunk.split_once('=').unwrap_or(("", chunk));
            if key.trim() == name {
                found = Some(unquote_cookie_value(value.trim()));
            }
        }
    }
    found
}

/// Python's `http.cookies._unquote` for the simple cases (surrounding quotes, `\"`, `\\`).
fn unquote_cookie_value(value: &str) -> String {
    match value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => value.to_string(),
    }
}

/// Adds `name=token` with the JWT cookie attributes, valid for `lifetime`.
fn set_jwt_cookie(
    response: Response,
    settings: &JwtCookieSettings,
    name: &str,
    path: &str,
    token: &str,
    lifetime: Duration,
) -> Response {
    let header = set_cookie_header(
        name,
        token,
        &CookieAttributes {
            max_age: Some(lifetime.num_seconds().max(0)),
            expires: None,
            path,
            domain: settings.domain.as_deref(),
            secure: settings.secure,
            httponly: settings.httponly,
            samesite: settings.samesite.as_deref(),
        },
    );
    response.append_header("Set-Cookie", &header)
}

/// dj-rest-auth's `set_jwt_access_cookie`: the access token in the access cookie for the
/// access token lifetime (nothing when no cookie name is set).
pub fn set_jwt_access_cookie(
    response: Response,
    settings: &JwtCookieSettings,
    access: &str,
    lifetime: Duration,
) -> Response {
    match &settings.access_cookie {
        Some(name) => set_jwt_cookie(response, settings, name, "/", access, lifetime),
        None => response,
    }
}

/// dj-rest-auth's `set_jwt_refresh_cookie`: the refresh token in the refresh cookie (path
/// `JWT_AUTH_REFRESH_COOKIE_PATH`) for the refresh token lifetime.
pub fn set_jwt_refresh_cookie(
    response: Response,
    settings: &JwtCookieSettings,
    refresh: &str,
    lifetime: Duration,
) -> Response {
    match &settings.refresh_cookie {
        Some(name) => set_jwt_cookie(
            response,
            settings,
            name,
            &settings.refresh_cookie_path,
            refresh,
            lifetime,
        ),
        None => response,
    }
}

/// dj-rest-auth's `set_jwt_cookies`: both cookies, access first, with the lifetimes of
/// `jwt` (what the login view sends after a successful login).
pub fn set_jwt_cookies(
    response: Response,
    settings: &JwtCookieSettings,
    jwt: &crate::contrib::simplejwt::jwt::JwtSettings,
    access: &str,
    refresh: &str,
) -> Response {
    let response = set_jwt_access_cookie(response, settings, access, jwt.access_token_lifetime);
    set_jwt_refresh_cookie(response, settings, refresh, jwt.refresh_token_lifetime)
}

/// dj-rest-auth's `unset_jwt_cookies`: deletes both cookies (what logout always sends).
pub fn unset_jwt_cookies(response: Response, settings: &JwtCookieSettings) -> Response {
    let samesite = settings.samesite.as_deref();
    let domain = settings.domain.as_deref();
    let mut response = response;
    if let Some(name) = &settings.access_cookie {
        response = response.append_header(
            "Set-Cookie",
            &delete_cookie_header(name, "/", domain, samesite),
        );
    }
    if let Some(name) = &settings.refresh_cookie {
        response = response.append_header(
            "Set-Cookie",
            &delete_cookie_header(name, &settings.refresh_cookie_path, domain, samesite),
        );
    }
    response
}

/// dj-rest-auth's `JWTCookieAuthentication`: with an `Authorization` header, simplejwt's
/// `JWTAuthentication`; without one, the access token of the
/// [`JwtCookieSettings::access_cookie`] cookie, refused with the same 401s as a bad Bearer
/// token. (dj-rest-auth's optional CSRF check, `JWT_AUTH_COOKIE_USE_CSRF`, is off by
/// default and not implemented.)
#[derive(Debug, Clone, Copy, Default)]
pub struct JwtCookieAuthentication;

#[async_trait::async_trait]
impl Authentication for JwtCookieAuthentication {
    fn may_authenticate(&self, ctx: &RequestContext) -> bool {
        let headers = ctx.headers();
        headers.contains_key(poem::http::header::AUTHORIZATION)
            || headers.contains_key(poem::http::header::COOKIE)
    }

    async fn authenticate(&self, ctx: &RequestContext) -> ApiResult<Option<RequestUser>> {
        if ctx.header(poem::http::header::AUTHORIZATION).is_some() {
            return JwtAuthentication.authenticate(ctx).await;
        }
        let Some(name) = &ctx.state().settings.jwt_cookies().access_cookie else {
            return Ok(None);
        };
        let Some(raw) = request_cookie(ctx, name) else {
            return Ok(None);
        };
        authenticate_raw_token(ctx, &raw).await.map(Some)
    }

    fn authenticate_header(&self) -> Option<String> {
        JwtAuthentication.authenticate_header()
    }

    /// drf-spectacular's `SimpleJWTCookieScheme`: the header (`jwtHeaderAuth`) and the
    /// `JWT_AUTH_COOKIE` cookie (`jwtCookieAuth`, `jwt-auth` when unset).
    fn openapi_security_schemes(
        &self,
        settings: &crate::settings::Settings,
    ) -> Vec<crate::openapi::SecurityScheme> {
        let cookies = settings.jwt_cookies();
        let cookie = cookies.access_cookie.as_deref().unwrap_or("jwt-auth");
        vec![
            jwt_security_scheme("jwtHeaderAuth", settings),
            crate::openapi::SecurityScheme::api_key("jwtCookieAuth", "cookie", cookie),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cookie_has_djangos_attribute_order() {
        let header = set_cookie_header(
            "sessionid",
            "abc",
            &CookieAttributes {
                max_age: Some(1_209_600),
                path: "/",
                httponly: true,
                samesite: Some("Lax"),
                ..CookieAttributes::default()
            },
        );
        let (start, rest) = header.split_once("; expires=").expect("expires");
        assert_eq!(start, "sessionid=abc");
        let (expires, rest) = rest.split_once(';').expect("more");
        assert!(expires.ends_with(" GMT"), "{expires}");
        assert_eq!(rest, " HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax");
        let when = chrono::NaiveDateTime::parse_from_str(expires, "%a, %d %b %Y %H:%M:%S GMT")
            .expect("http date")
            .and_utc();
        let expected = Utc::now() + Duration::seconds(1_209_600);
        assert!((expected - when).num_seconds().abs() <= 2, "{expires}");
    }

    #[test]
    fn all_attributes_and_deletion() {
        let header = set_cookie_header(
            "a",
            "b",
            &CookieAttributes {
                expires: Some("X"),
                path: "/api/",
                domain: Some("example.com"),
                secure: true,
                ..CookieAttributes::default()
            },
        );
        assert_eq!(
            header,
            "a=b; Domain=example.com; expires=X; Path=/api/; Secure"
        );
        assert_eq!(
            delete_cookie_header("my-app-auth", "/", None, Some("Lax")),
            r#"my-app-auth=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"#
        );
        assert!(delete_cookie_header("__Host-x", "/", None, None).ends_with("; Secure"));
    }

    #[test]
    fn values_are_quoted_like_python() {
        assert_eq!(quote_cookie_value("eyJ.a-b_c"), "eyJ.a-b_c");
        assert_eq!(quote_cookie_value(""), r#""""#);
        assert_eq!(quote_cookie_value("a b;\"\\é"), r#""a b;\"\\\303\251""#);
        assert_eq!(unquote_cookie_value(r#""a \"b\"""#), r#"a "b""#);
    }

    #[test]
    fn unset_without_names_sends_nothing() {
        let response = unset_jwt_cookies(Response::no_content(), &JwtCookieSettings::default());
        assert!(response.headers.get("set-cookie").is_none());
        let named = JwtCookieSettings::named("acc", "ref");
        let response = unset_jwt_cookies(Response::no_content(), &named);
        let cookies: Vec<_> = response.headers.get_all("set-cookie").iter().collect();
        assert_eq!(cookies.len(), 2);
    }
}
