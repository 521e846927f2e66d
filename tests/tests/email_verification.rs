//! allauth's e-mail verification through dj-rest-auth's registration views, over HTTP:
//! test applications with `ACCOUNT_EMAIL_VERIFICATION` "optional" and "mandatory" (mail read
//! from an in-memory outbox), and the blog's "none" (OBSERVED.md 6.3).

use example_blog::entities::user;
use integration_tests::{Response, TestServer, Value, json};
use rest_framework::contrib::accounts::email_address::{self, entity as address};
use rest_framework::contrib::accounts::{AccountsSettings, DjangoSessionLogin, EmailVerification};
use rest_framework::contrib::mail::{EmailMessage, LocMemBackend};
use rest_framework::poem::EndpointExt;
use rest_framework::settings::AppState;
use rest_framework::urls::UrlPatterns;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::sync::Arc;

const PW: &str = "Xq9!long-pass";

fn url(tail: &str) -> String {
    format!("/api/accounts/v1/{tail}")
}

/// A server with the account views under `/api/accounts/v1/`, `verification` on, the mail in
/// the returned outbox.
async fn app(verification: EmailVerification) -> (TestServer, LocMemBackend) {
    let outbox = LocMemBackend::new();
    let backend = outbox.clone();
    let server = TestServer::start_blog_app(move |db, config| {
        let state = AppState::new::<user::Entity>(db, example_blog::api::settings(config));
        let settings = AccountsSettings {
            email_backend: Arc::new(backend),
            email_verification: verification,
            session_login: Some(Arc::new(DjangoSessionLogin)),
            ..AccountsSettings::default()
        };
        rest_framework::contrib::accounts::include::<user::Entity>(
            UrlPatterns::new(),
            "/api/accounts/v1/",
            settings,
        )
        .into_endpoint(state)
        .boxed()
    })
    .await;
    (server, outbox)
}

async fn register(s: &TestServer, email: &str) -> Response {
    s.post(
        &url("registration/"),
        None,
        &json!({"email": email, "password1": PW, "password2": PW}),
    )
    .await
}

async fn login(s: &TestServer, email: &str) -> Response {
    s.post(
        &url("login/"),
        None,
        &json!({"email": email, "password": PW}),
    )
    .await
}

async fn verify(s: &TestServer, key: &str) -> Response {
    s.post(
        &url("registration/verify-email/"),
        None,
        &json!({"key": key}),
    )
    .await
}

async fn resend(s: &TestServer, email: &str) -> Response {
    s.post(
        &url("registration/resend-email/"),
        None,
        &json!({"email": email}),
    )
    .await
}

/// The confirmation mail to `to`: allauth's subject and text, and the key of its link.
fn confirmation_key(s: &TestServer, message: &EmailMessage, to: &str) -> String {
    assert_eq!(message.to, [to]);
    assert_eq!(message.from_email, "webmaster@localhost");
    assert_eq!(
        message.subject,
        "[example.com] Please Confirm Your Email Address"
    );
    let prefix = s.url(&url("registration/account-confirm-email/"));
    let (before, after) = message
        .body
        .split_once(&prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {}", message.body));
    assert_eq!(
        before,
        format!(
            "Hello from example.com!\n\nYou're receiving this email because user {to} has given your email address to register an account on example.com.\n\nTo confirm this is correct, go to "
        )
    );
    let (key, rest) = after.split_once("/\n").expect("the link ends with /");
    assert_eq!(rest, "\nThank you for using example.com!\nexample.com\n");
    key.to_owned()
}

/// The `account_emailaddress` rows of `email`: `(primary, verified)`.
async fn address_rows(s: &TestServer, email: &str) -> Vec<(bool, bool)> {
    address::Entity::find()
        .filter(address::Column::Email.eq(email))
        .all(&s.db)
        .await
        .expect("query account_emailaddress")
        .iter()
        .map(|row| (row.primary, row.verified))
        .collect()
}

fn has_tokens(r: &Response) -> bool {
    r.keys() == ["access", "refresh", "user"]
}

const NOT_FOUND: fn() -> Value = || json!({"detail": "Not found."});
const OK: fn() -> Value = || json!({"detail": "ok"});

#[tokio::test]
async fn optional_verification_mails_a_key_logs_in_and_confirms_once() {
    let (s, outbox) = app(EmailVerification::Optional).await;
    let email = "optional@example.com";
    let r = register(&s, "Optional@Example.com").await;
    r.assert_status(201);
    assert!(has_tokens(&r), "{}", r.describe());
    assert_eq!(r.header_all("set-cookie").len(), 2, "session cookies");
    let mail = outbox.outbox();
    assert_eq!(mail.len(), 1);
    let key = confirmation_key(&s, &mail[0], email);
    assert_eq!(address_rows(&s, email).await, [(true, false)]);
    // Optional: the unverified user logs in.
    let r = login(&s, email).await;
    r.assert_status(200);
    assert!(has_tokens(&r), "{}", r.describe());

    verify(&s, &key).await.assert_json(200, &OK());
    assert_eq!(address_rows(&s, email).await, [(true, true)]);
    // The key only finds unverified addresses: a second use is a 404.
    verify(&s, &key).await.assert_json(404, &NOT_FOUND());
    // Verified: resending mails nothing.
    resend(&s, email).await.assert_json(200, &OK());
    assert_eq!(outbox.outbox().len(), 1);
}

#[tokio::test]
async fn mandatory_verification_answers_without_tokens_and_login_waits_for_the_key() {
    let (s, outbox) = app(EmailVerification::Mandatory).await;
    let email = "mandatory@example.com";
    let r = register(&s, email).await;
    r.assert_json(201, &json!({"detail": "Verification e-mail sent."}));
    assert!(r.header_all("set-cookie").is_empty(), "{}", r.describe());
    let first = confirmation_key(&s, &outbox.outbox()[0], email);
    login(&s, email).await.assert_json(
        400,
        &json!({"non_field_errors": ["E-mail is not verified."]}),
    );
    // Wrong credentials still get the usual answer first.
    s.post(
        &url("login/"),
        None,
        &json!({"email": email, "password": "wrong-password"}),
    )
    .await
    .assert_json(
        400,
        &json!({"non_field_errors": ["Unable to log in with provided credentials."]}),
    );

    // Resending mails a fresh key for the unverified address, nothing for unknown ones.
    resend(&s, "nobody@example.com")
        .await
        .assert_json(200, &OK());
    assert_eq!(outbox.outbox().len(), 1);
    resend(&s, email).await.assert_json(200, &OK());
    let mail = outbox.outbox();
    assert_eq!(mail.len(), 2);
    let second = confirmation_key(&s, &mail[1], email);

    verify(&s, &second).await.assert_json(200, &OK());
    assert_eq!(address_rows(&s, email).await, [(true, true)]);
    verify(&s, &first).await.assert_json(404, &NOT_FOUND());
    let r = login(&s, email).await;
    r.assert_status(200);
    assert!(has_tokens(&r), "{}", r.describe());
}

#[tokio::test]
async fn bad_expired_and_foreign_keys_are_not_found() {
    let (s, outbox) = app(EmailVerification::Mandatory).await;
    let email = "keys@example.com";
    register(&s, email).await.assert_status(201);
    let good = confirmation_key(&s, &outbox.outbox()[0], email);
    let id = address::Entity::find()
        .filter(address::Column::Email.eq(email))
        .one(&s.db)
        .await
        .expect("query")
        .expect("the address row")
        .id;
    let secret = s.secret_key.as_bytes();
    let four_days_ago = chrono::Utc::now().timestamp() - 4 * 24 * 60 * 60;
    let two_days_ago = chrono::Utc::now().timestamp() - 2 * 24 * 60 * 60;
    let dumps_at = |value: Value, salt: &str, at: i64| {
        rest_framework::signing::dumps_at(&value, secret, salt, false, at)
    };
    for key in [
        "garbage".to_owned(),
        "1".to_owned(),
        format!("{good}x"),
        // Older than ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS (3).
        dumps_at(json!(id), email_address::SALT, four_days_ago),
        // Signed for another purpose, or for an address that does not exist.
        dumps_at(json!(id), "django.core.signing", two_days_ago),
        dumps_at(json!(id + 1000), email_address::SALT, two_days_ago),
        dumps_at(json!(id.to_string()), email_address::SALT, two_days_ago),
        // Signed with another secret key.
        rest_framework::signing::dumps(&json!(id), b"another key", email_address::SALT, false),
    ] {
        verify(&s, &key).await.assert_json(404, &NOT_FOUND());
    }
    assert_eq!(address_rows(&s, email).await, [(true, false)]);
    // A key made two days ago is still good.
    let recent = dumps_at(json!(id), email_address::SALT, two_days_ago);
    verify(&s, &recent).await.assert_json(200, &OK());
    // A missing key is a 400, and the Allow header is dj-rest-auth's.
    s.post(&url("registration/verify-email/"), None, &json!({}))
        .await
        .assert_json(400, &json!({"key": ["This field is required."]}))
        .assert_header("allow", "POST, OPTIONS, HEAD");
    // Its `get` raises `MethodNotAllowed('GET')`, and HEAD is answered by `get`.
    for method in ["GET", "HEAD"] {
        let r = s
            .request(method, &url("registration/verify-email/"))
            .send()
            .await;
        r.assert_status(405)
            .assert_header("allow", "POST, OPTIONS, HEAD");
        if method == "GET" {
            r.assert_json(405, &json!({"detail": "Method \"GET\" not allowed."}));
        }
    }
}

/// The blog ("none"): registration records the address (primary, unverified) and mails
/// nothing; the verify and resend views still work, as dj-rest-auth's do.
#[tokio::test]
async fn blog_records_the_address_without_mail_and_still_confirms_on_request() {
    let s = TestServer::start().await;
    let r = s
        .request("OPTIONS", &url("registration/verify-email/"))
        .send()
        .await;
    r.assert_status(200)
        .assert_header("allow", "POST, OPTIONS, HEAD");
    verify(&s, "unknown").await.assert_json(404, &NOT_FOUND());
    let email = "none@example.com";
    let r = register(&s, email).await;
    r.assert_status(201);
    assert!(has_tokens(&r), "{}", r.describe());
    if s.is_reference() {
        return;
    }
    assert!(s.sent_mail().is_empty(), "no mail at registration");
    assert_eq!(address_rows(&s, email).await, [(true, false)]);
    resend(&s, email).await.assert_json(200, &OK());
    let mail = s.sent_mail();
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains("Subject: [example.com] Please Confirm Your Email Address"),
        "{}",
        mail[0]
    );
    let prefix = s.url(&url("registration/account-confirm-email/"));
    let key = mail[0]
        .split_once(&prefix)
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(key, _)| key.to_owned())
        .unwrap_or_else(|| panic!("no link in {}", mail[0]));
    verify(&s, &key).await.assert_json(200, &OK());
    assert_eq!(address_rows(&s, email).await, [(true, true)]);
}
