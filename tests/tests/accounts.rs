//! dj-rest-auth + allauth account endpoints: OBSERVED.md 6.3, 6.4, 6.5, 6.7, 6.8.

use example_blog::entities::user;
use integration_tests::{Response, TestServer, Value, json, jwt_parts, msg};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

const PW: &str = "Xq9!long-pass";
const BASE: &str = "/api/accounts/v1";

fn url(tail: &str) -> String {
    format!("{BASE}/{tail}")
}

fn user_body(id: i64, email: &str) -> Value {
    json!({"pk": id, "email": email, "first_name": "", "last_name": ""})
}

fn set_cookies(r: &Response) -> Vec<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

async fn stored_user(s: &TestServer, id: i64) -> user::Model {
    user::Entity::find_by_id(id)
        .one(&s.db)
        .await
        .expect("query the user")
        .expect("the user exists")
}

async fn login(s: &TestServer, email: &str, password: &str) -> Response {
    s.post(
        &url("login/"),
        None,
        &json!({"email": email, "password": password}),
    )
    .await
}

/// Checks a `{access, refresh, user}` body and returns the access token.
fn assert_jwt_body(r: &Response, status: u16, user: &Value) -> String {
    r.assert_status(status).assert_json_content_type();
    assert_eq!(r.keys(), ["access", "refresh", "user"], "{}", r.describe());
    let body = r.json();
    assert_eq!(body["user"], *user, "{}", r.describe());
    let pk = user["pk"].as_i64().expect("pk").to_string();
    for (key, kind) in [("access", "access"), ("refresh", "refresh")] {
        let token = body[key].as_str().expect("a token string");
        let (_, payload) = jwt_parts(token);
        assert_eq!(payload["token_type"], json!(kind), "{key}: {payload}");
        assert_eq!(payload["user_id"], json!(pk), "{key}: {payload}");
    }
    body["access"].as_str().unwrap_or_default().to_owned()
}

// ---------------------------------------------------------------------------------------------
// 6.3 registration

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_creates_logs_in_and_answers_201() {
    let s = TestServer::start().await;
    let r = s
        .post(
            &url("registration/"),
            None,
            &json!({"email": "New.User@Example.COM", "password1": PW, "password2": PW}),
        )
        .await;
    r.assert_status(201).assert_header("allow", "POST, OPTIONS");
    let pk = r.json()["user"]["pk"].as_i64().expect("pk");
    // allauth stores the address lower-cased.
    let access = assert_jwt_body(&r, 201, &user_body(pk, "new.user@example.com"));
    // No JWT cookies on registration.
    assert!(
        set_cookies(&r).iter().all(|c| !c.starts_with("my-")),
        "{}",
        r.describe()
    );
    let stored = stored_user(&s, pk).await;
    assert!(stored.password.starts_with("argon2$argon2id$"));
    assert!(stored.is_active && !stored.is_staff);
    assert!(stored.last_login.is_some(), "registration logs the user in");
    s.get(&url("user/"), Some(&access))
        .await
        .assert_json(200, &user_body(pk, "new.user@example.com"));
    login(&s, "new.user@example.com", PW)
        .await
        .assert_status(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_errors_match_djrestauth() {
    let s = TestServer::start().await;
    s.create_user("taken@example.com", PW).await;
    let short = "This password is too short. It must contain at least 8 characters.";
    let cases = [
        (
            json!({}),
            json!({"email": [msg::REQUIRED], "password1": [msg::REQUIRED], "password2": [msg::REQUIRED]}),
        ),
        (
            json!({"email": "not-an-email", "password1": PW, "password2": PW}),
            json!({"email": ["Enter a valid email address."]}),
        ),
        (
            json!({"email": "TAKEN@example.com", "password1": PW, "password2": PW}),
            json!({"email": ["User is already registered with this e-mail address."]}),
        ),
        (
            json!({"email": "a@example.com", "password1": PW, "password2": "Xq9!long-pasS"}),
            json!({"non_field_errors": ["The two password fields didn't match."]}),
        ),
        (
            json!({"email": "a@example.com", "password1": "Xq9!lon", "password2": "Xq9!lon"}),
            json!({"password1": [short]}),
        ),
        (
            json!({"email": "a@example.com", "password1": "password123", "password2": "password123"}),
            json!({"password1": ["This password is too common."]}),
        ),
        (
            json!({"email": "a@example.com", "password1": "9183746502", "password2": "9183746502"}),
            json!({"password1": ["This password is entirely numeric."]}),
        ),
        (
            json!({"email": "new1@example.com", "password1": "new1examplecom", "password2": "new1examplecom"}),
            json!({"non_field_errors": ["The password is too similar to the email address."]}),
        ),
        (
            json!({"email": "a@example.com", "password1": "123", "password2": "1234"}),
            json!({"password1": [short, "This password is too common.", "This password is entirely numeric."]}),
        ),
        (
            json!({"email": "taken@example.com", "password1": "", "password2": ""}),
            json!({"email": ["User is already registered with this e-mail address."], "password1": [msg::BLANK], "password2": [msg::BLANK]}),
        ),
    ];
    for (body, expected) in cases {
        s.post(&url("registration/"), None, &body)
            .await
            .assert_json(400, &expected);
    }
    // Nothing was created.
    let count = user::Entity::find().all(&s.db).await.expect("users").len();
    assert_eq!(count, 1);
    s.get(&url("registration/"), None)
        .await
        .assert_json(405, &json!({"detail": "Method \"GET\" not allowed."}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_and_resend_email_routes() {
    let s = TestServer::start().await;
    s.post(
        &url("registration/verify-email/"),
        None,
        &json!({"key": "x"}),
    )
    .await
    .assert_json(404, &json!({"detail": msg::NOT_FOUND}));
    s.post(&url("registration/verify-email/"), None, &json!({}))
        .await
        .assert_json(400, &json!({"key": [msg::REQUIRED]}));
    let resend = url("registration/resend-email/");
    s.post(&resend, None, &json!({}))
        .await
        .assert_json(400, &json!({"email": [msg::REQUIRED]}));
    s.post(&resend, None, &json!({"email": "zz"}))
        .await
        .assert_json(400, &json!({"email": ["Enter a valid email address."]}));
    s.post(&resend, None, &json!({"email": "zz@example.com"}))
        .await
        .assert_json(200, &json!({"detail": "ok"}));
}

// ---------------------------------------------------------------------------------------------
// 6.4 login

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_returns_tokens_user_and_jwt_cookies() {
    let s = TestServer::start().await;
    let id = s.create_user("login-alice@example.com", PW).await;
    assert!(stored_user(&s, id).await.last_login.is_none());
    // E-mail matched case-insensitively; the password is trimmed like any CharField.
    let r = login(&s, "Login-Alice@EXAMPLE.com", &format!(" {PW} ")).await;
    r.assert_header("allow", "POST, OPTIONS");
    let access = assert_jwt_body(&r, 200, &user_body(id, "login-alice@example.com"));
    let body = r.json();
    let cookies = set_cookies(&r);
    let jwt: Vec<&String> = cookies.iter().filter(|c| c.starts_with("my-")).collect();
    assert_eq!(jwt.len(), 2, "{}", r.describe());
    for (cookie, name, key, max_age) in [
        (jwt[0], "my-app-auth", "access", 300),
        (jwt[1], "my-refresh-token", "refresh", 86_400),
    ] {
        let token = body[key].as_str().unwrap_or_default();
        let prefix = format!("{name}={token}; expires=");
        assert!(cookie.starts_with(&prefix), "{cookie}");
        let rest = &cookie[prefix.len()..];
        let (expires, attributes) = rest.split_once("; ").expect("attributes");
        assert_eq!(
            attributes,
            format!("Max-Age={max_age}; Path=/; SameSite=Lax"),
            "{cookie}"
        );
        let expires = chrono::DateTime::parse_from_rfc2822(&expires.replace("GMT", "+0000"))
            .unwrap_or_else(|e| panic!("expires {expires}: {e}"));
        let delta = expires.timestamp() - chrono::Utc::now().timestamp();
        assert!((max_age - 5..=max_age + 1).contains(&delta), "{cookie}");
    }
    assert!(stored_user(&s, id).await.last_login.is_some());
    // The cookie's token authenticates like the body's.
    s.get(&url("user/"), Some(&access))
        .await
        .assert_json(200, &user_body(id, "login-alice@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_errors_match_djrestauth() {
    let s = TestServer::start().await;
    let id = s.create_user("login-bob@example.com", PW).await;
    let unable = json!({"non_field_errors": ["Unable to log in with provided credentials."]});
    let must = json!({"non_field_errors": ["Must include \"email\" and \"password\"."]});
    let cases = [
        (
            json!({"email": "login-bob@example.com", "password": "wrong-pass"}),
            unable.clone(),
        ),
        (
            json!({"email": "nobody@example.com", "password": PW}),
            unable.clone(),
        ),
        (json!({}), json!({"password": [msg::REQUIRED]})),
        (
            json!({"email": "login-bob@example.com"}),
            json!({"password": [msg::REQUIRED]}),
        ),
        (json!({"password": PW}), must.clone()),
        (json!({"email": "", "password": PW}), must),
        (
            json!({"email": "abc", "password": PW}),
            json!({"email": ["Enter a valid email address."]}),
        ),
        (
            json!({"email": "login-bob@example.com", "password": ""}),
            json!({"password": [msg::BLANK]}),
        ),
    ];
    for (body, expected) in cases {
        let r = s.post(&url("login/"), None, &body).await;
        r.assert_json(400, &expected);
        assert!(set_cookies(&r).is_empty(), "{}", r.describe());
    }
    // An inactive user cannot log in.
    let mut active: user::ActiveModel = stored_user(&s, id).await.into();
    active.is_active = Set(false);
    active.update(&s.db).await.expect("deactivate");
    login(&s, "login-bob@example.com", PW)
        .await
        .assert_json(400, &unable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_upgrades_a_django_pbkdf2_hash_to_argon2id() {
    let s = TestServer::start().await;
    // Made by Django 6.1: PBKDF2PasswordHasher().encode("pbkdf2-upgrade-pass", salt, 100000).
    let django_hash =
        "pbkdf2_sha256$100000$Q8mKfz2Lr9TxVb1Nw4Yc7e$0Gm8xMBd/0V+Up+JGWShmlq34kbmUa4FukleAcH3vag=";
    let id = s
        .create_user("legacy@example.com", "placeholder-pass")
        .await;
    let mut active: user::ActiveModel = stored_user(&s, id).await.into();
    active.password = Set(django_hash.to_owned());
    active.update(&s.db).await.expect("store the Django hash");

    login(&s, "legacy@example.com", "wrong-pass")
        .await
        .assert_status(400);
    assert_eq!(
        stored_user(&s, id).await.password,
        django_hash,
        "a failed login keeps the hash"
    );

    let r = login(&s, "legacy@example.com", "pbkdf2-upgrade-pass").await;
    assert_jwt_body(&r, 200, &user_body(id, "legacy@example.com"));
    let upgraded = stored_user(&s, id).await.password;
    assert!(upgraded.starts_with("argon2$argon2id$"), "{upgraded}");

    let again = login(&s, "legacy@example.com", "pbkdf2-upgrade-pass").await;
    assert_jwt_body(&again, 200, &user_body(id, "legacy@example.com"));
    assert_eq!(
        stored_user(&s, id).await.password,
        upgraded,
        "a current hash is kept"
    );
}

// ---------------------------------------------------------------------------------------------
// 6.5 current user

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_details_get_put_patch() {
    let s = TestServer::start().await;
    let (id, token) = s.user_with_token("details@example.com").await;
    let path = url("user/");
    let r = s.get(&path, None).await;
    r.assert_not_authenticated();
    r.assert_header("www-authenticate", msg::WWW_AUTHENTICATE);
    s.patch(&path, None, &json!({"first_name": "X"}))
        .await
        .assert_not_authenticated();

    let r = s.get(&path, Some(&token)).await;
    r.assert_json(200, &user_body(id, "details@example.com"))
        .assert_header("allow", "GET, PUT, PATCH, HEAD, OPTIONS");

    s.patch(&path, Some(&token), &json!({"first_name": "  Ada  "}))
        .await
        .assert_json(
            200,
            &json!({"pk": id, "email": "details@example.com", "first_name": "Ada", "last_name": ""}),
        );
    // PUT: every field optional; email and pk are read-only and ignored.
    s.put(
        &path,
        Some(&token),
        &json!({"last_name": "Lovelace", "email": "other@example.com", "pk": 999}),
    )
    .await
    .assert_json(
        200,
        &json!({"pk": id, "email": "details@example.com", "first_name": "Ada", "last_name": "Lovelace"}),
    );
    let stored = stored_user(&s, id).await;
    assert_eq!(
        (
            stored.email.as_str(),
            stored.first_name.as_str(),
            stored.last_name.as_str()
        ),
        ("details@example.com", "Ada", "Lovelace")
    );

    s.patch(&path, Some(&token), &json!({"first_name": "x".repeat(151)}))
        .await
        .assert_json(
            400,
            &json!({"first_name": ["Ensure this field has no more than 150 characters."]}),
        );
    s.put(
        &path,
        Some(&token),
        &json!({"first_name": null, "last_name": ["x"]}),
    )
    .await
    .assert_json(
        400,
        &json!({"first_name": [msg::NULL], "last_name": [msg::NOT_A_STRING]}),
    );
    s.patch(&path, Some(&token), &json!({"first_name": ""}))
        .await
        .assert_json(
            200,
            &json!({"pk": id, "email": "details@example.com", "first_name": "", "last_name": "Lovelace"}),
        );
    s.post(&path, Some(&token), &json!({}))
        .await
        .assert_json(405, &json!({"detail": "Method \"POST\" not allowed."}));
}

// ---------------------------------------------------------------------------------------------
// 6.7 password change

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_change_validates_and_saves() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("changer@example.com").await;
    let path = url("password/change/");
    let new = "Brand-new-pass-42";
    s.post(
        &path,
        None,
        &json!({"new_password1": new, "new_password2": new}),
    )
    .await
    .assert_not_authenticated();

    let cases = [
        (
            json!({}),
            json!({"new_password1": [msg::REQUIRED], "new_password2": [msg::REQUIRED]}),
        ),
        (
            json!({"new_password1": new, "new_password2": "Brand-new-pass-43"}),
            json!({"new_password2": ["The two password fields didn’t match."]}),
        ),
        (
            json!({"new_password1": "123", "new_password2": "123"}),
            json!({"new_password2": [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]}),
        ),
        (
            json!({"new_password1": "changerexample", "new_password2": "changerexample"}),
            json!({"new_password2": ["The password is too similar to the email address."]}),
        ),
        (
            json!({"new_password1": "x".repeat(129), "new_password2": new}),
            json!({"new_password1": ["Ensure this field has no more than 128 characters."]}),
        ),
    ];
    for (body, expected) in cases {
        s.post(&path, Some(&token), &body)
            .await
            .assert_json(400, &expected);
    }
    login(&s, "changer@example.com", "password123!")
        .await
        .assert_status(200);

    let saved = s
        .post(
            &path,
            Some(&token),
            &json!({"new_password1": new, "new_password2": new}),
        )
        .await;
    saved
        .assert_json(200, &json!({"detail": "New password has been saved."}))
        .assert_header("allow", "POST, OPTIONS");
    // Django's update_session_auth_hash: a new session key, the CSRF secret kept.
    let cookies = saved.header_all("set-cookie");
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].starts_with("sessionid="), "{cookies:?}");
    login(&s, "changer@example.com", "password123!")
        .await
        .assert_json(
            400,
            &json!({"non_field_errors": ["Unable to log in with provided credentials."]}),
        );
    login(&s, "changer@example.com", new)
        .await
        .assert_status(200);
    // Access tokens issued before stay valid.
    s.get(&url("user/"), Some(&token)).await.assert_status(200);
}

// ---------------------------------------------------------------------------------------------
// 6.8 password reset

/// The one reset link in the server's outbox: `(uid, token)`.
fn reset_link(s: &TestServer, mail: &str) -> (String, String) {
    let prefix = format!(
        "http://127.0.0.1:{}/api/accounts/v1/password/reset/confirm/",
        s.port()
    );
    let line = mail
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no reset link in the mail:\n{mail}"));
    let parts: Vec<&str> = line[prefix.len()..].split('/').collect();
    assert_eq!(parts.len(), 3, "{line}");
    assert_eq!(parts[2], "", "{line}");
    (parts[0].to_owned(), parts[1].to_owned())
}

fn base36(mut n: i64) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_reset_request_answers_the_same_for_unknown_addresses() {
    let s = TestServer::start().await;
    let path = url("password/reset/");
    let sent = json!({"detail": "Password reset e-mail has been sent."});
    s.post(&path, None, &json!({"email": "nobody@example.com"}))
        .await
        .assert_json(200, &sent)
        .assert_header("allow", "POST, OPTIONS");
    assert!(s.sent_mail().is_empty(), "no mail for an unknown address");
    s.post(&path, None, &json!({"email": "nope"}))
        .await
        .assert_json(400, &json!({"email": ["Enter a valid email address."]}));
    s.post(&path, None, &json!({}))
        .await
        .assert_json(400, &json!({"email": [msg::REQUIRED]}));
    s.post(&url("password/reset/confirm/"), None, &json!({}))
        .await
        .assert_json(
            400,
            &json!({
                "new_password1": [msg::REQUIRED],
                "new_password2": [msg::REQUIRED],
                "uid": [msg::REQUIRED],
                "token": [msg::REQUIRED],
            }),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_reset_by_mailed_link_works_once() {
    let s = TestServer::start().await;
    if s.is_reference() {
        return; // The reference prints mail to its log, not to our directory.
    }
    let id = s.create_user("forgetful@example.com", "password123!").await;
    s.post(
        &url("password/reset/"),
        None,
        &json!({"email": "FORGETFUL@example.com"}),
    )
    .await
    .assert_status(200);
    let mail = s.sent_mail();
    assert_eq!(mail.len(), 1, "{mail:?}");
    let mail = &mail[0];
    for header in [
        "Subject: [example.com] Password Reset Email\n",
        "From: webmaster@localhost\n",
        "To: FORGETFUL@example.com\n",
        "MIME-Version: 1.0\n",
    ] {
        assert!(mail.contains(header), "{header:?} missing in\n{mail}");
    }
    assert!(mail.contains("\n\nHello from example.com!\n\nYou're receiving this email because"));
    let (uid, token) = reset_link(&s, mail);
    assert_eq!(uid, base36(id));
    let (timestamp, hash) = token.split_once('-').expect("ts-hash");
    assert!(
        timestamp.chars().all(|c| c.is_ascii_alphanumeric()),
        "{token}"
    );
    assert_eq!(hash.len(), 32, "{token}");

    let confirm = url("password/reset/confirm/");
    let new = "Recovered-pass-77";
    let body = |uid: &str, token: &str, p1: &str, p2: &str| json!({"uid": uid, "token": token, "new_password1": p1, "new_password2": p2});
    let invalid = |field: &str| json!({ field: ["Invalid value"] });
    s.post(&confirm, None, &body("zzzz", &token, new, new))
        .await
        .assert_json(400, &invalid("uid"));
    s.post(&confirm, None, &body("!", &token, new, new))
        .await
        .assert_json(400, &invalid("uid"));
    s.post(&confirm, None, &body(&uid, "1-abc", new, new))
        .await
        .assert_json(400, &invalid("token"));
    s.post(&confirm, None, &body(&uid, &token, new, "different-pass-1"))
        .await
        .assert_json(
            400,
            &json!({"new_password2": ["The two password fields didn’t match."]}),
        );
    s.post(&confirm, None, &body(&uid, &token, "12345", "12345"))
        .await
        .assert_json(
            400,
            &json!({"new_password2": [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]}),
        );
    // The link itself accepts the same POST (dj-rest-auth's `password_reset_confirm` route).
    let link_path = url(&format!("password/reset/confirm/{uid}/{token}/"));
    s.post(&link_path, None, &body(&uid, &token, new, new))
        .await
        .assert_json(
            200,
            &json!({"detail": "Password has been reset with the new password."}),
        );
    login(&s, "forgetful@example.com", new)
        .await
        .assert_status(200);
    login(&s, "forgetful@example.com", "password123!")
        .await
        .assert_status(400);
    // Single use: the password (and last_login) changed.
    s.post(
        &confirm,
        None,
        &body(&uid, &token, "Another-pass-88", "Another-pass-88"),
    )
    .await
    .assert_json(400, &invalid("token"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_invalidates_an_unused_reset_token() {
    let s = TestServer::start().await;
    if s.is_reference() {
        return;
    }
    let id = s.create_user("twice@example.com", PW).await;
    s.post(
        &url("password/reset/"),
        None,
        &json!({"email": "twice@example.com"}),
    )
    .await
    .assert_status(200);
    let (uid, token) = reset_link(&s, &s.sent_mail()[0]);
    assert_eq!(uid, base36(id));
    // last_login is part of the token's hash (to the second): make sure it changes.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    login(&s, "twice@example.com", PW).await.assert_status(200);
    let new = "Recovered-pass-77";
    s.post(
        &url("password/reset/confirm/"),
        None,
        &json!({"uid": uid, "token": token, "new_password1": new, "new_password2": new}),
    )
    .await
    .assert_json(400, &json!({"token": ["Invalid value"]}));
}

// ---------------------------------------------------------------------------------------------
// No response ever shows a password hash.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_response_contains_a_password_hash() {
    let s = TestServer::start().await;
    let register = s
        .post(
            &url("registration/"),
            None,
            &json!({"email": "hash-check@example.com", "password1": PW, "password2": PW}),
        )
        .await;
    register.assert_status(201);
    let id = register.json()["user"]["pk"].as_i64().expect("pk");
    let login_response = login(&s, "hash-check@example.com", PW).await;
    let token = assert_jwt_body(
        &login_response,
        200,
        &user_body(id, "hash-check@example.com"),
    );
    let mut responses = vec![register, login_response];
    responses.push(s.get(&url("user/"), Some(&token)).await);
    responses.push(
        s.patch(&url("user/"), Some(&token), &json!({"first_name": "H"}))
            .await,
    );
    responses.push(s.get("/api/users/", Some(&token)).await);
    responses.push(s.get(&format!("/api/users/{id}/"), Some(&token)).await);
    responses.push(
        s.request("OPTIONS", &url("user/"))
            .bearer(&token)
            .send()
            .await,
    );
    responses.push(
        s.post(
            "/api/token/",
            None,
            &json!({"email": "hash-check@example.com", "password": PW}),
        )
        .await,
    );
    let stored = stored_user(&s, id).await.password;
    for r in &responses {
        assert!(r.status < 300, "{}", r.describe());
        for needle in ["argon2$", "pbkdf2_", stored.as_str()] {
            assert!(!r.text.contains(needle), "{needle} in\n{}", r.describe());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// OpenAPI (7.2): the account operations as drf-spectacular names them.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_lists_the_account_operations() {
    let s = TestServer::start().await;
    let r = s.get("/api/schema/?format=json", None).await;
    r.assert_status(200);
    let doc = r.json();
    let paths = &doc["paths"];
    // (path, method, operationId, request component, status, response component)
    let expected = [
        (
            "registration/",
            "post",
            "accounts_v1_registration_create",
            Some("Register"),
            "201",
            "JWT",
        ),
        (
            "registration/verify-email/",
            "post",
            "accounts_v1_registration_verify_email_create",
            Some("VerifyEmail"),
            "200",
            "RestAuthDetail",
        ),
        (
            "registration/resend-email/",
            "post",
            "accounts_v1_registration_resend_email_create",
            Some("ResendEmailVerification"),
            "201",
            "RestAuthDetail",
        ),
        (
            "login/",
            "post",
            "accounts_v1_login_create",
            Some("Login"),
            "200",
            "JWT",
        ),
        (
            "user/",
            "get",
            "accounts_v1_user_retrieve",
            None,
            "200",
            "UserDetails",
        ),
        (
            "user/",
            "put",
            "accounts_v1_user_update",
            Some("UserDetails"),
            "200",
            "UserDetails",
        ),
        (
            "user/",
            "patch",
            "accounts_v1_user_partial_update",
            Some("PatchedUserDetails"),
            "200",
            "UserDetails",
        ),
        (
            "password/change/",
            "post",
            "accounts_v1_password_change_create",
            Some("PasswordChange"),
            "200",
            "RestAuthDetail",
        ),
        (
            "password/reset/",
            "post",
            "accounts_v1_password_reset_create",
            Some("PasswordReset"),
            "200",
            "RestAuthDetail",
        ),
        (
            "password/reset/confirm/",
            "post",
            "accounts_v1_password_reset_confirm_create",
            Some("PasswordResetConfirm"),
            "200",
            "RestAuthDetail",
        ),
    ];
    for (tail, method, id, request, status, response) in expected {
        let path = url(tail);
        let op = &paths[path.as_str()][method];
        assert_eq!(op["operationId"], json!(id), "{method} {path}: {op}");
        assert_eq!(op["tags"], json!(["accounts"]), "{method} {path}: {op}");
        let body_ref = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        match request {
            Some(name) => assert_eq!(
                *body_ref,
                json!(format!("#/components/schemas/{name}")),
                "{path}"
            ),
            None => assert!(op.get("requestBody").is_none(), "{method} {path}: {op}"),
        }
        let answer = &op["responses"][status]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(
            *answer,
            json!(format!("#/components/schemas/{response}")),
            "{method} {path}: {op}"
        );
    }
    assert!(
        paths
            .get(url("password/reset/confirm/{uidb64}/{token}/"))
            .is_none(),
        "the e-mail link's route is not documented"
    );
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Register"]["properties"]["password1"],
        json!({"type": "string", "writeOnly": true})
    );
    assert_eq!(
        schemas["Register"]["required"],
        json!(["email", "password1", "password2"])
    );
    assert_eq!(
        schemas["RestAuthDetail"]["properties"]["detail"]["readOnly"],
        json!(true)
    );
    assert_eq!(schemas["UserDetails"]["required"], json!(["email", "pk"]));
    assert_eq!(
        schemas["UserDetails"]["properties"]["first_name"]["maxLength"],
        json!(150)
    );
    assert!(schemas["PatchedUserDetails"].get("required").is_none());
    assert_eq!(
        schemas["PasswordResetConfirm"]["required"],
        json!(["new_password1", "new_password2", "token", "uid"])
    );
}

// ---------------------------------------------------------------------------------------------
// OPTIONS metadata (DRF's SimpleMetadata over dj-rest-auth's serializers)

fn meta_field(kind: &str, required: bool, label: &str) -> Value {
    json!({"type": kind, "required": required, "read_only": false, "label": label})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_describe_the_account_serializers() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("options@example.com").await;
    let password128 = |label: &str| json!({"type": "string", "required": true, "read_only": false, "label": label, "max_length": 128});
    let cases = [
        (
            "login/",
            "Login",
            json!({"POST": {
                "username": meta_field("string", false, "Username"),
                "email": meta_field("email", false, "Email"),
                "password": meta_field("string", true, "Password"),
            }}),
        ),
        (
            "registration/",
            "Register",
            json!({"POST": {
                "email": meta_field("email", true, "Email"),
                "password1": meta_field("string", true, "Password1"),
                "password2": meta_field("string", true, "Password2"),
            }}),
        ),
        (
            "user/",
            "User Details",
            json!({"PUT": {
                "pk": {"type": "integer", "required": false, "read_only": true, "label": "ID"},
                "email": {"type": "email", "required": false, "read_only": true, "label": "Email address"},
                "first_name": {"type": "string", "required": false, "read_only": false, "label": "First name", "max_length": 150},
                "last_name": {"type": "string", "required": false, "read_only": false, "label": "Last name", "max_length": 150},
            }}),
        ),
        (
            "password/change/",
            "Password Change",
            json!({"POST": {
                "new_password1": password128("New password1"),
                "new_password2": password128("New password2"),
            }}),
        ),
        (
            "password/reset/",
            "Password Reset",
            json!({"POST": {"email": meta_field("email", true, "Email")}}),
        ),
        (
            "password/reset/confirm/",
            "Password Reset Confirm",
            json!({"POST": {
                "new_password1": password128("New password1"),
                "new_password2": password128("New password2"),
                "uid": meta_field("string", true, "Uid"),
                "token": meta_field("string", true, "Token"),
            }}),
        ),
        (
            "registration/verify-email/",
            "Verify Email",
            json!({"POST": {"key": meta_field("string", true, "Key")}}),
        ),
        (
            "registration/resend-email/",
            "Resend Email Verification",
            json!({"POST": {"email": meta_field("email", true, "Email")}}),
        ),
    ];
    for (tail, name, actions) in cases {
        let r = s.request("OPTIONS", &url(tail)).bearer(&token).send().await;
        r.assert_status(200);
        let body = r.json();
        assert_eq!(body["name"], json!(name), "{}", r.describe());
        assert_eq!(body["actions"], actions, "{}", r.describe());
    }
    // The authenticated-only views refuse anonymous OPTIONS.
    for tail in ["user/", "password/change/"] {
        s.request("OPTIONS", &url(tail))
            .send()
            .await
            .assert_not_authenticated();
    }
}

/// dj-rest-auth's routes are `re_path(r'login/?$')`: they answer without the trailing slash
/// too (no `APPEND_SLASH` redirect), while the registration route (`path('')`) redirects.
#[tokio::test]
async fn dj_rest_auth_routes_answer_without_the_trailing_slash() {
    let s = TestServer::start().await;
    s.get(&format!("{BASE}/user"), None)
        .await
        .assert_json(401, &json!({"detail": msg::NOT_AUTHENTICATED}))
        .assert_header("allow", "GET, PUT, PATCH, HEAD, OPTIONS");
    s.post(&format!("{BASE}/login"), None, &json!({}))
        .await
        .assert_json(400, &json!({"password": ["This field is required."]}));
    for tail in [
        "logout",
        "password/change",
        "password/reset",
        "password/reset/confirm",
        "token/verify",
        "token/refresh",
        "registration/verify-email",
        "registration/resend-email",
    ] {
        let r = s.request("GET", &format!("{BASE}/{tail}")).send().await;
        assert!([401, 405].contains(&r.status), "{tail}: {}", r.describe());
    }
    s.post(&format!("{BASE}/registration"), None, &json!({}))
        .await
        .assert_status(301)
        .assert_header("location", "/api/accounts/v1/registration/");
}

/// Registration reads e-mails as Django's `EmailValidator` does (a local part longer than
/// 64 characters is fine, a wrong type is "Enter a valid email address.") and a form as a
/// `QueryDict` (a repeated key gives its last value).
#[tokio::test]
async fn registration_emails_as_django_validates_them() {
    let s = TestServer::start().await;
    let long = format!("{}@example.com", "a".repeat(240));
    let r = s
        .post(
            &url("registration/"),
            None,
            &json!({"email": long, "password1": PW, "password2": PW}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["user"]["email"], json!(long), "{}", r.describe());
    let r = s
        .request("POST", &url("registration/"))
        .raw_body(
            "application/x-www-form-urlencoded",
            format!("email=x&email=form-last%40example.com&password1={PW}&password2={PW}"),
        )
        .send()
        .await;
    r.assert_status(201);
    assert_eq!(
        r.json()["user"]["email"],
        json!("form-last@example.com"),
        "{}",
        r.describe()
    );
    s.post(
        &url("registration/"),
        None,
        &json!({"email": ["a@example.com"], "password1": PW, "password2": PW}),
    )
    .await
    .assert_json(400, &json!({"email": ["Enter a valid email address."]}));
    // The e-mail link's view is the reference's subclass, with its own name.
    let r = s
        .request("OPTIONS", &url("password/reset/confirm/Mg/abc-def/"))
        .send()
        .await;
    r.assert_status(200);
    assert_eq!(
        r.json()["name"],
        json!("Password Reset Confirm Link"),
        "{}",
        r.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lone_surrogates_and_null_characters_are_field_errors_as_in_drf() {
    let s = TestServer::start().await;
    let surrogate = "Surrogate characters are not allowed: U+D800.";
    let invalid_email = "Enter a valid email address.";
    // `EmailField` runs the e-mail validator after CharField's: a surrogate in the domain is a
    // letter to Django (U+00A1..U+FFFF), one in the local part is not.
    for (raw, errors) in [
        (
            r#"{"email": "a@exa\ud800mple.com"}"#,
            json!({"email": [surrogate]}),
        ),
        (
            r#"{"email": "\ud800"}"#,
            json!({"email": [surrogate, invalid_email]}),
        ),
        (
            r#"{"email": "a\u0000@example.com"}"#,
            json!({"email": ["Null characters are not allowed.", invalid_email]}),
        ),
    ] {
        s.request("POST", &url("password/reset/"))
            .raw_body("application/json", raw)
            .send()
            .await
            .assert_json(400, &errors);
    }
    s.request("POST", &url("login/"))
        .raw_body(
            "application/json",
            r#"{"email": "a@example.com", "password": "\ud800"}"#,
        )
        .send()
        .await
        .assert_json(400, &json!({"password": [surrogate]}));
}
