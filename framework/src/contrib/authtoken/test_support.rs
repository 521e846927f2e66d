//! Unit-test fixtures shared by the token and basic authentication tests: an in-memory SQLite
//! database with a small user table and `authtoken_token`.

use crate::contrib::auth::{AuthUser, RequestUser};
use crate::models::ModelMeta;
use crate::request::RequestContext;
use crate::settings::{AppState, Settings};
use poem::http::{HeaderMap, HeaderValue, Method};
use sea_orm::{ActiveModelTrait, ActiveValue, ConnectionTrait, Database, Schema};

/// The password of every fixture user.
pub const PASSWORD: &str = "password123!";
/// [`PASSWORD`] hashed by Django's PBKDF2 hasher (1000 iterations, cheap for tests).
const PASSWORD_HASH: &str =
    "pbkdf2_sha256$1000$testsalt$XYBfAhSTD8bRz+QSd08XEerNhsnbWkQosVYcxe5W4ao=";

/// A minimal user entity (table `users`).
pub mod user {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub email: String,
        pub password: String,
        pub is_active: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

impl ModelMeta for user::Entity {
    const NAME: &'static str = "User";
}

impl AuthUser for user::Entity {
    const USERNAME_FIELD: &'static str = "email";

    fn username_column() -> Self::Column {
        user::Column::Email
    }

    fn password_hash(user: &Self::Model) -> &str {
        &user.password
    }

    fn request_user(user: &Self::Model) -> RequestUser {
        RequestUser {
            id: user.id,
            username: user.email.clone(),
            is_active: user.is_active,
            is_staff: false,
            is_superuser: false,
        }
    }
}

/// State over a fresh database with `active@example.com` and `inactive@example.com`, both with
/// [`PASSWORD`].
pub struct TestUsers {
    pub state: AppState,
    pub active_id: i64,
    pub inactive_id: i64,
}

impl TestUsers {
    pub async fn new() -> TestUsers {
        let url = crate::test::db::fresh_database_url("sqlite::memory:")
            .await
            .expect("a test database");
        let db = Database::connect(url).await.expect("the test database");
        let backend = db.get_database_backend();
        db.execute(&Schema::new(backend).create_table_from_entity(user::Entity))
            .await
            .expect("users table");
        super::create_table(&db, "users")
            .await
            .expect("authtoken table");
        let mut ids = Vec::new();
        for (email, is_active) in [
            ("active@example.com", true),
            ("inactive@example.com", false),
        ] {
            let user = user::ActiveModel {
                email: ActiveValue::Set(email.into()),
                password: ActiveValue::Set(PASSWORD_HASH.into()),
                is_active: ActiveValue::Set(is_active),
                ..Default::default()
            }
            .insert(&db)
            .await
            .expect("user");
            ids.push(user.id);
        }
        TestUsers {
            state: AppState::new::<user::Entity>(db, Settings::new(b"test key".to_vec())),
            active_id: ids[0],
            inactive_id: ids[1],
        }
    }
}

/// A `GET /` context with an optional raw `Authorization` header.
pub fn context(users: &TestUsers, authorization: Option<&[u8]>) -> RequestContext {
    let mut headers = HeaderMap::new();
    if let Some(value) = authorization {
        headers.insert(
            poem::http::header::AUTHORIZATION,
            HeaderValue::from_bytes(value).expect("header value"),
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
