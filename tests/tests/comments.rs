//! `/api/articles/{id}/comments/` (extra action) and `/api/comments/`: OBSERVED.md sections 2,
//! 3.2, 3.4, 4.3, 4.4, 5 and 8.

use integration_tests::{Response, TestServer, Value, as_id, drf_datetime, json, msg};

const PW: &str = "password123!";
const NO_COMMENT: &str = "No Comment matches the given query.";
const ALLOW_READ_ONLY_LIST: &str = "GET, HEAD, OPTIONS";
const MAX_500: &str = "Ensure this field has no more than 500 characters.";
const INVALID_CHOICE: &str =
    "Select a valid choice. That choice is not one of the available choices.";

/// A comment in DRF's field order.
fn comment(id: i64, article: i64, user: i64, content: &str, created: &str, updated: &str) -> Value {
    json!({"id": id, "article": article, "user": user, "content": content,
           "created_at": created, "updated_at": updated})
}

/// A paginated body.
fn page(
    count: usize,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<Value>,
) -> Value {
    json!({"count": count, "next": next, "previous": previous, "results": results})
}

/// The id of a freshly created article (over HTTP).
async fn article(s: &TestServer, token: &str, title: &str) -> i64 {
    as_id(
        &s.create_article(token, title, "body", &[]).await["id"],
        "article id",
    )
}

/// `(id, created_at, updated_at)` of a comment body, datetimes checked.
fn generated(r: &Response) -> (i64, String, String) {
    let body = r.json();
    (
        as_id(&body["id"], "comment id"),
        drf_datetime(&body["created_at"], "comment created_at"),
        drf_datetime(&body["updated_at"], "comment updated_at"),
    )
}

// ---------------------------------------------------------------------------------------------
// GET /api/articles/{id}/comments/

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_get_lists_the_articles_comments_oldest_first() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("action-get-alice@example.com").await;
    let bob = s.create_user("action-get-bob@example.com", PW).await;
    let a = article(&s, &token, "With comments").await;
    let other = article(&s, &token, "Other").await;

    // Oldest first by created_at, then id: `late` has the smallest id but comes last; `tie1` and
    // `tie2` share a created_at and come in id order.
    let late = s
        .create_comment(
            a,
            bob,
            "Late",
            "2030-01-03T00:00:00Z",
            "2030-01-04T00:00:00Z",
        )
        .await;
    let tie1 = s
        .create_comment(
            a,
            alice,
            "Tie one",
            "2030-01-01T00:00:00.500000Z",
            "2030-01-01T00:00:00.500000Z",
        )
        .await;
    s.create_comment(
        other,
        bob,
        "On the other article",
        "2029-01-01T00:00:00Z",
        "2029-01-01T00:00:00Z",
    )
    .await;
    let tie2 = s
        .create_comment(
            a,
            bob,
            "Tie two",
            "2030-01-01T00:00:00.500000Z",
            "2030-01-02T12:30:45.123456Z",
        )
        .await;
    let first = s
        .create_comment(
            a,
            alice,
            "First",
            "2029-12-31T23:59:59.999999Z",
            "2029-12-31T23:59:59.999999Z",
        )
        .await;

    let r = s.get(&format!("/api/articles/{a}/comments/"), None).await;
    r.assert_json(
        200,
        &page(
            4,
            None,
            None,
            vec![
                comment(
                    first,
                    a,
                    alice,
                    "First",
                    "2029-12-31T23:59:59.999999Z",
                    "2029-12-31T23:59:59.999999Z",
                ),
                comment(
                    tie1,
                    a,
                    alice,
                    "Tie one",
                    "2030-01-01T00:00:00.500000Z",
                    "2030-01-01T00:00:00.500000Z",
                ),
                comment(
                    tie2,
                    a,
                    bob,
                    "Tie two",
                    "2030-01-01T00:00:00.500000Z",
                    "2030-01-02T12:30:45.123456Z",
                ),
                comment(
                    late,
                    a,
                    bob,
                    "Late",
                    "2030-01-03T00:00:00Z",
                    "2030-01-04T00:00:00Z",
                ),
            ],
        ),
    )
    .assert_json_content_type()
    .assert_header("allow", msg::ALLOW_LIST);

    // An article without comments: an empty page.
    let empty = article(&s, &token, "Quiet").await;
    s.get(&format!("/api/articles/{empty}/comments/"), None)
        .await
        .assert_json(200, &page(0, None, None, vec![]));
    // Authenticated readers (not the author) see the same.
    let (_, carol) = s.user_with_token("action-get-carol@example.com").await;
    let r2 = s
        .get(&format!("/api/articles/{a}/comments/"), Some(&carol))
        .await;
    r2.assert_status(200);
    assert_eq!(r2.text, r.text, "same body for an authenticated reader");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_get_is_paginated_with_links_on_the_action_path() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("action-page-alice@example.com").await;
    let a = article(&s, &token, "Busy").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let at = format!("2030-01-01T00:00:0{i}Z");
        ids.push(s.create_comment(a, alice, &format!("c{i}"), &at, &at).await);
    }
    let item = |i: usize| {
        let at = format!("2030-01-01T00:00:0{i}Z");
        comment(ids[i], a, alice, &format!("c{i}"), &at, &at)
    };
    let base = s.url(&format!("/api/articles/{a}/comments/"));

    s.get(&format!("/api/articles/{a}/comments/?page_size=2"), None)
        .await
        .assert_json(
            200,
            &page(
                5,
                Some(format!("{base}?page=2&page_size=2")),
                None,
                vec![item(0), item(1)],
            ),
        );
    // `previous` of page 2 has no `page` parameter.
    s.get(
        &format!("/api/articles/{a}/comments/?page=2&page_size=2"),
        None,
    )
    .await
    .assert_json(
        200,
        &page(
            5,
            Some(format!("{base}?page=3&page_size=2")),
            Some(format!("{base}?page_size=2")),
            vec![item(2), item(3)],
        ),
    );
    s.get(
        &format!("/api/articles/{a}/comments/?page=last&page_size=2"),
        None,
    )
    .await
    .assert_json(
        200,
        &page(
            5,
            None,
            Some(format!("{base}?page=2&page_size=2")),
            vec![item(4)],
        ),
    );
    s.get(
        &format!("/api/articles/{a}/comments/?page=4&page_size=2"),
        None,
    )
    .await
    .assert_detail(404, msg::INVALID_PAGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_get_default_page_size_is_ten() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("action-ten-alice@example.com").await;
    let a = article(&s, &token, "Many").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let at = format!("2030-01-01T00:00:{i:02}Z");
        ids.push(s.create_comment(a, alice, "x", &at, &at).await);
    }
    let base = s.url(&format!("/api/articles/{a}/comments/"));
    let r = s.get(&format!("/api/articles/{a}/comments/"), None).await;
    r.assert_status(200);
    let body = r.json();
    assert_eq!(body["count"], json!(12), "count\n{}", r.describe());
    assert_eq!(
        body["next"],
        json!(format!("{base}?page=2")),
        "next\n{}",
        r.describe()
    );
    let got: Vec<i64> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|c| as_id(&c["id"], "id"))
        .collect();
    assert_eq!(got, ids[..10], "first ten, oldest first\n{}", r.describe());
    let r = s
        .get(&format!("/api/articles/{a}/comments/?page=2"), None)
        .await;
    r.assert_status(200);
    assert_eq!(
        r.json()["previous"],
        json!(base),
        "previous\n{}",
        r.describe()
    );
}

// ---------------------------------------------------------------------------------------------
// POST /api/articles/{id}/comments/

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_post_by_non_author_creates_comment_from_url_and_requester() {
    let s = TestServer::start().await;
    let (alice, alice_token) = s.user_with_token("action-post-alice@example.com").await;
    let (bob, bob_token) = s.user_with_token("action-post-bob@example.com").await;
    let a = article(&s, &alice_token, "Alice's").await;
    let other = article(&s, &alice_token, "Decoy").await;

    // `article`, `user`, `id` and the datetimes in the body are ignored.
    let r = s
        .post(
            &format!("/api/articles/{a}/comments/"),
            Some(&bob_token),
            &json!({
                "content": "Bob says hi",
                "article": other,
                "user": alice,
                "id": 999999,
                "created_at": "2000-01-01T00:00:00Z",
                "updated_at": "2000-01-01T00:00:00Z",
            }),
        )
        .await;
    let (id, created_at, updated_at) = generated(&r);
    assert_ne!(id, 999999, "the body's id is ignored\n{}", r.describe());
    assert_ne!(created_at, "2000-01-01T00:00:00Z", "{}", r.describe());
    r.assert_json(
        201,
        &comment(id, a, bob, "Bob says hi", &created_at, &updated_at),
    )
    .assert_json_content_type()
    .assert_header("allow", msg::ALLOW_LIST)
    .assert_no_header("location");

    assert_eq!(s.count_comments(Some(a)).await, 1);
    assert_eq!(s.count_comments(Some(other)).await, 0);
    // The new comment is served everywhere the same.
    s.get(&format!("/api/comments/{id}/"), None)
        .await
        .assert_json(
            200,
            &comment(id, a, bob, "Bob says hi", &created_at, &updated_at),
        );
    s.get(&format!("/api/articles/{a}/comments/"), None)
        .await
        .assert_json(
            200,
            &page(
                1,
                None,
                None,
                vec![comment(id, a, bob, "Bob says hi", &created_at, &updated_at)],
            ),
        );

    // The article's author may comment too; comments come oldest first.
    let r = s
        .post(
            &format!("/api/articles/{a}/comments/"),
            Some(&alice_token),
            &json!({"content": "Alice answers"}),
        )
        .await;
    let (id2, c2, u2) = generated(&r);
    r.assert_json(201, &comment(id2, a, alice, "Alice answers", &c2, &u2));
    let r = s.get(&format!("/api/articles/{a}/"), None).await;
    r.assert_status(200);
    assert_eq!(
        r.json()["comment_set"],
        json!([
            comment(id, a, bob, "Bob says hi", &created_at, &updated_at),
            comment(id2, a, alice, "Alice answers", &c2, &u2),
        ]),
        "the article's comment_set\n{}",
        r.describe()
    );
    assert_eq!(r.json()["comment_count"], json!(2), "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_post_content_of_500_characters_is_accepted_and_trimmed() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("action-500-bob@example.com").await;
    let a = article(&s, &token, "Long comments").await;
    let long = "é".repeat(500);
    let r = s
        .post(
            &format!("/api/articles/{a}/comments/"),
            Some(&token),
            &json!({"content": long}),
        )
        .await;
    let (id, c, u) = generated(&r);
    r.assert_json(201, &comment(id, a, bob, &long, &c, &u));

    let r = s
        .post(
            &format!("/api/articles/{a}/comments/"),
            Some(&token),
            &json!({"content": "  padded  "}),
        )
        .await;
    let (id, c, u) = generated(&r);
    r.assert_json(201, &comment(id, a, bob, "padded", &c, &u));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_post_validation_errors() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("action-invalid-bob@example.com").await;
    let a = article(&s, &token, "Strict").await;
    let path = format!("/api/articles/{a}/comments/");
    let cases = [
        (json!({}), msg::REQUIRED),
        (json!({"article": a}), msg::REQUIRED),
        (json!({"content": ""}), msg::BLANK),
        (json!({"content": "   "}), msg::BLANK),
        (json!({"content": null}), msg::NULL),
        (json!({"content": true}), msg::NOT_A_STRING),
        (json!({"content": "x".repeat(501)}), MAX_500),
    ];
    for (body, text) in cases {
        s.post(&path, Some(&token), &body)
            .await
            .assert_json(400, &json!({ "content": [text] }))
            .assert_header("allow", msg::ALLOW_LIST);
    }
    // An empty body is an empty object.
    s.request("POST", &path)
        .bearer(&token)
        .send()
        .await
        .assert_json(400, &json!({"content": [msg::REQUIRED]}));
    assert_eq!(s.count_comments(None).await, 0, "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_anonymous_post_is_401_even_for_unknown_article() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("action-anon-alice@example.com").await;
    let a = article(&s, &token, "Closed to strangers").await;
    s.post(
        &format!("/api/articles/{a}/comments/"),
        None,
        &json!({"content": "hi"}),
    )
    .await
    .assert_not_authenticated()
    .assert_header("allow", msg::ALLOW_LIST);
    // Authentication and permission come before the article lookup.
    s.post(
        "/api/articles/999999/comments/",
        None,
        &json!({"content": "hi"}),
    )
    .await
    .assert_not_authenticated();
    // ... and before the body is read.
    s.post(&format!("/api/articles/{a}/comments/"), None, &json!({}))
        .await
        .assert_not_authenticated();
    assert_eq!(s.count_comments(None).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_unknown_article_is_404() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("action-404-bob@example.com").await;
    s.get("/api/articles/999999/comments/", None)
        .await
        .assert_detail(404, msg::NO_ARTICLE)
        .assert_header("allow", msg::ALLOW_LIST);
    s.get("/api/articles/999999/comments/", Some(&token))
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    // The lookup comes before the body: an invalid body on an unknown article is still 404.
    s.post(
        "/api/articles/999999/comments/",
        Some(&token),
        &json!({"content": "hi"}),
    )
    .await
    .assert_detail(404, msg::NO_ARTICLE)
    .assert_header("allow", msg::ALLOW_LIST);
    s.post("/api/articles/999999/comments/", Some(&token), &json!({}))
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    // A non-numeric id is the generic 404.
    s.get("/api/articles/abc/comments/", None)
        .await
        .assert_detail(404, msg::NOT_FOUND);
    s.post(
        "/api/articles/abc/comments/",
        Some(&token),
        &json!({"content": "hi"}),
    )
    .await
    .assert_detail(404, msg::NOT_FOUND);
    assert_eq!(s.count_comments(None).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_other_methods_are_405_with_allow() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("action-405-alice@example.com").await;
    let a = article(&s, &token, "Methods").await;
    let path = format!("/api/articles/{a}/comments/");
    let body = json!({"content": "x"});
    for method in ["PUT", "PATCH", "DELETE"] {
        s.request(method, &path)
            .bearer(&token)
            .json(&body)
            .send()
            .await
            .assert_detail(405, &format!("Method \"{method}\" not allowed."))
            .assert_header("allow", msg::ALLOW_LIST)
            .assert_json_content_type();
        // Anonymous: the permission check comes first.
        s.request(method, &path)
            .json(&body)
            .send()
            .await
            .assert_not_authenticated()
            .assert_header("allow", msg::ALLOW_LIST);
    }
    assert_eq!(s.count_comments(None).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_head_and_options() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("action-options-alice@example.com").await;
    let a = article(&s, &token, "Options").await;
    s.create_comment(
        a,
        alice,
        "c",
        "2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00Z",
    )
    .await;
    let path = format!("/api/articles/{a}/comments/");

    let get = s.get(&path, None).await;
    let head = s.head(&path, None).await;
    head.assert_status(200)
        .assert_header("allow", msg::ALLOW_LIST)
        .assert_json_content_type()
        .assert_header("content-length", &get.raw_len.to_string());
    assert_eq!(head.raw_len, 0, "HEAD has no body\n{}", head.describe());

    // Anonymous: no `actions`.
    s.request("OPTIONS", &path)
        .send()
        .await
        .assert_json(
            200,
            &json!({
                "name": "Comments",
                "description": "",
                "renders": ["application/json", "text/html"],
                "parses": [
                    "application/json",
                    "application/x-www-form-urlencoded",
                    "multipart/form-data"
                ],
            }),
        )
        .assert_header("allow", msg::ALLOW_LIST)
        .assert_json_content_type();
}

// ---------------------------------------------------------------------------------------------
// GET /api/comments/

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_is_every_comment_oldest_first() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("list-alice@example.com").await;
    let bob = s.create_user("list-bob@example.com", PW).await;
    let a1 = article(&s, &token, "One").await;
    let a2 = article(&s, &token, "Two").await;
    let c3 = s
        .create_comment(
            a1,
            bob,
            "third",
            "2030-01-03T00:00:00Z",
            "2030-01-03T00:00:00Z",
        )
        .await;
    let c1 = s
        .create_comment(
            a2,
            alice,
            "first",
            "2030-01-01T00:00:00Z",
            "2030-01-05T00:00:00Z",
        )
        .await;
    let c2a = s
        .create_comment(
            a1,
            alice,
            "second a",
            "2030-01-02T00:00:00.000001Z",
            "2030-01-02T00:00:00.000001Z",
        )
        .await;
    let c2b = s
        .create_comment(
            a2,
            bob,
            "second b",
            "2030-01-02T00:00:00.000001Z",
            "2030-01-02T00:00:00.000001Z",
        )
        .await;

    s.get("/api/comments/", None)
        .await
        .assert_json(
            200,
            &page(
                4,
                None,
                None,
                vec![
                    comment(
                        c1,
                        a2,
                        alice,
                        "first",
                        "2030-01-01T00:00:00Z",
                        "2030-01-05T00:00:00Z",
                    ),
                    comment(
                        c2a,
                        a1,
                        alice,
                        "second a",
                        "2030-01-02T00:00:00.000001Z",
                        "2030-01-02T00:00:00.000001Z",
                    ),
                    comment(
                        c2b,
                        a2,
                        bob,
                        "second b",
                        "2030-01-02T00:00:00.000001Z",
                        "2030-01-02T00:00:00.000001Z",
                    ),
                    comment(
                        c3,
                        a1,
                        bob,
                        "third",
                        "2030-01-03T00:00:00Z",
                        "2030-01-03T00:00:00Z",
                    ),
                ],
            ),
        )
        .assert_json_content_type()
        .assert_header("allow", ALLOW_READ_ONLY_LIST);

    // `?article=` keeps that article's comments, oldest first.
    s.get(&format!("/api/comments/?article={a1}"), None)
        .await
        .assert_json(
            200,
            &page(
                2,
                None,
                None,
                vec![
                    comment(
                        c2a,
                        a1,
                        alice,
                        "second a",
                        "2030-01-02T00:00:00.000001Z",
                        "2030-01-02T00:00:00.000001Z",
                    ),
                    comment(
                        c3,
                        a1,
                        bob,
                        "third",
                        "2030-01-03T00:00:00Z",
                        "2030-01-03T00:00:00Z",
                    ),
                ],
            ),
        );
    // An article without comments is a valid choice: an empty page.
    let a3 = article(&s, &token, "Three").await;
    s.get(&format!("/api/comments/?article={a3}"), None)
        .await
        .assert_json(200, &page(0, None, None, vec![]));
    // An empty value does not filter.
    let r = s.get("/api/comments/?article=", None).await;
    r.assert_status(200);
    assert_eq!(r.json()["count"], json!(4), "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_article_filter_with_pagination_keeps_parameters_sorted() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("list-page-alice@example.com").await;
    let a = article(&s, &token, "Paged").await;
    let other = article(&s, &token, "Other").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let at = format!("2030-01-01T00:00:0{i}Z");
        ids.push(s.create_comment(a, alice, "x", &at, &at).await);
        s.create_comment(other, alice, "y", &at, &at).await;
    }
    let at = |i: usize| format!("2030-01-01T00:00:0{i}Z");
    let base = s.url("/api/comments/");
    s.get(
        &format!("/api/comments/?page_size=1&page=2&article={a}"),
        None,
    )
    .await
    .assert_json(
        200,
        &page(
            4,
            Some(format!("{base}?article={a}&page=3&page_size=1")),
            Some(format!("{base}?article={a}&page_size=1")),
            vec![comment(ids[1], a, alice, "x", &at(1), &at(1))],
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_unknown_or_non_numeric_article_filter_is_400() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("list-400-alice@example.com").await;
    article(&s, &token, "Exists").await;
    for q in ["999999", "abc", "1.5", "-1"] {
        s.get(&format!("/api/comments/?article={q}"), None)
            .await
            .assert_json(400, &json!({"article": [INVALID_CHOICE]}))
            .assert_json_content_type()
            .assert_header("allow", ALLOW_READ_ONLY_LIST);
    }
}

// ---------------------------------------------------------------------------------------------
// /api/comments/{id}/

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrieve_and_404s() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("detail-alice@example.com").await;
    let a = article(&s, &token, "Detail").await;
    let id = s
        .create_comment(
            a,
            alice,
            "Look at me",
            "2030-01-01T00:00:00.123456Z",
            "2030-01-02T00:00:00Z",
        )
        .await;
    s.get(&format!("/api/comments/{id}/"), None)
        .await
        .assert_json(
            200,
            &comment(
                id,
                a,
                alice,
                "Look at me",
                "2030-01-01T00:00:00.123456Z",
                "2030-01-02T00:00:00Z",
            ),
        )
        .assert_json_content_type()
        .assert_header("allow", msg::ALLOW_DETAIL);

    s.get("/api/comments/999999/", None)
        .await
        .assert_detail(404, NO_COMMENT)
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.get("/api/comments/abc/", None)
        .await
        .assert_detail(404, msg::NOT_FOUND);
    // Authenticated writes to an unknown id are 404 too.
    s.put(
        "/api/comments/999999/",
        Some(&token),
        &json!({"content": "x"}),
    )
    .await
    .assert_detail(404, NO_COMMENT);
    s.patch(
        "/api/comments/999999/",
        Some(&token),
        &json!({"content": "x"}),
    )
    .await
    .assert_detail(404, NO_COMMENT);
    s.delete("/api/comments/999999/", Some(&token))
        .await
        .assert_detail(404, NO_COMMENT);
    // Anonymous writes to an unknown id are 401 (permission before lookup).
    s.put("/api/comments/999999/", None, &json!({"content": "x"}))
        .await
        .assert_not_authenticated();
    s.delete("/api/comments/999999/", None)
        .await
        .assert_not_authenticated();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comment_author_put_and_patch_are_200() {
    let s = TestServer::start().await;
    let (_, alice_token) = s.user_with_token("update-alice@example.com").await;
    let (bob, bob_token) = s.user_with_token("update-bob@example.com").await;
    let a = article(&s, &alice_token, "Alice's").await;
    let other = article(&s, &alice_token, "Other").await;
    let created = "2020-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "Original", created, created).await;
    let path = format!("/api/comments/{id}/");

    // PUT: `content` replaced; `article`/`user` in the body ignored; updated_at bumped.
    let r = s
        .put(
            &path,
            Some(&bob_token),
            &json!({"content": "Edited", "article": other, "user": 1, "created_at": "2000-01-01T00:00:00Z"}),
        )
        .await;
    let (rid, rc, u1) = generated(&r);
    assert_eq!((rid, rc.as_str()), (id, created), "{}", r.describe());
    assert_ne!(u1, created, "updated_at changes\n{}", r.describe());
    r.assert_json(200, &comment(id, a, bob, "Edited", created, &u1))
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.get(&path, None)
        .await
        .assert_json(200, &comment(id, a, bob, "Edited", created, &u1));

    // PATCH: only the given fields.
    let r = s
        .patch(&path, Some(&bob_token), &json!({"content": "Patched"}))
        .await;
    let (_, _, u2) = generated(&r);
    r.assert_json(200, &comment(id, a, bob, "Patched", created, &u2));
    // An empty PATCH is a valid no-op.
    let r = s.patch(&path, Some(&bob_token), &json!({})).await;
    let (_, _, u3) = generated(&r);
    r.assert_json(200, &comment(id, a, bob, "Patched", created, &u3));
    assert_eq!(s.count_comments(Some(a)).await, 1);
    assert_eq!(s.count_comments(Some(other)).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_validation_errors() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("update-invalid-bob@example.com").await;
    let a = article(&s, &token, "Strict").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "Keep me", at, at).await;
    let path = format!("/api/comments/{id}/");

    // PUT requires `content`.
    s.put(&path, Some(&token), &json!({}))
        .await
        .assert_json(400, &json!({"content": [msg::REQUIRED]}))
        .assert_header("allow", msg::ALLOW_DETAIL);
    for (body, text) in [
        (json!({"content": ""}), msg::BLANK),
        (json!({"content": null}), msg::NULL),
        (json!({"content": "y".repeat(501)}), MAX_500),
    ] {
        s.put(&path, Some(&token), &body)
            .await
            .assert_json(400, &json!({ "content": [text] }));
        s.patch(&path, Some(&token), &body)
            .await
            .assert_json(400, &json!({ "content": [text] }));
    }
    s.get(&path, None)
        .await
        .assert_json(200, &comment(id, a, bob, "Keep me", at, at));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_author_cannot_change_others_comments() {
    let s = TestServer::start().await;
    let (_, alice_token) = s.user_with_token("perm-alice@example.com").await;
    let bob = s.create_user("perm-bob@example.com", PW).await;
    let a = article(&s, &alice_token, "Alice's").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "Bob's", at, at).await;
    let path = format!("/api/comments/{id}/");

    // Alice wrote the article, not the comment.
    s.put(&path, Some(&alice_token), &json!({"content": "x"}))
        .await
        .assert_permission_denied()
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.patch(&path, Some(&alice_token), &json!({"content": "x"}))
        .await
        .assert_permission_denied();
    s.delete(&path, Some(&alice_token))
        .await
        .assert_permission_denied();
    // The permission check comes before the body.
    s.put(&path, Some(&alice_token), &json!({}))
        .await
        .assert_permission_denied();

    // Anonymous: 401.
    s.put(&path, None, &json!({"content": "x"}))
        .await
        .assert_not_authenticated()
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.patch(&path, None, &json!({"content": "x"}))
        .await
        .assert_not_authenticated();
    s.delete(&path, None).await.assert_not_authenticated();

    s.get(&path, None)
        .await
        .assert_json(200, &comment(id, a, bob, "Bob's", at, at));
    assert_eq!(s.count_comments(None).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comment_author_delete_is_204() {
    let s = TestServer::start().await;
    let (_, alice_token) = s.user_with_token("delete-alice@example.com").await;
    let (bob, bob_token) = s.user_with_token("delete-bob@example.com").await;
    let a = article(&s, &alice_token, "Alice's").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "Bye", at, at).await;
    let keep = s.create_comment(a, bob, "Stay", at, at).await;
    let path = format!("/api/comments/{id}/");

    let r = s.delete(&path, Some(&bob_token)).await;
    r.assert_status(204)
        .assert_no_header("content-type")
        .assert_header("allow", msg::ALLOW_DETAIL);
    assert_eq!(r.raw_len, 0, "204 has no body\n{}", r.describe());
    s.get(&path, None).await.assert_detail(404, NO_COMMENT);
    s.delete(&path, Some(&bob_token))
        .await
        .assert_detail(404, NO_COMMENT);
    assert_eq!(s.count_comments(Some(a)).await, 1);
    // The article and the other comment stay.
    let r = s.get(&format!("/api/articles/{a}/"), None).await;
    r.assert_status(200);
    assert_eq!(
        r.json()["comment_set"],
        json!([comment(keep, a, bob, "Stay", at, at)]),
        "{}",
        r.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_to_the_list_is_405_or_401_and_other_methods() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("post-list-bob@example.com").await;
    let a = article(&s, &token, "A").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "c", at, at).await;
    let body = json!({"content": "x", "article": a});

    s.post("/api/comments/", Some(&token), &body)
        .await
        .assert_detail(405, "Method \"POST\" not allowed.")
        .assert_header("allow", ALLOW_READ_ONLY_LIST)
        .assert_json_content_type();
    s.post("/api/comments/", None, &body)
        .await
        .assert_not_authenticated()
        .assert_header("allow", ALLOW_READ_ONLY_LIST);
    for method in ["PUT", "PATCH", "DELETE"] {
        s.request(method, "/api/comments/")
            .bearer(&token)
            .json(&body)
            .send()
            .await
            .assert_detail(405, &format!("Method \"{method}\" not allowed."))
            .assert_header("allow", ALLOW_READ_ONLY_LIST);
    }
    // POST on a detail route.
    s.post(&format!("/api/comments/{id}/"), Some(&token), &body)
        .await
        .assert_detail(405, "Method \"POST\" not allowed.")
        .assert_header("allow", msg::ALLOW_DETAIL);
    assert_eq!(s.count_comments(None).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_names_without_actions_for_anonymous() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("options-bob@example.com").await;
    let a = article(&s, &token, "A").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "c", at, at).await;
    let meta = |name: &str| {
        json!({
            "name": name,
            "description": "",
            "renders": ["application/json", "text/html"],
            "parses": [
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data"
            ],
        })
    };
    s.request("OPTIONS", "/api/comments/")
        .send()
        .await
        .assert_json(200, &meta("Comment List"))
        .assert_header("allow", ALLOW_READ_ONLY_LIST);
    // No `actions` on the comment list, even authenticated (there is no create).
    s.request("OPTIONS", "/api/comments/")
        .bearer(&token)
        .send()
        .await
        .assert_json(200, &meta("Comment List"));
    s.request("OPTIONS", &format!("/api/comments/{id}/"))
        .send()
        .await
        .assert_json(200, &meta("Comment Instance"))
        .assert_header("allow", msg::ALLOW_DETAIL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_ignores_ordering_search_and_other_filters() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("ignore-alice@example.com").await;
    let bob = s.create_user("ignore-bob@example.com", PW).await;
    let a = article(&s, &token, "A").await;
    let (t1, t2) = ("2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z");
    let c1 = s.create_comment(a, bob, "zzz first", t1, t1).await;
    let c2 = s.create_comment(a, alice, "second", t2, t2).await;
    let expected = page(
        2,
        None,
        None,
        vec![
            comment(c1, a, bob, "zzz first", t1, t1),
            comment(c2, a, alice, "second", t2, t2),
        ],
    );
    for q in [
        "?ordering=-created_at",
        "?ordering=-id",
        "?search=second",
        &format!("?user={alice}"),
        "?user=abc",
        "?content=second",
    ] {
        s.get(&format!("/api/comments/{q}"), None)
            .await
            .assert_json(200, &expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_applies_the_article_filter() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("detail-filter-bob@example.com").await;
    let a = article(&s, &token, "A").await;
    let other = article(&s, &token, "B").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "c", at, at).await;
    // DRF's get_object() looks the comment up in the filtered queryset.
    s.get(&format!("/api/comments/{id}/?article={a}"), None)
        .await
        .assert_json(200, &comment(id, a, bob, "c", at, at));
    s.get(&format!("/api/comments/{id}/?article={other}"), None)
        .await
        .assert_detail(404, NO_COMMENT);
    s.get(&format!("/api/comments/{id}/?article=abc"), None)
        .await
        .assert_json(400, &json!({"article": [INVALID_CHOICE]}))
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.patch(
        &format!("/api/comments/{id}/?article={other}"),
        Some(&token),
        &json!({"content": "x"}),
    )
    .await
    .assert_detail(404, NO_COMMENT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_post_form_encoded() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("action-form-bob@example.com").await;
    let a = article(&s, &token, "Form").await;
    let r = s
        .request("POST", &format!("/api/articles/{a}/comments/"))
        .bearer(&token)
        .raw_body(
            "application/x-www-form-urlencoded",
            "content=Hello+from+a+form&article=999999",
        )
        .send()
        .await;
    let (id, c, u) = generated(&r);
    r.assert_json(201, &comment(id, a, bob, "Hello from a form", &c, &u));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_filter_values_are_parsed_like_django() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("filter-forms-bob@example.com").await;
    let a = article(&s, &token, "A").await;
    article(&s, &token, "B").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "c", at, at).await;
    let expected = page(1, None, None, vec![comment(id, a, bob, "c", at, at)]);
    // Django's ModelChoiceField looks the value up as an integer (Python's int()).
    for q in [
        format!("0{a}"),
        format!("%20{a}"),
        format!("{a}%20"),
        format!("%2B{a}"),
    ] {
        s.get(&format!("/api/comments/?article={q}"), None)
            .await
            .assert_json(200, &expected);
    }
    s.get("/api/comments/?article=99999999999999999999", None)
        .await
        .assert_json(400, &json!({"article": [INVALID_CHOICE]}));
    s.get("/api/comments/?article=%00", None).await.assert_json(
        400,
        &json!({"article": ["Null characters are not allowed."]}),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_characters_in_content_are_400() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("nul-bob@example.com").await;
    let a = article(&s, &token, "A").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "clean", at, at).await;
    let nul = json!({"content": "a\u{0}b"});
    let err = json!({"content": ["Null characters are not allowed."]});
    s.post(&format!("/api/articles/{a}/comments/"), Some(&token), &nul)
        .await
        .assert_json(400, &err);
    s.put(&format!("/api/comments/{id}/"), Some(&token), &nul)
        .await
        .assert_json(400, &err);
    s.patch(&format!("/api/comments/{id}/"), Some(&token), &nul)
        .await
        .assert_json(400, &err);
    assert_eq!(s.count_comments(None).await, 1);
    s.get(&format!("/api/comments/{id}/"), None)
        .await
        .assert_json(200, &comment(id, a, bob, "clean", at, at));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_beyond_64_bits_are_the_models_404() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("big-id-bob@example.com").await;
    let big = "99999999999999999999";
    s.get(&format!("/api/comments/{big}/"), None)
        .await
        .assert_detail(404, NO_COMMENT);
    s.put(
        &format!("/api/comments/{big}/"),
        Some(&token),
        &json!({"content": "x"}),
    )
    .await
    .assert_detail(404, NO_COMMENT);
    s.get("/api/comments/9223372036854775808/", None)
        .await
        .assert_detail(404, NO_COMMENT);
    s.get(&format!("/api/articles/{big}/comments/"), None)
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    s.post(
        &format!("/api/articles/{big}/comments/"),
        Some(&token),
        &json!({"content": "x"}),
    )
    .await
    .assert_detail(404, msg::NO_ARTICLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_ids_are_parsed_like_python_int() {
    let s = TestServer::start().await;
    let (bob, token) = s.user_with_token("int-id-bob@example.com").await;
    let a = article(&s, &token, "A").await;
    let at = "2030-01-01T00:00:00Z";
    let id = s.create_comment(a, bob, "c", at, at).await;
    let body = comment(id, a, bob, "c", at, at);
    // Django looks `pk=" 1"` up as int(" 1") == 1.
    for p in [
        format!("%20{id}"),
        format!("{id}%20"),
        format!("%2B{id}"),
        format!("+{id}"),
    ] {
        s.get(&format!("/api/comments/{p}/"), None)
            .await
            .assert_json(200, &body);
    }
    let r = s
        .get(&format!("/api/articles/%20{a}/comments/"), None)
        .await;
    r.assert_json(200, &page(1, None, None, vec![body.clone()]));
    // `1_0` is int("1_0") == 10: a numeric id that does not exist.
    s.get("/api/comments/99_999/", None)
        .await
        .assert_detail(404, NO_COMMENT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_long_with_a_null_character_gives_both_messages_in_drfs_order() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("nul-long-bob@example.com").await;
    let a = article(&s, &token, "A").await;
    // Every validator runs: too long and a NUL give both messages, in DRF's order.
    let long = format!("{}\u{0}", "x".repeat(500));
    s.post(
        &format!("/api/articles/{a}/comments/"),
        Some(&token),
        &json!({"content": long}),
    )
    .await
    .assert_json(
        400,
        &json!({"content": [MAX_500, "Null characters are not allowed."]}),
    );
    assert_eq!(s.count_comments(None).await, 0);
}
