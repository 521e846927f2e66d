use super::*;
use crate::contrib::authtoken::test_support::{TestUsers, user};
use poem::http::{HeaderMap, HeaderValue, Method};
use sea_orm::{ActiveModelTrait, DatabaseBackend};
use serde_json::json;

/// The DRF reference's `SECRET_KEY`, with which Django 6.1 made the vectors below.
const DJANGO_KEY: &[u8] = b"drf-blog-reference-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz";
/// `SessionStore().encode({...})` by Django 6.1 for user 42 with [`DJANGO_PASSWORD_HASH`].
const DJANGO_SESSION: &str = ".eJxVjDsOwjAQBe_iGllrO_5R0nMGa9cfHEC2FCcV4u4QKQW0b2beiwXc1hq2kZcwJ3Zmk2Sn35EwPnLbSbpju3Uee1uXmfiu8IMOfu0pPy-H-3dQcdRvDYQOlNMAjrQryhWJgqIhT2BLjsUUEuANUC6ahJbCOE_GTqi0zMqy9wcFrjfR:1xVSqM:E3fej1UrzxOKxKiK2ZmBJ_KzdAxQ5jQBe5M6luWbucw";
const DJANGO_PASSWORD_HASH: &str =
    "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$abcdefghijklmnopqrstuv";

#[test]
fn reads_a_session_written_by_django() {
    let settings = Settings::new(DJANGO_KEY.to_vec());
    let data = decode(&settings, DJANGO_SESSION);
    let expected_hash = session_auth_hash(DJANGO_KEY, DJANGO_PASSWORD_HASH);
    assert_eq!(
        expected_hash,
        "0ba80385008b58f38f2a1bc6b9b07fecf6fb10960bef5b1521689b674a352e37"
    );
    assert_eq!(
        Value::Object(data.clone()),
        json!({
            "_auth_user_id": "42",
            "_auth_user_backend": MODEL_BACKEND,
            "_auth_user_hash": expected_hash,
        })
    );
    assert_eq!(session_user_id(&data), Some(42));
    // What this side writes, Django's decode reads the same way (and so does ours).
    let written = encode(&settings, &data);
    assert_eq!(decode(&settings, &written), data);
    // Another key or salt: corrupted, so empty.
    assert!(decode(&Settings::new(b"other".to_vec()), DJANGO_SESSION).is_empty());
    let mut other_salt = Settings::new(DJANGO_KEY.to_vec());
    other_salt.sessions_mut().key_salt = "django.contrib.sessions.backends.signed_cookies".into();
    assert!(decode(&other_salt, DJANGO_SESSION).is_empty());
    assert!(decode(&settings, "garbage").is_empty());
}

#[test]
fn ddl_matches_django() {
    let postgres = DatabaseBackend::Postgres
        .build(&create_table_statement())
        .to_string();
    for part in [
        r#"CREATE TABLE "django_session""#,
        r#""session_key" varchar(40) NOT NULL PRIMARY KEY"#,
        r#""session_data" text NOT NULL"#,
        r#""expire_date" timestamp with time zone NOT NULL"#,
    ] {
        assert!(postgres.contains(part), "{part} not in {postgres}");
    }
    assert_eq!(
        DatabaseBackend::Postgres
            .build(&create_index_statement())
            .to_string(),
        r#"CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")"#
    );
}

#[test]
fn keys_are_32_random_lowercase_alphanumerics() {
    let keys: std::collections::HashSet<String> = (0..200).map(|_| new_session_key()).collect();
    assert_eq!(keys.len(), 200);
    for key in &keys {
        assert_eq!(key.len(), 32);
        assert!(key.bytes().all(|b| VALID_KEY_CHARS.contains(&b)), "{key}");
    }
}

async fn users_with_sessions() -> TestUsers {
    let users = TestUsers::new().await;
    create_table(&users.state.db).await.expect("django_session");
    users
}

fn request(users: &TestUsers, cookie: Option<&str>) -> RequestContext {
    let mut headers = HeaderMap::new();
    if let Some(cookie) = cookie {
        headers.insert(
            poem::http::header::COOKIE,
            HeaderValue::from_str(cookie).expect("cookie"),
        );
    }
    RequestContext::new(
        users.state.clone(),
        Method::GET,
        "/".parse().expect("uri"),
        headers,
        Vec::new(),
    )
}

async fn user_of(users: &TestUsers, session_key: &str) -> Option<i64> {
    let ctx = request(users, Some(&format!("sessionid={session_key}")));
    get_user(&users.state, &ctx)
        .await
        .expect("get_user")
        .map(|user| user.id)
}

async fn request_user(users: &TestUsers, id: i64) -> RequestUser {
    users
        .state
        .user_by_id(id)
        .await
        .expect("query")
        .expect("user")
}

async fn row_exists(users: &TestUsers, key: &str) -> bool {
    session::Entity::find_by_id(key.to_owned())
        .one(&users.state.db)
        .await
        .expect("query")
        .is_some()
}

#[tokio::test]
async fn login_get_user_and_logout() {
    let users = users_with_sessions().await;
    let alice = request_user(&users, users.active_id).await;

    let cookies = login(&users.state, &request(&users, None), &alice)
        .await
        .expect("login");
    assert_eq!(cookies.len(), 2);
    assert_eq!(cookies[0].name, "csrftoken");
    assert_eq!(cookies[0].value.len(), csrf::CSRF_SECRET_LENGTH);
    let session_cookie = cookies[1].to_string();
    assert!(
        session_cookie.contains("; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax"),
        "{session_cookie}"
    );
    let key = cookies[1].value.clone();
    assert_eq!(key.len(), 32);
    assert_eq!(user_of(&users, &key).await, Some(alice.id));

    // The row is Django's: its data decodes to the three keys, in Django's order.
    let row = session::Entity::find_by_id(key.clone())
        .one(&users.state.db)
        .await
        .expect("query")
        .expect("row");
    let data = decode(&users.state.settings, &row.session_data);
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        [SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY]
    );
    assert_eq!(data[SESSION_KEY], json!(alice.id.to_string()));
    let age = (row.expire_date - Utc::now()).num_seconds();
    assert!((1_209_500..=1_209_600).contains(&age), "{age}");

    // Logging in again as the same user keeps the session and its key (Django's `login` then
    // neither flushes nor cycles it); the CSRF secret still rotates.
    let again = login(
        &users.state,
        &request(&users, Some(&format!("sessionid={key}"))),
        &alice,
    )
    .await
    .expect("login again");
    assert_eq!(again[1].value, key);
    assert_eq!(user_of(&users, &key).await, Some(alice.id));
    assert_ne!(again[0].value, cookies[0].value, "the CSRF secret rotates");

    // Logging in over an anonymous session cycles its key: the old one stops working.
    let anonymous = create(&users.state, &SessionData::new())
        .await
        .expect("anonymous session");
    let cycled = login(
        &users.state,
        &request(&users, Some(&format!("sessionid={anonymous}"))),
        &alice,
    )
    .await
    .expect("login over an anonymous session");
    let new_key = cycled[1].value.clone();
    assert_ne!(new_key, anonymous);
    assert!(!row_exists(&users, &anonymous).await);
    assert_eq!(user_of(&users, &new_key).await, Some(alice.id));

    // Logout deletes the row and the cookie.
    let out = logout(
        &users.state,
        &request(&users, Some(&format!("sessionid={new_key}"))),
    )
    .await
    .expect("logout");
    assert_eq!(
        out.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        ["sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"]
    );
    assert!(!row_exists(&users, &new_key).await);
    assert_eq!(user_of(&users, &new_key).await, None);
    assert!(
        logout(&users.state, &request(&users, None))
            .await
            .expect("logout")
            .is_empty()
    );
}

#[tokio::test]
async fn sessions_that_no_longer_hold_are_anonymous() {
    let users = users_with_sessions().await;
    let alice = request_user(&users, users.active_id).await;
    let login_key = |users: &TestUsers| {
        let state = users.state.clone();
        let ctx = request(users, None);
        let alice = alice.clone();
        async move {
            login(&state, &ctx, &alice).await.expect("login")[1]
                .value
                .clone()
        }
    };

    // Garbage and absent cookies.
    for cookie in [
        "sessionid=",
        "sessionid=short",
        "sessionid=abcdefghijklmnopqrstuvwxyz012345",
        "sessionid=\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
        "sessionid=\"quoted\"; ;;=",
        "other=1",
    ] {
        let ctx = request(&users, Some(cookie));
        assert_eq!(get_user(&users.state, &ctx).await.expect("get_user"), None);
    }

    // Expired.
    let mut data = SessionData::new();
    data.insert(SESSION_KEY.into(), json!(alice.id.to_string()));
    data.insert(BACKEND_SESSION_KEY.into(), json!(MODEL_BACKEND));
    data.insert(
        HASH_SESSION_KEY.into(),
        json!(session_auth_hash(
            &users.state.settings.secret_key,
            &users
                .state
                .users
                .password_hash_by_id(&users.state.db, alice.id)
                .await
                .expect("query")
                .expect("hash")
        )),
    );
    let live = create(&users.state, &data).await.expect("create");
    assert_eq!(user_of(&users, &live).await, Some(alice.id));
    let expired = create_expiring(&users.state, &data, Utc::now() - TimeDelta::seconds(1))
        .await
        .expect("create");
    assert_eq!(user_of(&users, &expired).await, None);
    assert_eq!(clear_expired(&users.state.db).await.expect("clear"), 1);

    // An unknown backend, a numeric user id (Django accepts it), no hash.
    let mut unknown_backend = data.clone();
    unknown_backend.insert(BACKEND_SESSION_KEY.into(), json!("elsewhere.Backend"));
    let key = create(&users.state, &unknown_backend)
        .await
        .expect("create");
    assert_eq!(user_of(&users, &key).await, None);
    let mut numeric = data.clone();
    numeric.insert(SESSION_KEY.into(), json!(alice.id));
    let key = create(&users.state, &numeric).await.expect("create");
    assert_eq!(user_of(&users, &key).await, Some(alice.id));
    let mut no_hash = data.clone();
    no_hash.remove(HASH_SESSION_KEY);
    let key = create(&users.state, &no_hash).await.expect("create");
    assert_eq!(user_of(&users, &key).await, None);

    // An inactive user is anonymous.
    let bob = request_user(&users, users.inactive_id).await;
    let key = login(&users.state, &request(&users, None), &bob)
        .await
        .expect("login")[1]
        .value
        .clone();
    assert_eq!(user_of(&users, &key).await, None);

    // A password change logs every session out, and deletes it when seen.
    let key = login_key(&users).await;
    assert_eq!(user_of(&users, &key).await, Some(alice.id));
    user::ActiveModel {
        id: ActiveValue::Unchanged(alice.id),
        password: ActiveValue::Set("pbkdf2_sha256$1000$other$changed=".into()),
        ..Default::default()
    }
    .update(&users.state.db)
    .await
    .expect("change password");
    assert_eq!(user_of(&users, &key).await, None);
    assert!(!row_exists(&users, &key).await);
}
