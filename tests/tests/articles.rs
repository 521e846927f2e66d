//! `/api/` and `/api/articles/`: OBSERVED.md sections 1, 3.2, 4.1, 4.2 and 8.

use integration_tests::{TestServer, Value, as_id, drf_datetime, json, msg, parse_datetime};

const PW: &str = "password123!";

/// The full article representation, in DRF's field order.
#[allow(clippy::too_many_arguments)]
fn full_article(
    id: i64,
    title: &str,
    content: &str,
    user: i64,
    email: &str,
    tags: &[i64],
    comment_set: Vec<Value>,
    created_at: &str,
    updated_at: &str,
) -> Value {
    let count = comment_set.len();
    json!({
        "id": id,
        "title": title,
        "content": content,
        "user": user,
        "author": {"id": user, "email": email},
        "tags": tags,
        "comment_set": comment_set,
        "comment_count": count,
        "created_at": created_at,
        "updated_at": updated_at,
    })
}

/// Checks the server-generated parts of a full representation (id, datetimes) and returns
/// `(id, created_at, updated_at)` to build the expected body with.
fn generated(body: &Value) -> (i64, String, String) {
    (
        as_id(&body["id"], "article id"),
        drf_datetime(&body["created_at"], "article created_at"),
        drf_datetime(&body["updated_at"], "article updated_at"),
    )
}

fn comment(id: i64, article: i64, user: i64, content: &str, created: &str, updated: &str) -> Value {
    json!({"id": id, "article": article, "user": user, "content": content,
           "created_at": created, "updated_at": updated})
}

// ---------------------------------------------------------------------------------------------
// API root

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_root_lists_articles_with_absolute_url() {
    let s = TestServer::start().await;
    let r = s.get("/api/", None).await;
    r.assert_status(200).assert_json_content_type();
    let body = r.json();
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("the API root is not an object\n{}", r.describe()));
    assert_eq!(
        obj.get("articles"),
        Some(&json!(s.url("/api/articles/"))),
        "\"articles\" must be the absolute URL of the list\n{}",
        r.describe()
    );
    // Every entry is an absolute URL of its own list, and keys come in DRF's order.
    let order = ["articles", "comments", "tags", "users"];
    let mut last = 0;
    for (k, v) in obj {
        let pos = order
            .iter()
            .position(|o| o == k)
            .unwrap_or_else(|| panic!("unexpected key {k:?} in the API root\n{}", r.describe()));
        assert!(
            pos >= last,
            "API root keys must come in the order {order:?}\n{}",
            r.describe()
        );
        last = pos;
        assert_eq!(
            v,
            &json!(s.url(&format!("/api/{k}/"))),
            "API root {k:?} must be an absolute URL ending in `/`\n{}",
            r.describe()
        );
    }
    r.assert_header("allow", "GET, HEAD, OPTIONS");
}

// ---------------------------------------------------------------------------------------------
// Anonymous reads

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_list_shape_and_key_order() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("list-alice@example.com").await;
    let zeta = s.create_tag("ac-zeta").await;
    let alpha = s.create_tag("ac-alpha").await;
    let created = s
        .create_article(&token, "First", "Body", &[zeta, alpha])
        .await;
    let (id, created_at, _) = generated(&created);
    s.create_comment(
        id,
        alice,
        "c1",
        "2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00Z",
    )
    .await;
    s.create_comment(
        id,
        alice,
        "c2",
        "2030-01-01T00:00:01Z",
        "2030-01-01T00:00:01Z",
    )
    .await;

    let r = s.get("/api/articles/", None).await;
    r.assert_json(
        200,
        &json!({
            "count": 1,
            "next": null,
            "previous": null,
            "results": [{
                "id": id,
                "title": "First",
                "user": alice,
                "tags": [alpha, zeta],
                "comment_count": 2,
                "created_at": created_at,
            }],
        }),
    )
    .assert_json_content_type()
    .assert_header("allow", msg::ALLOW_LIST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_detail_full_shape_tags_by_name_comments_oldest_first() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("detail-alice@example.com").await;
    let bob = s.create_user("detail-bob@example.com", PW).await;
    // Inserted first so it has the smaller id; must still come last by name.
    let zeta = s.create_tag("ac-zeta").await;
    let alpha = s.create_tag("ac-alpha").await;
    let mid = s.create_tag("ac-mid").await;
    let created = s
        .create_article(&token, "Detailed", "Long body text.", &[zeta, mid, alpha])
        .await;
    let (id, created_at, updated_at) = generated(&created);

    // Comment order is created_at, then id: c1 has the smallest id but the latest created_at;
    // c2 and c3 share a created_at and are ordered by id.
    let c1 = s
        .create_comment(
            id,
            bob,
            "Latest",
            "2030-01-02T00:00:00.000001Z",
            "2030-01-03T00:00:00Z",
        )
        .await;
    let c2 = s
        .create_comment(
            id,
            alice,
            "Early",
            "2030-01-01T00:00:00Z",
            "2030-01-01T00:00:00.250000Z",
        )
        .await;
    let c3 = s
        .create_comment(
            id,
            bob,
            "Early too",
            "2030-01-01T00:00:00Z",
            "2030-01-01T12:30:45.123456Z",
        )
        .await;

    let r = s.get(&format!("/api/articles/{id}/"), None).await;
    r.assert_json(
        200,
        &full_article(
            id,
            "Detailed",
            "Long body text.",
            alice,
            "detail-alice@example.com",
            &[alpha, mid, zeta],
            vec![
                comment(
                    c2,
                    id,
                    alice,
                    "Early",
                    "2030-01-01T00:00:00Z",
                    "2030-01-01T00:00:00.250000Z",
                ),
                comment(
                    c3,
                    id,
                    bob,
                    "Early too",
                    "2030-01-01T00:00:00Z",
                    "2030-01-01T12:30:45.123456Z",
                ),
                comment(
                    c1,
                    id,
                    bob,
                    "Latest",
                    "2030-01-02T00:00:00.000001Z",
                    "2030-01-03T00:00:00Z",
                ),
            ],
            &created_at,
            &updated_at,
        ),
    )
    .assert_json_content_type()
    .assert_header("allow", msg::ALLOW_DETAIL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datetimes_are_utc_with_z_and_microseconds() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("dt-alice@example.com").await;
    let before = chrono::Utc::now();
    let created = s.create_article(&token, "T", "C", &[]).await;
    let after = chrono::Utc::now();
    let (id, created_at, updated_at) = generated(&created);
    for (name, v) in [("created_at", &created_at), ("updated_at", &updated_at)] {
        let t = parse_datetime(v);
        assert!(
            t >= before - chrono::Duration::seconds(1) && t <= after + chrono::Duration::seconds(1),
            "{name} {v} is not the current UTC time (between {before} and {after})"
        );
    }
    let list = s.get("/api/articles/", None).await.json();
    assert_eq!(
        list["results"][0]["created_at"],
        json!(created_at),
        "the list item's created_at must equal the one of the create response"
    );
    let detail = s.get(&format!("/api/articles/{id}/"), None).await.json();
    assert_eq!(detail["created_at"], json!(created_at));
    assert_eq!(detail["updated_at"], json!(updated_at));
}

// ---------------------------------------------------------------------------------------------
// Anonymous writes: 401 before anything else

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_writes_are_401_with_www_authenticate() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("anon-alice@example.com").await;
    let id = as_id(&s.create_article(&token, "T", "C", &[]).await["id"], "id");
    let body = json!({"title": "x", "content": "y"});
    let detail = format!("/api/articles/{id}/");

    s.post("/api/articles/", None, &body)
        .await
        .assert_not_authenticated()
        .assert_json_content_type();
    s.put(&detail, None, &body).await.assert_not_authenticated();
    s.patch(&detail, None, &body)
        .await
        .assert_not_authenticated();
    s.delete(&detail, None).await.assert_not_authenticated();
    // The permission check comes before the object lookup.
    s.put("/api/articles/999999/", None, &body)
        .await
        .assert_not_authenticated();
    s.patch("/api/articles/999999/", None, &body)
        .await
        .assert_not_authenticated();
    s.delete("/api/articles/999999/", None)
        .await
        .assert_not_authenticated();
    // ... and before the body is parsed.
    s.request("POST", "/api/articles/")
        .raw_body("text/plain", "hello")
        .send()
        .await
        .assert_not_authenticated();
    assert_eq!(
        s.count_articles().await,
        1,
        "an anonymous write changed the database"
    );
}

// ---------------------------------------------------------------------------------------------
// Create

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_returns_full_representation_and_ignores_read_only_fields() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("create-alice@example.com").await;
    let other = s.create_user("create-other@example.com", PW).await;
    let t1 = s.create_tag("create-b").await;
    let t2 = s.create_tag("create-a").await;

    let r = s
        .post(
            "/api/articles/",
            Some(&token),
            &json!({
                "title": "Hello",
                "content": "World",
                "tags": [t1, t2],
                "id": 5,
                "user": other,
                "author": {"id": other, "email": "create-other@example.com"},
                "comment_set": [{"content": "sneaky"}],
                "comment_count": 7,
                "created_at": "2000-01-01T00:00:00Z",
                "updated_at": "2000-01-01T00:00:00Z",
            }),
        )
        .await;
    r.assert_status(201);
    let body = r.json();
    let (id, created_at, updated_at) = generated(&body);
    assert_ne!(
        created_at, "2000-01-01T00:00:00Z",
        "created_at was taken from the body"
    );
    let expected = full_article(
        id,
        "Hello",
        "World",
        alice,
        "create-alice@example.com",
        &[t2, t1],
        vec![],
        &created_at,
        &updated_at,
    );
    r.assert_json(201, &expected)
        .assert_json_content_type()
        .assert_no_header("location");

    s.get(&format!("/api/articles/{id}/"), None)
        .await
        .assert_json(200, &expected);
    let n = s.count_comments(None).await;
    assert_eq!(n, 0, "comment_set in the create body must be ignored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_accepts_numbers_for_strings_and_numeric_string_tag_ids() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("numbers-alice@example.com").await;
    let r = s
        .post(
            "/api/articles/",
            Some(&token),
            &json!({"title": 12345, "content": 6.5}),
        )
        .await;
    r.assert_status(201);
    let (id, c, u) = generated(&r.json());
    r.assert_json(
        201,
        &full_article(
            id,
            "12345",
            "6.5",
            alice,
            "numbers-alice@example.com",
            &[],
            vec![],
            &c,
            &u,
        ),
    );

    let tag = s.create_tag("numeric").await;
    let r = s
        .post(
            "/api/articles/",
            Some(&token),
            &json!({"title": "t", "content": "c", "tags": [tag.to_string()]}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(
        r.json()["tags"],
        json!([tag]),
        "a numeric string tag id must be accepted\n{}",
        r.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_title_of_exactly_100_characters_is_accepted() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("len-alice@example.com").await;
    let title = "é".repeat(100); // characters, not bytes
    let r = s
        .post(
            "/api/articles/",
            Some(&token),
            &json!({"title": title, "content": "c"}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["title"], json!(title), "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_validation_errors() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("invalid-alice@example.com").await;
    let tag = s.create_tag("valid").await;
    let long = "x".repeat(101);
    let pk999 = "Invalid pk \"999999\" - object does not exist.";
    let cases: Vec<(Value, Value)> = vec![
        (
            json!({}),
            json!({"title": [msg::REQUIRED], "content": [msg::REQUIRED]}),
        ),
        (
            json!({"title": long, "content": "c"}),
            json!({"title": ["Ensure this field has no more than 100 characters."]}),
        ),
        (
            json!({"title": "", "content": "c"}),
            json!({"title": [msg::BLANK]}),
        ),
        (
            json!({"title": "   ", "content": "c"}),
            json!({"title": [msg::BLANK]}),
        ),
        (
            json!({"title": "t", "content": ""}),
            json!({"content": [msg::BLANK]}),
        ),
        (
            json!({"title": null, "content": "c"}),
            json!({"title": [msg::NULL]}),
        ),
        (
            json!({"title": "t", "content": null}),
            json!({"content": [msg::NULL]}),
        ),
        (
            json!({"title": true, "content": "c"}),
            json!({"title": [msg::NOT_A_STRING]}),
        ),
        (
            json!({"title": {"a": 1}, "content": "c"}),
            json!({"title": [msg::NOT_A_STRING]}),
        ),
        (
            json!({"title": ["a"], "content": "c"}),
            json!({"title": [msg::NOT_A_STRING]}),
        ),
        (
            json!({"title": "t", "content": false}),
            json!({"content": [msg::NOT_A_STRING]}),
        ),
        (
            json!({"title": "t", "content": "c", "tags": "1"}),
            json!({"tags": ["Expected a list of items but got type \"str\"."]}),
        ),
        (
            json!({"title": "t", "content": "c", "tags": ["abc"]}),
            json!({"tags": ["Incorrect type. Expected pk value, received str."]}),
        ),
        (
            json!({"title": "t", "content": "c", "tags": [{"id": tag}]}),
            json!({"tags": ["Incorrect type. Expected pk value, received dict."]}),
        ),
        (
            json!({"title": "t", "content": "c", "tags": [999999]}),
            json!({"tags": [pk999]}),
        ),
        (
            json!({"title": "t", "content": "c", "tags": [tag, 999999]}),
            json!({"tags": [pk999]}),
        ),
        (
            json!({"title": "t", "content": "c", "tags": null}),
            json!({"tags": [msg::NULL]}),
        ),
        // Several errors at once, reported in the serializer's field order whatever the
        // order of the request body.
        (
            json!({"tags": [999999], "content": null, "title": ""}),
            json!({"title": [msg::BLANK], "content": [msg::NULL], "tags": [pk999]}),
        ),
        (
            json!({"tags": "1", "content": true}),
            json!({
                "title": [msg::REQUIRED],
                "content": [msg::NOT_A_STRING],
                "tags": ["Expected a list of items but got type \"str\"."],
            }),
        ),
    ];
    for (body, expected) in cases {
        s.post("/api/articles/", Some(&token), &body)
            .await
            .assert_json(400, &expected)
            .assert_json_content_type();
    }
    assert_eq!(
        s.count_articles().await,
        0,
        "an invalid create wrote an article"
    );
}

// ---------------------------------------------------------------------------------------------
// Object permissions and lookups

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_owner_writes_are_403() {
    let s = TestServer::start().await;
    let (_, alice) = s.user_with_token("owner-alice@example.com").await;
    let (_, bob) = s.user_with_token("owner-bob@example.com").await;
    let created = s.create_article(&alice, "Mine", "Body", &[]).await;
    let id = as_id(&created["id"], "id");
    let path = format!("/api/articles/{id}/");

    s.put(
        &path,
        Some(&bob),
        &json!({"title": "Stolen", "content": "x"}),
    )
    .await
    .assert_permission_denied()
    .assert_json_content_type();
    s.patch(&path, Some(&bob), &json!({"title": "Stolen"}))
        .await
        .assert_permission_denied();
    // The object permission comes before body validation.
    s.patch(&path, Some(&bob), &json!({"title": ""}))
        .await
        .assert_permission_denied();
    s.delete(&path, Some(&bob)).await.assert_permission_denied();

    s.get(&path, None).await.assert_json(200, &created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_non_numeric_ids_are_404() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("missing-alice@example.com").await;
    let body = json!({"title": "x", "content": "y"});

    s.get("/api/articles/999999/", None)
        .await
        .assert_detail(404, msg::NO_ARTICLE)
        .assert_json_content_type();
    s.get("/api/articles/999999/", Some(&token))
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    s.put("/api/articles/999999/", Some(&token), &body)
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    s.patch("/api/articles/999999/", Some(&token), &body)
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    s.delete("/api/articles/999999/", Some(&token))
        .await
        .assert_detail(404, msg::NO_ARTICLE);

    s.get("/api/articles/abc/", None)
        .await
        .assert_detail(404, msg::NOT_FOUND)
        .assert_json_content_type();
    s.put("/api/articles/abc/", Some(&token), &body)
        .await
        .assert_detail(404, msg::NOT_FOUND);
    s.delete("/api/articles/abc/", Some(&token))
        .await
        .assert_detail(404, msg::NOT_FOUND);
    // Anonymous writes still fail authentication first.
    s.delete("/api/articles/abc/", None)
        .await
        .assert_not_authenticated();
}

// ---------------------------------------------------------------------------------------------
// Owner update / partial update / delete

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_put_requires_title_and_content_and_keeps_tags_when_omitted() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("put-alice@example.com").await;
    let t1 = s.create_tag("put-1").await;
    let t2 = s.create_tag("put-2").await;
    let created = s
        .create_article(&token, "Before", "Old body", &[t1, t2])
        .await;
    let (id, created_at, old_updated) = generated(&created);
    let path = format!("/api/articles/{id}/");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // title and content are required on PUT; nothing changes.
    s.put(&path, Some(&token), &json!({"title": "After"}))
        .await
        .assert_json(400, &json!({"content": [msg::REQUIRED]}));
    s.put(&path, Some(&token), &json!({})).await.assert_json(
        400,
        &json!({"title": [msg::REQUIRED], "content": [msg::REQUIRED]}),
    );

    // tags omitted: kept.
    let r = s
        .put(
            &path,
            Some(&token),
            &json!({"title": "After", "content": "New body"}),
        )
        .await;
    r.assert_status(200);
    let (_, c, updated) = generated(&r.json());
    assert_eq!(c, created_at, "PUT changed created_at\n{}", r.describe());
    assert!(
        parse_datetime(&updated) > parse_datetime(&old_updated),
        "PUT must bump updated_at (was {old_updated}, now {updated})\n{}",
        r.describe()
    );
    let expected = full_article(
        id,
        "After",
        "New body",
        alice,
        "put-alice@example.com",
        &[t1, t2],
        vec![],
        &created_at,
        &updated,
    );
    r.assert_json(200, &expected).assert_json_content_type();
    s.get(&path, None).await.assert_json(200, &expected);

    // tags given: replaced; an empty list clears them.
    let r = s
        .put(
            &path,
            Some(&token),
            &json!({"title": "A", "content": "B", "tags": [t2]}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["tags"], json!([t2]), "{}", r.describe());
    let r = s
        .put(
            &path,
            Some(&token),
            &json!({"title": "A", "content": "B", "tags": []}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["tags"], json!([]), "{}", r.describe());
    s.put(
        &path,
        Some(&token),
        &json!({"title": "", "content": "B", "tags": [999999]}),
    )
    .await
    .assert_json(
        400,
        &json!({"title": [msg::BLANK], "tags": ["Invalid pk \"999999\" - object does not exist."]}),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_patch_changes_only_given_fields() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("patch-alice@example.com").await;
    let t1 = s.create_tag("patch-1").await;
    let created = s.create_article(&token, "Before", "Body", &[t1]).await;
    let (id, created_at, old_updated) = generated(&created);
    let path = format!("/api/articles/{id}/");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    let r = s
        .patch(&path, Some(&token), &json!({"title": "Patched"}))
        .await;
    r.assert_status(200);
    let (_, _, updated) = generated(&r.json());
    assert!(
        parse_datetime(&updated) > parse_datetime(&old_updated),
        "PATCH must bump updated_at (was {old_updated}, now {updated})\n{}",
        r.describe()
    );
    r.assert_json(
        200,
        &full_article(
            id,
            "Patched",
            "Body",
            alice,
            "patch-alice@example.com",
            &[t1],
            vec![],
            &created_at,
            &updated,
        ),
    );

    // Only the given fields are validated.
    s.patch(&path, Some(&token), &json!({"content": ""}))
        .await
        .assert_json(400, &json!({"content": [msg::BLANK]}));
    s.patch(&path, Some(&token), &json!({"tags": [999999]}))
        .await
        .assert_json(
            400,
            &json!({"tags": ["Invalid pk \"999999\" - object does not exist."]}),
        );

    // `{}` is a valid no-op that still bumps updated_at.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let r = s.patch(&path, Some(&token), &json!({})).await;
    r.assert_status(200);
    let (_, _, updated2) = generated(&r.json());
    assert!(
        parse_datetime(&updated2) > parse_datetime(&updated),
        "PATCH {{}} must bump updated_at (was {updated}, now {updated2})\n{}",
        r.describe()
    );
    r.assert_json(
        200,
        &full_article(
            id,
            "Patched",
            "Body",
            alice,
            "patch-alice@example.com",
            &[t1],
            vec![],
            &created_at,
            &updated2,
        ),
    );

    // `"tags": []` clears the tags and leaves the rest.
    let r = s.patch(&path, Some(&token), &json!({"tags": []})).await;
    r.assert_status(200);
    let (_, _, updated3) = generated(&r.json());
    let expected = full_article(
        id,
        "Patched",
        "Body",
        alice,
        "patch-alice@example.com",
        &[],
        vec![],
        &created_at,
        &updated3,
    );
    r.assert_json(200, &expected);
    s.get(&path, None).await.assert_json(200, &expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_delete_is_204_without_body_and_deletes_comments() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("delete-alice@example.com").await;
    let bob = s.create_user("delete-bob@example.com", PW).await;
    let tag = s.create_tag("delete-tag").await;
    let doomed = as_id(
        &s.create_article(&token, "Doomed", "x", &[tag]).await["id"],
        "id",
    );
    let kept = as_id(
        &s.create_article(&token, "Kept", "y", &[tag]).await["id"],
        "id",
    );
    s.create_comment(
        doomed,
        bob,
        "a",
        "2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00Z",
    )
    .await;
    s.create_comment(
        doomed,
        alice,
        "b",
        "2030-01-01T00:00:01Z",
        "2030-01-01T00:00:01Z",
    )
    .await;
    s.create_comment(
        kept,
        bob,
        "c",
        "2030-01-01T00:00:02Z",
        "2030-01-01T00:00:02Z",
    )
    .await;

    let path = format!("/api/articles/{doomed}/");
    let r = s.delete(&path, Some(&token)).await;
    r.assert_status(204).assert_no_header("content-type");
    assert_eq!(
        r.raw_len,
        0,
        "a 204 must have an empty body\n{}",
        r.describe()
    );

    s.get(&path, None).await.assert_detail(404, msg::NO_ARTICLE);
    s.delete(&path, Some(&token))
        .await
        .assert_detail(404, msg::NO_ARTICLE);

    let left = s.count_comments(Some(doomed)).await;
    assert_eq!(left, 0, "deleting an article must delete its comments");
    let others = s.count_comments(Some(kept)).await;
    assert_eq!(
        others, 1,
        "deleting an article deleted another article's comments"
    );
    let r = s.get(&format!("/api/articles/{kept}/"), None).await;
    r.assert_status(200);
    assert_eq!(r.json()["tags"], json!([tag]), "{}", r.describe());
    assert_eq!(r.json()["comment_count"], json!(1), "{}", r.describe());
}

// ---------------------------------------------------------------------------------------------
// Methods and routing

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_methods_are_405_with_allow() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("methods-alice@example.com").await;
    let id = as_id(&s.create_article(&token, "T", "C", &[]).await["id"], "id");
    let body = json!({"title": "x", "content": "y"});

    s.post(&format!("/api/articles/{id}/"), Some(&token), &body)
        .await
        .assert_detail(405, "Method \"POST\" not allowed.")
        .assert_header("allow", msg::ALLOW_DETAIL)
        .assert_json_content_type();
    // The method check comes before the object lookup.
    s.post("/api/articles/999999/", Some(&token), &body)
        .await
        .assert_detail(405, "Method \"POST\" not allowed.")
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.delete("/api/articles/", Some(&token))
        .await
        .assert_detail(405, "Method \"DELETE\" not allowed.")
        .assert_header("allow", msg::ALLOW_LIST);
    s.put("/api/articles/", Some(&token), &body)
        .await
        .assert_detail(405, "Method \"PUT\" not allowed.")
        .assert_header("allow", msg::ALLOW_LIST);
    s.patch("/api/articles/", Some(&token), &body)
        .await
        .assert_detail(405, "Method \"PATCH\" not allowed.")
        .assert_header("allow", msg::ALLOW_LIST);
    // Anonymous: the permission check comes before the method check.
    s.post(&format!("/api/articles/{id}/"), None, &body)
        .await
        .assert_not_authenticated();
    s.delete("/api/articles/", None)
        .await
        .assert_not_authenticated();
    // Allow is on every response of the route, errors included.
    s.get("/api/articles/", None)
        .await
        .assert_header("allow", msg::ALLOW_LIST);
    s.get("/api/articles/999999/", None)
        .await
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.post("/api/articles/", None, &body)
        .await
        .assert_header("allow", msg::ALLOW_LIST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_trailing_slash_redirects_301() {
    let s = TestServer::start().await;
    for (path, location) in [
        ("/api/articles", "/api/articles/"),
        (
            "/api/articles?page=2&search=a%20b",
            "/api/articles/?page=2&search=a%20b",
        ),
        ("/api/articles/5", "/api/articles/5/"),
        ("/api", "/api/"),
    ] {
        let r = s.get(path, None).await;
        r.assert_status(301)
            .assert_header("location", location)
            .assert_header("content-type", "text/html; charset=utf-8");
        assert_eq!(
            r.raw_len,
            0,
            "the 301 must have an empty body\n{}",
            r.describe()
        );
    }
    // Also for writes (no authentication happens before the redirect).
    s.post(
        "/api/articles",
        None,
        &json!({"title": "x", "content": "y"}),
    )
    .await
    .assert_status(301)
    .assert_header("location", "/api/articles/");
}

const DJANGO_404: &str = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_are_django_html_404() {
    let s = TestServer::start().await;
    assert_eq!(DJANGO_404.len(), 179);
    for (method, path) in [
        ("GET", "/api/nope/"),
        ("GET", "/nope/"),
        ("GET", "/api/nope"),
        ("POST", "/api/nope/"),
        ("GET", "/api/articles/1/extra/"),
    ] {
        let r = s.request(method, path).send().await;
        r.assert_status(404)
            .assert_header("content-type", "text/html; charset=utf-8");
        assert_eq!(
            r.text,
            DJANGO_404,
            "not Django's 404 page\n{}",
            r.describe()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing and rendering (section 1.2)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_non_object_json_bodies_are_400() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("parse-alice@example.com").await;
    for raw in ["not json", "{\"title\": \"x\","] {
        let r = s
            .request("POST", "/api/articles/")
            .bearer(&token)
            .raw_body("application/json", raw)
            .send()
            .await;
        r.assert_status(400);
        let body = r.json();
        let keys = r.keys();
        assert_eq!(keys, ["detail"], "{}", r.describe());
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("JSON parse error - ")),
            "expected `JSON parse error - ...`\n{}",
            r.describe()
        );
    }
    for (raw, ty) in [("[1, 2]", "list"), ("\"x\"", "str"), ("5", "int")] {
        s.request("POST", "/api/articles/")
            .bearer(&token)
            .raw_body("application/json", raw)
            .send()
            .await
            .assert_json(
                400,
                &json!({"non_field_errors": [format!("Invalid data. Expected a dictionary, but got {ty}.")]}),
            );
    }
    // An empty body is an empty object.
    s.request("POST", "/api/articles/")
        .bearer(&token)
        .raw_body("application/json", "")
        .send()
        .await
        .assert_json(
            400,
            &json!({"title": [msg::REQUIRED], "content": [msg::REQUIRED]}),
        );
    s.request("POST", "/api/articles/")
        .bearer(&token)
        .send()
        .await
        .assert_json(
            400,
            &json!({"title": [msg::REQUIRED], "content": [msg::REQUIRED]}),
        );
    assert_eq!(s.count_articles().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_media_type_is_415_after_authentication() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("media-alice@example.com").await;
    s.request("POST", "/api/articles/")
        .bearer(&token)
        .raw_body("text/plain", "title=x")
        .send()
        .await
        .assert_detail(415, "Unsupported media type \"text/plain\" in request.");
    s.request("POST", "/api/articles/")
        .raw_body("text/plain", "title=x")
        .send()
        .await
        .assert_not_authenticated();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_encoded_create_with_repeated_tags() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("form-alice@example.com").await;
    let t1 = s.create_tag("form-b").await;
    let t2 = s.create_tag("form-a").await;
    let r = s
        .request("POST", "/api/articles/")
        .bearer(&token)
        .raw_body(
            "application/x-www-form-urlencoded",
            format!("title=Form+post&content=caf%C3%A9&tags={t1}&tags={t2}"),
        )
        .send()
        .await;
    r.assert_status(201);
    let (id, c, u) = generated(&r.json());
    r.assert_json(
        201,
        &full_article(
            id,
            "Form post",
            "café",
            alice,
            "form-alice@example.com",
            &[t2, t1],
            vec![],
            &c,
            &u,
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_is_get_without_body() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("head-alice@example.com").await;
    let id = as_id(&s.create_article(&token, "T", "C", &[]).await["id"], "id");
    for path in ["/api/articles/".to_string(), format!("/api/articles/{id}/")] {
        let get = s.get(&path, None).await;
        get.assert_status(200);
        let head = s.head(&path, None).await;
        head.assert_status(200).assert_json_content_type();
        assert_eq!(
            head.raw_len,
            0,
            "HEAD must have no body\n{}",
            head.describe()
        );
        assert_eq!(
            head.header("content-length"),
            Some(get.raw_len.to_string()),
            "HEAD must send the Content-Length of the GET body\n{}",
            head.describe()
        );
    }
    s.head("/api/articles/999999/", None)
        .await
        .assert_status(404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_ascii_is_sent_as_raw_utf8() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("utf8-alice@example.com").await;
    let title = "It’s “quoted” — ünïcode 🎉";
    let r = s
        .post(
            "/api/articles/",
            Some(&token),
            &json!({"title": title, "content": "c"}),
        )
        .await;
    r.assert_status(201);
    assert!(
        r.text.contains(title),
        "non-ASCII must be raw UTF-8 on the wire, not \\u escapes\n{}",
        r.describe()
    );
}
