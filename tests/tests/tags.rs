//! `/api/tags/` and the API root's entries: OBSERVED.md sections 2, 3.2, 3.4, 4.1, 4.5 and 8.

use integration_tests::{TestServer, Value, as_id, json, msg};

const PW: &str = "password123!";
const NO_TAG: &str = "No Tag matches the given query.";
const DUPLICATE: &str = "tag with this name already exists.";
const MAX_50: &str = "Ensure this field has no more than 50 characters.";

fn tag(id: i64, name: &str) -> Value {
    json!({"id": id, "name": name})
}

fn page(
    count: usize,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<Value>,
) -> Value {
    json!({"count": count, "next": next, "previous": previous, "results": results})
}

/// A staff user and its access token.
async fn staff(s: &TestServer, email: &str) -> String {
    s.create_staff_user(email, PW).await;
    s.token(email, PW).await
}

// ---------------------------------------------------------------------------------------------
// API root

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_root_lists_articles_comments_and_tags() {
    let s = TestServer::start().await;
    let r = s.get("/api/", None).await;
    r.assert_status(200)
        .assert_json_content_type()
        .assert_header("allow", "GET, HEAD, OPTIONS");
    let keys = r.keys();
    // `users` comes later; the three lists are there, first and in this order.
    assert!(
        keys.len() >= 3 && keys[..3] == ["articles", "comments", "tags"],
        "the API root must start with articles, comments, tags; got {keys:?}\n{}",
        r.describe()
    );
    let body = r.json();
    for k in ["articles", "comments", "tags"] {
        assert_eq!(
            body[k],
            json!(s.url(&format!("/api/{k}/"))),
            "{k:?} must be the absolute URL of its list\n{}",
            r.describe()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Reads

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_is_ordered_by_name() {
    let s = TestServer::start().await;
    // Inserted out of order; ids do not follow names.
    let rust = s.create_tag("rust").await;
    let beta = s.create_tag("beta").await;
    let alpha = s.create_tag("alpha").await;
    let alpha2 = s.create_tag("alpha-2").await;

    s.get("/api/tags/", None)
        .await
        .assert_json(
            200,
            &page(
                4,
                None,
                None,
                vec![
                    tag(alpha, "alpha"),
                    tag(alpha2, "alpha-2"),
                    tag(beta, "beta"),
                    tag(rust, "rust"),
                ],
            ),
        )
        .assert_json_content_type()
        .assert_header("allow", msg::ALLOW_LIST);

    // Paginated like every list.
    let base = s.url("/api/tags/");
    s.get("/api/tags/?page=2&page_size=2", None)
        .await
        .assert_json(
            200,
            &page(
                4,
                None,
                Some(format!("{base}?page_size=2")),
                vec![tag(beta, "beta"), tag(rust, "rust")],
            ),
        );
    s.get("/api/tags/?page_size=3", None).await.assert_json(
        200,
        &page(
            4,
            Some(format!("{base}?page=2&page_size=3")),
            None,
            vec![
                tag(alpha, "alpha"),
                tag(alpha2, "alpha-2"),
                tag(beta, "beta"),
            ],
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_list() {
    let s = TestServer::start().await;
    s.get("/api/tags/", None)
        .await
        .assert_json(200, &page(0, None, None, vec![]));
    s.get("/api/tags/?page=2", None)
        .await
        .assert_detail(404, msg::INVALID_PAGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrieve_and_404s() {
    let s = TestServer::start().await;
    let id = s.create_tag("retrieved").await;
    s.get(&format!("/api/tags/{id}/"), None)
        .await
        .assert_json(200, &tag(id, "retrieved"))
        .assert_json_content_type()
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.get("/api/tags/999999/", None)
        .await
        .assert_detail(404, NO_TAG)
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.get("/api/tags/abc/", None)
        .await
        .assert_detail(404, msg::NOT_FOUND);

    // Staff writes to an unknown id are 404 too.
    let token = staff(&s, "tags-404-staff@example.com").await;
    s.put("/api/tags/999999/", Some(&token), &json!({"name": "x"}))
        .await
        .assert_detail(404, NO_TAG);
    s.patch("/api/tags/999999/", Some(&token), &json!({"name": "x"}))
        .await
        .assert_detail(404, NO_TAG);
    s.delete("/api/tags/999999/", Some(&token))
        .await
        .assert_detail(404, NO_TAG);
}

// ---------------------------------------------------------------------------------------------
// Staff writes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_create_update_partial_update_delete() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-crud-staff@example.com").await;

    // Create: 201, `id` in the body ignored, name trimmed.
    let r = s
        .post(
            "/api/tags/",
            Some(&token),
            &json!({"name": "  tcs-created  ", "id": 999999}),
        )
        .await;
    let id = as_id(&r.json()["id"], "tag id");
    assert_ne!(id, 999999, "the body's id is ignored\n{}", r.describe());
    r.assert_json(201, &tag(id, "tcs-created"))
        .assert_json_content_type()
        .assert_header("allow", msg::ALLOW_LIST)
        .assert_no_header("location");
    s.get(&format!("/api/tags/{id}/"), None)
        .await
        .assert_json(200, &tag(id, "tcs-created"));

    let path = format!("/api/tags/{id}/");
    s.put(&path, Some(&token), &json!({"name": "tcs-put"}))
        .await
        .assert_json(200, &tag(id, "tcs-put"))
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.patch(&path, Some(&token), &json!({"name": "tcs-patch"}))
        .await
        .assert_json(200, &tag(id, "tcs-patch"));
    // An empty PATCH is a valid no-op.
    s.patch(&path, Some(&token), &json!({}))
        .await
        .assert_json(200, &tag(id, "tcs-patch"));
    s.get("/api/tags/", None)
        .await
        .assert_json(200, &page(1, None, None, vec![tag(id, "tcs-patch")]));

    let r = s.delete(&path, Some(&token)).await;
    r.assert_status(204)
        .assert_no_header("content-type")
        .assert_header("allow", msg::ALLOW_DETAIL);
    assert_eq!(r.raw_len, 0, "204 has no body\n{}", r.describe());
    s.get(&path, None).await.assert_detail(404, NO_TAG);
    s.delete(&path, Some(&token))
        .await
        .assert_detail(404, NO_TAG);
    s.get("/api/tags/", None)
        .await
        .assert_json(200, &page(0, None, None, vec![]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_form_encoded_create() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-form-staff@example.com").await;
    let r = s
        .request("POST", "/api/tags/")
        .bearer(&token)
        .raw_body("application/x-www-form-urlencoded", "name=from-a-form")
        .send()
        .await;
    let id = as_id(&r.json()["id"], "tag id");
    r.assert_json(201, &tag(id, "from-a-form"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn name_validation_errors() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-invalid-staff@example.com").await;
    let cases = [
        (json!({}), msg::REQUIRED),
        (json!({"id": 3}), msg::REQUIRED),
        (json!({"name": ""}), msg::BLANK),
        (json!({"name": "   "}), msg::BLANK),
        (json!({"name": null}), msg::NULL),
        (json!({"name": ["a"]}), msg::NOT_A_STRING),
        (json!({"name": "n".repeat(51)}), MAX_50),
    ];
    for (body, text) in &cases {
        s.post("/api/tags/", Some(&token), body)
            .await
            .assert_json(400, &json!({ "name": [text] }))
            .assert_header("allow", msg::ALLOW_LIST);
    }
    // Exactly 50 characters is fine (characters, not bytes).
    let fifty = "ü".repeat(50);
    let r = s
        .post("/api/tags/", Some(&token), &json!({"name": fifty}))
        .await;
    let id = as_id(&r.json()["id"], "tag id");
    r.assert_json(201, &tag(id, &fifty));

    // The same rules on PUT (where `name` is required) and PATCH (where it is not).
    let path = format!("/api/tags/{id}/");
    for (body, text) in &cases {
        s.put(&path, Some(&token), body)
            .await
            .assert_json(400, &json!({ "name": [text] }))
            .assert_header("allow", msg::ALLOW_DETAIL);
        if text != &msg::REQUIRED {
            s.patch(&path, Some(&token), body)
                .await
                .assert_json(400, &json!({ "name": [text] }));
        }
    }
    s.get("/api/tags/", None)
        .await
        .assert_json(200, &page(1, None, None, vec![tag(id, &fifty)]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_names_are_400() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-unique-staff@example.com").await;
    let rust = s.create_tag("rust").await;
    let go = s.create_tag("go").await;
    let dup = json!({"name": [DUPLICATE]});

    s.post("/api/tags/", Some(&token), &json!({"name": "rust"}))
        .await
        .assert_json(400, &dup)
        .assert_header("allow", msg::ALLOW_LIST);
    // Names are trimmed before the uniqueness check.
    s.post("/api/tags/", Some(&token), &json!({"name": " rust "}))
        .await
        .assert_json(400, &dup);
    // PUT / PATCH to another tag's name.
    s.put(
        &format!("/api/tags/{go}/"),
        Some(&token),
        &json!({"name": "rust"}),
    )
    .await
    .assert_json(400, &dup)
    .assert_header("allow", msg::ALLOW_DETAIL);
    s.patch(
        &format!("/api/tags/{go}/"),
        Some(&token),
        &json!({"name": "rust"}),
    )
    .await
    .assert_json(400, &dup);
    // PUT / PATCH to its own name is fine.
    s.put(
        &format!("/api/tags/{rust}/"),
        Some(&token),
        &json!({"name": "rust"}),
    )
    .await
    .assert_json(200, &tag(rust, "rust"));
    s.patch(
        &format!("/api/tags/{rust}/"),
        Some(&token),
        &json!({"name": "rust"}),
    )
    .await
    .assert_json(200, &tag(rust, "rust"));

    s.get("/api/tags/", None).await.assert_json(
        200,
        &page(2, None, None, vec![tag(go, "go"), tag(rust, "rust")]),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_object_and_unsupported_bodies_are_400_and_415() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-errors-staff@example.com").await;
    s.request("POST", "/api/tags/")
        .bearer(&token)
        .raw_body("application/json", "[]")
        .send()
        .await
        .assert_json(
            400,
            &json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        );
    s.request("POST", "/api/tags/")
        .bearer(&token)
        .raw_body("text/plain", "name")
        .send()
        .await
        .assert_detail(415, "Unsupported media type \"text/plain\" in request.");
}

// ---------------------------------------------------------------------------------------------
// Permissions

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_staff_writes_are_403() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("tags-user@example.com").await;
    let id = s.create_tag("kept").await;
    let path = format!("/api/tags/{id}/");
    let body = json!({"name": "changed"});

    s.post("/api/tags/", Some(&token), &body)
        .await
        .assert_permission_denied()
        .assert_header("allow", msg::ALLOW_LIST);
    s.put(&path, Some(&token), &body)
        .await
        .assert_permission_denied()
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.patch(&path, Some(&token), &body)
        .await
        .assert_permission_denied();
    s.delete(&path, Some(&token))
        .await
        .assert_permission_denied();
    // The staff check comes before validation, the lookup and the method check.
    s.post("/api/tags/", Some(&token), &json!({}))
        .await
        .assert_permission_denied();
    s.put("/api/tags/999999/", Some(&token), &body)
        .await
        .assert_permission_denied();
    s.post(&path, Some(&token), &body)
        .await
        .assert_permission_denied();
    // Reads are fine.
    s.get(&path, Some(&token))
        .await
        .assert_json(200, &tag(id, "kept"));
    s.get("/api/tags/", Some(&token))
        .await
        .assert_json(200, &page(1, None, None, vec![tag(id, "kept")]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_writes_are_401() {
    let s = TestServer::start().await;
    let id = s.create_tag("kept").await;
    let path = format!("/api/tags/{id}/");
    let body = json!({"name": "changed"});

    s.post("/api/tags/", None, &body)
        .await
        .assert_not_authenticated()
        .assert_header("allow", msg::ALLOW_LIST);
    s.put(&path, None, &body)
        .await
        .assert_not_authenticated()
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.patch(&path, None, &body).await.assert_not_authenticated();
    s.delete(&path, None).await.assert_not_authenticated();
    s.delete("/api/tags/999999/", None)
        .await
        .assert_not_authenticated();
    s.get(&path, None).await.assert_json(200, &tag(id, "kept"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_methods_are_405_for_staff() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-405-staff@example.com").await;
    let id = s.create_tag("t").await;
    let body = json!({"name": "x"});
    s.post(&format!("/api/tags/{id}/"), Some(&token), &body)
        .await
        .assert_detail(405, "Method \"POST\" not allowed.")
        .assert_header("allow", msg::ALLOW_DETAIL);
    for method in ["PUT", "PATCH", "DELETE"] {
        s.request(method, "/api/tags/")
            .bearer(&token)
            .json(&body)
            .send()
            .await
            .assert_detail(405, &format!("Method \"{method}\" not allowed."))
            .assert_header("allow", msg::ALLOW_LIST);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_names_without_actions_for_anonymous() {
    let s = TestServer::start().await;
    let id = s.create_tag("t").await;
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
    s.request("OPTIONS", "/api/tags/")
        .send()
        .await
        .assert_json(200, &meta("Tag List"))
        .assert_header("allow", msg::ALLOW_LIST);
    s.request("OPTIONS", &format!("/api/tags/{id}/"))
        .send()
        .await
        .assert_json(200, &meta("Tag Instance"))
        .assert_header("allow", msg::ALLOW_DETAIL);
}

// ---------------------------------------------------------------------------------------------
// Tags on articles

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_tag_removes_it_from_articles() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-delete-staff@example.com").await;
    let (_, author) = s.user_with_token("tags-delete-author@example.com").await;
    let doomed = s.create_tag("doomed").await;
    let kept = s.create_tag("kept").await;
    let a1 = as_id(
        &s.create_article(&author, "Both", "x", &[doomed, kept])
            .await["id"],
        "id",
    );
    let a2 = as_id(
        &s.create_article(&author, "Only doomed", "x", &[doomed])
            .await["id"],
        "id",
    );

    s.delete(&format!("/api/tags/{doomed}/"), Some(&token))
        .await
        .assert_status(204);

    let r = s.get(&format!("/api/articles/{a1}/"), None).await;
    r.assert_status(200);
    assert_eq!(r.json()["tags"], json!([kept]), "{}", r.describe());
    let r = s.get(&format!("/api/articles/{a2}/"), None).await;
    r.assert_status(200);
    assert_eq!(r.json()["tags"], json!([]), "{}", r.describe());
    let r = s.get("/api/articles/", None).await;
    r.assert_status(200);
    let body = r.json();
    assert_eq!(body["count"], json!(2), "{}", r.describe());
    assert_eq!(
        body["results"][0]["tags"],
        json!([]),
        "newest first: a2\n{}",
        r.describe()
    );
    assert_eq!(
        body["results"][1]["tags"],
        json!([kept]),
        "a1\n{}",
        r.describe()
    );
    // The tag is gone as a filter value too.
    s.get(&format!("/api/articles/?tags={doomed}"), None)
        .await
        .assert_json(
            400,
            &json!({"tags": [format!("Select a valid choice. {doomed} is not one of the available choices.")]}),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_tag_keeps_it_on_articles_and_reorders_them() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-rename-staff@example.com").await;
    let (_, author) = s.user_with_token("tags-rename-author@example.com").await;
    let a = s.create_tag("aaa").await;
    let b = s.create_tag("bbb").await;
    let id = as_id(
        &s.create_article(&author, "Tagged", "x", &[a, b]).await["id"],
        "id",
    );
    let r = s.get(&format!("/api/articles/{id}/"), None).await;
    assert_eq!(r.json()["tags"], json!([a, b]), "{}", r.describe());

    // Article tags are ordered by tag name: renaming `aaa` to `zzz` moves it last.
    s.patch(
        &format!("/api/tags/{a}/"),
        Some(&token),
        &json!({"name": "zzz"}),
    )
    .await
    .assert_json(200, &tag(a, "zzz"));
    let r = s.get(&format!("/api/articles/{id}/"), None).await;
    assert_eq!(r.json()["tags"], json!([b, a]), "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_ignores_ordering_search_and_filters() {
    let s = TestServer::start().await;
    let b = s.create_tag("b").await;
    let a = s.create_tag("a").await;
    let expected = page(2, None, None, vec![tag(a, "a"), tag(b, "b")]);
    for q in [
        "?ordering=-name",
        "?ordering=-id",
        "?search=b",
        "?name=b",
        "?id=1",
    ] {
        s.get(&format!("/api/tags/{q}"), None)
            .await
            .assert_json(200, &expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uniqueness_is_case_sensitive_and_numbers_are_text() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-case-staff@example.com").await;
    let rust = s.create_tag("rust").await;
    // SQLite compares with `=`: `Rust` is another name.
    let r = s
        .post("/api/tags/", Some(&token), &json!({"name": "Rust"}))
        .await;
    let upper = as_id(&r.json()["id"], "tag id");
    r.assert_json(201, &tag(upper, "Rust"));
    let r = s
        .post("/api/tags/", Some(&token), &json!({"name": 12}))
        .await;
    let twelve = as_id(&r.json()["id"], "tag id");
    r.assert_json(201, &tag(twelve, "12"));
    s.post("/api/tags/", Some(&token), &json!({"name": "12"}))
        .await
        .assert_json(400, &json!({"name": [DUPLICATE]}));
    // Binary order: digits, then upper case, then lower case.
    s.get("/api/tags/", None).await.assert_json(
        200,
        &page(
            3,
            None,
            None,
            vec![tag(twelve, "12"), tag(upper, "Rust"), tag(rust, "rust")],
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_characters_in_name_are_400() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-nul-staff@example.com").await;
    let id = s.create_tag("clean").await;
    let nul = json!({"name": "a\u{0}b"});
    let err = json!({"name": ["Null characters are not allowed."]});
    s.post("/api/tags/", Some(&token), &nul)
        .await
        .assert_json(400, &err);
    s.put(&format!("/api/tags/{id}/"), Some(&token), &nul)
        .await
        .assert_json(400, &err);
    s.get("/api/tags/", None)
        .await
        .assert_json(200, &page(1, None, None, vec![tag(id, "clean")]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_beyond_64_bits_are_the_models_404() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-big-staff@example.com").await;
    let big = "99999999999999999999";
    s.get(&format!("/api/tags/{big}/"), None)
        .await
        .assert_detail(404, NO_TAG);
    s.delete(&format!("/api/tags/{big}/"), Some(&token))
        .await
        .assert_detail(404, NO_TAG);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lone_surrogates_in_name_are_a_field_error() {
    let s = TestServer::start().await;
    let token = staff(&s, "tags-surrogate-staff@example.com").await;
    for (raw, code) in [
        (r#"{"name":"a\ud800b"}"#, "D800"),
        (r#"{"name":"\udfff"}"#, "DFFF"),
        // Only the first is reported; a low surrogate before a high one is no pair.
        (r#"{"name":" \ude00\ud83d "}"#, "DE00"),
        // The marker the blog reads lone surrogates with, spelled in the body, stays text.
        (r#"{"name":"\ufdd0D800\udbff", "\ud800": 1}"#, "DBFF"),
    ] {
        s.request("POST", "/api/tags/")
            .bearer(&token)
            .raw_body("application/json", raw)
            .send()
            .await
            .assert_json(
                400,
                &json!({"name": [format!("Surrogate characters are not allowed: U+{code}.")]}),
            );
    }
    // DRF runs every validator: null characters, then surrogates.
    s.request("POST", "/api/tags/")
        .bearer(&token)
        .raw_body("application/json", r#"{"name":"a\u0000\ud800"}"#)
        .send()
        .await
        .assert_json(
            400,
            &json!({"name": [
                "Null characters are not allowed.",
                "Surrogate characters are not allowed: U+D800.",
            ]}),
        );
    // A lone surrogate in a key is just another (unknown) key; a marker without one is text.
    let r = s
        .request("POST", "/api/tags/")
        .bearer(&token)
        .raw_body("application/json", r#"{"name":"\ufdd0D800", "x\udc00": 1}"#)
        .send()
        .await;
    let id = as_id(&r.json()["id"], "tag id");
    r.assert_json(201, &tag(id, "\u{FDD0}D800"));
    // A valid surrogate pair is one character.
    let r = s
        .request("POST", "/api/tags/")
        .bearer(&token)
        .raw_body("application/json", r#"{"name":"\ud83d\ude00"}"#)
        .send()
        .await;
    let id = as_id(&r.json()["id"], "tag id");
    r.assert_json(201, &tag(id, "\u{1F600}"));
}
