//! JWT authentication: OBSERVED.md sections 3 and 6.1.

use integration_tests::{TestServer, Value, json, jwt_parts, msg, sign_token};

const PW: &str = "password123!";

fn token_not_valid(message: &str) -> Value {
    json!({
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [{"token_class": "AccessToken", "token_type": "access", "message": message}],
    })
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims in simplejwt's order.
fn claims(token_type: &str, exp: i64, iat: i64, user_id: &str) -> Value {
    json!({
        "token_type": token_type,
        "exp": exp,
        "iat": iat,
        "jti": "0123456789abcdef0123456789abcdef",
        "user_id": user_id,
    })
}

// ---------------------------------------------------------------------------------------------
// POST /api/token/

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_obtain_returns_refresh_then_access() {
    let s = TestServer::start().await;
    let id = s.create_user("obtain-alice@example.com", PW).await;
    let r = s
        .post(
            "/api/token/",
            None,
            &json!({"email": "obtain-alice@example.com", "password": PW}),
        )
        .await;
    r.assert_status(200)
        .assert_json_content_type()
        .assert_header("allow", "POST, OPTIONS");
    assert_eq!(r.keys(), ["refresh", "access"], "{}", r.describe());
    let body = r.json();

    for (key, token_type, lifetime) in [("access", "access", 300), ("refresh", "refresh", 86_400)] {
        let token = body[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} is not a string\n{}", r.describe()));
        let (header, payload) = jwt_parts(token);
        assert_eq!(header["alg"], json!("HS256"), "{key} header {header}");
        assert_eq!(header["typ"], json!("JWT"), "{key} header {header}");
        let keys: Vec<&String> = payload
            .as_object()
            .expect("payload object")
            .keys()
            .collect();
        assert_eq!(
            keys,
            ["token_type", "exp", "iat", "jti", "user_id"],
            "{key} claims must be simplejwt's, in its order: {payload}"
        );
        assert_eq!(payload["token_type"], json!(token_type), "{key}: {payload}");
        assert_eq!(
            payload["user_id"],
            json!(id.to_string()),
            "{key}: user_id must be the user's id as a string: {payload}"
        );
        let exp = payload["exp"].as_i64().expect("exp is an integer");
        let iat = payload["iat"].as_i64().expect("iat is an integer");
        assert_eq!(exp - iat, lifetime, "{key}: exp - iat: {payload}");
        assert!((iat - now()).abs() <= 5, "{key}: iat is not now: {payload}");
        let jti = payload["jti"].as_str().expect("jti is a string");
        assert!(
            jti.len() == 32
                && jti
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            "{key}: jti must be 32 lowercase hex characters: {payload}"
        );
    }

    // Two logins give different tokens (fresh jti).
    let (refresh2, access2) = s.token_pair("obtain-alice@example.com", PW).await;
    assert_ne!(json!(access2), body["access"]);
    assert_ne!(json!(refresh2), body["refresh"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_obtain_wrong_credentials_is_401() {
    let s = TestServer::start().await;
    s.create_user("wrong-alice@example.com", PW).await;
    for body in [
        json!({"email": "wrong-alice@example.com", "password": "not-the-password"}),
        json!({"email": "nobody@example.com", "password": PW}),
    ] {
        s.post("/api/token/", None, &body)
            .await
            .assert_detail(401, "No active account found with the given credentials")
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE)
            .assert_json_content_type();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_obtain_requires_email_and_password() {
    let s = TestServer::start().await;
    s.post("/api/token/", None, &json!({})).await.assert_json(
        400,
        &json!({"email": [msg::REQUIRED], "password": [msg::REQUIRED]}),
    );
    s.post("/api/token/", None, &json!({"email": "", "password": ""}))
        .await
        .assert_json(
            400,
            &json!({"email": [msg::BLANK], "password": [msg::BLANK]}),
        );
    // The field is `email`; `username` is not accepted.
    s.post(
        "/api/token/",
        None,
        &json!({"username": "a@example.com", "password": PW}),
    )
    .await
    .assert_json(400, &json!({"email": [msg::REQUIRED]}));
    s.get("/api/token/", None)
        .await
        .assert_detail(405, "Method \"GET\" not allowed.");
}

// ---------------------------------------------------------------------------------------------
// Using the tokens

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_token_authenticates_with_bearer_and_jwt_prefixes() {
    let s = TestServer::start().await;
    let (id, access) = s.user_with_token("prefix-alice@example.com").await;
    for prefix in ["Bearer", "JWT"] {
        let r = s
            .request("POST", "/api/articles/")
            .header("Authorization", &format!("{prefix} {access}"))
            .json(&json!({"title": prefix, "content": "c"}))
            .send()
            .await;
        r.assert_status(201);
        assert_eq!(r.json()["user"], json!(id), "{}", r.describe());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bearer_token_is_401_even_on_get() {
    let s = TestServer::start().await;
    let (_, access) = s.user_with_token("bad-alice@example.com").await;
    // Tamper with the payload: keep the signature, change one character of the claims.
    let parts: Vec<&str> = access.split('.').collect();
    let mut payload: Vec<char> = parts[1].chars().collect();
    let mid = payload.len() / 2;
    payload[mid] = if payload[mid] == 'A' { 'B' } else { 'A' };
    let payload: String = payload.into_iter().collect();
    let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
    let unsigned = {
        // alg none
        let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"; // {"alg":"none","typ":"JWT"}
        format!("{header}.{}.", parts[1])
    };
    let other_key = sign_token(
        &claims("access", now() + 300, now(), "1"),
        b"some other key",
    );

    for token in [
        "garbage".to_string(),
        "a.b.c".to_string(),
        tampered,
        unsigned,
        other_key,
    ] {
        for path in ["/api/articles/", "/api/"] {
            s.get(path, Some(&token))
                .await
                .assert_json(401, &token_not_valid("Token is invalid"))
                .assert_header("www-authenticate", msg::WWW_AUTHENTICATE)
                .assert_json_content_type();
        }
        s.request("GET", "/api/articles/")
            .header("Authorization", &format!("JWT {token}"))
            .send()
            .await
            .assert_json(401, &token_not_valid("Token is invalid"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_authorization_header_is_401() {
    let s = TestServer::start().await;
    let expected = json!({
        "detail": "Authorization header must contain two space-delimited values",
        "code": "bad_authorization_header",
    });
    for header in ["Bearer", "Bearer a b"] {
        s.request("GET", "/api/articles/")
            .header("Authorization", header)
            .send()
            .await
            .assert_json(401, &expected)
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_token_as_bearer_has_wrong_type() {
    let s = TestServer::start().await;
    s.create_user("refresh-alice@example.com", PW).await;
    let (refresh, _) = s.token_pair("refresh-alice@example.com", PW).await;
    s.get("/api/articles/", Some(&refresh))
        .await
        .assert_json(401, &token_not_valid("Token has wrong type"))
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    s.post(
        "/api/articles/",
        Some(&refresh),
        &json!({"title": "t", "content": "c"}),
    )
    .await
    .assert_json(401, &token_not_valid("Token has wrong type"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_access_token_is_401_expired() {
    let s = TestServer::start().await;
    let id = s.create_user("expired-alice@example.com", PW).await;
    // Sanity check of the forging: a fresh token signed the same way is accepted.
    let fresh = s.sign_token(&claims("access", now() + 300, now(), &id.to_string()));
    s.post(
        "/api/articles/",
        Some(&fresh),
        &json!({"title": "t", "content": "c"}),
    )
    .await
    .assert_status(201);

    let expired = s.sign_token(&claims("access", now() - 5, now() - 305, &id.to_string()));
    s.get("/api/articles/", Some(&expired))
        .await
        .assert_json(401, &token_not_valid("Token is expired"))
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_token_for_unknown_user_is_user_not_found() {
    let s = TestServer::start().await;
    let token = s.sign_token(&claims("access", now() + 300, now(), "999999"));
    s.get("/api/articles/", Some(&token))
        .await
        .assert_json(
            401,
            &json!({"detail": "User not found", "code": "user_not_found"}),
        )
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_authorization_scheme_is_anonymous() {
    let s = TestServer::start().await;
    s.request("GET", "/api/articles/")
        .header("Authorization", "Foo bar")
        .send()
        .await
        .assert_json(
            200,
            &json!({"count": 0, "next": null, "previous": null, "results": []}),
        );
    s.request("POST", "/api/articles/")
        .header("Authorization", "Foo bar")
        .json(&json!({"title": "t", "content": "c"}))
        .send()
        .await
        .assert_not_authenticated();
}

/// django-allauth matches the login e-mail case-insensitively (`email__iexact`), for JWT
/// login, DRF's token login and Basic authentication alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_email_is_case_insensitive() {
    let s = TestServer::start().await;
    s.create_user("case-alice@example.com", "password123!")
        .await;
    let r = s
        .post(
            "/api/token/",
            None,
            &json!({"email": "Case-Alice@EXAMPLE.com", "password": "password123!"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.keys(), ["refresh", "access"], "{}", r.describe());
    let r = s
        .post(
            "/api/api-token-auth/",
            None,
            &json!({"username": "CASE-ALICE@example.com", "password": "password123!"}),
        )
        .await;
    r.assert_status(200);
    let wrong = s
        .post(
            "/api/token/",
            None,
            &json!({"email": "Case-Alice@EXAMPLE.com", "password": "Password123!"}),
        )
        .await;
    wrong.assert_detail(401, "No active account found with the given credentials");
}
