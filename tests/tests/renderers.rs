//! Formats and renderers on the blog, as the DRF reference answers them: the `.json` suffix
//! of `DefaultRouter` (`format_suffix_patterns`), `?format=`, unknown formats (404),
//! `Accept: application/json; indent=N`, the HTML of `Accept: text/html` / `?format=api`,
//! no ReDoc page, and Python's messages for malformed JSON bodies.

use integration_tests::{TestServer, json, msg};

const NOT_FOUND_HTML: &str = "<h1>Not Found</h1>";

async fn one_article(s: &TestServer) -> (i64, String, serde_json::Value) {
    let (user_id, token) = s.user_with_token("formats@example.com").await;
    let article = s.create_article(&token, "Formats", "Body", &[]).await;
    let _ = user_id;
    (
        integration_tests::as_id(&article["id"], "article id"),
        token,
        article,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_suffix_serves_list_detail_and_root_as_json() {
    let s = TestServer::start().await;
    let (id, _token, article) = one_article(&s).await;
    let list = s.get("/api/articles/", None).await.json();
    for path in [
        "/api/articles.json",
        "/api/articles.json/",
        "/api/articles/?format=json",
    ] {
        s.get(path, None)
            .await
            .assert_json(200, &list)
            .assert_header("content-type", "application/json")
            .assert_header("allow", msg::ALLOW_LIST);
    }
    s.get(&format!("/api/articles/{id}.json"), None)
        .await
        .assert_json(200, &article)
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.get("/api/articles/999999.json", None)
        .await
        .assert_json(404, &json!({"detail": msg::NO_ARTICLE}));
    // The API root keeps the format in its links.
    let base = s.base_url();
    s.get("/api/.json", None).await.assert_json(
        200,
        &json!({
            "articles": format!("{base}/api/articles.json"),
            "comments": format!("{base}/api/comments.json"),
            "tags": format!("{base}/api/tags.json"),
            "users": format!("{base}/api/users.json"),
        }),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyperlinks_keep_the_json_suffix() {
    let s = TestServer::start().await;
    let (_id, token, article) = one_article(&s).await;
    let user_id = integration_tests::as_id(&article["user"], "user");
    let base = s.base_url();
    let r = s
        .get(&format!("/api/users/{user_id}.json"), Some(&token))
        .await;
    r.assert_status(200);
    let body = r.json();
    assert_eq!(
        body["url"],
        json!(format!("{base}/api/users/{user_id}.json")),
        "{}",
        r.describe()
    );
    assert_eq!(
        body["articles"],
        json!([format!("{base}/api/articles/{}.json", article["id"])]),
        "{}",
        r.describe()
    );
    // Without the suffix, the links have none.
    let plain = s
        .get(&format!("/api/users/{user_id}/"), Some(&token))
        .await
        .json();
    assert_eq!(plain["url"], json!(format!("{base}/api/users/{user_id}/")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_formats_are_404() {
    let s = TestServer::start().await;
    // A format no renderer has: DRF's negotiation raises Http404 (before authentication).
    for path in [
        "/api/articles.xml",
        "/api/articles/?format=xml",
        "/api/articles/1/comments.xml",
    ] {
        s.get(path, None)
            .await
            .assert_json(404, &json!({"detail": msg::NOT_FOUND}))
            .assert_header("allow", msg::ALLOW_LIST);
    }
    // Paths the suffix patterns do not match are Django's HTML 404.
    for path in [
        "/api.json",
        "/api/articles/.json",
        "/api/articles.JSON",
        "/api/token.json",
        "/api/schema/redoc/",
    ] {
        let r = s.get(path, None).await;
        r.assert_status(404)
            .assert_header("content-type", "text/html; charset=utf-8");
        assert!(r.text.contains(NOT_FOUND_HTML), "{}", r.describe());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_indent_pretty_prints_like_python() {
    let s = TestServer::start().await;
    let (id, _token, article) = one_article(&s).await;
    let r = s
        .request("GET", &format!("/api/articles/{id}/"))
        .header("Accept", "application/json; indent=2")
        .send()
        .await;
    r.assert_status(200)
        .assert_header("content-type", "application/json");
    let expected = format!(
        "{{\n  \"id\": {id},\n  \"title\": \"Formats\",\n  \"content\": \"Body\",\n  \"user\": {user},\n  \"author\": {{\n    \"id\": {user},\n    \"email\": \"formats@example.com\"\n  }},\n  \"tags\": [],\n  \"comment_set\": [],\n  \"comment_count\": 0,\n  \"created_at\": \"{created}\",\n  \"updated_at\": \"{updated}\"\n}}",
        user = article["user"],
        created = article["created_at"].as_str().unwrap_or_default(),
        updated = article["updated_at"].as_str().unwrap_or_default(),
    );
    assert_eq!(r.text, expected, "{}", r.describe());
    let r = s
        .request("GET", "/api/articles/999999/")
        .header("Accept", "application/json; indent=2")
        .send()
        .await;
    r.assert_status(404);
    assert_eq!(
        r.text,
        format!("{{\n  \"detail\": \"{}\"\n}}", msg::NO_ARTICLE)
    );
    // indent=0 is compact.
    let r = s
        .request("GET", "/api/articles/999999/")
        .header("Accept", "application/json; indent=0")
        .send()
        .await;
    r.assert_json(404, &json!({"detail": msg::NO_ARTICLE}));
}

/// DRF's `JSONRenderer` writes U+2028 and U+2029 as escapes ("a strict javascript subset");
/// other non-ASCII characters stay as they are (`ensure_ascii=False`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_separators_are_escaped_as_drf_escapes_them() {
    let s = TestServer::start().await;
    let (_user_id, token) = s.user_with_token("separators@example.com").await;
    let title = "one\u{2028}two\u{2029}three";
    let created = s
        .request("POST", "/api/articles/")
        .bearer(&token)
        .json(&json!({"title": title, "content": "€ ✓"}))
        .send()
        .await;
    created.assert_status(201);
    let escaped = r#""title":"one\u2028two\u2029three""#;
    assert!(created.text.contains(escaped), "{}", created.describe());
    let id = integration_tests::as_id(&created.json()["id"], "article id");
    let detail = s.get(&format!("/api/articles/{id}/"), None).await;
    let list = s.get("/api/articles/", None).await;
    for r in [&detail, &list] {
        r.assert_status(200);
        assert!(r.text.contains(escaped), "{}", r.describe());
        assert!(!r.text.contains('\u{2028}'), "{}", r.describe());
    }
    // The escapes read back as the characters.
    assert_eq!(detail.json()["title"], title);
    assert_eq!(list.json()["results"][0]["title"], title);
    assert!(
        detail.text.contains(r#""content":"€ ✓""#),
        "{}",
        detail.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_is_a_page_of_the_response_with_its_status() {
    let s = TestServer::start().await;
    let (id, token, _article) = one_article(&s).await;
    for (path, accept, status) in [
        (format!("/api/articles/{id}/"), "text/html", 200),
        ("/api/articles/?format=api".to_string(), "*/*", 200),
        ("/api/articles.api".to_string(), "*/*", 200),
        ("/api/articles/999999/".to_string(), "text/html", 404),
    ] {
        let r = s
            .request("GET", &path)
            .header("Accept", accept)
            .send()
            .await;
        r.assert_status(status)
            .assert_header("content-type", "text/html; charset=utf-8");
        assert!(r.text.contains("<html"), "{}", r.describe());
        if !s.is_reference() {
            assert!(r.text.contains("<title>"), "{}", r.describe());
            assert!(
                r.text.contains(&format!("HTTP {status}")),
                "{}",
                r.describe()
            );
        }
    }
    if !s.is_reference() {
        let r = s
            .request("GET", &format!("/api/articles/{id}/"))
            .header("Accept", "text/html")
            .send()
            .await;
        // The JSON, indented and escaped.
        assert!(
            r.text.contains("&quot;title&quot;: &quot;Formats&quot;"),
            "{}",
            r.describe()
        );
        assert!(r.text.contains("Article Instance"), "{}", r.describe());
    }
    // The page's template context has Django's `user`, which looks at the session: the page
    // varies on `Cookie` even for a Bearer-authenticated request; its JSON does not.
    for (accept, vary) in [
        ("text/html", "Accept, Cookie, origin"),
        ("application/json", "Accept, origin"),
    ] {
        s.request("GET", &format!("/api/articles/{id}/"))
            .bearer(&token)
            .header("Accept", accept)
            .send()
            .await
            .assert_status(200)
            .assert_header("vary", vary);
    }
    // JSON first when both are acceptable.
    s.request("GET", "/api/articles/")
        .header("Accept", "text/html, application/json")
        .send()
        .await
        .assert_status(200)
        .assert_header("content-type", "application/json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_bodies_get_pythons_messages() {
    let s = TestServer::start().await;
    let (_user, token) = s.user_with_token("parse@example.com").await;
    let cases: &[(&[u8], &str)] = &[
        (b"  ", "Expecting value: line 1 column 3 (char 2)"),
        (
            b"{",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (br#"{"a":}"#, "Expecting value: line 1 column 6 (char 5)"),
        (
            br#"{"a":1,}"#,
            "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)",
        ),
        (
            br#"{"a":"\x"}"#,
            "Invalid \\escape: line 1 column 7 (char 6)",
        ),
        (
            br#"{"a":NaN}"#,
            "Out of range float values are not JSON compliant: 'NaN'",
        ),
        (b"not json", "Expecting value: line 1 column 1 (char 0)"),
        (br#"{"a":1}x"#, "Extra data: line 1 column 8 (char 7)"),
        (
            br#"{"a" 1}"#,
            "Expecting ':' delimiter: line 1 column 6 (char 5)",
        ),
        (
            br#"{"title":"abc"#,
            "Unterminated string starting at: line 1 column 10 (char 9)",
        ),
        (
            b"\"\xe2\x82",
            "Unterminated string starting at: line 1 column 1 (char 0)",
        ),
        (
            b"\xff{}",
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
        (
            b"{\"title\":\"\xe2\x28\xa1\"}",
            "'utf-8' codec can't decode byte 0xe2 in position 10: invalid continuation byte",
        ),
        (
            b"\xef\xbb\xbf{}",
            "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)",
        ),
    ];
    for (body, message) in cases {
        s.request("POST", "/api/articles/")
            .bearer(&token)
            .raw_body("application/json", body.to_vec())
            .send()
            .await
            .assert_json(
                400,
                &json!({"detail": format!("JSON parse error - {message}")}),
            );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_view_negotiates_drf_spectaculars_renderers() {
    let s = TestServer::start().await;
    for (query, accept, content_type) in [
        ("", "*/*", "application/vnd.oai.openapi; charset=utf-8"),
        (
            "?format=yaml",
            "*/*",
            "application/vnd.oai.openapi; charset=utf-8",
        ),
        ("?format=json", "*/*", "application/vnd.oai.openapi+json"),
        ("", "application/json", "application/json"),
        ("", "application/yaml", "application/yaml; charset=utf-8"),
        (
            "",
            "application/vnd.oai.openapi+json",
            "application/vnd.oai.openapi+json",
        ),
    ] {
        let r = s
            .request("GET", &format!("/api/schema/{query}"))
            .header("Accept", accept)
            .send()
            .await;
        r.assert_status(200)
            .assert_header("content-type", content_type);
        if content_type.contains("json") {
            // OpenApiJsonRenderer indents by 4.
            assert!(
                r.text.starts_with("{\n    \"openapi\": \"3.0.3\""),
                "{}",
                r.describe()
            );
        } else {
            assert!(r.text.starts_with("openapi: 3.0.3"), "{}", r.describe());
        }
    }
    let r = s
        .request("GET", "/api/schema/")
        .header("Accept", "application/json; indent=2")
        .send()
        .await;
    assert!(
        r.text.starts_with("{\n  \"openapi\": \"3.0.3\""),
        "{}",
        r.describe()
    );
    for query in ["?format=xml", "?format=api"] {
        s.get(&format!("/api/schema/{query}"), None)
            .await
            .assert_status(404);
    }
    for (path, accept) in [
        ("/api/schema/", "text/html"),
        ("/api/schema/swagger-ui/", "application/json"),
    ] {
        s.request("GET", path)
            .header("Accept", accept)
            .send()
            .await
            .assert_status(406);
    }
}
