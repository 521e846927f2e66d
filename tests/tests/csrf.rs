//! Django's CSRF check on session-authenticated writes (DRF's `enforce_csrf`, OBSERVED.md
//! 3.2): 403 `{"detail": "CSRF Failed: <reason>"}` with Django 6's reasons, and success with
//! the `csrftoken` cookie and a matching `X-CSRFToken` header (masked or not) or form field.

use integration_tests::{Response, TestServer, Value, json};

const PW: &str = "password123!";
const ARTICLES: &str = "/api/articles/";

/// A server with a user logged in by session: `(server, user id, csrf secret, session key)`.
async fn logged_in(email: &str) -> (TestServer, i64, String, String) {
    let s = TestServer::start().await;
    let id = s.create_user(email, PW).await;
    let (csrf, session) = s.session_login(id).await;
    (s, id, csrf, session)
}

fn article() -> Value {
    json!({"title": "By session", "content": "Written with a session cookie."})
}

/// `POST /api/articles/` with the session, optional CSRF cookie and extra headers.
async fn post_article(
    s: &TestServer,
    session: &str,
    csrf_cookie: Option<&str>,
    headers: &[(&str, &str)],
) -> Response {
    let mut cookies = vec![("sessionid", session)];
    if let Some(csrf) = csrf_cookie {
        cookies.push(("csrftoken", csrf));
    }
    let mut req = s.request("POST", ARTICLES).cookies(&cookies);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.json(&article()).send().await
}

fn assert_csrf_failed(r: &Response, reason: &str) {
    r.assert_json(403, &json!({"detail": format!("CSRF Failed: {reason}")}))
        .assert_no_header("WWW-Authenticate");
}

#[tokio::test]
async fn writes_without_the_csrf_cookie_or_token_are_refused() {
    let (s, _, csrf, session) = logged_in("csrf-missing@example.com").await;
    let r = post_article(&s, &session, None, &[]).await;
    assert_csrf_failed(&r, "CSRF cookie not set.");
    // The header alone is not enough: the cookie is the secret.
    let r = post_article(&s, &session, None, &[("X-CSRFToken", &csrf)]).await;
    assert_csrf_failed(&r, "CSRF cookie not set.");
    let r = post_article(&s, &session, Some(&csrf), &[]).await;
    assert_csrf_failed(&r, "CSRF token missing.");
    assert_eq!(s.count_articles().await, 0);
    // Reads need no token.
    s.request("GET", "/api/users/")
        .cookies(&[("sessionid", &session)])
        .send()
        .await
        .assert_status(200);
}

#[tokio::test]
async fn a_matching_token_masked_or_not_lets_the_write_through() {
    let (s, id, csrf, session) = logged_in("csrf-ok@example.com").await;
    let masked = rest_framework::contrib::sessions::csrf::mask_secret(&csrf);
    assert_eq!(masked.len(), 64);
    for token in [csrf.as_str(), masked.as_str()] {
        let r = post_article(&s, &session, Some(&csrf), &[("X-CSRFToken", token)]).await;
        r.assert_status(201);
        assert_eq!(r.json()["author"]["id"], json!(id));
    }
    // The header name is case-insensitive on the wire.
    post_article(&s, &session, Some(&csrf), &[("x-csrftoken", &csrf)])
        .await
        .assert_status(201);
    // The request's own origin passes the origin check.
    let own = s.base_url();
    post_article(
        &s,
        &session,
        Some(&csrf),
        &[("X-CSRFToken", &csrf), ("Origin", &own)],
    )
    .await
    .assert_status(201);
    assert_eq!(s.count_articles().await, 4);

    // PUT, PATCH and DELETE are checked too.
    let article_id = integration_tests::as_id(
        &post_article(&s, &session, Some(&csrf), &[("X-CSRFToken", &csrf)])
            .await
            .json()["id"],
        "id",
    );
    let path = format!("{ARTICLES}{article_id}/");
    for method in ["PATCH", "PUT", "DELETE"] {
        let r = s
            .request(method, &path)
            .cookies(&[("sessionid", &session), ("csrftoken", &csrf)])
            .json(&article())
            .send()
            .await;
        assert_csrf_failed(&r, "CSRF token missing.");
    }
    s.request("PATCH", &path)
        .cookies(&[("sessionid", &session), ("csrftoken", &csrf)])
        .header("X-CSRFToken", &masked)
        .json(&json!({"title": "Patched"}))
        .send()
        .await
        .assert_status(200);
    s.request("DELETE", &path)
        .cookies(&[("sessionid", &session), ("csrftoken", &csrf)])
        .header("X-CSRFToken", &csrf)
        .send()
        .await
        .assert_status(204);
}

#[tokio::test]
async fn the_form_field_csrfmiddlewaretoken_is_accepted() {
    let (s, _, csrf, session) = logged_in("csrf-form@example.com").await;
    let masked = rest_framework::contrib::sessions::csrf::mask_secret(&csrf);
    let r = s
        .request("POST", ARTICLES)
        .cookies(&[("sessionid", &session), ("csrftoken", &csrf)])
        .raw_body(
            "application/x-www-form-urlencoded",
            format!("title=Form&content=Posted+form&csrfmiddlewaretoken={masked}"),
        )
        .send()
        .await;
    r.assert_status(201);
    // A wrong form token is reported as coming from POST.
    let r = s
        .request("POST", ARTICLES)
        .cookies(&[("sessionid", &session), ("csrftoken", &csrf)])
        .raw_body(
            "application/x-www-form-urlencoded",
            "title=Form&content=c&csrfmiddlewaretoken=short",
        )
        .send()
        .await;
    assert_csrf_failed(&r, "CSRF token from POST has incorrect length.");
}

#[tokio::test]
async fn wrong_tokens_and_cookies_are_refused_with_djangos_reasons() {
    let (s, _, csrf, session) = logged_in("csrf-wrong@example.com").await;
    let other = rest_framework::contrib::sessions::csrf::new_secret();
    let header = "the 'X-Csrftoken' HTTP header";
    let cases: Vec<(String, String, String)> = vec![
        (
            csrf.clone(),
            other.clone(),
            format!("CSRF token from {header} incorrect."),
        ),
        (
            csrf.clone(),
            rest_framework::contrib::sessions::csrf::mask_secret(&other),
            format!("CSRF token from {header} incorrect."),
        ),
        (
            csrf.clone(),
            "short".into(),
            format!("CSRF token from {header} has incorrect length."),
        ),
        (
            csrf.clone(),
            format!("{csrf}x"),
            format!("CSRF token from {header} has incorrect length."),
        ),
        (
            csrf.clone(),
            format!("{}!", &csrf[..31]),
            format!("CSRF token from {header} has invalid characters."),
        ),
        (
            "short".into(),
            csrf.clone(),
            "CSRF cookie has incorrect length.".into(),
        ),
        (
            format!("{}-", &csrf[..31]),
            csrf.clone(),
            "CSRF cookie has invalid characters.".into(),
        ),
    ];
    for (cookie, token, reason) in cases {
        let r = post_article(&s, &session, Some(&cookie), &[("X-CSRFToken", &token)]).await;
        assert_csrf_failed(&r, &reason);
    }
    // An empty header is a token of the wrong length, not a missing one.
    let r = post_article(&s, &session, Some(&csrf), &[("X-CSRFToken", "")]).await;
    assert_csrf_failed(
        &r,
        &format!("CSRF token from {header} has incorrect length."),
    );
    assert_eq!(s.count_articles().await, 0);
}

#[tokio::test]
async fn foreign_origins_are_refused_before_the_token_is_looked_at() {
    let (s, _, csrf, session) = logged_in("csrf-origin@example.com").await;
    for origin in [
        "http://evil.example",
        "null",
        // The CORS-allowed front end is not a CSRF-trusted origin.
        "http://localhost:8080",
        // Same host, other scheme.
        &s.base_url().replace("http://", "https://"),
    ] {
        let r = post_article(
            &s,
            &session,
            Some(&csrf),
            &[("X-CSRFToken", &csrf), ("Origin", origin)],
        )
        .await;
        assert_csrf_failed(
            &r,
            &format!("Origin checking failed - {origin} does not match any trusted origins."),
        );
        // Even with no token at all, the origin is what is reported.
        let r = post_article(&s, &session, None, &[("Origin", origin)]).await;
        assert_csrf_failed(
            &r,
            &format!("Origin checking failed - {origin} does not match any trusted origins."),
        );
    }
    // Plain HTTP without Origin does not look at the Referer.
    post_article(
        &s,
        &session,
        Some(&csrf),
        &[("X-CSRFToken", &csrf), ("Referer", "http://evil.example/")],
    )
    .await
    .assert_status(201);
}

#[tokio::test]
async fn anonymous_writes_are_not_csrf_checked() {
    let s = TestServer::start().await;
    // No session (or a dead one): DRF never runs the CSRF check, the permission answers 401.
    for cookies in [
        vec![("csrftoken", "short")],
        vec![("sessionid", "0123456789abcdefghijklmnopqrstuv")],
    ] {
        s.request("POST", ARTICLES)
            .cookies(&cookies)
            .header("Origin", "http://evil.example")
            .json(&article())
            .send()
            .await
            .assert_not_authenticated();
    }
}
