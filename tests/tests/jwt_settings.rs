//! simplejwt and dj-rest-auth settings the blog does not use, over HTTP against small test
//! applications built from the framework: sliding tokens, RS256 / ES256 keys, audience,
//! issuer, leeway, header types, the user id claim, no rotation, HTTP-only JWT cookies.

use chrono::Duration;
use example_blog::entities::user;
use example_blog::views::UserViewSet;
use integration_tests::{TestServer, Value, json, jwt_parts, msg};
use jsonwebtoken::Algorithm;
use rest_framework::contrib::accounts::dj_rest_auth::{CookieTokenRefreshView, LogoutView};
use rest_framework::contrib::accounts::jwt_cookies::JwtCookieSettings;
use rest_framework::contrib::simplejwt::jwt::{JwtSettings, TokenType};
use rest_framework::contrib::simplejwt::views::{
    TokenBlacklistView, TokenObtainPairView, TokenObtainSlidingView, TokenRefreshSlidingView,
    TokenRefreshView,
};
use rest_framework::poem::EndpointExt;
use rest_framework::routers::DefaultRouter;
use rest_framework::settings::{AppState, Settings};
use rest_framework::urls::UrlPatterns;
use sea_orm::ConnectionTrait;

const PW: &str = "password123!";

/// Test-only keys (framework/tests/fixtures/jwt_keys/README.md).
const RS256_PRIVATE: &str =
    include_str!("../../framework/tests/fixtures/jwt_keys/rs256_private.pem");
const RS256_PUBLIC: &str = include_str!("../../framework/tests/fixtures/jwt_keys/rs256_public.pem");
const ES256_PRIVATE: &str =
    include_str!("../../framework/tests/fixtures/jwt_keys/es256_private.pem");
const ES256_PUBLIC: &str = include_str!("../../framework/tests/fixtures/jwt_keys/es256_public.pem");

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A test application: the blog's settings changed by `configure`, serving the simplejwt
/// views, the sliding views, dj-rest-auth's refresh and logout, and `/api/users/`.
async fn app(configure: impl FnOnce(&mut Settings) + Send + 'static) -> TestServer {
    TestServer::start_blog_app(move |db, config| {
        let mut settings = example_blog::api::settings(config);
        configure(&mut settings);
        let state = AppState::new::<user::Entity>(db, settings);
        UrlPatterns::new()
            .include("/api/", DefaultRouter::new().register("users", UserViewSet))
            .path("/api/token/", TokenObtainPairView)
            .path("/api/token/refresh/", TokenRefreshView)
            .path("/api/token/blacklist/", TokenBlacklistView)
            .path("/api/token/sliding/", TokenObtainSlidingView)
            .path("/api/token/sliding/refresh/", TokenRefreshSlidingView)
            .path("/api/accounts/v1/token/refresh/", CookieTokenRefreshView)
            .path("/api/accounts/v1/logout/", LogoutView::default())
            .into_endpoint(state)
            .boxed()
    })
    .await
}

fn credentials(email: &str) -> Value {
    json!({"email": email, "password": PW})
}

fn str_of(body: &Value, key: &str) -> String {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key:?} in {body}"))
        .to_string()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn token_not_valid(detail: &str) -> Value {
    json!({"detail": detail, "code": "token_not_valid"})
}

fn not_valid_for(class: &str, token_type: &str, message: &str) -> Value {
    json!({
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [{"token_class": class, "token_type": token_type, "message": message}],
    })
}

/// Signs claims with `algorithm` and a PEM private key.
fn sign_pem(algorithm: Algorithm, pem: &str, claims: &Value) -> String {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let key = match algorithm {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()),
    }
    .expect("PEM key");
    encode(&Header::new(algorithm), claims, &key).expect("sign")
}

// ---------------------------------------------------------------------------------------------
// Sliding tokens

fn sliding_settings(settings: &mut Settings) {
    settings.jwt_mut().auth_token_types = vec![TokenType::Sliding];
    settings.jwt_mut().sliding_token_lifetime = Duration::seconds(120);
    settings.jwt_mut().sliding_token_refresh_lifetime = Duration::seconds(600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sliding_token_obtain_authenticate_and_refresh() {
    let s = app(sliding_settings).await;
    let id = s.create_user("sliding@example.com", PW).await;
    let r = s
        .post(
            "/api/token/sliding/",
            None,
            &credentials("sliding@example.com"),
        )
        .await;
    r.assert_status(200).assert_header("allow", "POST, OPTIONS");
    assert_eq!(r.keys(), ["token"], "{}", r.describe());
    let token = str_of(&r.json(), "token");
    let (_, claims) = jwt_parts(&token);
    assert_eq!(
        keys(&claims),
        ["token_type", "exp", "iat", "jti", "refresh_exp", "user_id"]
    );
    assert_eq!(claims["token_type"], json!("sliding"));
    assert_eq!(claims["user_id"], json!(id.to_string()));
    let iat = claims["iat"].as_i64().unwrap_or(0);
    assert_eq!(claims["exp"].as_i64().unwrap_or(0) - iat, 120);
    assert_eq!(claims["refresh_exp"].as_i64().unwrap_or(0) - iat, 600);
    // Recorded by the blacklist app.
    assert_eq!(s.count_rows("token_blacklist_outstandingtoken").await, 1);

    // It authenticates; an access token does not (AUTH_TOKEN_CLASSES = SlidingToken).
    s.get("/api/users/", Some(&token)).await.assert_status(200);
    let (_, access) = s.token_pair("sliding@example.com", PW).await;
    s.get("/api/users/", Some(&access))
        .await
        .assert_json(
            401,
            &not_valid_for("SlidingToken", "sliding", "Token has wrong type"),
        )
        .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);

    // Refresh: same jti and refresh_exp, exp renewed.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = s
        .post(
            "/api/token/sliding/refresh/",
            None,
            &json!({"token": token}),
        )
        .await;
    r.assert_status(200);
    let renewed = str_of(&r.json(), "token");
    let (_, new_claims) = jwt_parts(&renewed);
    assert_eq!(new_claims["jti"], claims["jti"]);
    assert_eq!(new_claims["refresh_exp"], claims["refresh_exp"]);
    assert!(
        new_claims["iat"].as_i64() > claims["iat"].as_i64(),
        "{new_claims}"
    );
    assert_eq!(
        new_claims["exp"].as_i64().unwrap_or(0) - new_claims["iat"].as_i64().unwrap_or(0),
        120
    );
    s.get("/api/users/", Some(&renewed))
        .await
        .assert_status(200);
    s.post("/api/token/sliding/refresh/", None, &json!({}))
        .await
        .assert_json(400, &json!({"token": [msg::REQUIRED]}));
    s.post(
        "/api/token/sliding/refresh/",
        None,
        &json!({"token": access}),
    )
    .await
    .assert_json(401, &token_not_valid("Token has wrong type"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sliding_token_refusals() {
    let s = app(sliding_settings).await;
    let id = s.create_user("sliding-refusals@example.com", PW).await;
    let sliding = |exp: i64, refresh_exp: i64| {
        s.sign_token(&json!({
            "token_type": "sliding", "exp": exp, "iat": now() - 700,
            "jti": "0123456789abcdef0123456789abcdef", "refresh_exp": refresh_exp,
            "user_id": id.to_string(),
        }))
    };
    // Still valid, but no longer renewable.
    let stale = sliding(now() + 60, now() - 1);
    s.get("/api/users/", Some(&stale)).await.assert_status(200);
    s.post(
        "/api/token/sliding/refresh/",
        None,
        &json!({"token": stale}),
    )
    .await
    .assert_json(
        401,
        &token_not_valid("Token 'refresh_exp' claim has expired"),
    )
    .assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    // Expired: neither authenticates nor refreshes.
    let expired = sliding(now() - 1, now() + 600);
    s.get("/api/users/", Some(&expired)).await.assert_json(
        401,
        &not_valid_for("SlidingToken", "sliding", "Token is expired"),
    );
    s.post(
        "/api/token/sliding/refresh/",
        None,
        &json!({"token": expired}),
    )
    .await
    .assert_json(401, &token_not_valid("Token is expired"));
    // A blacklisted sliding token is refused everywhere.
    let r = s
        .post(
            "/api/token/sliding/",
            None,
            &credentials("sliding-refusals@example.com"),
        )
        .await;
    let token = str_of(&r.json(), "token");
    s.db.execute_unprepared(
        "INSERT INTO token_blacklist_blacklistedtoken (blacklisted_at, token_id) \
         SELECT '2026-01-01 00:00:00+00:00', id FROM token_blacklist_outstandingtoken",
    )
    .await
    .expect("blacklist");
    s.get("/api/users/", Some(&token)).await.assert_json(
        401,
        &not_valid_for("SlidingToken", "sliding", "Token is blacklisted"),
    );
    s.post(
        "/api/token/sliding/refresh/",
        None,
        &json!({"token": token}),
    )
    .await
    .assert_json(401, &token_not_valid("Token is blacklisted"));
    // Wrong credentials.
    s.post(
        "/api/token/sliding/",
        None,
        &json!({"email": "sliding-refusals@example.com", "password": "nope"}),
    )
    .await
    .assert_detail(401, "No active account found with the given credentials");
}

// ---------------------------------------------------------------------------------------------
// RS256 / ES256

async fn asymmetric_round_trip(algorithm: Algorithm, private: &'static str, public: &'static str) {
    let s = app(move |settings| {
        let mut jwt = JwtSettings::with_pem_keys(algorithm, private, public).expect("test keys");
        jwt.rotate_refresh_tokens = true;
        jwt.blacklist_after_rotation = true;
        jwt.token_blacklist = true;
        *settings.jwt_mut() = jwt;
    })
    .await;
    let id = s.create_user("asymmetric@example.com", PW).await;
    let (refresh, access) = s.token_pair("asymmetric@example.com", PW).await;
    let name = format!("{algorithm:?}");
    for token in [&refresh, &access] {
        let (header, _) = jwt_parts(token);
        assert_eq!(header, json!({"alg": name, "typ": "JWT"}));
    }
    s.get("/api/users/", Some(&access)).await.assert_status(200);
    let r = s
        .post("/api/token/refresh/", None, &json!({"refresh": refresh}))
        .await;
    r.assert_status(200);
    s.get("/api/users/", Some(&str_of(&r.json(), "access")))
        .await
        .assert_status(200);
    // HS256 with the Django secret, the other asymmetric algorithm, alg none: refused.
    let claims = json!({
        "token_type": "access", "exp": now() + 300, "iat": now(),
        "jti": "0123456789abcdef0123456789abcdef", "user_id": id.to_string(),
    });
    let other = match algorithm {
        Algorithm::ES256 => sign_pem(Algorithm::RS256, RS256_PRIVATE, &claims),
        _ => sign_pem(Algorithm::ES256, ES256_PRIVATE, &claims),
    };
    let hs256 = s.sign_token(&claims);
    let (head, body) = access.split_once('.').expect("JWT");
    let body = body.split('.').next().expect("payload");
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{body}.");
    let tampered = format!("{head}.{body}.AAAA");
    for token in [&other, &hs256, &none, &tampered] {
        s.get("/api/users/", Some(token)).await.assert_json(
            401,
            &not_valid_for("AccessToken", "access", "Token is invalid"),
        );
    }
    let genuine = sign_pem(algorithm, private, &claims);
    s.get("/api/users/", Some(&genuine))
        .await
        .assert_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rs256_tokens_are_signed_and_verified_with_pem_keys() {
    asymmetric_round_trip(Algorithm::RS256, RS256_PRIVATE, RS256_PUBLIC).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn es256_tokens_are_signed_and_verified_with_pem_keys() {
    asymmetric_round_trip(Algorithm::ES256, ES256_PRIVATE, ES256_PUBLIC).await;
}

#[test]
fn bad_pem_keys_are_refused_at_configuration() {
    assert!(JwtSettings::with_pem_keys(Algorithm::RS256, "not a key", RS256_PUBLIC).is_err());
    assert!(JwtSettings::with_pem_keys(Algorithm::RS256, RS256_PRIVATE, "nope").is_err());
    assert!(JwtSettings::with_pem_keys(Algorithm::ES256, RS256_PRIVATE, RS256_PUBLIC).is_err());
    assert!(JwtSettings::with_pem_keys(Algorithm::HS256, "a", "b").is_err());
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../framework/tests/fixtures/jwt_keys"
    );
    let from_files = JwtSettings::from_pem_files(
        Algorithm::ES256,
        format!("{dir}/es256_private.pem"),
        format!("{dir}/es256_public.pem"),
    )
    .expect("key files");
    assert_eq!(from_files.algorithm, Algorithm::ES256);
    assert!(JwtSettings::from_pem_files(Algorithm::ES256, "/nonexistent", "/nonexistent").is_err());
}

// ---------------------------------------------------------------------------------------------
// AUDIENCE, ISSUER, LEEWAY, AUTH_HEADER_TYPES, USER_ID_CLAIM

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audience_issuer_and_leeway() {
    let s = app(|settings| {
        settings.jwt_mut().audience = Some("blog-api".into());
        settings.jwt_mut().issuer = Some("https://blog.example".into());
        settings.jwt_mut().leeway = 30;
    })
    .await;
    let id = s.create_user("aud@example.com", PW).await;
    let (_, access) = s.token_pair("aud@example.com", PW).await;
    let (_, claims) = jwt_parts(&access);
    assert_eq!(
        keys(&claims),
        ["token_type", "exp", "iat", "jti", "user_id", "aud", "iss"]
    );
    assert_eq!(
        (&claims["aud"], &claims["iss"]),
        (&json!("blog-api"), &json!("https://blog.example"))
    );
    s.get("/api/users/", Some(&access)).await.assert_status(200);
    let token = |exp: i64, aud: &str, iss: &str| {
        s.sign_token(&json!({
            "token_type": "access", "exp": exp, "iat": now() - 100,
            "jti": "0123456789abcdef0123456789abcdef", "user_id": id.to_string(),
            "aud": aud, "iss": iss,
        }))
    };
    let invalid = not_valid_for("AccessToken", "access", "Token is invalid");
    for bad in [
        token(now() + 60, "other", "https://blog.example"),
        token(now() + 60, "blog-api", "https://evil.example"),
        s.sign_token(&json!({
            "token_type": "access", "exp": now() + 60, "jti": "j", "user_id": id.to_string(),
        })),
    ] {
        s.get("/api/users/", Some(&bad))
            .await
            .assert_json(401, &invalid);
    }
    // Expired 10 s ago: within the 30 s leeway. 60 s ago: expired.
    s.get(
        "/api/users/",
        Some(&token(now() - 10, "blog-api", "https://blog.example")),
    )
    .await
    .assert_status(200);
    s.get(
        "/api/users/",
        Some(&token(now() - 60, "blog-api", "https://blog.example")),
    )
    .await
    .assert_json(
        401,
        &not_valid_for("AccessToken", "access", "Token is expired"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_types_and_user_id_claim() {
    let s = app(|settings| {
        settings.jwt_mut().auth_header_types = vec!["JWT".into()];
        settings.jwt_mut().user_id_claim = "uid".into();
    })
    .await;
    let id = s.create_user("claims@example.com", PW).await;
    let (_, access) = s.token_pair("claims@example.com", PW).await;
    let (_, claims) = jwt_parts(&access);
    assert_eq!(claims["uid"], json!(id.to_string()));
    assert!(claims.get("user_id").is_none(), "{claims}");
    s.request("GET", "/api/users/")
        .header("Authorization", &format!("JWT {access}"))
        .send()
        .await
        .assert_status(200);
    // `Bearer` is no longer a JWT header: anonymous.
    s.get("/api/users/", Some(&access))
        .await
        .assert_not_authenticated();
    // A token naming its user under `user_id` names nobody here.
    let other = s.sign_token(&json!({
        "token_type": "access", "exp": now() + 60, "jti": "j", "user_id": id.to_string(),
    }));
    s.request("GET", "/api/users/")
        .header("Authorization", &format!("JWT {other}"))
        .send()
        .await
        .assert_json(
            401,
            &json!({
                "detail": "Token contained no recognizable user identification",
                "code": "token_not_valid",
            }),
        );
}

// ---------------------------------------------------------------------------------------------
// No rotation, no blacklist app; HTTP-only cookies

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_rotation_and_blacklist_app() {
    let s = app(|settings| {
        settings.jwt_mut().rotate_refresh_tokens = false;
        settings.jwt_mut().blacklist_after_rotation = false;
        settings.jwt_mut().token_blacklist = false;
    })
    .await;
    s.create_user("norotate@example.com", PW).await;
    let (refresh, _) = s.token_pair("norotate@example.com", PW).await;
    for _ in 0..2 {
        let r = s
            .post("/api/token/refresh/", None, &json!({"refresh": refresh}))
            .await;
        r.assert_status(200);
        assert_eq!(r.keys(), ["access"], "{}", r.describe());
    }
    // Without the app nothing is recorded, and "blacklisting" only verifies.
    s.post("/api/token/blacklist/", None, &json!({"refresh": refresh}))
        .await
        .assert_json(200, &json!({}));
    s.post("/api/token/refresh/", None, &json!({"refresh": refresh}))
        .await
        .assert_status(200);
    assert_eq!(s.count_rows("token_blacklist_outstandingtoken").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_only_cookies_keep_the_refresh_token_out_of_bodies() {
    let s = app(|settings| {
        *settings.jwt_cookies_mut() = JwtCookieSettings::named("acc", "ref");
    })
    .await;
    s.create_user("httponly@example.com", PW).await;
    let (refresh, _) = s.token_pair("httponly@example.com", PW).await;
    let r = s
        .request("POST", "/api/accounts/v1/token/refresh/")
        .header("Cookie", &format!("ref={refresh}"))
        .send()
        .await;
    r.assert_status(200);
    assert_eq!(
        r.keys(),
        ["access", "access_expiration"],
        "{}",
        r.describe()
    );
    let cookies = r.header_all("set-cookie");
    assert_eq!(cookies.len(), 2, "{}", r.describe());
    for (cookie, name, max_age) in [(&cookies[0], "acc=", 300), (&cookies[1], "ref=", 86_400)] {
        assert!(cookie.starts_with(name), "{cookie}");
        assert!(
            cookie.ends_with(&format!(
                "; HttpOnly; Max-Age={max_age}; Path=/; SameSite=Lax"
            )),
            "{cookie}"
        );
    }
    let rotated = cookies[1]
        .strip_prefix("ref=")
        .and_then(|rest| rest.split(';').next())
        .expect("refresh cookie value")
        .to_string();
    // Logout reads the cookie only.
    let r = s
        .post(
            "/api/accounts/v1/logout/",
            None,
            &json!({"refresh": rotated}),
        )
        .await;
    r.assert_detail(401, "Refresh token was not included in cookie data.");
    let r = s
        .request("POST", "/api/accounts/v1/logout/")
        .header("Cookie", &format!("ref={rotated}"))
        .send()
        .await;
    r.assert_json(200, &json!({"detail": "Successfully logged out."}));
    assert_eq!(
        r.header_all("set-cookie"),
        [
            r#"acc=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"#,
            r#"ref=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"#,
        ]
    );
    s.post("/api/token/refresh/", None, &json!({"refresh": rotated}))
        .await
        .assert_json(401, &token_not_valid("Token is blacklisted"));
}

// ---------------------------------------------------------------------------------------------
// UPDATE_LAST_LOGIN

async fn last_login(s: &TestServer, id: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    let row =
        s.db.query_one_raw(sea_orm::Statement::from_string(
            s.db.get_database_backend(),
            format!("SELECT last_login FROM accounts_user WHERE id = {id}"),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<Option<chrono::DateTime<chrono::Utc>>>("", "last_login")
        .expect("last_login")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_last_login_on_token_obtain() {
    let s = app(|settings| settings.jwt_mut().update_last_login = true).await;
    let id = s.create_user("lastlogin@example.com", PW).await;
    assert_eq!(last_login(&s, id).await, None);
    s.token_pair("lastlogin@example.com", PW).await;
    let at = last_login(&s, id).await.expect("last_login set");
    assert!((chrono::Utc::now() - at).num_seconds().abs() < 30, "{at}");
    // Off (simplejwt's default and the blog's): untouched.
    let s = app(|_| {}).await;
    let id = s.create_user("nolastlogin@example.com", PW).await;
    s.token_pair("nolastlogin@example.com", PW).await;
    assert_eq!(last_login(&s, id).await, None);
}
