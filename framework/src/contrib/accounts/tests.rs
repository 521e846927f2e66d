//! The account views over an in-memory database with a minimal user entity: the settings
//! that the blog does not use (no JWT cookies, HttpOnly cookies, an in-memory outbox) and the
//! session-login hook.

use super::views::{LoginView, PasswordChangeView, PasswordResetView, RegisterView};
use super::{AccountUser, Accounts, AccountsSettings, SessionLogin};
use crate::contrib::auth::{AuthUser, RequestUser};
use crate::contrib::mail::LocMemBackend;
use crate::exceptions::ApiResult;
use crate::models::ModelMeta;
use crate::request::RequestContext;
use crate::settings::{AppState, Settings};
use crate::views::{ApiView, dispatch};
use chrono::{DateTime, Utc};
use poem::http::{HeaderMap, HeaderValue, Method};
use sea_orm::{ActiveValue, ConnectionTrait, Database, Schema};
use serde_json::{Value, json};
use std::sync::Arc;

mod member {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "member")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub email: String,
        pub password: String,
        pub first_name: String,
        pub last_name: String,
        pub last_login: Option<DateTimeUtc>,
        pub is_active: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

impl ModelMeta for member::Entity {
    const NAME: &'static str = "Member";
}

impl AuthUser for member::Entity {
    const USERNAME_FIELD: &'static str = "email";
    const USERNAME_CASE_INSENSITIVE: bool = true;

    fn username_column() -> member::Column {
        member::Column::Email
    }

    fn password_hash(user: &member::Model) -> &str {
        &user.password
    }

    fn request_user(user: &member::Model) -> RequestUser {
        RequestUser {
            id: user.id,
            username: user.email.clone(),
            is_active: user.is_active,
            is_staff: false,
            is_superuser: false,
        }
    }
}

impl AccountUser for member::Entity {
    fn email(user: &member::Model) -> &str {
        &user.email
    }

    fn first_name(user: &member::Model) -> &str {
        &user.first_name
    }

    fn last_name(user: &member::Model) -> &str {
        &user.last_name
    }

    fn last_login(user: &member::Model) -> Option<DateTime<Utc>> {
        user.last_login
    }

    fn new_user(email: &str, password_hash: String) -> member::ActiveModel {
        member::ActiveModel {
            email: ActiveValue::Set(email.to_owned()),
            password: ActiveValue::Set(password_hash),
            first_name: ActiveValue::Set(String::new()),
            last_name: ActiveValue::Set(String::new()),
            last_login: ActiveValue::Set(None),
            is_active: ActiveValue::Set(true),
            ..Default::default()
        }
    }
}

/// A session store stand-in: one fixed cookie per login, naming the user.
struct FakeSessions;

#[async_trait::async_trait]
impl SessionLogin for FakeSessions {
    async fn login(&self, _ctx: &RequestContext, user: &RequestUser) -> ApiResult<Vec<String>> {
        Ok(vec![format!(
            "sessionid=session-of-{}; HttpOnly; Path=/",
            user.id
        )])
    }
}

async fn state() -> AppState {
    state_with(|_| {}).await
}

async fn state_with(configure: impl FnOnce(&mut Settings)) -> AppState {
    let db = Database::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    let backend = db.get_database_backend();
    db.execute(&Schema::new(backend).create_table_from_entity(member::Entity))
        .await
        .expect("member table");
    super::email_address::create_table(&db, "member", true)
        .await
        .expect("account_emailaddress table");
    let mut settings = Settings::new(b"test key".to_vec());
    settings.default_authentication_classes =
        vec![Arc::new(crate::contrib::simplejwt::JwtAuthentication)];
    configure(&mut settings);
    AppState::new::<member::Entity>(db, settings)
}

fn accounts(settings: AccountsSettings) -> Arc<Accounts> {
    Arc::new(Accounts {
        settings,
        prefix: "/accounts/".into(),
    })
}

async fn post(
    view: &dyn ApiView,
    state: &AppState,
    body: Value,
    bearer: Option<&str>,
) -> (u16, Value, Vec<String>) {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("host", HeaderValue::from_static("testserver"));
    if let Some(token) = bearer {
        let value = HeaderValue::from_str(&format!("Bearer {token}")).expect("header");
        headers.insert("authorization", value);
    }
    let ctx = RequestContext::new(
        state.clone(),
        Method::POST,
        "/accounts/x/".parse().expect("uri"),
        headers,
        serde_json::to_vec(&body).expect("json"),
    );
    let response = dispatch(view, ctx).await;
    let cookies = response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let body =
        serde_json::from_slice(response.body.as_deref().unwrap_or(b"null")).expect("a JSON body");
    (response.status.as_u16(), body, cookies)
}

const PASSWORD: &str = "Xq9!long-pass";

#[tokio::test]
async fn the_session_hook_runs_on_registration_login_and_password_change() {
    let state = state().await;
    let settings = AccountsSettings {
        session_login: Some(Arc::new(FakeSessions)),
        ..AccountsSettings::default()
    };
    let accounts = accounts(settings);
    let credentials =
        json!({"email": "m@example.com", "password1": PASSWORD, "password2": PASSWORD});
    let (status, body, cookies) = post(
        &RegisterView::<member::Entity>::new(&accounts),
        &state,
        credentials,
        None,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["user"]["pk"].as_i64().expect("pk");
    assert_eq!(
        cookies,
        [format!("sessionid=session-of-{id}; HttpOnly; Path=/")]
    );

    let login = json!({"email": "m@example.com", "password": PASSWORD});
    let (status, body, cookies) = post(
        &LoginView::<member::Entity>::new(&accounts),
        &state,
        login,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // No JWT cookies by default (dj-rest-auth's JWT_AUTH_COOKIE is None).
    assert_eq!(
        cookies,
        [format!("sessionid=session-of-{id}; HttpOnly; Path=/")]
    );

    let access = body["access"].as_str().expect("access").to_owned();
    let change = json!({"new_password1": "Another-pass-9", "new_password2": "Another-pass-9"});
    let view = PasswordChangeView::<member::Entity>::new(&accounts);
    let (status, body, cookies) = post(&view, &state, change, Some(&access)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        cookies,
        [format!("sessionid=session-of-{id}; HttpOnly; Path=/")]
    );
}

#[tokio::test]
async fn jwt_cookies_follow_the_settings_and_mail_goes_to_the_backend() {
    let state = state_with(|settings| {
        *settings.jwt_cookies_mut() = crate::contrib::accounts::jwt_cookies::JwtCookieSettings {
            refresh_cookie: None,
            secure: true,
            ..crate::contrib::accounts::jwt_cookies::JwtCookieSettings::named("access-cookie", "")
        };
    })
    .await;
    let outbox = LocMemBackend::new();
    let settings = AccountsSettings {
        email_backend: Arc::new(outbox.clone()),
        default_from_email: "noreply@blog.test".into(),
        site_name: "Blog".into(),
        site_domain: "blog.test".into(),
        ..AccountsSettings::default()
    };
    let accounts = accounts(settings);
    let register = json!({"email": "c@example.com", "password1": PASSWORD, "password2": PASSWORD});
    let view = RegisterView::<member::Entity>::new(&accounts);
    assert_eq!(post(&view, &state, register, None).await.0, 201);

    let login = json!({"email": "c@example.com", "password": PASSWORD});
    let (status, body, cookies) = post(
        &LoginView::<member::Entity>::new(&accounts),
        &state,
        login,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let access = body["access"].as_str().expect("access");
    assert!(cookies[0].starts_with(&format!("access-cookie={access}; expires=")));
    assert!(
        cookies[0].ends_with("; HttpOnly; Max-Age=300; Path=/; SameSite=Lax; Secure"),
        "{}",
        cookies[0]
    );

    let view = PasswordResetView::<member::Entity>::new(&accounts);
    let (status, _, _) = post(&view, &state, json!({"email": "C@example.com"}), None).await;
    assert_eq!(status, 200);
    let sent = outbox.outbox();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].subject, "[Blog] Password Reset Email");
    assert_eq!(sent[0].from_email, "noreply@blog.test");
    assert_eq!(sent[0].to, ["C@example.com"]);
    assert!(
        sent[0].body.starts_with("Hello from Blog!\n\n"),
        "{}",
        sent[0].body
    );
    assert!(
        sent[0]
            .body
            .contains("\n\nhttp://testserver/accounts/password/reset/confirm/1/"),
        "{}",
        sent[0].body
    );
    assert!(
        sent[0]
            .body
            .ends_with("Thank you for using Blog!\nblog.test\n")
    );
}
