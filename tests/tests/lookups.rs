//! DRF's `lookup_field` and `lookup_url_kwarg` on a small test app
//! (`integration_tests::apps::lookups`): tags retrieved, updated and deleted by their unique
//! name, detail actions on the name, hyperlinks holding the name, 404 bodies as
//! `get_object_or_404` answers them, OPTIONS, and the schema's path parameters.

use integration_tests::apps::lookups::build;
use integration_tests::{TestServer, Value, json};

async fn app() -> TestServer {
    TestServer::start_blog_app(build).await
}

fn tag(s: &TestServer, id: i64, name: &str, url_name: &str) -> Value {
    json!({"url": s.url(&format!("/api/named-tags/{url_name}/")), "id": id, "name": name})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_routes_find_rows_by_the_lookup_field() {
    let s = app().await;
    let python = s.create_tag("python").await;
    let rust = s.create_tag("rust").await;
    s.get("/api/named-tags/python/", None)
        .await
        .assert_json(200, &tag(&s, python, "python", "python"));
    // The list links every row by its name.
    s.get("/api/named-tags/", None).await.assert_json(
        200,
        &json!([
            tag(&s, python, "python", "python"),
            tag(&s, rust, "rust", "rust")
        ]),
    );
    // The primary key is no lookup value here: no tag is named "1".
    s.get(&format!("/api/named-tags/{python}/"), None)
        .await
        .assert_json(404, &json!({"detail": "No Tag matches the given query."}));
    s.get("/api/named-tags/PYTHON/", None)
        .await
        .assert_json(404, &json!({"detail": "No Tag matches the given query."}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_and_delete_by_the_lookup_field() {
    let s = app().await;
    let python = s.create_tag("python").await;
    s.put("/api/named-tags/python/", None, &json!({"name": "django"}))
        .await
        .assert_json(200, &tag(&s, python, "django", "django"));
    s.get("/api/named-tags/python/", None)
        .await
        .assert_json(404, &json!({"detail": "No Tag matches the given query."}));
    s.patch("/api/named-tags/django/", None, &json!({"name": "flask"}))
        .await
        .assert_json(200, &tag(&s, python, "flask", "flask"));
    s.delete("/api/named-tags/flask/", None)
        .await
        .assert_status(204);
    s.get("/api/named-tags/flask/", None)
        .await
        .assert_json(404, &json!({"detail": "No Tag matches the given query."}));
    s.delete("/api/named-tags/flask/", None)
        .await
        .assert_json(404, &json!({"detail": "No Tag matches the given query."}));
    s.get("/api/named-tags/", None)
        .await
        .assert_json(200, &json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_actions_take_the_lookup_value() {
    let s = app().await;
    s.create_tag("python").await;
    s.get("/api/named-tags/python/shout/", None)
        .await
        .assert_json(200, &json!({"shout": "PYTHON"}));
    s.get("/api/named-tags/ruby/shout/", None)
        .await
        .assert_json(404, &json!({"detail": "No Tag matches the given query."}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_values_are_percent_decoded_and_hyperlinks_quoted() {
    let s = app().await;
    let id = s.create_tag("c sharp").await;
    s.get("/api/named-tags/c%20sharp/", None)
        .await
        .assert_json(200, &tag(&s, id, "c sharp", "c%20sharp"));
    // DRF's `lookup_value_regex` `[^/.]+`: a value with a dot is read as `<name>.<format>`
    // (the router's format suffixes), and no renderer answers `.js`: DRF's 404.
    s.create_tag("node.js").await;
    s.get("/api/named-tags/node.js/", None)
        .await
        .assert_json(404, &json!({"detail": "Not found."}));
    // With a known format the name before the dot is the lookup value (and hyperlinks keep
    // the format, as DRF's `reverse` does).
    s.get("/api/named-tags/c%20sharp.json", None)
        .await
        .assert_json(
            200,
            &json!({"url": s.url("/api/named-tags/c%20sharp.json"), "id": id, "name": "c sharp"}),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_url_kwarg_names_the_path_parameter() {
    let s = app().await;
    let python = s.create_tag("python").await;
    // The serializer links to `named-tag-detail`, whatever route served the row.
    s.get("/api/tags-by-kwarg/python/", None)
        .await
        .assert_json(200, &tag(&s, python, "python", "python"));
    s.get("/api/tags-by-kwarg/perl/", None)
        .await
        .assert_json(404, &json!({"detail": "No Tag matches the given query."}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integer_lookups_parse_as_django_does() {
    let s = app().await;
    let python = s.create_tag("python").await;
    s.get(&format!("/api/tags-by-id/{python}/"), None)
        .await
        .assert_json(200, &tag(&s, python, "python", "python"));
    // Not an integer: `get_object_or_404` turns the ValueError into a bare Http404.
    s.get("/api/tags-by-id/python/", None)
        .await
        .assert_json(404, &json!({"detail": "Not found."}));
    s.get("/api/tags-by-id/99999999999999999999/", None)
        .await
        .assert_json(404, &json!({"detail": "No Tag matches the given query."}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_looks_the_object_up_by_the_lookup_field() {
    let s = app().await;
    s.create_tag("python").await;
    let found = s.request("OPTIONS", "/api/named-tags/python/").send().await;
    found.assert_status(200);
    let body = found.json();
    assert_eq!(
        body["actions"]["PUT"]["name"]["max_length"],
        json!(50),
        "{body}"
    );
    // DRF's SimpleMetadata leaves `actions` out when `get_object()` raises Http404.
    let missing = s.request("OPTIONS", "/api/named-tags/ruby/").send().await;
    missing.assert_status(200);
    let body = missing.json();
    assert!(body.get("actions").is_none(), "{body}");
    assert_eq!(body["name"], found.json()["name"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_path_parameters_follow_the_lookup() {
    let s = app().await;
    let doc = s.get("/api/schema/?format=json", None).await.json();
    let paths = &doc["paths"];
    let parameter = |path: &str, method: &str| paths[path][method]["parameters"].clone();
    // drf-spectacular's path parameter (no description: only a primary key has one).
    let path_param = |name: &str, kind: &str| {
        json!([{
            "in": "path",
            "name": name,
            "schema": {"type": kind},
            "required": true,
        }])
    };
    for method in ["get", "put", "patch", "delete"] {
        let params = parameter("/api/named-tags/{name}/", method);
        assert_eq!(params, path_param("name", "string"), "{method}: {params}");
    }
    let params = parameter("/api/named-tags/{name}/shout/", "get");
    assert_eq!(params, path_param("name", "string"), "{params}");
    let params = parameter("/api/tags-by-kwarg/{tag_name}/", "get");
    assert_eq!(params, path_param("tag_name", "string"), "{params}");
    let params = parameter("/api/tags-by-id/{id}/", "get");
    assert_eq!(params[0]["name"], "id", "{params}");
    assert_eq!(params[0]["schema"]["type"], "integer", "{params}");
    assert!(paths.get("/api/named-tags/{id}/").is_none());
}
