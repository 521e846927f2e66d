//! The OpenAPI document and Swagger UI: OBSERVED.md section 7.2 (drf-spectacular), with the
//! components drf-spectacular writes without `COMPONENT_SPLIT_REQUEST` (`Article` for reads
//! and writes, `PatchedArticle` for PATCH bodies).
//!
//! The external validator test runs `python3 -m openapi_spec_validator`-equivalent code and is
//! skipped (with a notice on stderr) when the Python package is not installed.

use integration_tests::{Response, TestServer, Value};
use std::collections::BTreeSet;

const YAML_MEDIA: &str = "application/vnd.oai.openapi; charset=utf-8";
const JSON_MEDIA: &str = "application/vnd.oai.openapi+json";

/// `GET /api/schema/?format=json`, checked and parsed.
async fn json_document(s: &TestServer) -> Value {
    let r = s.get("/api/schema/?format=json", None).await;
    r.assert_status(200)
        .assert_header("content-type", JSON_MEDIA)
        .assert_header("content-disposition", "inline; filename=\"Blog API.json\"");
    r.json()
}

/// `GET /api/schema/` (YAML), checked and parsed into JSON values.
async fn yaml_document(s: &TestServer) -> (Response, Value) {
    let r = s.get("/api/schema/", None).await;
    r.assert_status(200)
        .assert_header("content-type", YAML_MEDIA)
        .assert_header("content-disposition", "inline; filename=\"Blog API.yaml\"");
    let doc: Value = serde_yaml::from_str(&r.text).unwrap_or_else(|e| {
        panic!(
            "GET /api/schema/ is not YAML: {e}\n{}",
            &r.text[..r.text.len().min(2000)]
        )
    });
    (r, doc)
}

/// `doc` at a JSON pointer, or a panic naming the pointer and what is there instead.
fn at<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    doc.pointer(pointer).unwrap_or_else(|| {
        // The deepest existing parent, to say what is there instead.
        let mut parent = pointer;
        let found = loop {
            match parent.rfind('/') {
                Some(i) if i > 0 => {
                    parent = &parent[..i];
                    if let Some(v) = doc.pointer(parent) {
                        break format!("{parent} = {}", truncated(v));
                    }
                }
                _ => break "nothing on the way".to_string(),
            }
        };
        panic!("the OpenAPI document has no {pointer} (found {found})")
    })
}

fn truncated(v: &Value) -> String {
    let text = v.to_string();
    if text.len() > 1500 {
        format!("{}...", &text[..1500])
    } else {
        text
    }
}

/// JSON pointer escaping of one path key (`/api/articles/{id}/` → `~1api~1articles~1{id}~1`).
fn key(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

fn keys_of(v: &Value, what: &str) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {}", truncated(v)))
        .keys()
        .cloned()
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The names in a `required` list (absent = none).
fn required_of(schema: &Value) -> BTreeSet<String> {
    match schema.get("required") {
        None => BTreeSet::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .expect("required entries are strings")
                    .to_string()
            })
            .collect(),
        Some(other) => panic!("`required` is not a list: {other}"),
    }
}

/// Whether a property schema is read-only (directly, as drf-spectacular writes it).
fn is_read_only(property: &Value) -> bool {
    property.get("readOnly") == Some(&Value::Bool(true))
}

/// Every `$ref` in the document.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "$ref" {
                    out.push(child.as_str().expect("$ref is a string").to_string());
                } else {
                    refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|child| refs(child, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The document as served

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_is_yaml_by_default_with_spectacular_headers() {
    let s = TestServer::start().await;
    let (r, doc) = yaml_document(&s).await;
    assert_eq!(
        at(&doc, "/info/title"),
        "Blog API",
        "{}",
        truncated(&doc["info"])
    );
    assert_eq!(at(&doc, "/info/version"), "1.0.0");
    let version = at(&doc, "/openapi").as_str().unwrap_or_default();
    assert!(
        version.starts_with("3.0."),
        "openapi: expected 3.0.x, got {version:?}"
    );
    assert!(
        r.text.starts_with("openapi:"),
        "the YAML document must start with `openapi:` (a mapping, not JSON text):\n{}",
        &r.text[..r.text.len().min(300)]
    );
    let len: usize = r
        .header("content-length")
        .expect("Content-Length")
        .parse()
        .expect("numeric Content-Length");
    assert_eq!(len, r.raw_len, "Content-Length is not the body's length");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_format_json_is_the_same_document_as_json() {
    let s = TestServer::start().await;
    let json = json_document(&s).await;
    let (_, yaml) = yaml_document(&s).await;
    assert_eq!(at(&json, "/info/title"), "Blog API");
    assert_eq!(at(&json, "/info/version"), "1.0.0");
    // Same content (object key order aside) in both formats.
    assert!(
        json == yaml,
        "the JSON and YAML documents differ\n json: {}\n yaml: {}",
        truncated(&json),
        truncated(&yaml)
    );
}

/// OBSERVED 7.2 says `openapi: 3.0.3` (drf-spectacular); poem-openapi writes `3.0.0`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_declares_openapi_3_0_3() {
    let s = TestServer::start().await;
    let doc = json_document(&s).await;
    assert_eq!(at(&doc, "/openapi"), "3.0.3");
    let (_, yaml) = yaml_document(&s).await;
    assert_eq!(at(&yaml, "/openapi"), "3.0.3");
}

// ---------------------------------------------------------------------------------------------
// Paths and operations

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_paths_keep_trailing_slashes_and_list_drf_operations() {
    let s = TestServer::start().await;
    let doc = json_document(&s).await;
    let paths = at(&doc, "/paths");
    let all = keys_of(paths, "paths");
    for path in &all {
        assert!(
            path.ends_with('/'),
            "every route ends with `/` (Django), but the document lists {path:?}; paths: {all:?}"
        );
    }
    for absent in [
        "/api/articles",
        "/api/articles/{id}",
        "/api/token",
        "/api/schema/",
    ] {
        assert!(
            !all.contains(absent),
            "{absent} must not be in the document; paths: {all:?}"
        );
    }
    // (path, methods, operation ids, tag) as drf-spectacular names them.
    let expected: [(&str, &[&str], &[&str], &str); 3] = [
        (
            "/api/articles/",
            &["get", "post"],
            &["articles_list", "articles_create"],
            "articles",
        ),
        (
            "/api/articles/{id}/",
            &["get", "put", "patch", "delete"],
            &[
                "articles_retrieve",
                "articles_update",
                "articles_partial_update",
                "articles_destroy",
            ],
            "articles",
        ),
        ("/api/token/", &["post"], &["token_create"], "token"),
    ];
    for (path, methods, ids, tag) in expected {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("the document has no path {path:?}; paths: {all:?}"));
        // Only operations: HEAD and OPTIONS are not listed (7.2).
        assert_eq!(
            keys_of(item, path),
            set(methods),
            "operations of {path}: {}",
            truncated(item)
        );
        for (method, id) in methods.iter().zip(ids) {
            let op = &item[*method];
            assert_eq!(
                op["operationId"],
                *id,
                "operationId of {method} {path}: {}",
                truncated(op)
            );
            assert_eq!(
                op["tags"],
                serde_json::json!([tag]),
                "tags of {method} {path}: {}",
                truncated(op)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_detail_operations_take_the_id_path_parameter() {
    let s = TestServer::start().await;
    let doc = json_document(&s).await;
    let detail = at(&doc, &format!("/paths/{}", key("/api/articles/{id}/")));
    for method in ["get", "put", "patch", "delete"] {
        let op = &detail[method];
        let params = op
            .get("parameters")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{method} /api/articles/{{id}}/ has no parameters list"));
        let id: Vec<&Value> = params
            .iter()
            .filter(|p| p["in"] == "path" && p["name"] == "id")
            .collect();
        assert_eq!(
            id.len(),
            1,
            "{method} /api/articles/{{id}}/ must declare exactly one `id` path parameter: {}",
            truncated(&op["parameters"])
        );
        assert_eq!(id[0]["required"], true, "path parameters are required");
        assert_eq!(id[0]["schema"]["type"], "integer", "{}", id[0]);
        let others: Vec<&Value> = params.iter().filter(|p| p["in"] == "path").collect();
        assert_eq!(others.len(), 1, "only `id` is a path parameter: {params:?}");
    }
    // The list takes page/page_size query parameters, and no path parameter.
    let list = at(&doc, &format!("/paths/{}/get", key("/api/articles/")));
    let names: BTreeSet<String> = list["parameters"]
        .as_array()
        .expect("list parameters")
        .iter()
        .map(|p| {
            assert_eq!(
                p["in"], "query",
                "list parameters are query parameters: {p}"
            );
            p["name"].as_str().expect("parameter name").to_string()
        })
        .collect();
    for name in ["page", "page_size"] {
        assert!(
            names.contains(name),
            "GET /api/articles/ must document ?{name}: {names:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_operations_reference_the_right_components() {
    let s = TestServer::start().await;
    let doc = json_document(&s).await;
    let op = |path: &str, method: &str| at(&doc, &format!("/paths/{}/{method}", key(path))).clone();
    let response_ref = |op: &Value, status: &str| {
        op.pointer(&format!(
            "/responses/{status}/content/application~1json/schema/$ref"
        ))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {status} JSON response schema in {}", truncated(op)))
        .to_string()
    };
    let request_refs = |op: &Value| -> BTreeSet<(String, String)> {
        op.pointer("/requestBody/content")
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("no request body in {}", truncated(op)))
            .iter()
            .map(|(media, body)| {
                (
                    media.clone(),
                    body["schema"]["$ref"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let bodies = |name: &str| -> BTreeSet<(String, String)> {
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ]
        .iter()
        .map(|m| (m.to_string(), format!("#/components/schemas/{name}")))
        .collect()
    };

    let list = op("/api/articles/", "get");
    assert_eq!(
        response_ref(&list, "200"),
        "#/components/schemas/PaginatedArticleListList"
    );
    let create = op("/api/articles/", "post");
    assert_eq!(request_refs(&create), bodies("Article"));
    assert_eq!(response_ref(&create, "201"), "#/components/schemas/Article");
    let retrieve = op("/api/articles/{id}/", "get");
    assert_eq!(
        response_ref(&retrieve, "200"),
        "#/components/schemas/Article"
    );
    let update = op("/api/articles/{id}/", "put");
    assert_eq!(request_refs(&update), bodies("Article"));
    assert_eq!(response_ref(&update, "200"), "#/components/schemas/Article");
    let partial = op("/api/articles/{id}/", "patch");
    assert_eq!(request_refs(&partial), bodies("PatchedArticle"));
    // drf-spectacular: a body is required when a required property is writable.
    assert_eq!(
        create["requestBody"]["required"],
        true,
        "{}",
        truncated(&create)
    );
    assert!(
        partial["requestBody"].get("required").is_none(),
        "a PATCH body is optional: {}",
        truncated(&partial)
    );
    assert_eq!(
        response_ref(&partial, "200"),
        "#/components/schemas/Article"
    );
    let destroy = op("/api/articles/{id}/", "delete");
    let responses = keys_of(&destroy["responses"], "delete responses");
    assert_eq!(responses, set(&["204"]), "{}", truncated(&destroy));
    assert!(
        destroy.pointer("/responses/204/content").is_none(),
        "a 204 has no body: {}",
        truncated(&destroy)
    );

    // Every $ref points to a component that exists.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("non-local $ref {r}"));
        assert!(
            doc.pointer(pointer).is_some(),
            "dangling $ref {r}: components are {:?}",
            keys_of(at(&doc, "/components/schemas"), "schemas")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Components

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_components_are_drf_spectacular_s_article_and_patched_article() {
    let s = TestServer::start().await;
    let doc = json_document(&s).await;
    let schemas = at(&doc, "/components/schemas");
    let names = keys_of(schemas, "components.schemas");
    for name in [
        "Article",
        "PatchedArticle",
        "ArticleList",
        "PaginatedArticleListList",
        "Author",
        "Comment",
    ] {
        assert!(
            names.contains(name),
            "components.schemas has no {name}: {names:?}"
        );
    }

    // Article: the full read shape.
    let article = &schemas["Article"];
    let props = &article["properties"];
    assert_eq!(
        props
            .as_object()
            .expect("Article.properties")
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [
            "id",
            "title",
            "content",
            "user",
            "author",
            "tags",
            "comment_set",
            "comment_count",
            "created_at",
            "updated_at"
        ],
        "Article's properties, in the serializer's field order"
    );
    for field in [
        "id",
        "user",
        "author",
        "comment_set",
        "comment_count",
        "created_at",
        "updated_at",
    ] {
        assert!(
            is_read_only(&props[field]),
            "Article.{field} must be readOnly: {}",
            props[field]
        );
    }
    for field in ["title", "content", "tags"] {
        assert!(
            !is_read_only(&props[field]),
            "Article.{field} is writable: {}",
            props[field]
        );
    }
    assert_eq!(props["title"]["type"], "string");
    assert_eq!(props["title"]["maxLength"], 100, "{}", props["title"]);
    assert_eq!(props["tags"]["type"], "array");
    assert_eq!(props["tags"]["items"]["type"], "integer");
    assert_eq!(props["created_at"]["format"], "date-time");
    assert_eq!(
        props["comment_set"]["items"]["$ref"], "#/components/schemas/Comment",
        "{}",
        props["comment_set"]
    );
    let author_ref = props["author"]["$ref"]
        .as_str()
        .or_else(|| props["author"]["allOf"][0]["$ref"].as_str());
    assert_eq!(
        author_ref,
        Some("#/components/schemas/Author"),
        "{}",
        props["author"]
    );
    // drf-spectacular: read-only and required fields are required in a response (`tags`,
    // `required=False`, may or may not be listed).
    let required = required_of(article);
    for field in [
        "id",
        "title",
        "content",
        "user",
        "author",
        "comment_set",
        "comment_count",
        "created_at",
        "updated_at",
    ] {
        assert!(
            required.contains(field),
            "Article.required lacks {field}: {required:?}"
        );
    }

    // No request components of their own (COMPONENT_SPLIT_REQUEST is off).
    for name in ["ArticleRequest", "PatchedArticleRequest", "CommentRequest"] {
        assert!(!names.contains(name), "unexpected {name}: {names:?}");
    }
    assert_eq!(
        article["description"],
        "Full representation used by every action except list.",
        "the serializer's description: {}",
        truncated(article)
    );

    // PatchedArticle: the same properties, none required.
    let patched = &schemas["PatchedArticle"];
    assert_eq!(patched["properties"], article["properties"]);
    assert!(
        patched.get("required").is_none(),
        "PatchedArticle must require nothing: {}",
        truncated(patched)
    );

    // The list item and its page.
    let list = &schemas["ArticleList"];
    assert_eq!(
        keys_of(&list["properties"], "ArticleList.properties"),
        set(&["id", "title", "user", "tags", "comment_count", "created_at"])
    );
    let page = &schemas["PaginatedArticleListList"];
    assert_eq!(
        keys_of(&page["properties"], "PaginatedArticleListList.properties"),
        set(&["count", "next", "previous", "results"])
    );
    assert_eq!(page["properties"]["next"]["nullable"], true);
    assert_eq!(page["properties"]["previous"]["nullable"], true);
    assert_eq!(
        page["properties"]["results"]["items"]["$ref"],
        "#/components/schemas/ArticleList"
    );

    // Nested shapes.
    assert_eq!(
        keys_of(&schemas["Author"]["properties"], "Author.properties"),
        set(&["id", "email"])
    );
    let comment = &schemas["Comment"]["properties"];
    assert_eq!(
        keys_of(comment, "Comment.properties"),
        set(&[
            "id",
            "article",
            "user",
            "content",
            "created_at",
            "updated_at"
        ])
    );
    assert_eq!(comment["content"]["maxLength"], 500);
    for field in ["id", "article", "user", "created_at", "updated_at"] {
        assert!(is_read_only(&comment[field]), "Comment.{field} is readOnly");
    }
}

// ---------------------------------------------------------------------------------------------
// Security

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_declares_the_bearer_scheme_and_article_operations_use_it() {
    let s = TestServer::start().await;
    let doc = json_document(&s).await;
    let scheme = at(&doc, "/components/securitySchemes/jwtAuth");
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(scheme["scheme"], "bearer", "{scheme}");
    assert_eq!(scheme["bearerFormat"], "JWT", "{scheme}");

    let requirement = |op: &Value, what: &str| -> Vec<Value> {
        op.get("security")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{what} has no security list: {}", truncated(op)))
            .clone()
    };
    let jwt = serde_json::json!({"jwtAuth": []});
    let anonymous = serde_json::json!({});
    for (path, method) in [
        ("/api/articles/", "get"),
        ("/api/articles/", "post"),
        ("/api/articles/{id}/", "get"),
        ("/api/articles/{id}/", "put"),
        ("/api/articles/{id}/", "patch"),
        ("/api/articles/{id}/", "delete"),
    ] {
        let what = format!("{method} {path}");
        let op = at(&doc, &format!("/paths/{}/{method}", key(path)));
        let security = requirement(op, &what);
        assert!(
            security.contains(&jwt),
            "{what} must accept the bearer scheme: {security:?}"
        );
        // IsAuthenticatedOrReadOnly: reads may be anonymous (`{}`), writes may not.
        assert_eq!(
            security.contains(&anonymous),
            method == "get",
            "{what}: an anonymous requirement `{{}}` belongs to reads only: {security:?}"
        );
        // Every requirement names a declared scheme.
        for req in &security {
            for name in keys_of(req, "security requirement") {
                at(&doc, &format!("/components/securitySchemes/{name}"));
            }
        }
    }
    // The token view authenticates nobody (simplejwt: `authentication_classes = ()`).
    let token = at(&doc, &format!("/paths/{}/post", key("/api/token/")));
    let needs_jwt = token
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|list| list.contains(&jwt));
    assert!(
        !needs_jwt,
        "POST /api/token/ must not require a JWT: {}",
        truncated(token)
    );
}

/// The security schemes drf-spectacular derives from the blog's authentication classes
/// (simplejwt, dj-rest-auth's JWT cookie, DRF's token, session and basic), in the classes'
/// order on every operation, `{}` only where AllowAny / IsAuthenticatedOrReadOnly allow it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_security_schemes_come_from_the_authentication_classes() {
    let s = TestServer::start().await;
    let doc = json_document(&s).await;
    let schemes = at(&doc, "/components/securitySchemes");
    assert_eq!(
        schemes,
        &serde_json::json!({
            "basicAuth": {"type": "http", "scheme": "basic"},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            "jwtAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "jwtCookieAuth": {"type": "apiKey", "in": "cookie", "name": "my-app-auth"},
            "jwtHeaderAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "tokenAuth": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "Token-based authentication with required prefix \"Token\""
            }
        })
    );
    let all: Vec<Value> = [
        "jwtAuth",
        "jwtHeaderAuth",
        "jwtCookieAuth",
        "tokenAuth",
        "cookieAuth",
        "basicAuth",
    ]
    .iter()
    .map(|name| serde_json::json!({ *name: [] }))
    .collect();
    let with_anonymous: Vec<Value> = all.iter().cloned().chain([serde_json::json!({})]).collect();
    for (path, method, anonymous) in [
        ("/api/articles/", "get", true),
        ("/api/articles/", "post", false),
        ("/api/articles/{id}/", "delete", false),
        ("/api/tags/", "get", false),
        ("/api/users/", "get", false),
        ("/api/accounts/v1/login/", "post", true),
        ("/api/accounts/v1/user/", "get", false),
        ("/api/api-token-auth/", "post", false),
    ] {
        let op = at(&doc, &format!("/paths/{}/{method}", key(path)));
        let expected = if anonymous { &with_anonymous } else { &all };
        assert_eq!(
            op["security"].as_array(),
            Some(expected),
            "security of {method} {path}"
        );
    }
    for path in ["/api/token/", "/api/token/refresh/"] {
        let op = at(&doc, &format!("/paths/{}/post", key(path)));
        assert!(op.get("security").is_none(), "{path}: {}", truncated(op));
    }
}

/// drf-spectacular's operation ids: the path's words after `/api/`, then the action.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_operation_ids_are_drf_spectacular_s() {
    let s = TestServer::start().await;
    let doc = json_document(&s).await;
    for (path, method, id) in [
        ("/api/articles/", "get", "articles_list"),
        ("/api/articles/{id}/", "patch", "articles_partial_update"),
        (
            "/api/articles/{id}/comments/",
            "post",
            "articles_comments_create",
        ),
        ("/api/token/refresh/", "post", "token_refresh_create"),
        ("/api/token/blacklist/", "post", "token_blacklist_create"),
        (
            "/api/accounts/v1/logout/",
            "post",
            "accounts_v1_logout_create",
        ),
        (
            "/api/accounts/v1/user/",
            "patch",
            "accounts_v1_user_partial_update",
        ),
        ("/api/api-token-auth/", "post", "api_token_auth_create"),
    ] {
        let op = at(&doc, &format!("/paths/{}/{method}", key(path)));
        assert_eq!(op["operationId"], id, "{method} {path}");
    }
    let detail = at(&doc, &format!("/paths/{}/get", key("/api/articles/{id}/")));
    assert_eq!(
        detail["parameters"][0]["description"],
        "A unique integer value identifying this article.",
        "{}",
        truncated(detail)
    );
    // An extra action's POST answers 200 (drf-spectacular's 201 is the `create` action's).
    let comments = at(
        &doc,
        &format!("/paths/{}/post", key("/api/articles/{id}/comments/")),
    );
    assert!(
        comments.pointer("/responses/200").is_some(),
        "{}",
        truncated(comments)
    );
}

// ---------------------------------------------------------------------------------------------
// Swagger UI

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_page_embeds_the_document() {
    let s = TestServer::start().await;
    let r = s.get("/api/schema/swagger-ui/", None).await;
    r.assert_status(200)
        .assert_header("cross-origin-opener-policy", "unsafe-none")
        .assert_header("x-frame-options", "DENY");
    let content_type = r.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/html"),
        "Swagger UI is an HTML page: Content-Type {content_type:?}"
    );
    assert!(
        r.text.contains("SwaggerUIBundle"),
        "the page does not start Swagger UI (no SwaggerUIBundle)"
    );
    assert!(r.text.contains("</html>"), "truncated page");
    if s.is_reference() {
        // drf-spectacular loads the document from the schema route.
        assert!(
            r.text.contains("\"/api/schema/\""),
            "no schema URL in the page"
        );
        return;
    }
    // The Rust blog embeds the document itself (no CDN, no second request).
    for needle in [
        "\"Blog API\"",
        "\"/api/articles/{id}/\"",
        "\"PatchedArticle\"",
    ] {
        assert!(
            r.text.contains(needle),
            "the Swagger UI page does not embed the document ({needle} missing)"
        );
    }
    let head = s.head("/api/schema/swagger-ui/", None).await;
    head.assert_status(200);
    assert_eq!(head.raw_len, 0, "HEAD has no body");
    assert_eq!(
        head.header("content-length"),
        r.header("content-length"),
        "HEAD announces the GET body's length"
    );
}

// ---------------------------------------------------------------------------------------------
// External validation

/// Validates with `openapi-spec-validator`'s OpenAPI 3.0 validator; all errors are printed.
const VALIDATOR: &str = r#"
import json, sys
spec = json.load(open(sys.argv[1]))
try:
    from openapi_spec_validator import OpenAPIV30SpecValidator
    errors = list(OpenAPIV30SpecValidator(spec).iter_errors())
except ImportError:
    from openapi_spec_validator import validate_spec
    errors = []
    try:
        validate_spec(spec)
    except Exception as e:
        errors = [e]
for e in errors:
    where = "/".join(str(p) for p in getattr(e, "absolute_path", []) or [])
    print(f"- at /{where}: {getattr(e, 'message', e)}")
sys.exit(1 if errors else 0)
"#;

fn validator_available() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_passes_openapi_spec_validator() {
    if !validator_available() {
        // The test script installs the validator; under it, a missing validator is a failure.
        assert!(
            std::env::var_os("REQUIRE_OPENAPI_VALIDATOR").is_none(),
            "REQUIRE_OPENAPI_VALIDATOR is set but openapi_spec_validator cannot be imported"
        );
        eprintln!(
            "SKIPPED schema_passes_openapi_spec_validator: `python3 -c \"import \
             openapi_spec_validator\"` failed (pip install openapi-spec-validator)"
        );
        return;
    }
    let s = TestServer::start().await;
    let json = json_document(&s).await;
    let (_, yaml) = yaml_document(&s).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut failures = Vec::new();
    for (name, doc) in [("json", &json), ("yaml", &yaml)] {
        let path = dir.path().join(format!("schema-{name}.json"));
        std::fs::write(&path, serde_json::to_vec(doc).unwrap()).expect("write the document");
        let out = std::process::Command::new("python3")
            .args(["-c", VALIDATOR])
            .arg(&path)
            .output()
            .expect("cannot run python3");
        if !out.status.success() {
            failures.push(format!(
                "the {name} document is not valid OpenAPI 3.0:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
