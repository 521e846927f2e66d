//! Django sessions through DRF's `SessionAuthentication` (OBSERVED.md 3.1, 3.2): the
//! `sessionid` cookie of a session written in Django's format authenticates, and sessions that
//! no longer hold (expired, garbage, inactive user, changed password) are anonymous.

use integration_tests::{TestServer, json, msg};

const PW: &str = "password123!";
const USERS: &str = "/api/users/";

/// `GET /api/users/` (authenticated only) with these cookies.
async fn users_with_cookie(s: &TestServer, cookie: &str) -> integration_tests::Response {
    s.request("GET", USERS)
        .header("Cookie", cookie)
        .send()
        .await
}

#[tokio::test]
async fn a_session_authenticates_reads() {
    let s = TestServer::start().await;
    let id = s.create_user("session-read@example.com", PW).await;
    let (_, session) = s.session_login(id).await;
    assert_eq!(session.len(), 32);

    let r = users_with_cookie(&s, &format!("sessionid={session}")).await;
    r.assert_status(200);
    assert_eq!(r.json()["count"], json!(1));
    assert_eq!(
        r.json()["results"][0]["email"],
        json!("session-read@example.com")
    );
    // Without the cookie the same request is anonymous.
    s.get(USERS, None).await.assert_not_authenticated();
    // Other cookies around it do not matter; a repeated cookie counts by its last value.
    users_with_cookie(
        &s,
        &format!("theme=dark; sessionid=garbage0000; sessionid={session}; x"),
    )
    .await
    .assert_status(200);
}

#[tokio::test]
async fn sessions_that_do_not_hold_are_anonymous() {
    let s = TestServer::start().await;
    let id = s.create_user("session-anon@example.com", PW).await;
    // Days, not seconds, in the past: on SQLite, Django compares `expire_date` as text, and
    // sqlx writes `2026-11-23T12:00:00+00:00` where Django writes `2026-11-23 12:00:00`, so
    // the two orders only agree across dates (the reference run of this test reads our row).
    let expired = s
        .session_expiring(id, chrono::Utc::now() - chrono::TimeDelta::days(2))
        .await;
    let live = s
        .session_expiring(id, chrono::Utc::now() + chrono::TimeDelta::minutes(10))
        .await;
    users_with_cookie(&s, &format!("sessionid={live}"))
        .await
        .assert_status(200);

    for cookie in [
        format!("sessionid={expired}"),
        "sessionid=".to_string(),
        "sessionid=abc".to_string(),
        "sessionid=0123456789abcdefghijklmnopqrstuv".to_string(),
        format!("sessionid={}", live.to_uppercase()),
        "sessionid=\"unterminated".to_string(),
        "sessionid=caf\u{e9}".to_string(),
        format!("sessionid={}", "a".repeat(5000)),
    ] {
        // Anonymous: the blog's 401 still challenges for a Bearer token (its first class).
        users_with_cookie(&s, &cookie)
            .await
            .assert_not_authenticated()
            .assert_header("WWW-Authenticate", msg::WWW_AUTHENTICATE);
    }
}

#[tokio::test]
async fn malformed_cookie_headers_never_fail() {
    let s = TestServer::start().await;
    let id = s.create_user("session-malformed@example.com", PW).await;
    let (_, session) = s.session_login(id).await;
    for cookie in [
        ";;;",
        "=",
        "==;==",
        "sessionid",
        "\"",
        "a=\"\\",
        "sessionid=\"\\101\"",
        "\u{e9}\u{e9}=\u{e9}",
    ] {
        users_with_cookie(&s, cookie)
            .await
            .assert_not_authenticated();
        s.request("POST", "/api/articles/")
            .header("Cookie", cookie)
            .json(&json!({"title": "t", "content": "c"}))
            .send()
            .await
            .assert_not_authenticated();
    }
    // A broken chunk does not hide a good cookie.
    users_with_cookie(&s, &format!("\u{e9}; ==; sessionid={session}; \"x"))
        .await
        .assert_status(200);
}

#[tokio::test]
async fn an_inactive_users_session_is_anonymous() {
    use sea_orm::ConnectionTrait;
    let s = TestServer::start().await;
    let id = s.create_user("session-inactive@example.com", PW).await;
    let (_, session) = s.session_login(id).await;
    users_with_cookie(&s, &format!("sessionid={session}"))
        .await
        .assert_status(200);
    s.db.execute_unprepared(&format!(
        "UPDATE accounts_user SET is_active = false WHERE id = {id}"
    ))
    .await
    .expect("deactivate");
    users_with_cookie(&s, &format!("sessionid={session}"))
        .await
        .assert_not_authenticated();
}

#[tokio::test]
async fn a_password_change_logs_sessions_out() {
    use sea_orm::ConnectionTrait;
    let s = TestServer::start().await;
    let id = s.create_user("session-password@example.com", PW).await;
    let other = s
        .create_user("session-password-other@example.com", "another-pass-42")
        .await;
    let (_, first) = s.session_login(id).await;
    let (_, second) = s.session_login(id).await;
    assert_ne!(first, second);
    for session in [&first, &second] {
        users_with_cookie(&s, &format!("sessionid={session}"))
            .await
            .assert_status(200);
    }
    // The new hash is another valid Django hash (the other user's).
    s.db.execute_unprepared(&format!(
        "UPDATE accounts_user SET password = (SELECT password FROM accounts_user WHERE id = \
         {other}) WHERE id = {id}"
    ))
    .await
    .expect("change the password");
    for session in [&first, &second] {
        users_with_cookie(&s, &format!("sessionid={session}"))
            .await
            .assert_not_authenticated();
    }
    // A new login after the change works again.
    let (_, fresh) = s.session_login(id).await;
    users_with_cookie(&s, &format!("sessionid={fresh}"))
        .await
        .assert_status(200);
}

#[tokio::test]
async fn credentials_of_earlier_classes_win_over_the_session() {
    let s = TestServer::start().await;
    let (alice, alice_token) = s.user_with_token("session-jwt-alice@example.com").await;
    let bob = s.create_user("session-jwt-bob@example.com", PW).await;
    let (_, bob_session) = s.session_login(bob).await;
    // JWT comes first: the write is Alice's and needs no CSRF token.
    let r = s
        .request("POST", "/api/articles/")
        .bearer(&alice_token)
        .header("Cookie", &format!("sessionid={bob_session}"))
        .json(&json!({"title": "By JWT", "content": "c"}))
        .send()
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["author"]["id"], json!(alice));
    // A bad Bearer token is a 401 even with a good session.
    s.request("GET", USERS)
        .bearer("garbage")
        .header("Cookie", &format!("sessionid={bob_session}"))
        .send()
        .await
        .assert_status(401)
        .assert_header("WWW-Authenticate", msg::WWW_AUTHENTICATE);
}

/// The lower-cased tokens of the `Vary` header.
fn vary(r: &integration_tests::Response) -> Vec<String> {
    r.header("vary")
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

#[tokio::test]
async fn responses_vary_on_cookie_when_the_session_was_looked_at() {
    let s = TestServer::start().await;
    let (id, token) = s.user_with_token("session-vary@example.com").await;
    let (_, session) = s.session_login(id).await;
    // Anonymous and session requests reach SessionAuthentication: `Accept, Cookie`.
    for r in [
        s.get("/api/articles/", None).await,
        s.get(USERS, None).await,
        users_with_cookie(&s, &format!("sessionid={session}")).await,
        users_with_cookie(&s, "sessionid=garbage").await,
    ] {
        let tokens = vary(&r);
        assert!(
            tokens.starts_with(&["accept".to_string(), "cookie".to_string()]),
            "Vary must start with Accept, Cookie\n{}",
            r.describe()
        );
    }
    // A JWT authenticates first (and a bad one fails first): the session is never read.
    for r in [
        s.get(USERS, Some(&token)).await,
        s.get(USERS, Some("garbage")).await,
    ] {
        let tokens = vary(&r);
        assert!(tokens.contains(&"accept".to_string()), "{}", r.describe());
        assert!(!tokens.contains(&"cookie".to_string()), "{}", r.describe());
    }
}

/// Django's `SessionMiddleware`: a `sessionid` cookie whose session turns out empty (no live
/// session under that key, once the session is looked at) is deleted by the response, which
/// varies on `Cookie`; a key under 8 characters is refused without a look, so it is deleted
/// on every response. A live session's cookie is left alone, and so is an unknown key when
/// nothing looked at the session (a JWT-authenticated request).
#[tokio::test]
async fn the_cookie_of_an_empty_session_is_deleted() {
    const DELETION: &str =
        r#"sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"#;
    let s = TestServer::start().await;
    let id = s.create_user("session-empty@example.com", PW).await;
    let (_, live) = s.session_login(id).await;
    let expired = s
        .session_expiring(id, chrono::Utc::now() - chrono::TimeDelta::days(2))
        .await;
    for cookie in [
        format!("sessionid={expired}"),
        "sessionid=".to_string(),
        "sessionid=abc".to_string(),
        "sessionid=0123456789abcdefghijklmnopqrstuv".to_string(),
        format!("sessionid={}", live.to_uppercase()),
    ] {
        let r = users_with_cookie(&s, &cookie).await;
        r.assert_not_authenticated();
        assert_eq!(r.header_all("set-cookie"), [DELETION], "{cookie}");
        r.assert_header("Vary", "Accept, Cookie, origin");
    }
    let r = users_with_cookie(&s, &format!("sessionid={live}")).await;
    r.assert_status(200);
    assert!(r.header_all("set-cookie").is_empty(), "{}", r.describe());

    let token = s.token("session-empty@example.com", PW).await;
    let jwt_get = |cookie: &'static str| {
        s.request("GET", "/api/articles/")
            .bearer(&token)
            .header("Cookie", cookie)
            .send()
    };
    let r = jwt_get("sessionid=x").await;
    r.assert_status(200);
    assert_eq!(r.header_all("set-cookie"), [DELETION]);
    r.assert_header("Vary", "Accept, Cookie, origin");
    let r = jwt_get("sessionid=0123456789abcdefghijklmnopqrstuv").await;
    r.assert_status(200);
    assert!(r.header_all("set-cookie").is_empty(), "{}", r.describe());
    r.assert_header("Vary", "Accept, origin");

    // Django's own 404 page and trailing-slash redirect go through the middleware too.
    for (path, status) in [("/api/nothing-here/", 404), ("/api/tags", 301)] {
        let answer = |cookie: &'static str| s.request("GET", path).header("Cookie", cookie).send();
        let r = answer("sessionid=x").await;
        r.assert_status(status);
        assert_eq!(r.header_all("set-cookie"), [DELETION], "{}", r.describe());
        r.assert_header("Vary", "Cookie, origin");
        let r = answer("sessionid=0123456789abcdefghijklmnopqrstuv").await;
        r.assert_status(status);
        assert!(r.header_all("set-cookie").is_empty(), "{}", r.describe());
    }
}

/// The `sessionid` value a response sets, if any.
fn set_session_key(r: &integration_tests::Response) -> Option<String> {
    r.header_all("set-cookie").iter().find_map(|cookie| {
        let value = cookie.strip_prefix("sessionid=")?;
        Some(value.split(';').next().unwrap_or_default().to_owned())
    })
}

/// Django's `login()` over the request's session: the same user logging in again keeps the
/// session key (the session is saved again under it); another user's session is flushed and
/// replaced by a new key, the old one no longer authenticating.
#[tokio::test]
async fn logging_in_again_keeps_the_session_and_another_user_replaces_it() {
    let s = TestServer::start().await;
    let id = s.create_user("relogin@example.com", PW).await;
    s.create_user("relogin-other@example.com", PW).await;
    let (csrf, session) = s.session_login(id).await;
    let login = |email: &'static str| {
        s.request("POST", "/api/accounts/v1/login/")
            .cookies(&[("sessionid", &session), ("csrftoken", &csrf)])
            .header("X-CSRFToken", &csrf)
            .json(&json!({"email": email, "password": PW}))
            .send()
    };
    let r = login("relogin@example.com").await;
    r.assert_status(200);
    assert_eq!(set_session_key(&r).as_deref(), Some(session.as_str()));
    users_with_cookie(&s, &format!("sessionid={session}"))
        .await
        .assert_status(200);

    let r = login("relogin-other@example.com").await;
    r.assert_status(200);
    let other = set_session_key(&r).expect("a new session cookie");
    assert_ne!(other, session);
    users_with_cookie(&s, &format!("sessionid={session}"))
        .await
        .assert_not_authenticated();
    let r = s
        .request("GET", "/api/accounts/v1/user/")
        .cookies(&[("sessionid", &other)])
        .send()
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["email"], json!("relogin-other@example.com"));
}
