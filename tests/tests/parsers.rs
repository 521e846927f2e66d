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

/// A form's fields are a `QueryDict`: a to-many field given once is a list of one
/// (`getlist`), while the same string in JSON is not a list. Bodies Django reads as nothing
/// (`null`) or cannot split (no multipart boundary) get DRF's and Django's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_tag_given_once_is_a_list_of_one() {
    use integration_tests::json;
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("form-one-tag@example.com").await;
    let tag = s.create_tag("form-one").await;
    let post = |content_type: &'static str, body: String| {
        s.request("POST", "/api/articles/")
            .bearer(&token)
            .raw_body(content_type, body)
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    let r = post(form, format!("title=One&content=tag&tags={tag}")).await;
    r.assert_status(201);
    assert_eq!(r.json()["tags"], json!([tag]), "{}", r.describe());
    post(form, "title=One&content=tag&tags=abc".into())
        .await
        .assert_json(
            400,
            &json!({"tags": ["Incorrect type. Expected pk value, received str."]}),
        );
    post(
        "application/json",
        json!({"title": "One", "content": "tag", "tags": tag.to_string()}).to_string(),
    )
    .await
    .assert_json(
        400,
        &json!({"tags": ["Expected a list of items but got type \"str\"."]}),
    );
    post("application/json", "null".into())
        .await
        .assert_json(400, &json!({"non_field_errors": ["No data provided"]}));
    post("multipart/form-data", "x".into()).await.assert_json(
        400,
        &json!({"detail": "Multipart form parse error - Invalid boundary in multipart: None"}),
    );
}

/// DRF reads a form through `QueryDict`: a field given twice takes its last value, and a
/// full update (PUT) without the to-many key empties it (`getlist` gives `[]`), while a
/// partial one (PATCH) leaves it alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_are_read_as_query_dicts() {
    use integration_tests::json;
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("form-querydict@example.com").await;
    let tag = s.create_tag("form-qd").await;
    let article = s.create_article(&token, "Tagged", "Body", &[tag]).await;
    let path = format!("/api/articles/{}/", as_id(&article["id"], "article"));
    let send = |method: &'static str, body: &'static str| {
        s.request(method, &path)
            .bearer(&token)
            .raw_body("application/x-www-form-urlencoded", body)
            .send()
    };
    let r = send("PATCH", "content=patched").await;
    r.assert_status(200);
    assert_eq!(r.json()["tags"], json!([tag]), "{}", r.describe());
    let r = send("PUT", "title=first&title=last&content=put").await;
    r.assert_status(200);
    assert_eq!(
        (&r.json()["title"], &r.json()["tags"]),
        (&json!("last"), &json!([])),
        "{}",
        r.describe()
    );
}
