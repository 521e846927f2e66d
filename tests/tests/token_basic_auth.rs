//! DRF's authtoken (`POST /api/api-token-auth/`, `Authorization: Token <key>`) and HTTP Basic
//! authentication: OBSERVED.md sections 3.1, 3.3 and 6.2.

use integration_tests::{Response, TestServer, Value, json, msg};

const PW: &str = "password123!";
const TOKEN_AUTH: &str = "/api/api-token-auth/";
const UNABLE: &str = "Unable to log in with provided credentials.";

/// Standard base64 with padding (the test crate has no base64 dependency).
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Basic base64(userid:password)`.
fn basic(userid: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64(format!("{userid}:{password}").as_bytes())
    )
}

fn is_key(key: &str) -> bool {
    key.len() == 40
        && key
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// `POST /api/api-token-auth/` with a JSON body.
async fn obtain(s: &TestServer, body: &Value) -> Response {
    s.post(TOKEN_AUTH, None, body).await
}

/// Obtains the user's token key; panics unless it answers 200 `{"token": <40 hex>}`.
async fn token_key(s: &TestServer, email: &str) -> String {
    let r = obtain(s, &json!({"username": email, "password": PW})).await;
    r.assert_status(200);
    let key = r.json()["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no string token\n{}", r.describe()))
        .to_string();
    assert!(is_key(&key), "not 40 lowercase hex: {key:?}");
    key
}

/// Makes a user inactive directly in the database (`is_active = false`).
async fn deactivate(s: &TestServer, user_id: i64) {
    use sea_orm::ConnectionTrait;
    let sql = format!("UPDATE accounts_user SET is_active = FALSE WHERE id = {user_id}");
    let result =
        s.db.execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(result.rows_affected(), 1, "{sql}");
}

/// A `GET /api/articles/` and a `POST /api/articles/` with an `Authorization` header.
async fn read_and_write(s: &TestServer, authorization: &str) -> [Response; 2] {
    let read = s
        .request("GET", "/api/articles/")
        .header("Authorization", authorization)
        .send()
        .await;
    let write = s
        .request("POST", "/api/articles/")
        .header("Authorization", authorization)
        .json(&json!({"title": "t", "content": "c"}))
        .send()
        .await;
    [read, write]
}

/// Every request with this header is a 401 with `detail`, even reads, with the first class's
/// challenge.
async fn assert_401(s: &TestServer, authorization: &str, detail: &str) {
    for r in read_and_write(s, authorization).await {
        r.assert_detail(401, detail)
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE)
            .assert_json_content_type();
    }
}

// ---------------------------------------------------------------------------------------------
// POST /api/api-token-auth/

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_obtain_returns_the_same_key_for_json_form_and_multipart() {
    let s = TestServer::start().await;
    s.create_user("tok-alice@example.com", PW).await;
    let r = obtain(
        &s,
        &json!({"username": "tok-alice@example.com", "password": PW}),
    )
    .await;
    r.assert_status(200)
        .assert_json_content_type()
        .assert_header("allow", "POST, OPTIONS")
        .assert_no_header("www-authenticate");
    assert_eq!(r.keys(), ["token"], "{}", r.describe());
    let key = r.json()["token"].as_str().unwrap_or_default().to_string();
    assert!(is_key(&key), "40 lowercase hex: {}", r.describe());

    // Again: the same key.
    assert_eq!(token_key(&s, "tok-alice@example.com").await, key);
    // The username is trimmed.
    obtain(
        &s,
        &json!({"username": "  tok-alice@example.com ", "password": PW}),
    )
    .await
    .assert_json(200, &json!({ "token": key }));
    // Form body.
    s.request("POST", TOKEN_AUTH)
        .raw_body(
            "application/x-www-form-urlencoded",
            "username=tok-alice%40example.com&password=password123%21",
        )
        .send()
        .await
        .assert_json(200, &json!({ "token": key }));
    // Multipart body.
    let boundary = "----tokenboundary";
    let multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n\
         tok-alice@example.com\r\n--{boundary}\r\nContent-Disposition: form-data; \
         name=\"password\"\r\n\r\n{PW}\r\n--{boundary}--\r\n"
    );
    s.request("POST", TOKEN_AUTH)
        .raw_body(
            &format!("multipart/form-data; boundary={boundary}"),
            multipart,
        )
        .send()
        .await
        .assert_json(200, &json!({ "token": key }));

    // Another user gets another key.
    s.create_user("tok-bob@example.com", PW).await;
    assert_ne!(token_key(&s, "tok-bob@example.com").await, key);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_obtain_wrong_credentials_is_400() {
    let s = TestServer::start().await;
    s.create_user("tok-wrong@example.com", PW).await;
    let inactive = s.create_user("tok-inactive@example.com", PW).await;
    deactivate(&s, inactive).await;
    for body in [
        json!({"username": "tok-wrong@example.com", "password": "not-the-password"}),
        json!({"username": "nobody@example.com", "password": PW}),
        // The password is not trimmed.
        json!({"username": "tok-wrong@example.com", "password": format!(" {PW}")}),
        // Inactive users cannot log in.
        json!({"username": "tok-inactive@example.com", "password": PW}),
    ] {
        obtain(&s, &body)
            .await
            .assert_json(400, &json!({"non_field_errors": [UNABLE]}))
            .assert_header("allow", "POST, OPTIONS")
            .assert_no_header("www-authenticate");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_obtain_field_errors() {
    let s = TestServer::start().await;
    obtain(&s, &json!({})).await.assert_json(
        400,
        &json!({"username": [msg::REQUIRED], "password": [msg::REQUIRED]}),
    );
    obtain(&s, &json!({"username": "   ", "password": ""}))
        .await
        .assert_json(
            400,
            &json!({"username": [msg::BLANK], "password": [msg::BLANK]}),
        );
    obtain(&s, &json!({"username": null, "password": "x"}))
        .await
        .assert_json(400, &json!({"username": [msg::NULL]}));
    // The field is `username`, not `email`.
    obtain(&s, &json!({"email": "a@example.com", "password": PW}))
        .await
        .assert_json(400, &json!({"username": [msg::REQUIRED]}));
    s.request("POST", TOKEN_AUTH)
        .raw_body("application/x-www-form-urlencoded", "password=x")
        .send()
        .await
        .assert_json(400, &json!({"username": [msg::REQUIRED]}));
    s.get(TOKEN_AUTH, None)
        .await
        .assert_detail(405, "Method \"GET\" not allowed.")
        .assert_header("allow", "POST, OPTIONS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_obtain_options_and_authentication() {
    let s = TestServer::start().await;
    let r = s.request("OPTIONS", TOKEN_AUTH).send().await;
    r.assert_status(200).assert_header("allow", "POST, OPTIONS");
    let body = r.json();
    assert_eq!(body["name"], json!("Obtain Auth Token"), "{}", r.describe());
    assert_eq!(body["description"], json!(""), "{}", r.describe());
    // `AuthTokenSerializer`'s fields (no permission check: anonymous requests see them).
    let field = |read_only: bool, label: &str| {
        json!({
            "type": "string",
            "required": !read_only,
            "read_only": read_only,
            "label": label,
        })
    };
    let actions = json!({"POST": {
        "username": field(false, "Username"),
        "password": field(false, "Password"),
        "token": field(true, "Token"),
    }});
    if let Some(diff) = integration_tests::json_diff(&body["actions"], &actions, "$.actions") {
        panic!("{diff}\n{}", r.describe());
    }
    // `parser_classes = (FormParser, MultiPartParser, JSONParser)`; `renderer_classes =
    // (JSONRenderer,)`, so the answers do not vary on `Accept`.
    assert_eq!(
        (&body["renders"], &body["parses"]),
        (
            &json!(["application/json"]),
            &json!([
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/json"
            ])
        ),
        "{}",
        r.describe()
    );
    r.assert_header("vary", "Cookie, origin");
    s.request("POST", TOKEN_AUTH)
        .header("Accept", "text/html")
        .json(&json!({}))
        .send()
        .await
        .assert_detail(406, "Could not satisfy the request Accept header.")
        .assert_header("content-type", "application/json")
        // Negotiation fails before authentication: nothing looked at the session.
        .assert_header("vary", "origin");

    // The view runs the default authentication classes: bad credentials are a 401 here too.
    s.create_user("tok-options@example.com", PW).await;
    for (authorization, detail) in [
        (
            "Token 0123456789abcdef0123456789abcdef01234567",
            "Invalid token.",
        ),
        (
            "Basic !!!notbase64",
            "Invalid basic header. Credentials not correctly base64 encoded.",
        ),
    ] {
        s.request("POST", TOKEN_AUTH)
            .header("Authorization", authorization)
            .json(&json!({"username": "tok-options@example.com", "password": PW}))
            .send()
            .await
            .assert_detail(401, detail)
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE)
            .assert_header("allow", "POST, OPTIONS");
    }
}

// ---------------------------------------------------------------------------------------------
// Authorization: Token <key>

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_authenticates_a_write() {
    let s = TestServer::start().await;
    let id = s.create_user("tok-writer@example.com", PW).await;
    let key = token_key(&s, "tok-writer@example.com").await;
    for keyword in ["Token", "token"] {
        let r = s
            .request("POST", "/api/articles/")
            .header("Authorization", &format!("{keyword} {key}"))
            .json(&json!({"title": keyword, "content": "c"}))
            .send()
            .await;
        r.assert_status(201);
        assert_eq!(r.json()["user"], json!(id), "{}", r.describe());
    }
    // A read with the token works too.
    s.request("GET", "/api/articles/")
        .header("Authorization", &format!("Token {key}"))
        .send()
        .await
        .assert_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_failures_are_401_with_the_bearer_challenge() {
    let s = TestServer::start().await;
    let id = s.create_user("tok-fail@example.com", PW).await;
    let key = token_key(&s, "tok-fail@example.com").await;
    for (authorization, detail) in [
        (
            "Token 0123456789abcdef0123456789abcdef01234567".to_string(),
            "Invalid token.",
        ),
        // Keys are compared exactly.
        (format!("Token {}", key.to_uppercase()), "Invalid token."),
        (
            "Token".to_string(),
            "Invalid token header. No credentials provided.",
        ),
        (
            "Token a b".to_string(),
            "Invalid token header. Token string should not contain spaces.",
        ),
    ] {
        assert_401(&s, &authorization, detail).await;
    }
    // The token of an inactive user.
    deactivate(&s, id).await;
    assert_401(&s, &format!("Token {key}"), "User inactive or deleted.").await;
}

// ---------------------------------------------------------------------------------------------
// Authorization: Basic base64(email:password)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_authenticates_a_write() {
    let s = TestServer::start().await;
    let id = s.create_user("basic-writer@example.com", PW).await;
    let r = s
        .request("POST", "/api/articles/")
        .header("Authorization", &basic("basic-writer@example.com", PW))
        .json(&json!({"title": "basic", "content": "c"}))
        .send()
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["user"], json!(id), "{}", r.describe());
    // The scheme is case-insensitive.
    let lower = basic("basic-writer@example.com", PW).replacen("Basic", "basic", 1);
    s.request("POST", "/api/articles/")
        .header("Authorization", &lower)
        .json(&json!({"title": "lower", "content": "c"}))
        .send()
        .await
        .assert_status(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_failures_are_401_with_the_bearer_challenge() {
    let s = TestServer::start().await;
    s.create_user("basic-fail@example.com", PW).await;
    let inactive = s.create_user("basic-inactive@example.com", PW).await;
    deactivate(&s, inactive).await;
    let invalid = "Invalid username/password.";
    let encoding = "Invalid basic header. Credentials not correctly base64 encoded.";
    for (authorization, detail) in [
        (basic("basic-fail@example.com", "wrong"), invalid),
        (basic("nobody@example.com", PW), invalid),
        (basic("basic-fail@example.com", ""), invalid),
        // Django's authenticate() refuses inactive users: the same text.
        (basic("basic-inactive@example.com", PW), invalid),
        ("Basic !!!notbase64".to_string(), encoding),
        // base64 without a colon.
        (format!("Basic {}", base64(b"nocolon")), encoding),
        // An incomplete base64 quantum.
        ("Basic YWJjZ".to_string(), encoding),
        (
            "Basic".to_string(),
            "Invalid basic header. No credentials provided.",
        ),
        (
            "Basic a b".to_string(),
            "Invalid basic header. Credentials string should not contain spaces.",
        ),
    ] {
        assert_401(&s, &authorization, detail).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Other schemes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_schemes_are_anonymous() {
    let s = TestServer::start().await;
    for authorization in ["Foo bar", "Tokens abc", "Basically abc", "Digest x"] {
        let [read, write] = read_and_write(&s, authorization).await;
        read.assert_json(
            200,
            &json!({"count": 0, "next": null, "previous": null, "results": []}),
        );
        write.assert_not_authenticated();
    }
}
