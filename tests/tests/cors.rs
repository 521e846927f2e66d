//! CORS (OBSERVED.md 7.1): django-cors-headers with the reference's allowed origins
//! `http://localhost:8080` and `http://127.0.0.1:8080` and credentials allowed.

use integration_tests::{Response, TestServer, json};

const ALLOWED: &str = "http://localhost:8080";
const ALLOWED_TOO: &str = "http://127.0.0.1:8080";
const OTHER: &str = "http://evil.example.com";
const ALLOW_HEADERS: &str =
    "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with";
const ALLOW_METHODS: &str = "DELETE, GET, OPTIONS, PATCH, POST, PUT";

/// Every `access-control-*` header of a response.
fn cors_headers(r: &Response) -> Vec<String> {
    r.headers
        .keys()
        .map(|k| k.as_str().to_string())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

/// The values of `Vary`, as sent.
fn vary(r: &Response) -> Vec<String> {
    r.header("vary")
        .unwrap_or_default()
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

async fn preflight(s: &TestServer, path: &str, origin: Option<&str>) -> Response {
    let mut req = s
        .request("OPTIONS", path)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        );
    if let Some(origin) = origin {
        req = req.header("Origin", origin);
    }
    req.send().await
}

/// The bare preflight answer: 200, empty `text/html`, `Vary: origin`, nothing of the view or
/// of Django's other middleware.
fn assert_bare_preflight(r: &Response) {
    r.assert_status(200)
        .assert_header("content-type", "text/html; charset=utf-8")
        .assert_header("content-length", "0")
        .assert_header("vary", "origin")
        .assert_no_header("allow")
        .assert_no_header("x-frame-options")
        .assert_no_header("x-content-type-options")
        .assert_no_header("www-authenticate");
    assert_eq!(r.raw_len, 0, "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflight_from_an_allowed_origin_never_reaches_the_view() {
    let s = TestServer::start().await;
    // Any path: a list, a detail that does not exist, an unknown path, a path without its slash.
    for path in [
        "/api/articles/",
        "/api/articles/999999/",
        "/nope/",
        "/api/articles",
        "/api/token/",
    ] {
        for origin in [ALLOWED, ALLOWED_TOO] {
            let r = preflight(&s, path, Some(origin)).await;
            assert_bare_preflight(&r);
            r.assert_header("access-control-allow-origin", origin)
                .assert_header("access-control-allow-credentials", "true")
                .assert_header("access-control-allow-headers", ALLOW_HEADERS)
                .assert_header("access-control-allow-methods", ALLOW_METHODS)
                .assert_header("access-control-max-age", "86400");
            assert_eq!(cors_headers(&r).len(), 5, "{}", r.describe());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflight_from_another_origin_or_none_gets_no_cors_headers() {
    let s = TestServer::start().await;
    for origin in [
        Some(OTHER),
        Some("https://localhost:8080"),
        Some("http://localhost:8081"),
        Some("null"),
        None,
    ] {
        let r = preflight(&s, "/api/articles/", origin).await;
        assert_bare_preflight(&r);
        assert!(cors_headers(&r).is_empty(), "{origin:?}\n{}", r.describe());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actual_requests_from_an_allowed_origin_get_the_origin_and_credentials_at_any_status() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("cors@example.com").await;
    let get = |path: &'static str| s.request("GET", path).header("Origin", ALLOWED);
    let created = s
        .request("POST", "/api/articles/")
        .header("Origin", ALLOWED)
        .bearer(&token)
        .json(&json!({"title": "CORS", "content": "Body", "tags": []}))
        .send()
        .await;
    let anonymous_write = s
        .request("POST", "/api/articles/")
        .header("Origin", ALLOWED)
        .json(&json!({"title": "CORS", "content": "Body"}))
        .send()
        .await;
    let responses = [
        (get("/api/").send().await, 200),
        (created, 201),
        (anonymous_write, 401),
        (get("/api/articles/999999/").send().await, 404),
        (get("/api/nope/").send().await, 404),
        (get("/api/articles").send().await, 301),
    ];
    for (r, status) in &responses {
        r.assert_status(*status)
            .assert_header("access-control-allow-origin", ALLOWED)
            .assert_header("access-control-allow-credentials", "true");
        assert_eq!(cors_headers(r).len(), 2, "{}", r.describe());
        assert_eq!(
            vary(r).last().map(String::as_str),
            Some("origin"),
            "{}",
            r.describe()
        );
    }
    // DRF's responses keep their `Accept`; Django's own 404 and 301 vary on origin only.
    for (r, _) in &responses[..4] {
        assert!(vary(r).contains(&"Accept".to_string()), "{}", r.describe());
    }
    for (r, _) in &responses[4..] {
        r.assert_header("vary", "origin");
    }
    // The 301 keeps its Location and security headers.
    responses[5]
        .0
        .assert_header("location", "/api/articles/")
        .assert_header("x-content-type-options", "nosniff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actual_requests_from_other_origins_get_no_cors_headers_but_vary() {
    let s = TestServer::start().await;
    for origin in [
        Some(OTHER),
        Some("https://localhost:8080"),
        Some("http://LOCALHOST:8080"),
        Some("null"),
        Some("http://[::1"),
        None,
    ] {
        for path in ["/api/", "/nope/"] {
            let mut req = s.request("GET", path);
            if let Some(origin) = origin {
                req = req.header("Origin", origin);
            }
            let r = req.send().await;
            assert!(cors_headers(&r).is_empty(), "{origin:?}\n{}", r.describe());
            assert_eq!(
                vary(&r).last().map(String::as_str),
                Some("origin"),
                "{}",
                r.describe()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origins_compare_by_scheme_and_host_as_urlsplit() {
    let s = TestServer::start().await;
    // django-cors-headers compares `urlsplit` scheme (lower-cased) and netloc, and echoes
    // the Origin as sent.
    for origin in [
        "http://localhost:8080/",
        "HTTP://localhost:8080",
        "http://localhost:8080/x?y",
    ] {
        let r = s
            .request("GET", "/api/")
            .header("Origin", origin)
            .send()
            .await;
        r.assert_header("access-control-allow-origin", origin);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_without_request_method_reaches_the_view_with_preflight_headers() {
    let s = TestServer::start().await;
    let r = s
        .request("OPTIONS", "/api/")
        .header("Origin", ALLOWED)
        .send()
        .await;
    r.assert_status(200)
        .assert_json_content_type()
        .assert_header("allow", "GET, HEAD, OPTIONS")
        .assert_header("access-control-allow-origin", ALLOWED)
        .assert_header("access-control-allow-credentials", "true")
        .assert_header("access-control-allow-headers", ALLOW_HEADERS)
        .assert_header("access-control-allow-methods", ALLOW_METHODS)
        .assert_header("access-control-max-age", "86400");
    assert_eq!(r.json()["name"], "Api Root", "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_origins_come_from_the_config() {
    if std::env::var_os("BLOG_TESTS_REFERENCE").is_some() {
        return; // the reference's origins are fixed in its settings
    }
    let mut config = example_blog::config::Config::for_tests("unused");
    config.cors_allowed_origins = vec!["https://front.example.com".into()];
    let s = TestServer::start_app(async move |db| {
        example_blog::db::migrate(&db).await.expect("migrating");
        example_blog::api::build_app(db, &config)
            .await
            .expect("building the blog")
    })
    .await;
    let r = s
        .request("GET", "/api/")
        .header("Origin", "https://front.example.com")
        .send()
        .await;
    r.assert_header("access-control-allow-origin", "https://front.example.com");
    let r = s
        .request("GET", "/api/")
        .header("Origin", ALLOWED)
        .send()
        .await;
    assert!(cors_headers(&r).is_empty(), "{}", r.describe());
    // A malformed origin is a configuration error, not a silently open or closed door.
    let mut config = example_blog::config::Config::for_tests("unused");
    config.cors_allowed_origins = vec!["localhost:8080".into()];
    let error = example_blog::api::cors(&config).err();
    assert_eq!(
        error.as_deref(),
        Some("CORS_ALLOWED_ORIGINS: origin \"localhost:8080\" is missing scheme or netloc")
    );
}
