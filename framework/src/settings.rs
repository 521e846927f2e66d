//! One typed settings struct (DRF's `REST_FRAMEWORK` and what Django's `settings.py` gives
//! it) and the application state shared by every request.
//!
//! The contrib modules bring settings of their own (simplejwt's `SIMPLE_JWT`, Django's
//! `SESSION_*` and `CSRF_*`, ...): they live in [`Settings::extensions`], reached through
//! accessors the contrib module adds (`settings.jwt()`, `settings.jwt_mut()`).

pub mod extensions;

pub use extensions::{Extensions, SettingsExtension};

use crate::authentication::{Authentication, BasicAuthentication};
use crate::middleware::Middleware;
use crate::pagination::{PageNumberPagination, Pagination};
use crate::throttling::{LocMemThrottleStore, Throttle, ThrottleStore};
use crate::urls::Reverser;
use crate::users::{RequestUser, UserStore};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::Arc;

/// Framework settings.
#[derive(Clone)]
pub struct Settings {
    /// Django's `SECRET_KEY`: signs sessions, CSRF-free tokens, password-reset tokens.
    pub secret_key: Vec<u8>,
    /// `DEFAULT_AUTHENTICATION_CLASSES`, tried in order (default: DRF's
    /// `BasicAuthentication`; add `contrib::simplejwt::JwtAuthentication` and the others you
    /// enable).
    pub default_authentication_classes: Vec<Arc<dyn Authentication>>,
    /// `DEFAULT_PAGINATION_CLASS` + `PAGE_SIZE` (`None`: lists are not paginated). Any
    /// [`Pagination`]: `PageNumberPagination`, `LimitOffsetPagination`, `CursorPagination`.
    pub default_pagination: Option<Arc<dyn Pagination>>,
    /// The document title of `/api/schema/` (drf-spectacular's `TITLE`).
    pub schema_title: String,
    /// The document version (`VERSION`).
    pub schema_version: String,
    /// `DEFAULT_THROTTLE_CLASSES`, all checked on every request (default: none).
    pub default_throttle_classes: Vec<Arc<dyn Throttle>>,
    /// `DEFAULT_THROTTLE_RATES`: scope (`anon`, `user`, a view's `throttle_scope`) to rate
    /// (`"100/day"`).
    pub default_throttle_rates: HashMap<String, String>,
    /// `NUM_PROXIES`: how many proxies in front of the server append to `X-Forwarded-For`
    /// (`None`: trust the whole header, as DRF; `Some(0)`: ignore it). See
    /// [`crate::throttling::client_ident`].
    pub num_proxies: Option<usize>,
    /// Where throttles keep request histories (DRF's default cache): in the process by
    /// default; a [`crate::throttling::DatabaseThrottleStore`] shares them between processes.
    pub throttle_cache: Arc<dyn ThrottleStore>,
    /// Django's `MIDDLEWARE`: hooks around every view (`contrib::sessions` has Django's
    /// session and CSRF middleware). Responses pass them in reverse order, as in Django.
    pub middleware: Vec<Arc<dyn Middleware>>,
    /// The settings of the contrib modules, one value per type (see [`SettingsExtension`]).
    pub extensions: Extensions,
    /// `DEFAULT_RENDERER_CLASSES`: JSON, then the browsable API (HTML).
    pub default_renderer_classes: Vec<Arc<dyn crate::renderers::Renderer>>,
    /// `EXCEPTION_HANDLER`: turns errors into responses (default: DRF's).
    pub exception_handler: crate::exceptions::ExceptionHandler,
    /// The document description of `/api/schema/` (drf-spectacular's `DESCRIPTION`; none by
    /// default).
    pub schema_description: Option<String>,
    /// Django's `ALLOWED_HOSTS`: a request whose `Host` matches none of them is refused with
    /// Django's 400 page (default: [`crate::hosts::DEVELOPMENT_ALLOWED_HOSTS`]; set the
    /// deployment's host names in production).
    pub allowed_hosts: crate::hosts::AllowedHosts,
    /// Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`, `DATA_UPLOAD_MAX_NUMBER_FIELDS` and
    /// `DATA_UPLOAD_MAX_NUMBER_FILES`, and a bound on the values of a JSON body: bigger
    /// requests get a 400 before they are parsed.
    pub parser_limits: crate::parsers::ParserLimits,
    /// Whether the OpenAPI document lists every status an operation can answer, the errors
    /// (400, 401, 403, 404, 406, 415, 429) included, as a drf-spectacular project does when
    /// it declares them with `@extend_schema(responses=...)`. Off by default: the document
    /// is then drf-spectacular's own, key for key; API testers such as schemathesis want it
    /// on.
    pub schema_document_errors: bool,
}

impl Settings {
    /// Settings with DRF's defaults (Basic authentication), signing with `secret_key`.
    pub fn new(secret_key: impl Into<Vec<u8>>) -> Self {
        let secret_key = secret_key.into();
        Settings {
            secret_key,
            default_authentication_classes: vec![Arc::new(BasicAuthentication::new())],
            default_pagination: Some(Arc::new(PageNumberPagination::default())),
            schema_title: "API".into(),
            schema_version: "1.0.0".into(),
            default_throttle_classes: Vec::new(),
            default_throttle_rates: HashMap::new(),
            num_proxies: None,
            throttle_cache: Arc::new(LocMemThrottleStore::default()),
            middleware: Vec::new(),
            extensions: Extensions::default(),
            default_renderer_classes: crate::renderers::default_renderers(),
            exception_handler: Arc::new(crate::exceptions::exception_handler),
            schema_description: None,
            allowed_hosts: Default::default(),
            parser_limits: Default::default(),
            schema_document_errors: false,
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
    /// State for a database, settings and where users are found (`contrib::auth` adds
    /// `AppState::new::<User>` for a user entity).
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
