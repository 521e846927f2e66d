//! Request bodies in DRF's three media types (OBSERVED 1.2).

use integration_tests::{TestServer, as_id};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_create_with_repeated_tags() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("multipart-alice@example.com").await;
    let a = s.create_tag("mp-a").await;
    let b = s.create_tag("mp-b").await;
    let body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nFrom a form\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nBody\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\n{a}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\n{b}\r\n--XyZ--\r\n"
    );
    let r = s
        .request("POST", "/api/articles/")
        .bearer(&token)
        .raw_body("multipart/form-data; boundary=XyZ", body)
        .send()
        .await;
    r.assert_status(201);
    let article = r.json();
    assert_eq!(article["title"], "From a form", "{}", r.describe());
    let tags: Vec<i64> = article["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| as_id(t, "tag"))
        .collect();
    assert_eq!(tags, vec![a, b], "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_validation_errors_are_drf_bodies() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("multipart-bob@example.com").await;
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n\r\n--XyZ--\r\n";
    let r = s
        .request("POST", "/api/articles/")
        .bearer(&token)
        .raw_body("multipart/form-data; boundary=XyZ", body)
        .send()
        .await;
    r.assert_json(
        400,
        &integration_tests::json!({
            "title": ["This field may not be blank."],
            "content": ["This field is required."],
        }),
    );
}
