//! `/api/users/`: a read-only, hyperlinked resource for authenticated users (OBSERVED 4.6).

use integration_tests::{TestServer, as_id, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_hyperlinked_with_articles_newest_first() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("users-alice@example.com").await;
    let (bob, _) = s.user_with_token("users-bob@example.com").await;
    let first = as_id(
        &s.create_article(&token, "First", "x", &[]).await["id"],
        "article id",
    );
    let second = as_id(
        &s.create_article(&token, "Second", "y", &[]).await["id"],
        "article id",
    );
    let base = s.base_url();

    let r = s.get(&format!("/api/users/{alice}/"), Some(&token)).await;
    r.assert_json(
        200,
        &json!({
            "url": format!("{base}/api/users/{alice}/"),
            "email": "users-alice@example.com",
            "first_name": "",
            "last_name": "",
            "articles": [
                format!("{base}/api/articles/{second}/"),
                format!("{base}/api/articles/{first}/"),
            ],
        }),
    );
    r.assert_header("allow", "GET, HEAD, OPTIONS");

    // The list is paginated and ordered by id; no `id` or password ever appears.
    let r = s.get("/api/users/", Some(&token)).await;
    r.assert_status(200);
    let body = r.json();
    assert_eq!(body["count"], 2, "{}", r.describe());
    let urls: Vec<&str> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|u| u["url"].as_str().expect("url"))
        .collect();
    assert_eq!(
        urls,
        [
            format!("{base}/api/users/{alice}/"),
            format!("{base}/api/users/{bob}/")
        ],
        "{}",
        r.describe()
    );
    assert!(
        !r.text.contains("password") && !r.text.contains("argon2"),
        "{}",
        r.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_need_authentication_and_are_read_only() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("users-ro-alice@example.com").await;
    s.get("/api/users/", None).await.assert_not_authenticated();
    s.get(&format!("/api/users/{alice}/"), None)
        .await
        .assert_not_authenticated();
    s.get("/api/users/999999/", Some(&token))
        .await
        .assert_detail(404, "No User matches the given query.");
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let path = if method == "POST" {
            "/api/users/".to_string()
        } else {
            format!("/api/users/{alice}/")
        };
        let r = s
            .request(method, &path)
            .bearer(&token)
            .json(&json!({}))
            .send()
            .await;
        r.assert_detail(405, &format!("Method \"{method}\" not allowed."));
        r.assert_header("allow", "GET, HEAD, OPTIONS");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_root_lists_every_resource() {
    let s = TestServer::start().await;
    let base = s.base_url();
    s.get("/api/", None).await.assert_json(
        200,
        &json!({
            "articles": format!("{base}/api/articles/"),
            "comments": format!("{base}/api/comments/"),
            "tags": format!("{base}/api/tags/"),
            "users": format!("{base}/api/users/"),
        }),
    );
}
