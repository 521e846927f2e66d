//! The fuzz targets' bodies: each function takes the fuzzer's bytes, feeds them to one part of
//! the framework that reads what a client sends, and panics only when that part misbehaves
//! (a panic of its own, a 5xx, an answer that breaks its contract).
//!
//! The same functions run two ways:
//! - under libFuzzer, through the cargo-fuzz targets in `fuzz/fuzz_targets/` (`bash
//!   fuzz/run.sh`), which search for new inputs;
//! - as plain tests on stable Rust (`cargo test -p fuzz_harness`), over every input saved in
//!   `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`: each crash libFuzzer ever found is
//!   kept there and replayed by every test run.
//!
//! | target | what it reads |
//! |---|---|
//! | [`body_json`], [`body_form`], [`body_multipart`] | a request body, through the parsers into serializer input |
//! | [`jwt`] | a token, through simplejwt's verification |
//! | [`signed`] | a signed value (session cookie, Django `signing`), a CSRF token, a `Cookie` header |
//! | [`request`] | a whole HTTP request to the blog (method, path and query, headers, body), in process, on an in-memory database |

use rest_framework::parsers::{self, ParserLimits};
use std::sync::OnceLock;

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// The fuzz targets, by the name of their corpus directory and their function.
pub const TARGETS: &[(&str, Target)] = &[
    ("body_json", body_json),
    ("body_form", body_form),
    ("body_multipart", body_multipart),
    ("jwt", jwt),
    ("signed", signed),
    ("request", request),
];

/// Small limits, so that the fuzzer also meets them with short inputs.
const SMALL: ParserLimits = ParserLimits {
    max_memory_size: Some(4096),
    max_number_fields: Some(16),
    max_number_files: Some(4),
    max_json_values: Some(64),
};

/// Parses `body` as `content_type` with the default limits and with small ones, then reads
/// the data as a serializer with to-many fields does (DRF's `QueryDict` access). An error is
/// fine; its message must be a DRF one.
fn parse_both_ways(content_type: &str, body: &[u8]) {
    for limits in [ParserLimits::default(), SMALL] {
        match parsers::parse(Some(content_type), body, &limits) {
            Ok(data) => {
                let html = parsers::is_html_input(Some(content_type));
                for partial in [false, true] {
                    let form = parsers::html_form_data(&data, &["tags"], partial, html);
                    // Every key given stays; a full update adds the to-many field.
                    assert!(data.keys().all(|key| form.contains_key(key)));
                }
            }
            Err(error) => {
                let detail = error.detail();
                assert!(!detail.is_empty(), "an error without a message");
            }
        }
    }
}

/// A JSON body: the parser, its Python-style error messages, the value limit.
pub fn body_json(data: &[u8]) {
    parse_both_ways("application/json", data);
}

/// A urlencoded form body.
pub fn body_form(data: &[u8]) {
    parse_both_ways("application/x-www-form-urlencoded", data);
}

/// A multipart body: its first line is the `Content-Type` parameters (`boundary=...`), the
/// rest the body.
pub fn body_multipart(data: &[u8]) {
    let (params, body) = match data.iter().position(|&b| b == b'\n') {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => (&b"boundary=XyZ"[..], data),
    };
    let content_type = format!("multipart/form-data; {}", String::from_utf8_lossy(params));
    parse_both_ways(&content_type, body);
}

/// The signing key of the harness's settings (the blog's development key).
const KEY: &[u8] = example_blog::config::DEV_SECRET_KEY.as_bytes();

/// A token through simplejwt's verification, typed and untyped: refused or accepted, never a
/// panic.
pub fn jwt(data: &[u8]) {
    use rest_framework::contrib::simplejwt::jwt::{JwtSettings, TokenType, decode_token};
    static SETTINGS: OnceLock<JwtSettings> = OnceLock::new();
    let settings = SETTINGS.get_or_init(|| JwtSettings::new(KEY.to_vec()));
    let token = String::from_utf8_lossy(data);
    for expected in [None, Some(TokenType::Access), Some(TokenType::Refresh)] {
        let _ = decode_token(settings, &token, expected);
    }
}

/// A signed value (Django's `signing.loads`, compressed or not), the session data inside a
/// session, a CSRF token and a `Cookie` header: each refused or read, never a panic.
pub fn signed(data: &[u8]) {
    use rest_framework::contrib::sessions::csrf;
    use rest_framework::{cookies, signing};
    let text = String::from_utf8_lossy(data);
    for salt in ["django.contrib.sessions.SessionStore", "signer"] {
        let _ = signing::loads(&text, KEY, salt, Some(std::time::Duration::from_secs(60)));
        let _ = signing::loads(&text, KEY, salt, None);
    }
    let settings = rest_framework::settings::Settings::new(KEY.to_vec());
    let _ = rest_framework::contrib::sessions::decode(&settings, &text);
    let _ = csrf::unmask_token(&text);
    let _ = cookies::parse_cookie(&text);
    let _ = cookies::unquote(&text);
}

/// A running blog for [`request`]: a runtime, the application on a migrated in-memory
/// database with a few rows, and an access token of its admin.
struct Blog {
    runtime: tokio::runtime::Runtime,
    app: rest_framework::poem::endpoint::BoxEndpoint<'static>,
    access: String,
}

fn blog() -> &'static Blog {
    static BLOG: OnceLock<Blog> = OnceLock::new();
    BLOG.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (app, access) = runtime.block_on(async {
            let url = "sqlite::memory:";
            let db = example_blog::db::connect(url).await.expect("connect");
            example_blog::db::migrate(&db).await.expect("migrate");
            let options = example_blog::management::seed::SeedOptions {
                users: 2,
                articles: 12,
                comments: 20,
                tags: 4,
                seed: 7,
                flush: false,
                now: None,
                progress: false,
            };
            let seeded = example_blog::management::seed::seed(&db, &options)
                .await
                .expect("seed");
            let config = example_blog::config::Config::for_tests(url);
            let app = example_blog::api::build_app(db, &config)
                .await
                .expect("app");
            let settings = example_blog::api::settings(&config);
            let access = rest_framework::contrib::simplejwt::jwt::access_token_for_user(
                &settings.jwt(),
                seeded.admin_id,
            );
            (app, access)
        });
        Blog {
            runtime,
            app,
            access,
        }
    })
}

/// A whole request to the blog, in process (no socket): the first line is `METHOD TARGET`,
/// header lines follow up to an empty line, the rest is the body. The header line
/// `X-Fuzz-Auth: jwt` becomes the admin's `Authorization: Bearer` (so the fuzzer reaches what
/// authenticated users reach). Any answer but a 5xx is fine.
pub fn request(data: &[u8]) {
    if let Some(status) = request_status(data) {
        assert!(
            status < 500,
            "{status} for {:?}",
            String::from_utf8_lossy(&data[..data.len().min(300)])
        );
    }
}

/// The status the blog answers the request [`request`] reads from `data`; `None` when `data`
/// is no request (no method, a target that is no URI).
pub fn request_status(data: &[u8]) -> Option<u16> {
    use rest_framework::poem::Endpoint;
    use rest_framework::poem::http::{HeaderName, HeaderValue, Method, Uri};
    let blog = blog();
    let (head, body) = match find(data, b"\n\n") {
        Some(end) => (&data[..end], &data[end + 2..]),
        None => (data, &b""[..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    let mut words = first.splitn(2, |&b| b == b' ');
    let method = words.next().unwrap_or_default();
    let target = words.next().unwrap_or(b"/api/");
    let method = Method::from_bytes(method).ok()?;
    let uri = Uri::try_from(target).ok()?;
    // From `http` parts, as the server builds it (the builder would leave the original URI
    // at `/`, which the router reads).
    let (parts, ()) = rest_framework::poem::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "testserver")
        .body(())
        .ok()?
        .into_parts();
    let local = rest_framework::poem::web::LocalAddr(rest_framework::poem::Addr::SocketAddr(
        ([127, 0, 0, 1], 8000).into(),
    ));
    let remote = rest_framework::poem::web::RemoteAddr(rest_framework::poem::Addr::SocketAddr(
        ([127, 0, 0, 1], 40000).into(),
    ));
    let parts = rest_framework::poem::RequestParts::from((
        parts,
        local,
        remote,
        rest_framework::poem::http::uri::Scheme::HTTP,
    ));
    let mut request = rest_framework::poem::Request::from_parts(
        parts,
        rest_framework::poem::Body::from(body.to_vec()),
    );
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"x-fuzz-auth") {
            let bearer = format!("Bearer {}", blog.access);
            if let Ok(value) = HeaderValue::try_from(bearer) {
                request.headers_mut().insert("authorization", value);
            }
            continue;
        }
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            request.headers_mut().append(name, value);
        }
    }
    let response = blog.runtime.block_on(async {
        match blog.app.call(request).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        }
    });
    Some(response.status().as_u16())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
