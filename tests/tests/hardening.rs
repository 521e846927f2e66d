//! Hardening (issue 24), over real HTTP: what an attacker's requests get. Each test names the
//! probe it answers. Where DRF's own answer is the same, the test also runs against the DRF
//! reference (`BLOG_TESTS_REFERENCE`); where DRF fails (a 500, a crash, a race), the test is
//! the Rust blog's only.

use integration_tests::{TestServer, Value, json};
use rest_framework::settings::AppState;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request written byte for byte (headers that are not text, say), `Connection: close`;
/// the status code and body of the answer.
async fn raw_request(s: &TestServer, head: &[u8], body: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", s.port()))
        .await
        .expect("connect");
    let mut request = head.to_vec();
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request.extend_from_slice(body);
    stream.write_all(&request).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("no answer within 30 s")
        .expect("read");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn host_header(s: &TestServer) -> String {
    format!("127.0.0.1:{}", s.port())
}

// --- a body nested deeper than any stack -------------------------------------------------------

/// 20,000 `[` (and `{"a":` nested as deep) on every route that parses a body: DRF's 400
/// `JSON parse error - ...` (Python's recursion message), and the server stays up. (DRF
/// itself answers 500 here: Python's `RecursionError` is no `ValueError`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_nested_without_end_are_parse_errors_and_the_server_stays_up() {
    let s = TestServer::start().await;
    if s.is_reference() {
        return;
    }
    let (_, token) = s.user_with_token("deep@example.com").await;
    let routes = [
        ("POST", "/api/token/"),
        ("POST", "/api/token/refresh/"),
        ("POST", "/api/api-token-auth/"),
        ("POST", "/api/accounts/v1/login/"),
        ("POST", "/api/accounts/v1/registration/"),
        ("POST", "/api/articles/"),
        ("PUT", "/api/accounts/v1/user/"),
    ];
    for body in ["[".repeat(20_000), "{\"a\":".repeat(20_000)] {
        for (method, path) in routes {
            let r = s
                .request(method, path)
                .bearer(&token)
                .raw_body("application/json", body.clone())
                .send()
                .await;
            r.assert_status(400);
            let detail = r.json()["detail"].as_str().unwrap_or_default().to_owned();
            assert!(
                detail.starts_with(
                    "JSON parse error - maximum recursion depth exceeded while decoding a JSON"
                ),
                "{}",
                r.describe()
            );
        }
    }
    s.get("/api/", None).await.assert_status(200);
}

// --- Host header poisoning ---------------------------------------------------------------------

/// Django's `ALLOWED_HOSTS`: any other `Host` is Django's 400 page (no `X-Frame-Options`: the
/// refusal happens in CommonMiddleware), on every path, before anything else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_outside_allowed_hosts_is_refused_everywhere() {
    let s = TestServer::start().await;
    for (method, path) in [
        ("GET", "/api/"),
        ("GET", "/api/articles/"),
        ("GET", "/api/nothing-here/"),
        ("GET", "/api/articles"),
        ("POST", "/api/token/"),
        ("OPTIONS", "/api/articles/"),
    ] {
        for host in [
            "evil.example",
            "evil.example:80",
            "127.0.0.1.evil.example",
            "bad host",
        ] {
            let r = s.request(method, path).header("Host", host).send().await;
            r.assert_status(400)
                .assert_header("content-type", "text/html; charset=utf-8")
                .assert_header("x-content-type-options", "nosniff")
                .assert_no_header("x-frame-options");
            assert!(
                r.text.contains("<h1>Bad Request (400)</h1>"),
                "{}",
                r.describe()
            );
        }
    }
    // The allowed ones, with and without a port, in any case.
    for host in [
        "localhost",
        "LOCALHOST:8000",
        "127.0.0.1",
        "[::1]:1",
        "testserver",
    ] {
        s.request("GET", "/api/")
            .header("Host", host)
            .send()
            .await
            .assert_status(200);
    }
}

/// The host never reaches a link: not the API root's, not pagination's, and not the
/// password-reset e-mail's (no mail is sent for a refused host).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_host_sends_no_password_reset_mail() {
    let s = TestServer::start().await;
    s.create_user("reset-host@example.com", "Passw0rd!x").await;
    let r = s
        .request("POST", "/api/accounts/v1/password/reset/")
        .header("Host", "evil.example")
        .json(&json!({"email": "reset-host@example.com"}))
        .send()
        .await;
    r.assert_status(400);
    if !s.is_reference() {
        assert!(s.sent_mail().is_empty(), "{:?}", s.sent_mail());
        // An allowed host: the link names it.
        let r = s
            .request("POST", "/api/accounts/v1/password/reset/")
            .header("Host", "localhost:8000")
            .json(&json!({"email": "reset-host@example.com"}))
            .send()
            .await;
        r.assert_status(200);
        let mail = s.sent_mail().join("\n");
        assert!(
            mail.contains("http://localhost:8000/api/accounts/v1/password/reset/confirm/"),
            "{mail}"
        );
        assert!(!mail.contains("evil.example"), "{mail}");
    }
}

/// The blog with its settings changed by `configure`.
async fn blog_with(
    configure: impl FnOnce(&mut rest_framework::settings::Settings) + Send + 'static,
) -> TestServer {
    TestServer::start_blog_app(move |db, config| {
        use rest_framework::poem::EndpointExt;
        let mut settings = example_blog::api::settings(config);
        configure(&mut settings);
        let state = AppState::new::<example_blog::entities::user::Entity>(db, settings);
        rest_framework::contrib::accounts::include::<example_blog::entities::user::Entity>(
            example_blog::api::urlpatterns(),
            "/api/accounts/v1/",
            example_blog::api::accounts_settings(config),
        )
        .into_endpoint(state)
        .boxed()
    })
    .await
}

/// The blog with its settings' `ALLOWED_HOSTS` replaced.
async fn blog_with_allowed_hosts(hosts: &'static str) -> TestServer {
    blog_with(move |settings| {
        settings.allowed_hosts = rest_framework::hosts::AllowedHosts::from_comma_separated(hosts);
    })
    .await
}

/// `.example.org` allows the domain and its subdomains, which the links then name; `*` any
/// well-formed host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_host_patterns_are_djangos() {
    let s = blog_with_allowed_hosts(".example.org").await;
    let r = s
        .request("GET", "/api/")
        .header("Host", "api.example.org")
        .send()
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["articles"], "http://api.example.org/api/articles/");
    for host in ["example.org", "a.b.example.org:8443"] {
        s.request("GET", "/api/")
            .header("Host", host)
            .send()
            .await
            .assert_status(200);
    }
    for host in ["badexample.org", "localhost", "example.org.evil.example"] {
        s.request("GET", "/api/")
            .header("Host", host)
            .send()
            .await
            .assert_status(400);
    }
    let any = blog_with_allowed_hosts("*").await;
    any.request("GET", "/api/")
        .header("Host", "anything.example:1")
        .send()
        .await
        .assert_status(200);
}

// --- refresh-token rotation race ---------------------------------------------------------------

/// 16 refreshes of one refresh token at once, with rotation and blacklisting: exactly one
/// gets a new pair; the others are told the token is blacklisted. (simplejwt lets several
/// through: it checks the blacklist, then blacklists.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_rotate_it_once() {
    let s = TestServer::start().await;
    if s.is_reference() {
        return;
    }
    s.create_user("race@example.com", "Passw0rd!x").await;
    for round in 0..3 {
        let (refresh, _) = s.token_pair("race@example.com", "Passw0rd!x").await;
        let body = json!({ "refresh": refresh });
        let attempts = (0..16).map(|_| s.post("/api/token/refresh/", None, &body));
        let answers = futures_util::future::join_all(attempts).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        let won = statuses.iter().filter(|status| **status == 200).count();
        assert_eq!(won, 1, "round {round}: {statuses:?}");
        for r in answers.iter().filter(|r| r.status != 200) {
            r.assert_json(
                401,
                &json!({"detail": "Token is blacklisted", "code": "token_not_valid"}),
            );
        }
    }
}

// --- statements the database cannot run --------------------------------------------------------

/// Searches SQLite cannot plan are 400s with a clear message, before any SQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_past_the_databases_limits_are_400s() {
    let s = TestServer::start().await;
    if s.is_reference() {
        return;
    }
    let (_, token) = s.user_with_token("search-limits@example.com").await;
    s.create_article(&token, "needle in a haystack", "content", &[])
        .await;
    let many = vec!["needle"; 1000].join(" ");
    let r = s
        .get(
            &format!("/api/articles/?search={}", many.replace(' ', "+")),
            None,
        )
        .await;
    r.assert_json(
        400,
        &json!(["Ensure the search has no more than 100 terms."]),
    );
    let long = "x".repeat(50_000);
    s.get(&format!("/api/articles/?search={long}"), None)
        .await
        .assert_json(
            400,
            &json!(["Ensure each search term has no more than 10000 characters."]),
        );
    // At the limits: answered.
    let hundred = vec!["needle"; 100].join("+");
    let r = s
        .get(&format!("/api/articles/?search={hundred}"), None)
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["count"], 1);
    let r = s
        .get(
            &format!("/api/articles/?search={}", "%25".repeat(10_000)),
            None,
        )
        .await;
    r.assert_status(200);
    // Ordering by the same field many times is no error either.
    let ordering = vec!["title"; 900].join(",");
    s.get(&format!("/api/articles/?ordering={ordering}"), None)
        .await
        .assert_status(200);
}

/// An article with 32,767 tag ids: a DRF error for ids that do not exist, and the article
/// with its tags when they do (the same tags repeated), never SQLite's `too many SQL
/// variables`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_tag_ids_are_checked_and_saved() {
    let s = TestServer::start().await;
    if s.is_reference() {
        return;
    }
    let (_, token) = s.user_with_token("many-tags@example.com").await;
    let missing: Vec<i64> = (1_000_000..1_032_767).collect();
    let r = s
        .post(
            "/api/articles/",
            Some(&token),
            &json!({"title": "t", "content": "c", "tags": missing}),
        )
        .await;
    r.assert_json(
        400,
        &json!({"tags": ["Invalid pk \"1000000\" - object does not exist."]}),
    );
    let a = s.create_tag("many-a").await;
    let b = s.create_tag("many-b").await;
    let repeated: Vec<i64> = (0..32_767)
        .map(|i| if i % 2 == 0 { a } else { b })
        .collect();
    let r = s
        .post(
            "/api/articles/",
            Some(&token),
            &json!({"title": "t", "content": "c", "tags": repeated}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["tags"], json!([a, b]), "{}", r.describe());
    // A filter with that many values is refused by DATA_UPLOAD_MAX_NUMBER_FIELDS.
    let query: Vec<String> = (0..2000).map(|i| format!("tags={i}")).collect();
    let r = s
        .get(&format!("/api/articles/?{}", query.join("&")), None)
        .await;
    r.assert_json(
        400,
        &json!({"detail": "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."}),
    );
}

// --- bodies larger than the settings allow -----------------------------------------------------

/// Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB) on every body, declared or chunked;
/// `DATA_UPLOAD_MAX_NUMBER_FIELDS` (1,000) on forms and query strings; at most 100,000
/// values in a JSON body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_past_the_upload_limits_are_400s() {
    let s = TestServer::start().await;
    if s.is_reference() {
        return;
    }
    let too_big = json!({"detail": "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."});
    let nine_mb = format!("{{\"email\": \"{}\"}}", "x".repeat(9_000_000));
    s.request("POST", "/api/token/")
        .raw_body("application/json", nine_mb.clone())
        .send()
        .await
        .assert_json(400, &too_big);
    // Without a Content-Length (chunked): cut off at the limit as it arrives.
    let host = host_header(&s);
    let mut chunked = Vec::new();
    for piece in nine_mb.as_bytes().chunks(1 << 20) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST /api/token/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    );
    let (status, body) = raw_request(&s, head.as_bytes(), &chunked).await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&body).ok()),
        (400, Some(too_big.clone()))
    );
    // Just under the limit: parsed (and refused by the serializer, as any bad login).
    let under = format!("{{\"email\": \"{}\"}}", "x".repeat(2_600_000));
    s.request("POST", "/api/token/")
        .raw_body("application/json", under)
        .send()
        .await
        .assert_json(400, &json!({"password": ["This field is required."]}));
    let form: Vec<String> = (0..1001).map(|i| format!("f{i}=v")).collect();
    s.request("POST", "/api/token/")
        .raw_body("application/x-www-form-urlencoded", form.join("&"))
        .send()
        .await
        .assert_json(
            400,
            &json!({"detail": "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."}),
        );
    let values = format!("{{\"email\": [{}]}}", vec!["0"; 100_001].join(","));
    s.request("POST", "/api/token/")
        .raw_body("application/json", values)
        .send()
        .await
        .assert_json(
            400,
            &json!({"detail": "JSON parse error - more than 100000 values in the body."}),
        );
    s.get("/api/", None).await.assert_status(200);
}

// --- smaller divergences from DRF -------------------------------------------------------------

/// Django keeps a multipart part whose name holds a control byte (no serializer field has
/// that name, so it is ignored), and decodes a value that is not UTF-8 with U+FFFD.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_edge_cases_are_read_as_django_reads_them() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("multipart-edge@example.com").await;
    let mut body = Vec::new();
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"ti\x01tle\"\r\n\r\nignored\r\n",
    );
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nCaf\xe9 \xff\r\n",
    );
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nBody\r\n--XyZ--\r\n",
    );
    let r = s
        .request("POST", "/api/articles/")
        .bearer(&token)
        .raw_body("multipart/form-data; boundary=XyZ", body)
        .send()
        .await;
    r.assert_status(201);
    assert_eq!(
        r.json()["title"],
        "Caf\u{fffd} \u{fffd}",
        "{}",
        r.describe()
    );
}

/// An `Authorization` header whose token is not text: simplejwt's 401 for an invalid token
/// (not an anonymous request); DRF's Token and Basic refusals as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_headers_that_are_not_text_are_401s() {
    let s = TestServer::start().await;
    let host = host_header(&s);
    let token_not_valid = json!({
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [{"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid"}],
    });
    let cases: [(&[u8], u16, Value); 5] = [
        (b"Bearer \xff", 401, token_not_valid.clone()),
        (b"Bearer a\xffb", 401, token_not_valid),
        (
            b"Token \xff",
            401,
            json!({"detail": "Invalid token header. Token string should not contain invalid characters."}),
        ),
        (
            b"Basic \xff",
            401,
            json!({"detail": "Invalid basic header. Credentials not correctly base64 encoded."}),
        ),
        (
            b"\xff x",
            200,
            json!({"count": 0, "next": null, "previous": null, "results": []}),
        ),
    ];
    for (value, status, expected) in cases {
        let mut head =
            format!("GET /api/articles/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: ").into_bytes();
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
        let (got, body) = raw_request(&s, &head, b"").await;
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert_eq!(
            (got, &body),
            (status, &expected),
            "{}",
            String::from_utf8_lossy(value)
        );
    }
}

// --- every status in the OpenAPI document -----------------------------------------------------

/// With `schema_document_errors`, each operation lists the errors it can answer (what
/// schemathesis checks); without it the document stays drf-spectacular's (tests/schema.rs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_can_list_every_status() {
    let s = blog_with(|settings| settings.schema_document_errors = true).await;
    let doc = s.get("/api/schema/?format=json", None).await.json();
    let statuses = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("no responses for {method} {path}"))
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        statuses("/api/articles/{id}/", "get"),
        ["200", "400", "401", "403", "404", "406"]
    );
    assert_eq!(
        statuses("/api/articles/", "get"),
        ["200", "400", "401", "403", "404", "406"]
    );
    assert_eq!(
        statuses("/api/articles/", "post"),
        ["200", "201", "400", "401", "403", "406", "415"]
    );
    assert_eq!(
        statuses("/api/token/", "post"),
        ["200", "201", "400", "401", "406", "415"]
    );
    assert_eq!(
        statuses("/api/accounts/v1/registration/verify-email/", "post"),
        ["200", "201", "400", "401", "403", "404", "406", "415"]
    );
    assert_eq!(
        doc["paths"]["/api/articles/{id}/"]["get"]["responses"]["404"],
        json!({"description": "Not Found"})
    );
    // The other success of a POST has the same body.
    assert_eq!(
        doc["paths"]["/api/articles/"]["post"]["responses"]["200"],
        doc["paths"]["/api/articles/"]["post"]["responses"]["201"]
    );
}
