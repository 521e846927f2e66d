//! simplejwt's refresh / verify / blacklist routes, the token blacklist, JWT refusals, and
//! dj-rest-auth's JWT cookie authentication, token routes and logout: OBSERVED.md sections
//! 3.1-3.3, 6.1, 6.6, 6.9 and 6.10.

use integration_tests::{TestServer, Value, json, jwt_parts, msg, parse_datetime, sign_token};
use sea_orm::ConnectionTrait;

const PW: &str = "password123!";
const DELETED_COOKIES: [&str; 2] = [
    r#"my-app-auth=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"#,
    r#"my-refresh-token=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"#,
];

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// simplejwt's 401 body of its token views.
fn token_not_valid(detail: &str) -> Value {
    json!({"detail": detail, "code": "token_not_valid"})
}

/// `JWTAuthentication`'s 401 body for a bad access token.
fn access_not_valid(message: &str) -> Value {
    json!({
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [{"token_class": "AccessToken", "token_type": "access", "message": message}],
    })
}

fn str_of(body: &Value, key: &str) -> String {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key:?} in {body}"))
        .to_string()
}

async fn user_pair(s: &TestServer, email: &str) -> (i64, String, String) {
    let id = s.create_user(email, PW).await;
    let (refresh, access) = s.token_pair(email, PW).await;
    (id, refresh, access)
}

async fn exec(s: &TestServer, sql: &str) {
    s.db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A token with simplejwt's claims for `user_id`, signed with the server's key.
fn claims_token(s: &TestServer, token_type: &str, exp: i64, user_id: &str) -> String {
    s.sign_token(&json!({
        "token_type": token_type,
        "exp": exp,
        "iat": now() - 10,
        "jti": "0123456789abcdef0123456789abcdef",
        "user_id": user_id,
    }))
}

async fn post(s: &TestServer, path: &str, body: &Value) -> integration_tests::Response {
    s.post(path, None, body).await
}

// ---------------------------------------------------------------------------------------------
// POST /api/token/refresh/ (rotation, blacklist after rotation)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_and_blacklists_the_old_refresh_token() {
    let s = TestServer::start().await;
    let (id, refresh, _) = user_pair(&s, "refresh-rotate@example.com").await;
    // The blacklist app records the refresh token issued by /api/token/.
    assert_eq!(s.count_rows("token_blacklist_outstandingtoken").await, 1);

    let r = post(&s, "/api/token/refresh/", &json!({"refresh": refresh})).await;
    r.assert_status(200)
        .assert_json_content_type()
        .assert_header("allow", "POST, OPTIONS");
    assert_eq!(r.keys(), ["access", "refresh"], "{}", r.describe());
    let body = r.json();
    let (access, rotated) = (str_of(&body, "access"), str_of(&body, "refresh"));
    let (_, old) = jwt_parts(&refresh);
    let (_, new) = jwt_parts(&rotated);
    assert_ne!(old["jti"], new["jti"]);
    assert_eq!(new["token_type"], json!("refresh"));
    assert_eq!(new["user_id"], json!(id.to_string()));
    let lifetime = new["exp"].as_i64().unwrap_or(0) - new["iat"].as_i64().unwrap_or(0);
    assert_eq!(lifetime, 86_400);
    let (_, access_claims) = jwt_parts(&access);
    assert_eq!(access_claims["token_type"], json!("access"));
    assert_eq!(
        access_claims["exp"].as_i64().unwrap_or(0) - now(),
        300,
        "{access_claims}"
    );
    // Old blacklisted, new recorded.
    assert_eq!(s.count_rows("token_blacklist_outstandingtoken").await, 2);
    assert_eq!(s.count_rows("token_blacklist_blacklistedtoken").await, 1);

    // The new access token works; the old refresh token is refused.
    s.get("/api/users/", Some(&access)).await.assert_status(200);
    let again = post(&s, "/api/token/refresh/", &json!({"refresh": refresh})).await;
    again
        .assert_json(401, &token_not_valid("Token is blacklisted"))
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE)
        .assert_header("allow", "POST, OPTIONS");
    // The rotated one refreshes in turn.
    post(&s, "/api/token/refresh/", &json!({"refresh": rotated}))
        .await
        .assert_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_refusals() {
    let s = TestServer::start().await;
    let (id, _, access) = user_pair(&s, "refresh-refusals@example.com").await;
    let expired = claims_token(&s, "refresh", now() - 5, &id.to_string());
    for (body, detail) in [
        (json!({"refresh": "garbage"}), "Token is invalid"),
        (json!({"refresh": 5}), "Token is invalid"),
        (json!({"refresh": access}), "Token has wrong type"),
        (json!({"refresh": expired}), "Token is expired"),
    ] {
        post(&s, "/api/token/refresh/", &body)
            .await
            .assert_json(401, &token_not_valid(detail))
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    }
    for (body, message) in [
        (json!({}), msg::REQUIRED),
        (json!({"refresh": null}), msg::NULL),
        (json!({"refresh": ""}), msg::BLANK),
    ] {
        post(&s, "/api/token/refresh/", &body)
            .await
            .assert_json(400, &json!({"refresh": [message]}))
            .assert_no_header("www-authenticate");
    }
    s.get("/api/token/refresh/", None)
        .await
        .assert_detail(405, "Method \"GET\" not allowed.")
        .assert_header("allow", "POST, OPTIONS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_refuses_inactive_and_deleted_users() {
    let s = TestServer::start().await;
    let (id, refresh, _) = user_pair(&s, "refresh-inactive@example.com").await;
    exec(
        &s,
        &format!("UPDATE accounts_user SET is_active = false WHERE id = {id}"),
    )
    .await;
    let no_account = json!({"detail": "No active account found for the given token."});
    post(&s, "/api/token/refresh/", &json!({"refresh": refresh}))
        .await
        .assert_json(401, &no_account)
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    // Refused before rotation: nothing was blacklisted.
    assert_eq!(s.count_rows("token_blacklist_blacklistedtoken").await, 0);
    if s.is_reference() {
        return; // simplejwt answers a deleted user's refresh token with a 500.
    }
    let (id, refresh, _) = user_pair(&s, "refresh-deleted@example.com").await;
    exec(&s, &format!("DELETE FROM accounts_user WHERE id = {id}")).await;
    post(&s, "/api/token/refresh/", &json!({"refresh": refresh}))
        .await
        .assert_json(401, &no_account);
}

// ---------------------------------------------------------------------------------------------
// POST /api/token/verify/ and /api/accounts/v1/token/verify/

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_accepts_both_types_and_refuses_the_rest() {
    let s = TestServer::start().await;
    let (id, refresh, access) = user_pair(&s, "verify@example.com").await;
    let expired = claims_token(&s, "access", now() - 5, &id.to_string());
    for path in ["/api/token/verify/", "/api/accounts/v1/token/verify/"] {
        for token in [&access, &refresh] {
            post(&s, path, &json!({"token": token}))
                .await
                .assert_json(200, &json!({}))
                .assert_header("allow", "POST, OPTIONS");
        }
        for (token, detail) in [
            (json!("garbage"), "Token is invalid"),
            (json!(expired), "Token is expired"),
        ] {
            post(&s, path, &json!({ "token": token }))
                .await
                .assert_json(401, &token_not_valid(detail))
                .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
        }
        post(&s, path, &json!({}))
            .await
            .assert_json(400, &json!({"token": [msg::REQUIRED]}));
        // The view authenticates nobody: a bad Authorization header does not matter.
        s.request("POST", path)
            .header("Authorization", "Bearer garbage")
            .json(&json!({"token": access}))
            .send()
            .await
            .assert_json(200, &json!({}));
        s.get(path, None)
            .await
            .assert_detail(405, "Method \"GET\" not allowed.");
    }
    // A blacklisted refresh token: 400, not 401.
    post(&s, "/api/token/blacklist/", &json!({"refresh": refresh}))
        .await
        .assert_status(200);
    for path in ["/api/token/verify/", "/api/accounts/v1/token/verify/"] {
        post(&s, path, &json!({"token": refresh}))
            .await
            .assert_json(400, &json!({"non_field_errors": ["Token is blacklisted"]}));
    }
}

// ---------------------------------------------------------------------------------------------
// POST /api/token/blacklist/

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blacklist_revokes_refresh_tokens_only() {
    let s = TestServer::start().await;
    let (_, refresh, access) = user_pair(&s, "blacklist@example.com").await;
    post(&s, "/api/token/blacklist/", &json!({"refresh": refresh}))
        .await
        .assert_json(200, &json!({}))
        .assert_header("allow", "POST, OPTIONS");
    for (token, detail) in [
        (&refresh, "Token is blacklisted"),
        (&"garbage".to_string(), "Token is invalid"),
        (&access, "Token has wrong type"),
    ] {
        post(&s, "/api/token/blacklist/", &json!({ "refresh": token }))
            .await
            .assert_json(401, &token_not_valid(detail))
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    }
    post(&s, "/api/token/blacklist/", &json!({}))
        .await
        .assert_json(400, &json!({"refresh": [msg::REQUIRED]}));
    s.get("/api/token/blacklist/", None)
        .await
        .assert_detail(405, "Method \"GET\" not allowed.")
        .assert_header("allow", "POST, OPTIONS");
    // Access tokens issued before stay valid; the refresh token no longer refreshes.
    s.get("/api/users/", Some(&access)).await.assert_status(200);
    post(&s, "/api/token/refresh/", &json!({"refresh": refresh}))
        .await
        .assert_json(401, &token_not_valid("Token is blacklisted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_views_options_metadata() {
    let s = TestServer::start().await;
    let field = |label: &str, required: bool, read_only: bool| json!({"type": "string", "required": required, "read_only": read_only, "label": label});
    let parses = json!([
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data"
    ]);
    let renders = json!(["application/json", "text/html"]);
    let cases = [
        (
            "/api/token/refresh/",
            "Token Refresh",
            "Takes a refresh type JSON web token and returns an access type JSON web\ntoken if the refresh token is valid.",
            json!({"refresh": field("Refresh", true, false), "access": field("Access", false, true)}),
        ),
        (
            "/api/token/verify/",
            "Token Verify",
            "Takes a token and indicates if it is valid.  This view provides no\ninformation about a token's fitness for a particular use.",
            json!({"token": field("Token", true, false)}),
        ),
        (
            "/api/token/blacklist/",
            "Token Blacklist",
            "Takes a token and blacklists it. Must be used with the\n`rest_framework_simplejwt.token_blacklist` app installed.",
            json!({"refresh": field("Refresh", true, false)}),
        ),
        (
            "/api/accounts/v1/token/refresh/",
            "Refresh View With Cookie Support",
            "",
            json!({
                "refresh": {"type": "string", "required": false, "read_only": false, "label": "Refresh", "help_text": "WIll override cookie."},
                "access": field("Access", false, true),
            }),
        ),
    ];
    for (path, name, description, fields) in cases {
        s.request("OPTIONS", path).send().await.assert_json(
            200,
            &json!({
                "name": name,
                "description": description,
                "renders": renders,
                "parses": parses,
                "actions": {"POST": fields},
            }),
        );
    }
    s.request("OPTIONS", "/api/accounts/v1/logout/")
        .send()
        .await
        .assert_json(
            200,
            &json!({
                "name": "Logout",
                "description": "Calls Django logout method and delete the Token object\nassigned to the current User object.\n\nAccepts/Returns nothing.",
                "renders": renders,
                "parses": parses,
            }),
        )
        .assert_header("allow", "GET, POST, HEAD, OPTIONS");
}

// ---------------------------------------------------------------------------------------------
// JWTAuthentication refusals (3.3)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_refusals_alg_none_other_algorithm_tampering_and_expiry() {
    let s = TestServer::start().await;
    let (id, _, access) = user_pair(&s, "bearer-refusals@example.com").await;
    let uid = id.to_string();
    let claims = json!({
        "token_type": "access", "exp": now() + 300, "iat": now(),
        "jti": "0123456789abcdef0123456789abcdef", "user_id": uid,
    });
    let b64 = |v: &Value| base64_url_no_pad(&serde_json::to_vec(v).expect("json"));
    let body = b64(&claims);
    // alg none, with and without a signature.
    let none = format!("{}.{body}.", b64(&json!({"alg": "none", "typ": "JWT"})));
    let none_signed = format!("{}.{body}.c2ln", b64(&json!({"alg": "none", "typ": "JWT"})));
    // Another HMAC algorithm with the right key.
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(s.secret_key.as_bytes()),
    )
    .expect("HS512");
    // The right algorithm with another key.
    let other_key = sign_token(&claims, b"another key");
    // A payload changed under the original signature.
    let parts: Vec<&str> = access.split('.').collect();
    let mut forged_claims = jwt_parts(&access).1;
    forged_claims["user_id"] = json!("999999");
    let forged = format!("{}.{}.{}", parts[0], b64(&forged_claims), parts[2]);
    // A flipped signature character.
    let mut signature = parts[2].to_string();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    signature.replace_range(0..1, flipped);
    let tampered = format!("{}.{}.{signature}", parts[0], parts[1]);
    for token in [&none, &none_signed, &hs512, &other_key, &forged, &tampered] {
        s.get("/api/articles/", Some(token))
            .await
            .assert_json(401, &access_not_valid("Token is invalid"))
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    }
    let expired = claims_token(&s, "access", now() - 1, &uid);
    s.get("/api/articles/", Some(&expired))
        .await
        .assert_json(401, &access_not_valid("Token is expired"));
    // The genuine token still works.
    s.get("/api/users/", Some(&access)).await.assert_status(200);
}

/// base64url without padding (JWT segments).
fn base64_url_no_pad(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_and_cookie_refusals_for_inactive_and_deleted_users() {
    let s = TestServer::start().await;
    let (inactive, _, inactive_access) = user_pair(&s, "bearer-inactive@example.com").await;
    exec(
        &s,
        &format!("UPDATE accounts_user SET is_active = false WHERE id = {inactive}"),
    )
    .await;
    let (deleted, _, deleted_access) = user_pair(&s, "bearer-deleted@example.com").await;
    exec(
        &s,
        &format!(
            "UPDATE token_blacklist_outstandingtoken SET user_id = NULL WHERE user_id = {deleted}"
        ),
    )
    .await;
    exec(
        &s,
        &format!("DELETE FROM accounts_user WHERE id = {deleted}"),
    )
    .await;
    let cases = [
        (inactive_access, "User is inactive", "user_inactive"),
        (deleted_access, "User not found", "user_not_found"),
    ];
    for (access, detail, code) in cases {
        for request in [
            s.request("GET", "/api/articles/").bearer(&access),
            s.request("GET", "/api/articles/")
                .header("Cookie", &format!("my-app-auth={access}")),
        ] {
            request
                .send()
                .await
                .assert_json(401, &json!({ "detail": detail, "code": code }))
                .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JWT cookie authentication (6.10)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_cookie_authenticates_reads_and_writes_without_csrf() {
    let s = TestServer::start().await;
    let (id, _, access) = user_pair(&s, "cookie-auth@example.com").await;
    let cookie = format!("my-app-auth={access}");
    let r = s
        .request("GET", &format!("/api/users/{id}/"))
        .header("Cookie", &cookie)
        .send()
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["email"], json!("cookie-auth@example.com"));
    s.request("POST", "/api/articles/")
        .header("Cookie", &format!("other=1; {cookie}; more=2"))
        .json(&json!({"title": "By cookie", "content": "Body"}))
        .send()
        .await
        .assert_status(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_access_cookie_is_the_bad_bearer_401() {
    let s = TestServer::start().await;
    let (_, refresh, _) = user_pair(&s, "cookie-bad@example.com").await;
    for (value, message) in [
        ("garbage", "Token is invalid"),
        ("", "Token is invalid"),
        (refresh.as_str(), "Token has wrong type"),
    ] {
        s.request("GET", "/api/articles/")
            .header("Cookie", &format!("my-app-auth={value}"))
            .send()
            .await
            .assert_json(401, &access_not_valid(message))
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_cookie_is_ignored_when_an_authorization_header_is_present() {
    let s = TestServer::start().await;
    let (_, _, access) = user_pair(&s, "cookie-header@example.com").await;
    // Another scheme: the cookie is not looked at, the request is anonymous.
    s.request("GET", "/api/users/")
        .header("Authorization", "Foo bar")
        .header("Cookie", &format!("my-app-auth={access}"))
        .send()
        .await
        .assert_not_authenticated();
    // A garbage cookie does not spoil a valid Bearer token.
    s.request("GET", "/api/users/")
        .bearer(&access)
        .header("Cookie", "my-app-auth=garbage")
        .send()
        .await
        .assert_status(200);
}

// ---------------------------------------------------------------------------------------------
// POST /api/accounts/v1/token/refresh/ (6.9)

/// Checks a `Set-Cookie` value: name, value and `expires` / `Max-Age` / `Path` / `SameSite`.
fn assert_jwt_cookie(header: &str, name: &str, value: &str, max_age: i64) {
    let prefix = format!("{name}={value}; expires=");
    let rest = header
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{header:?} does not start with {prefix:?}"));
    let (expires, attributes) = rest.split_once("; ").expect("attributes");
    assert_eq!(
        attributes,
        format!("Max-Age={max_age}; Path=/; SameSite=Lax"),
        "{header}"
    );
    let at = chrono::NaiveDateTime::parse_from_str(expires, "%a, %d %b %Y %H:%M:%S GMT")
        .unwrap_or_else(|e| panic!("expires {expires:?}: {e}"))
        .and_utc();
    assert!(
        (at.timestamp() - (now() + max_age)).abs() <= 2,
        "expires {expires} is not now + {max_age} s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_refresh_from_body_sets_cookies_and_expirations() {
    let s = TestServer::start().await;
    let (_, refresh, _) = user_pair(&s, "acc-refresh@example.com").await;
    let r = post(
        &s,
        "/api/accounts/v1/token/refresh/",
        &json!({"refresh": refresh}),
    )
    .await;
    r.assert_status(200)
        .assert_header("allow", "POST, OPTIONS")
        .assert_json_content_type();
    assert_eq!(
        r.keys(),
        [
            "access",
            "refresh",
            "access_expiration",
            "refresh_expiration"
        ],
        "{}",
        r.describe()
    );
    let body = r.json();
    let (access, rotated) = (str_of(&body, "access"), str_of(&body, "refresh"));
    for (key, lifetime) in [("access_expiration", 300), ("refresh_expiration", 86_400)] {
        let text = str_of(&body, key);
        assert!(text.ends_with('Z'), "{key}: {text}");
        let at = parse_datetime(&text);
        assert!(
            (at.timestamp() - (now() + lifetime)).abs() <= 2,
            "{key} {text} is not now + {lifetime} s"
        );
    }
    let cookies = r.header_all("set-cookie");
    assert_eq!(cookies.len(), 2, "{}", r.describe());
    assert_jwt_cookie(&cookies[0], "my-app-auth", &access, 300);
    assert_jwt_cookie(&cookies[1], "my-refresh-token", &rotated, 86_400);
    // Rotation and blacklisting as /api/token/refresh/.
    post(
        &s,
        "/api/accounts/v1/token/refresh/",
        &json!({"refresh": refresh}),
    )
    .await
    .assert_json(401, &token_not_valid("Token is blacklisted"))
    .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    // The new access cookie authenticates.
    s.request("GET", "/api/users/")
        .header("Cookie", &format!("my-app-auth={access}"))
        .send()
        .await
        .assert_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_refresh_falls_back_to_the_refresh_cookie() {
    let s = TestServer::start().await;
    let (_, refresh, _) = user_pair(&s, "acc-refresh-cookie@example.com").await;
    let (other_refresh, _) = s.token_pair("acc-refresh-cookie@example.com", PW).await;
    let r = s
        .request("POST", "/api/accounts/v1/token/refresh/")
        .header("Cookie", &format!("my-refresh-token={refresh}"))
        .send()
        .await;
    r.assert_status(200);
    assert_eq!(r.header_all("set-cookie").len(), 2, "{}", r.describe());
    // The body wins over the cookie.
    s.request("POST", "/api/accounts/v1/token/refresh/")
        .header("Cookie", &format!("my-refresh-token={refresh}"))
        .json(&json!({"refresh": other_refresh}))
        .send()
        .await
        .assert_status(200);
    // An empty field is a field error, not a fallback.
    s.request("POST", "/api/accounts/v1/token/refresh/")
        .header("Cookie", &format!("my-refresh-token={refresh}"))
        .json(&json!({"refresh": ""}))
        .send()
        .await
        .assert_json(400, &json!({"refresh": [msg::BLANK]}));
    s.request("POST", "/api/accounts/v1/token/refresh/")
        .json(&json!({"refresh": null}))
        .send()
        .await
        .assert_json(400, &json!({"refresh": [msg::NULL]}));
    // Neither: 401 with the challenge.
    let r = s
        .request("POST", "/api/accounts/v1/token/refresh/")
        .send()
        .await;
    r.assert_json(401, &token_not_valid("No valid refresh token found."))
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE)
        .assert_no_header("set-cookie");
    s.request("POST", "/api/accounts/v1/token/refresh/")
        .header("Cookie", "my-refresh-token=abc")
        .send()
        .await
        .assert_json(401, &token_not_valid("Token is invalid"));
    s.get("/api/accounts/v1/token/refresh/", None)
        .await
        .assert_detail(405, "Method \"GET\" not allowed.")
        .assert_header("allow", "POST, OPTIONS");
}

// ---------------------------------------------------------------------------------------------
// POST /api/accounts/v1/logout/ (6.6)

fn assert_cookies_deleted(r: &integration_tests::Response) {
    assert_eq!(
        r.header_all("set-cookie"),
        DELETED_COOKIES,
        "{}",
        r.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_blacklists_the_refresh_token_and_deletes_cookies() {
    let s = TestServer::start().await;
    let (_, refresh, access) = user_pair(&s, "logout@example.com").await;
    let r = post(&s, "/api/accounts/v1/logout/", &json!({"refresh": refresh})).await;
    r.assert_json(200, &json!({"detail": "Successfully logged out."}))
        .assert_header("allow", "GET, POST, HEAD, OPTIONS")
        .assert_no_header("www-authenticate");
    assert_cookies_deleted(&r);
    post(&s, "/api/token/refresh/", &json!({"refresh": refresh}))
        .await
        .assert_json(401, &token_not_valid("Token is blacklisted"));
    // Again: the plain 401s, cookies deleted all the same.
    for (body, detail) in [
        (json!({"refresh": refresh}), "Token is blacklisted"),
        (json!({"refresh": access}), "Token has wrong type"),
        (json!({"refresh": "garbage"}), "Token is invalid"),
        (json!({"refresh": 5}), "Token is invalid"),
        (json!({}), "Refresh token was not included in request data."),
    ] {
        let r = post(&s, "/api/accounts/v1/logout/", &body).await;
        r.assert_detail(401, detail)
            .assert_no_header("www-authenticate");
        assert_cookies_deleted(&r);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_reads_the_body_not_the_refresh_cookie() {
    // dj-rest-auth with JWT_AUTH_HTTPONLY = False takes the refresh token from the body only.
    let s = TestServer::start().await;
    let (_, refresh, _) = user_pair(&s, "logout-cookie@example.com").await;
    let r = s
        .request("POST", "/api/accounts/v1/logout/")
        .header("Cookie", &format!("my-refresh-token={refresh}"))
        .send()
        .await;
    r.assert_detail(401, "Refresh token was not included in request data.")
        .assert_no_header("www-authenticate");
    assert_cookies_deleted(&r);
    post(&s, "/api/token/refresh/", &json!({"refresh": refresh}))
        .await
        .assert_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_get_and_head_are_405_with_the_odd_allow_header() {
    let s = TestServer::start().await;
    for method in ["GET", "HEAD"] {
        let r = s.request(method, "/api/accounts/v1/logout/").send().await;
        r.assert_status(405)
            .assert_header("allow", "GET, POST, HEAD, OPTIONS")
            .assert_no_header("set-cookie");
        if method == "GET" {
            r.assert_detail(405, "Method \"GET\" not allowed.");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_with_drf_token_deletes_it() {
    let s = TestServer::start().await;
    let (_, refresh, _) = user_pair(&s, "logout-token@example.com").await;
    let r = s
        .post(
            "/api/api-token-auth/",
            None,
            &json!({"username": "logout-token@example.com", "password": PW}),
        )
        .await;
    r.assert_status(200);
    let key = str_of(&r.json(), "token");
    let auth = format!("Token {key}");
    s.request("GET", "/api/users/")
        .header("Authorization", &auth)
        .send()
        .await
        .assert_status(200);
    s.request("POST", "/api/accounts/v1/logout/")
        .header("Authorization", &auth)
        .json(&json!({"refresh": refresh}))
        .send()
        .await
        .assert_json(200, &json!({"detail": "Successfully logged out."}));
    s.request("GET", "/api/users/")
        .header("Authorization", &auth)
        .send()
        .await
        .assert_detail(401, "Invalid token.");
    // A bad credential on logout is the authentication's 401, with the challenge.
    s.request("POST", "/api/accounts/v1/logout/")
        .bearer("garbage")
        .json(&json!({"refresh": refresh}))
        .send()
        .await
        .assert_json(401, &access_not_valid("Token is invalid"))
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
}
