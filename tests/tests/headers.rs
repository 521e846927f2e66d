//! Headers on every response (OBSERVED.md 1.3): Django's security headers, DRF's `Allow` and
//! `Vary`, `Content-Length`; the trailing-slash 301 and the HTML 404; OPTIONS metadata (5, 4.1).

use integration_tests::{Response, TestServer, Value, json, msg};

const PW: &str = "password123!";
const ALLOW_ROOT: &str = "GET, HEAD, OPTIONS";
const ALLOW_TOKEN: &str = "POST, OPTIONS";
const RENDERS: [&str; 2] = ["application/json", "text/html"];
const PARSES: [&str; 3] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// `X-Frame-Options`, `X-Content-Type-Options`, `Referrer-Policy`, `Cross-Origin-Opener-Policy`.
fn assert_django_security_headers(r: &Response) {
    r.assert_header("x-frame-options", "DENY")
        .assert_header("x-content-type-options", "nosniff")
        .assert_header("referrer-policy", "same-origin")
        .assert_header("cross-origin-opener-policy", "same-origin");
}

/// The values of a comma-separated header, lower-cased.
fn header_tokens(r: &Response, name: &str) -> Vec<String> {
    r.header(name)
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// `Content-Length` is present and is the body's length.
fn assert_content_length(r: &Response) {
    let Some(value) = r.header("content-length") else {
        panic!("Content-Length is missing\n{}", r.describe());
    };
    let len: usize = value
        .parse()
        .unwrap_or_else(|_| panic!("Content-Length {value:?} is not a number\n{}", r.describe()));
    assert_eq!(
        len,
        r.raw_len,
        "Content-Length is not the body's length\n{}",
        r.describe()
    );
}

/// Everything a DRF view's response carries: the status, the security headers, `Allow` with the
/// route's methods, `Vary` with `Accept`, `Content-Type: application/json` and a correct
/// `Content-Length`.
fn assert_api_headers(r: &Response, status: u16, allow: &str) {
    r.assert_status(status);
    assert_django_security_headers(r);
    r.assert_header("allow", allow).assert_json_content_type();
    assert!(
        header_tokens(r, "vary").iter().any(|t| t == "accept"),
        "Vary must contain Accept\n{}",
        r.describe()
    );
    assert_content_length(r);
}

/// A user with a token and one article of theirs; returns `(token, article id)`.
async fn author_with_article(s: &TestServer, email: &str) -> (String, i64) {
    let (_, token) = s.user_with_token(email).await;
    let article = s.create_article(&token, "Headers", "Body", &[]).await;
    (token, article["id"].as_i64().expect("article id"))
}

// ---------------------------------------------------------------------------------------------
// Successful API responses

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_api_responses_carry_allow_vary_and_security_headers() {
    let s = TestServer::start().await;
    let (token, id) = author_with_article(&s, "headers-ok@example.com").await;
    let detail = format!("/api/articles/{id}/");

    assert_api_headers(&s.get("/api/", None).await, 200, ALLOW_ROOT);
    assert_api_headers(&s.get("/api/articles/", None).await, 200, msg::ALLOW_LIST);
    assert_api_headers(
        &s.get("/api/articles/", Some(&token)).await,
        200,
        msg::ALLOW_LIST,
    );
    assert_api_headers(&s.get(&detail, None).await, 200, msg::ALLOW_DETAIL);
    assert_api_headers(
        &s.post(
            "/api/articles/",
            Some(&token),
            &json!({"title": "Another", "content": "Text"}),
        )
        .await,
        201,
        msg::ALLOW_LIST,
    );
    assert_api_headers(
        &s.patch(&detail, Some(&token), &json!({"title": "Changed"}))
            .await,
        200,
        msg::ALLOW_DETAIL,
    );
    assert_api_headers(
        &s.put(
            &detail,
            Some(&token),
            &json!({"title": "Put", "content": "Whole"}),
        )
        .await,
        200,
        msg::ALLOW_DETAIL,
    );
    assert_api_headers(
        &s.post(
            "/api/token/",
            None,
            &json!({"email": "headers-ok@example.com", "password": PW}),
        )
        .await,
        200,
        ALLOW_TOKEN,
    );
    for path in ["/api/", "/api/articles/", detail.as_str(), "/api/token/"] {
        let allow = match path {
            "/api/" => ALLOW_ROOT,
            "/api/articles/" => msg::ALLOW_LIST,
            "/api/token/" => ALLOW_TOKEN,
            _ => msg::ALLOW_DETAIL,
        };
        assert_api_headers(&s.request("OPTIONS", path).send().await, 200, allow);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_has_the_get_headers_and_no_body() {
    let s = TestServer::start().await;
    let (_, id) = author_with_article(&s, "headers-head@example.com").await;
    for (path, allow) in [
        ("/api/".to_string(), ALLOW_ROOT),
        ("/api/articles/".to_string(), msg::ALLOW_LIST),
        (format!("/api/articles/{id}/"), msg::ALLOW_DETAIL),
        ("/api/articles/999999/".to_string(), msg::ALLOW_DETAIL),
    ] {
        let get = s.get(&path, None).await;
        let head = s.head(&path, None).await;
        head.assert_status(get.status);
        assert_django_security_headers(&head);
        head.assert_header("allow", allow)
            .assert_json_content_type();
        assert!(
            header_tokens(&head, "vary").iter().any(|t| t == "accept"),
            "Vary must contain Accept\n{}",
            head.describe()
        );
        assert_eq!(head.raw_len, 0, "HEAD has no body\n{}", head.describe());
        assert_eq!(
            head.header("content-length"),
            Some(get.raw_len.to_string()),
            "HEAD announces the GET body's length\n{}\n{}",
            head.describe(),
            get.describe()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_204_has_no_content_length_nor_content_type() {
    let s = TestServer::start().await;
    let (token, id) = author_with_article(&s, "headers-204@example.com").await;
    let r = s
        .delete(&format!("/api/articles/{id}/"), Some(&token))
        .await;
    r.assert_status(204)
        .assert_header("allow", msg::ALLOW_DETAIL)
        .assert_no_header("content-length")
        .assert_no_header("content-type");
    assert_django_security_headers(&r);
    assert!(
        header_tokens(&r, "vary").iter().any(|t| t == "accept"),
        "Vary must contain Accept\n{}",
        r.describe()
    );
    assert_eq!(r.raw_len, 0, "204 has no body\n{}", r.describe());
}

// ---------------------------------------------------------------------------------------------
// Error responses of the API

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_responses_carry_allow_vary_and_security_headers() {
    let s = TestServer::start().await;
    let (owner, id) = author_with_article(&s, "headers-owner@example.com").await;
    let (_, other) = s.user_with_token("headers-other@example.com").await;
    let detail = format!("/api/articles/{id}/");

    // 400: validation and parse errors.
    let r = s.post("/api/articles/", Some(&owner), &json!({})).await;
    assert_api_headers(&r, 400, msg::ALLOW_LIST);
    let r = s
        .request("POST", "/api/articles/")
        .bearer(&owner)
        .raw_body("application/json", "not json")
        .send()
        .await;
    assert_api_headers(&r, 400, msg::ALLOW_LIST);

    // 401: no credentials (with WWW-Authenticate), bad token, bad login.
    let r = s
        .post(
            "/api/articles/",
            None,
            &json!({"title": "t", "content": "c"}),
        )
        .await;
    assert_api_headers(&r, 401, msg::ALLOW_LIST);
    r.assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    let r = s.delete(&detail, None).await;
    assert_api_headers(&r, 401, msg::ALLOW_DETAIL);
    let r = s.get("/api/articles/", Some("not-a-token")).await;
    assert_api_headers(&r, 401, msg::ALLOW_LIST);
    r.assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    let r = s
        .post(
            "/api/token/",
            None,
            &json!({"email": "headers-owner@example.com", "password": "wrong"}),
        )
        .await;
    assert_api_headers(&r, 401, ALLOW_TOKEN);

    // 403: not the author.
    let r = s.patch(&detail, Some(&other), &json!({"title": "x"})).await;
    assert_api_headers(&r, 403, msg::ALLOW_DETAIL);
    r.assert_no_header("www-authenticate");

    // 404: unknown id, non-numeric id, page out of range.
    assert_api_headers(
        &s.get("/api/articles/999999/", None).await,
        404,
        msg::ALLOW_DETAIL,
    );
    assert_api_headers(
        &s.get("/api/articles/abc/", None).await,
        404,
        msg::ALLOW_DETAIL,
    );
    assert_api_headers(
        &s.get("/api/articles/?page=99", None).await,
        404,
        msg::ALLOW_LIST,
    );
    assert_api_headers(
        &s.put("/api/articles/999999/", Some(&owner), &json!({}))
            .await,
        404,
        msg::ALLOW_DETAIL,
    );

    // 405: a method the route does not have (authenticated: permissions come first).
    let r = s.put("/api/articles/", Some(&owner), &json!({})).await;
    assert_api_headers(&r, 405, msg::ALLOW_LIST);
    r.assert_detail(405, "Method \"PUT\" not allowed.");
    let r = s.delete("/api/articles/", Some(&owner)).await;
    assert_api_headers(&r, 405, msg::ALLOW_LIST);
    let r = s.post(&detail, Some(&owner), &json!({})).await;
    assert_api_headers(&r, 405, msg::ALLOW_DETAIL);
    r.assert_detail(405, "Method \"POST\" not allowed.");
    let r = s.get("/api/token/", None).await;
    assert_api_headers(&r, 405, ALLOW_TOKEN);
    r.assert_detail(405, "Method \"GET\" not allowed.");

    // 415: a body media type no parser takes.
    let r = s
        .request("POST", "/api/articles/")
        .bearer(&owner)
        .raw_body("text/plain", "hello")
        .send()
        .await;
    assert_api_headers(&r, 415, msg::ALLOW_LIST);
}

/// OBSERVED 1.2: an `Accept` no renderer satisfies is a 406 (with the view's headers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsatisfiable_accept_is_406_with_the_view_headers() {
    let s = TestServer::start().await;
    let r = s
        .request("GET", "/api/articles/")
        .header("Accept", "application/xml")
        .send()
        .await;
    assert_api_headers(&r, 406, msg::ALLOW_LIST);
    r.assert_detail(406, "Could not satisfy the request Accept header.");
}

// ---------------------------------------------------------------------------------------------
// Django's own responses: the HTML 404 and the trailing-slash 301

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_404_has_the_security_headers_but_no_drf_headers() {
    let s = TestServer::start().await;
    for (method, path) in [
        ("GET", "/nope/"),
        ("GET", "/api/nope/"),
        ("POST", "/api/nope/"),
        ("DELETE", "/api/articles/1/extra/"),
    ] {
        let r = s.request(method, path).send().await;
        r.assert_status(404)
            .assert_header("content-type", "text/html; charset=utf-8")
            .assert_header("content-length", "179")
            .assert_no_header("allow")
            .assert_no_header("www-authenticate");
        assert_django_security_headers(&r);
        assert_eq!(r.raw_len, 179, "{}", r.describe());
        assert!(
            !header_tokens(&r, "vary").iter().any(|t| t == "accept"),
            "Django's 404 is not a DRF response: no `Vary: Accept`\n{}",
            r.describe()
        );
    }
}

/// The headers the trailing-slash 301 may carry: OBSERVED 1.3's list (`Vary: origin` comes from
/// the CORS middleware) plus the transport headers a server adds to everything.
const REDIRECT_HEADERS: [&str; 10] = [
    "content-type",
    "location",
    "content-length",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "vary",
    "date",
    "server",
    "connection",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trailing_slash_redirect_has_exactly_django_headers() {
    let s = TestServer::start().await;
    for (method, path, location) in [
        ("GET", "/api/articles", "/api/articles/"),
        (
            "GET",
            "/api/articles?page=2&page_size=5",
            "/api/articles/?page=2&page_size=5",
        ),
        ("GET", "/api/articles/7", "/api/articles/7/"),
        ("POST", "/api/articles", "/api/articles/"),
        ("GET", "/api", "/api/"),
        ("POST", "/api/token", "/api/token/"),
        ("HEAD", "/api/tags", "/api/tags/"),
    ] {
        let r = s.request(method, path).send().await;
        r.assert_status(301)
            .assert_header("location", location)
            .assert_header("content-type", "text/html; charset=utf-8")
            .assert_header("content-length", "0")
            .assert_header("x-content-type-options", "nosniff")
            .assert_header("referrer-policy", "same-origin")
            .assert_header("cross-origin-opener-policy", "same-origin")
            .assert_no_header("x-frame-options")
            .assert_no_header("allow");
        assert_eq!(r.raw_len, 0, "the 301 has an empty body\n{}", r.describe());
        let extra: Vec<&str> = r
            .headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| !REDIRECT_HEADERS.contains(k))
            .collect();
        assert!(
            extra.is_empty(),
            "the 301 carries headers Django does not send: {extra:?}\n{}",
            r.describe()
        );
        if let Some(vary) = r.header("vary") {
            assert_eq!(
                vary.to_ascii_lowercase(),
                "origin",
                "the 301 is no DRF response: only `Vary: origin`\n{}",
                r.describe()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// OPTIONS metadata

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_on_the_article_list_describes_the_view() {
    let s = TestServer::start().await;
    let r = s.request("OPTIONS", "/api/articles/").send().await;
    r.assert_json(
        200,
        &json!({
            "name": "Article List",
            "description": "",
            "renders": RENDERS,
            "parses": PARSES,
        }),
    );
    assert_api_headers(&r, 200, msg::ALLOW_LIST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_on_the_api_root_describes_the_router() {
    let s = TestServer::start().await;
    let r = s.request("OPTIONS", "/api/").send().await;
    r.assert_json(
        200,
        &json!({
            "name": "Api Root",
            "description": "The default basic root view for DefaultRouter",
            "renders": RENDERS,
            "parses": PARSES,
        }),
    );
    assert_api_headers(&r, 200, ALLOW_ROOT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_on_an_article_describes_the_instance_view() {
    let s = TestServer::start().await;
    let (_, id) = author_with_article(&s, "headers-options@example.com").await;
    let (_, other) = s.user_with_token("headers-options-other@example.com").await;
    let expected = json!({
        "name": "Article Instance",
        "description": "",
        "renders": RENDERS,
        "parses": PARSES,
    });
    // Anonymous users and non-owners may not PUT: no `actions`.
    for token in [None, Some(other.as_str())] {
        let r = s
            .request("OPTIONS", &format!("/api/articles/{id}/"))
            .bearer_opt(token)
            .send()
            .await;
        r.assert_json(200, &expected);
        assert_api_headers(&r, 200, msg::ALLOW_DETAIL);
    }
}

/// The article fields of the `POST` / `PUT` metadata (OBSERVED 5), as the reference sends them.
fn article_actions() -> Value {
    let datetime = |label: &str| json!({"type": "datetime", "required": false, "read_only": true, "label": label});
    let read_only = |ty: &str, label: &str| json!({"type": ty, "required": false, "read_only": true, "label": label});
    json!({
        "id": read_only("integer", "ID"),
        "title": {"type": "string", "required": true, "read_only": false, "label": "Title",
                  "max_length": 100},
        "content": {"type": "string", "required": true, "read_only": false, "label": "Content"},
        "user": read_only("field", "User"),
        "author": {"type": "nested object", "required": false, "read_only": true,
                   "label": "Author", "children": {
            "id": read_only("integer", "ID"),
            "email": {"type": "email", "required": true, "read_only": false,
                      "label": "Email address", "max_length": 254},
        }},
        "tags": {"type": "field", "required": false, "read_only": false, "label": "Tags"},
        "comment_set": {"type": "field", "required": false, "read_only": true,
                        "label": "Comment set", "child": {
            "type": "nested object", "required": false, "read_only": true, "children": {
                "id": read_only("integer", "ID"),
                "article": read_only("field", "Article"),
                "user": read_only("field", "User"),
                "content": {"type": "string", "required": true, "read_only": false,
                            "label": "Content", "max_length": 500},
                "created_at": datetime("Created at"),
                "updated_at": datetime("Updated at"),
            }}},
        "comment_count": read_only("integer", "Comment count"),
        "created_at": datetime("Created at"),
        "updated_at": datetime("Updated at"),
    })
}

/// OBSERVED 5: users allowed to write get `actions` (POST on the list, PUT for the author).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn options_describes_the_writable_fields_to_users_who_may_write() {
    let s = TestServer::start().await;
    let (token, id) = author_with_article(&s, "headers-actions@example.com").await;
    let r = s
        .request("OPTIONS", "/api/articles/")
        .bearer(&token)
        .send()
        .await;
    r.assert_json(
        200,
        &json!({
            "name": "Article List",
            "description": "",
            "renders": RENDERS,
            "parses": PARSES,
            "actions": {"POST": article_actions()},
        }),
    );
    let r = s
        .request("OPTIONS", &format!("/api/articles/{id}/"))
        .bearer(&token)
        .send()
        .await;
    r.assert_json(
        200,
        &json!({
            "name": "Article Instance",
            "description": "",
            "renders": RENDERS,
            "parses": PARSES,
            "actions": {"PUT": article_actions()},
        }),
    );
}

/// DRF's `get_view_name()` / `get_view_description()` of simplejwt's `TokenObtainPairView`,
/// and its serializer's fields (the reference's answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_on_the_token_view_describes_it() {
    let s = TestServer::start().await;
    let r = s.request("OPTIONS", "/api/token/").send().await;
    r.assert_json(
        200,
        &json!({
            "name": "Token Obtain Pair",
            "description": "Takes a set of user credentials and returns an access and refresh \
                            JSON web\ntoken pair to prove the authentication of those credentials.",
            "renders": RENDERS,
            "parses": PARSES,
            "actions": {"POST": {
                "email": {"type": "string", "required": true, "read_only": false,
                          "label": "Email"},
                "password": {"type": "string", "required": true, "read_only": false,
                             "label": "Password"},
            }},
        }),
    );
    assert_api_headers(&r, 200, ALLOW_TOKEN);
}
