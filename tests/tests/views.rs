//! The view layer on a small test app (`integration_tests::apps::views`): limit/offset and
//! cursor pagination, the settings' default paginator and per-viewset overrides,
//! `SimpleRouter` and `DefaultRouter`, function views (`api_view`), ReDoc, the exception
//! handler setting and 429s. Bodies are DRF's.

use example_blog::entities::article;
use integration_tests::apps::views::build;
use integration_tests::{TestServer, Value, json, msg};
use sea_orm::{ActiveModelTrait, Set};

async fn app() -> TestServer {
    TestServer::start_blog_app(build).await
}

/// Tags `t1`..`tN` (listed by name); returns their ids.
async fn tags(s: &TestServer, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 1..=n {
        ids.push(s.create_tag(&format!("t{i}")).await);
    }
    ids
}

fn tag_bodies(ids: &[i64], numbers: std::ops::RangeInclusive<usize>) -> Value {
    Value::Array(
        numbers
            .map(|i| json!({"id": ids[i - 1], "name": format!("t{i}")}))
            .collect(),
    )
}

/// A list route renders the statements of its unfiltered pages once only when the viewset's
/// queryset cannot change between requests: a `get_queryset` that reads the request keeps
/// building them per request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_dependent_get_queryset_is_not_rendered_once() {
    use integration_tests::apps::views::{LimitedTags, PrefixedTags};
    use rest_framework::viewsets::GenericViewSet;
    const { assert!(<LimitedTags as GenericViewSet>::QUERYSET_IS_STATIC) };
    const { assert!(!<PrefixedTags as GenericViewSet>::QUERYSET_IS_STATIC) };
    let s = app().await;
    for name in ["apple", "avocado", "banana", "blueberry", "cherry"] {
        s.create_tag(name).await;
    }
    let names = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .map(|rows| rows.iter().map(|row| row["name"].to_string()).collect())
            .unwrap_or_default()
    };
    for (prefix, expected) in [
        ("a", vec!["\"apple\"", "\"avocado\""]),
        ("b", vec!["\"banana\"", "\"blueberry\""]),
        ("c", vec!["\"cherry\""]),
        ("a", vec!["\"apple\"", "\"avocado\""]),
    ] {
        let r = s
            .get(&format!("/api/prefixed-tags/?prefix={prefix}"), None)
            .await;
        r.assert_status(200);
        assert_eq!(
            names(&r.json()),
            expected,
            "prefix {prefix}: {}",
            r.describe()
        );
        assert_eq!(r.json()["count"], expected.len(), "prefix {prefix}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_offset_pages_and_links_are_drfs() {
    let s = app().await;
    let ids = tags(&s, 6).await;
    let url = |query: &str| format!("{}/api/limited-tags/{query}", s.base_url());
    let page = |next: Option<&str>, previous: Option<&str>, numbers| {
        json!({
            "count": 6,
            "next": next.map(url),
            "previous": previous.map(url),
            "results": tag_bodies(&ids, numbers),
        })
    };
    s.get("/api/limited-tags/", None)
        .await
        .assert_json(200, &page(Some("?limit=2&offset=2"), None, 1..=2));
    // The previous link of the second page drops `offset`.
    s.get("/api/limited-tags/?limit=2&offset=2", None)
        .await
        .assert_json(
            200,
            &page(Some("?limit=2&offset=4"), Some("?limit=2"), 3..=4),
        );
    s.get("/api/limited-tags/?offset=5&limit=2", None)
        .await
        .assert_json(200, &page(None, Some("?limit=2&offset=3"), 6..=6));
    // `max_limit` caps the limit; invalid limits fall back to the default.
    s.get("/api/limited-tags/?limit=100", None)
        .await
        .assert_json(200, &page(Some("?limit=5&offset=5"), None, 1..=5));
    for bad in ["0", "-1", "x", ""] {
        s.get(&format!("/api/limited-tags/?limit={bad}"), None)
            .await
            .assert_json(200, &page(Some("?limit=2&offset=2"), None, 1..=2));
    }
    // An offset past the end is an empty page, not a 404; a negative one is 0.
    s.get("/api/limited-tags/?offset=10", None)
        .await
        .assert_json(
            200,
            &json!({"count": 6, "next": null, "previous": url("?limit=2&offset=8"), "results": []}),
        );
    s.get("/api/limited-tags/?offset=-1", None)
        .await
        .assert_json(200, &page(Some("?limit=2&offset=2"), None, 1..=2));
    // Other parameters are kept, sorted by name, as DRF's `replace_query_param`.
    s.get("/api/limited-tags/?zeta=1&limit=2&alpha=b", None)
        .await
        .assert_json(
            200,
            &page(Some("?alpha=b&limit=2&offset=2&zeta=1"), None, 1..=2),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_default_paginator_and_per_viewset_overrides() {
    let s = app().await;
    let ids = tags(&s, 4).await;
    let base = s.base_url();
    // The settings' default: limit/offset, 3 per page (also under the SimpleRouter).
    for prefix in ["/api/tags/", "/simple/tags/"] {
        s.get(prefix, None).await.assert_json(
            200,
            &json!({
                "count": 4,
                "next": format!("{base}{prefix}?limit=3&offset=3"),
                "previous": null,
                "results": tag_bodies(&ids, 1..=3),
            }),
        );
    }
    // `pagination = PageNumberPagination`.
    s.get("/api/paged-tags/?page_size=3", None)
        .await
        .assert_json(
            200,
            &json!({
                "count": 4,
                "next": format!("{base}/api/paged-tags/?page=2&page_size=3"),
                "previous": null,
                "results": tag_bodies(&ids, 1..=3),
            }),
        );
    // `pagination = None`: a bare list.
    s.get("/api/all-tags/", None)
        .await
        .assert_json(200, &tag_bodies(&ids, 1..=4));
}

/// Inserts an article by `user` created at `at` (RFC 3339); returns its id.
async fn article_at(s: &TestServer, user: i64, title: &str, at: &str) -> i64 {
    let row = article::ActiveModel {
        title: Set(title.into()),
        content: Set(String::new()),
        user_id: Set(user),
        ..Default::default()
    }
    .insert(&s.db)
    .await
    .expect("insert article");
    s.set_article_created_at(row.id, at).await;
    row.id
}

/// The `?cursor=` of a link.
fn cursor_of(link: &Value) -> String {
    let link = link.as_str().unwrap_or_else(|| panic!("no link: {link}"));
    link.split_once("?cursor=")
        .map(|(_, cursor)| cursor.to_string())
        .unwrap_or_else(|| panic!("no cursor in {link}"))
}

fn titles(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {body}"))
        .iter()
        .map(|a| a["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The list serializer does not show `content`, so list pages do not read it; a cursor
/// ordered by it still reads the real values (its positions come off the rows).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_over_a_column_the_serializer_hides_reads_its_values() {
    let s = app().await;
    let user = s
        .create_user("cursor-content@example.com", "password123!")
        .await;
    for (title, content) in [("t3", "ccc"), ("t1", "aaa"), ("t2", "bbb")] {
        let id = article_at(&s, user, title, "2026-01-01T10:00:00Z").await;
        article::ActiveModel {
            id: Set(id),
            content: Set(content.into()),
            ..Default::default()
        }
        .update(&s.db)
        .await
        .expect("set content");
    }
    let r = s.get("/api/articles-by-content/", None).await;
    r.assert_status(200);
    let page1 = r.json();
    assert_eq!(titles(&page1), ["t1", "t2"], "{}", r.describe());
    assert!(page1["results"][0].get("content").is_none(), "{page1}");
    // base64("p=bbb"): the position is the second row's real content, not a deferred blank.
    let next = cursor_of(&page1["next"]);
    assert_eq!(next, "cD1iYmI%3D");
    let page2 = s
        .get(&format!("/api/articles-by-content/?cursor={next}"), None)
        .await;
    page2.assert_status(200);
    assert_eq!(titles(&page2.json()), ["t3"], "{}", page2.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_pages_are_stable_under_inserts() {
    let s = app().await;
    let user = s.create_user("cursor@example.com", "password123!").await;
    for (title, at) in [
        ("a1", "2026-01-01T10:00:00Z"),
        ("a2", "2026-01-02T10:00:00Z"),
        ("a3", "2026-01-03T10:00:00Z"),
        ("a4", "2026-01-04T10:00:00.250000Z"),
        ("a5", "2026-01-05T10:00:00Z"),
    ] {
        article_at(&s, user, title, at).await;
    }
    let url = |cursor: &str| format!("{}/api/articles/?cursor={cursor}", s.base_url());
    // Page 1: newest first; the cursor is DRF's base64 of `p=<str(created_at)>`.
    let r = s.get("/api/articles/", None).await;
    r.assert_status(200);
    let page1 = r.json();
    assert_eq!(
        r.keys(),
        ["next", "previous", "results"],
        "{}",
        r.describe()
    );
    assert_eq!(titles(&page1), ["a5", "a4"]);
    assert_eq!(page1["previous"], Value::Null);
    // base64("p=2026-01-04+10%3A00%3A00.250000%2B00%3A00")
    let next = "cD0yMDI2LTAxLTA0KzEwJTNBMDAlM0EwMC4yNTAwMDAlMkIwMCUzQTAw";
    assert_eq!(page1["next"], json!(url(next)));

    // Rows inserted after page 1, newer than every row and between pages, neither repeat
    // nor hide rows of page 2.
    article_at(&s, user, "a6", "2026-01-06T10:00:00Z").await;
    let page2 = s.get(&format!("/api/articles/?cursor={next}"), None).await;
    page2.assert_status(200);
    let page2 = page2.json();
    assert_eq!(titles(&page2), ["a3", "a2"]);
    // base64("p=2026-01-02+10%3A00%3A00%2B00%3A00"), then quoted.
    assert_eq!(
        page2["next"],
        json!(url("cD0yMDI2LTAxLTAyKzEwJTNBMDAlM0EwMCUyQjAwJTNBMDA%3D"))
    );
    // base64("r=1&p=2026-01-03+10%3A00%3A00%2B00%3A00")
    let previous = "cj0xJnA9MjAyNi0wMS0wMysxMCUzQTAwJTNBMDAlMkIwMCUzQTAw";
    assert_eq!(page2["previous"], json!(url(previous)));

    let page3 = s
        .get(
            &format!("/api/articles/?cursor={}", cursor_of(&page2["next"])),
            None,
        )
        .await;
    let page3 = page3.json();
    assert_eq!(titles(&page3), ["a1"]);
    assert_eq!(page3["next"], Value::Null);
    assert!(page3["previous"].is_string());

    // Going back from page 2 shows page 1 again (a6 now precedes it).
    let back = s
        .get(&format!("/api/articles/?cursor={previous}"), None)
        .await;
    let back = back.json();
    assert_eq!(titles(&back), ["a5", "a4"]);
    assert_eq!(back["next"], json!(url(next)));
    let newest = s
        .get(
            &format!("/api/articles/?cursor={}", cursor_of(&back["previous"])),
            None,
        )
        .await;
    assert_eq!(titles(&newest.json()), ["a6"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_pages_through_equal_positions_with_offsets() {
    let s = app().await;
    let user = s.create_user("same@example.com", "password123!").await;
    // Three rows share one timestamp: the cursor carries an offset past them.
    for (title, at) in [
        ("b1", "2026-02-01T10:00:00Z"),
        ("b2", "2026-02-02T10:00:00Z"),
        ("b3", "2026-02-02T10:00:00Z"),
        ("b4", "2026-02-02T10:00:00Z"),
        ("b5", "2026-02-03T10:00:00Z"),
    ] {
        article_at(&s, user, title, at).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/articles/".to_string();
    for _ in 0..5 {
        let body = s.get(&path, None).await.json();
        seen.extend(titles(&body));
        match body["next"].as_str() {
            Some(next) => path = format!("/api/articles/?cursor={}", cursor_of(&json!(next))),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, ["b1", "b2", "b3", "b4", "b5"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_cursors_are_404() {
    let s = app().await;
    // Bad padding, "r=x", "o=-1", non-ASCII.
    for cursor in ["abc", "cj14", "bz0tMQ%3D%3D", "w7w%3D"] {
        s.get(&format!("/api/articles/?cursor={cursor}"), None)
            .await
            .assert_json(404, &json!({"detail": "Invalid cursor"}));
    }
    // Python's b64decode drops characters outside the alphabet: `%%%` is the empty cursor.
    s.get("/api/articles/?cursor=%25%25%25", None)
        .await
        .assert_json(200, &json!({"next": null, "previous": null, "results": []}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routers_root_and_simple_router() {
    let s = app().await;
    let base = s.base_url();
    let root = |suffix: &str| {
        json!({
            "articles": format!("{base}/api/articles{suffix}"),
            "articles-by-content": format!("{base}/api/articles-by-content{suffix}"),
            "tags": format!("{base}/api/tags{suffix}"),
            "limited-tags": format!("{base}/api/limited-tags{suffix}"),
            "prefixed-tags": format!("{base}/api/prefixed-tags{suffix}"),
            "paged-tags": format!("{base}/api/paged-tags{suffix}"),
            "all-tags": format!("{base}/api/all-tags{suffix}"),
        })
    };
    s.get("/api/", None).await.assert_json(200, &root("/"));
    s.get("/api/.json", None)
        .await
        .assert_json(200, &root(".json"));
    // SimpleRouter: no API root, no format suffixes.
    for path in ["/simple/", "/simple/tags.json"] {
        let r = s.get(path, None).await;
        r.assert_status(404)
            .assert_header("content-type", "text/html; charset=utf-8");
    }
    s.get("/simple/tags", None)
        .await
        .assert_status(301)
        .assert_header("location", "/simple/tags/");
    let id = s.create_tag("solo").await;
    s.get(&format!("/simple/tags/{id}/"), None)
        .await
        .assert_json(200, &json!({"id": id, "name": "solo"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_views_go_through_the_pipeline() {
    let s = app().await;
    s.get("/hello/", None)
        .await
        .assert_json(200, &json!({"message": "Hello, world!"}))
        .assert_header("allow", "GET, POST, OPTIONS")
        .assert_header("vary", "Accept");
    s.post("/hello/", None, &json!({"a": 1}))
        .await
        .assert_json(201, &json!({"message": "Got some data!", "data": {"a": 1}}));
    // Only the listed methods (and OPTIONS): HEAD too is 405, as in DRF's @api_view.
    for method in ["PUT", "DELETE", "HEAD"] {
        let r = s.request(method, "/hello/").send().await;
        r.assert_status(405)
            .assert_header("allow", "GET, POST, OPTIONS");
        if method != "HEAD" {
            r.assert_json(
                405,
                &json!({"detail": format!("Method \"{method}\" not allowed.")}),
            );
        }
    }
    s.request("OPTIONS", "/hello/").send().await.assert_json(
        200,
        &json!({
            "name": "Hello World",
            "description": "Says hello, or echoes what it is sent.",
            "renders": ["application/json", "text/html"],
            "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
        }),
    );
    s.request("POST", "/hello/")
        .raw_body("application/json", "{")
        .send()
        .await
        .assert_json(
            400,
            &json!({"detail": "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"}),
        );
    s.get("/hello/?format=xml", None)
        .await
        .assert_json(404, &json!({"detail": msg::NOT_FOUND}));
    let r = s
        .request("GET", "/hello/")
        .header("Accept", "application/json; indent=4")
        .send()
        .await;
    assert_eq!(r.text, "{\n    \"message\": \"Hello, world!\"\n}");
    s.request("GET", "/hello/")
        .header("Accept", "text/html")
        .send()
        .await
        .assert_status(200)
        .assert_header("content-type", "text/html; charset=utf-8");
    s.request("GET", "/hello/")
        .header("Accept", "image/png")
        .send()
        .await
        .assert_json(
            406,
            &json!({"detail": "Could not satisfy the request Accept header."}),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_view_permissions_and_authentication() {
    let s = app().await;
    s.get("/whoami/", None)
        .await
        .assert_json(401, &json!({"detail": msg::NOT_AUTHENTICATED}))
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    let id = s.create_user("who@example.com", "password123!").await;
    let token = s.sign_token(&json!({
        "token_type": "access",
        "exp": 4_000_000_000u64,
        "iat": 1_700_000_000u64,
        "jti": "views-test",
        "user_id": id.to_string(),
    }));
    s.get("/whoami/", Some(&token))
        .await
        .assert_json(200, &json!({"id": id}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_and_the_custom_exception_handler() {
    let s = app().await;
    s.get("/throttled/", None)
        .await
        .assert_json(
            429,
            &json!({"detail": "Request was throttled. Expected available in 5 seconds."}),
        )
        .assert_header("retry-after", "5");
    // Under /custom/ the app's handler adds `status_code`, as DRF's documented example.
    s.get("/custom/throttled/", None)
        .await
        .assert_json(
            429,
            &json!({
                "detail": "Request was throttled. Expected available in 5 seconds.",
                "status_code": 429,
            }),
        )
        .assert_header("retry-after", "5");
    s.get("/custom/missing/", None).await.assert_json(
        404,
        &json!({"detail": "No Widget matches the given query.", "status_code": 404}),
    );
    s.request("PUT", "/custom/missing/")
        .send()
        .await
        .assert_json(
            405,
            &json!({"detail": "Method \"PUT\" not allowed.", "status_code": 405}),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redoc_page_reads_the_schema() {
    let s = app().await;
    let r = s.get("/api/schema/redoc/", None).await;
    r.assert_status(200)
        .assert_header("content-type", "text/html; charset=utf-8");
    assert!(
        r.text.contains("<title>Views API</title>"),
        "{}",
        r.describe()
    );
    assert!(
        r.text.contains("<redoc spec-url=\"/api/schema/\"></redoc>"),
        "{}",
        r.describe()
    );
    assert!(r.text.contains("redoc.standalone.js"), "{}", r.describe());
    s.request("GET", "/api/schema/redoc/")
        .header("Accept", "application/json")
        .send()
        .await
        .assert_status(406);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_describes_each_paginator() {
    let s = app().await;
    let doc = s.get("/api/schema/?format=json", None).await.json();
    let params = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|p| p["name"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(params("/api/articles/"), ["cursor"]);
    assert_eq!(params("/api/limited-tags/"), ["limit", "offset"]);
    assert_eq!(params("/api/paged-tags/"), ["page", "page_size"]);
    assert!(params("/api/all-tags/").is_empty());
    let cursor = &doc["paths"]["/api/articles/"]["get"]["parameters"][0];
    assert_eq!(cursor["description"], "The pagination cursor value.");
    assert_eq!(cursor["schema"]["type"], "string");
    let schemas = &doc["components"]["schemas"];
    let article_list_page = doc["paths"]["/api/articles/"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let page = &schemas[&article_list_page];
    assert_eq!(page["required"], json!(["results"]), "{page}");
    assert!(page["properties"].get("count").is_none(), "{page}");
    assert_eq!(
        page["properties"]["next"]["example"],
        "http://api.example.org/accounts/?cursor=cD00ODY%3D\""
    );
    let tags_page = &schemas["PaginatedTagList"];
    assert_eq!(tags_page["required"], json!(["count", "results"]));
    assert_eq!(
        tags_page["properties"]["next"]["example"],
        "http://api.example.org/accounts/?offset=400&limit=100"
    );
    let all = &doc["paths"]["/api/all-tags/"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(all["type"], "array", "{all}");
}
