//! One typed settings struct (DRF's `REST_FRAMEWORK` + simplejwt's `SIMPLE_JWT`) and the
//! application state shared by every request.

use crate::auth::{AuthUser, EntityUserStore, RequestUser, UserStore};
use crate::authentication::jwt::JwtSettings;
use crate::authentication::{Authentication, JwtAuthentication};
use crate::pagination::{PageNumberPagination, Pagination};
use crate::urls::Reverser;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Framework settings.
#[derive(Clone)]
pub struct Settings {
    /// Django's `SECRET_KEY`: signs sessions, CSRF-free tokens, password-reset tokens.
    pub secret_key: Vec<u8>,
    /// simplejwt settings (signing key, lifetimes, header types).
    pub jwt: JwtSettings,
    /// `DEFAULT_AUTHENTICATION_CLASSES`, tried in order.
    pub default_authentication_classes: Vec<Arc<dyn Authentication>>,
    /// `DEFAULT_PAGINATION_CLASS` + `PAGE_SIZE` (`None`: lists are not paginated). Any
    /// [`Pagination`]: `PageNumberPagination`, `LimitOffsetPagination`, `CursorPagination`.
    pub default_pagination: Option<Arc<dyn Pagination>>,
    /// The document title of `/api/schema/` (drf-spectacular's `TITLE`).
    pub schema_title: String,
    /// The document version (`VERSION`).
    pub schema_version: String,
    /// `DEFAULT_RENDERER_CLASSES`: JSON, then the browsable API (HTML).
    pub default_renderer_classes: Vec<Arc<dyn crate::renderers::Renderer>>,
    /// `EXCEPTION_HANDLER`: turns errors into responses (default: DRF's).
    pub exception_handler: crate::exceptions::ExceptionHandler,
}

impl Settings {
    /// Settings with DRF's defaults and JWT authentication, signing tokens with `secret_key`.
    pub fn new(secret_key: impl Into<Vec<u8>>) -> Self {
        let secret_key = secret_key.into();
        Settings {
            jwt: JwtSettings::new(secret_key.clone()),
            secret_key,
            default_authentication_classes: vec![Arc::new(JwtAuthentication)],
            default_pagination: Some(Arc::new(PageNumberPagination::default())),
            schema_title: "API".into(),
            schema_version: "1.0.0".into(),
            default_renderer_classes: crate::renderers::default_renderers(),
            exception_handler: Arc::new(crate::exceptions::exception_handler),
        }
    }
}

/// What every request can reach: the database, the settings, the user store.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Framework settings.
    pub settings: Arc<Settings>,
    /// How users are found (Django's `AUTH_USER_MODEL`).
    pub users: Arc<dyn UserStore>,
    /// Route names to paths (set when the URL patterns become an endpoint).
    pub urls: Arc<Reverser>,
}

impl AppState {
    /// State for a database, settings and a user model.
    pub fn new<U: AuthUser>(db: DatabaseConnection, settings: Settings) -> Self {
        AppState {
            db,
            settings: Arc::new(settings),
            users: Arc::new(EntityUserStore::<U>::new()),
            urls: Arc::new(Reverser::default()),
        }
    }

    /// State with a custom user store (for user tables that are not one sea-orm entity).
    pub fn with_user_store(
        db: DatabaseConnection,
        settings: Settings,
        users: Arc<dyn UserStore>,
    ) -> Self {
        AppState {
            db,
            settings: Arc::new(settings),
            users,
            urls: Arc::new(Reverser::default()),
        }
    }

    /// Looks a user up by primary key.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<RequestUser>, sea_orm::DbErr> {
        self.users.get_by_id(&self.db, id).await
    }
}
