//! # rest_framework
//!
//! Django REST framework's ideas, in Rust: describe a resource once (a `ModelSerializer`, a
//! viewset, its authentication and permission classes) and get a complete, documented REST
//! API that answers exactly as DRF does on the wire.
//!
//! The core's modules mirror DRF's: [`serializers`], [`fields`], `relations`, [`viewsets`],
//! [`generics`], [`routers`], [`authentication`], [`permissions`], [`pagination`],
//! [`parsers`], [`exceptions`], [`status`]. What Django and DRF's companion packages add
//! (users and passwords, sessions and CSRF, authtoken, simplejwt, dj-rest-auth, CORS, mail)
//! is in [`contrib`], each piece behind a cargo feature (`auth` and `simplejwt` by default,
//! `full` for all). See `docs/architecture.md` for the path of a request through them.

// The framework's own serializers use its derives, whose code names `::rest_framework`.
extern crate self as rest_framework;

#[doc(hidden)]
pub mod __private;
pub mod authentication;
pub mod contrib;
pub mod cookies;
pub mod db;
pub mod decorators;
pub mod description;
pub mod exceptions;
pub mod fields;
pub mod filters;
pub mod generics;
pub mod hosts;
pub mod metadata;
pub mod middleware;
pub mod models;
pub mod negotiation;
pub mod openapi;
pub mod pagination;
pub mod parsers;
pub mod permissions;
pub mod query;
pub(crate) mod relations;
pub mod renderers;
pub mod request;
pub mod response;
pub mod routers;
pub mod runtime;
pub mod serializers;
pub mod server;
pub mod settings;
pub mod signing;
pub mod status;
pub mod throttling;
pub mod timezone;
pub mod urls;
pub mod users;
pub mod views;
pub mod viewsets;

pub use async_trait::async_trait;
pub use poem;
pub use poem_openapi;
pub use rest_framework_macros::Serializer;
pub use rest_framework_macros::{HyperlinkedModelSerializer, ModelSerializer, viewset};
pub use sea_orm;
pub use serde;
pub use serde_json;

/// The names most applications use, in one import.
pub mod prelude {
    pub use crate::authentication::{Authentication, BasicAuthentication};
    #[cfg(feature = "auth")]
    pub use crate::contrib::auth::AuthUser;
    #[cfg(feature = "simplejwt")]
    pub use crate::contrib::simplejwt::JwtAuthentication;
    pub use crate::exceptions::{ApiError, ApiResult};
    pub use crate::models::ModelMeta;
    pub use crate::pagination::PageNumberPagination;
    pub use crate::permissions::{
        AllowAny, IsAdminUser, IsAuthenticated, IsAuthenticatedOrReadOnly, Permission,
    };
    pub use crate::request::RequestContext;
    pub use crate::routers::DefaultRouter;
    pub use crate::serializers::{ModelSerializer as _, Save};
    pub use crate::settings::{AppState, Settings};
    pub use crate::urls::UrlPatterns;
    pub use crate::users::RequestUser;
    pub use crate::viewsets::ModelViewSet;
    pub use crate::{ModelSerializer, viewset};
}

/// Test support (`testing` feature; always on in the framework's own unit tests).
#[cfg(any(test, feature = "testing"))]
pub mod test;

/// The guide's pages whose code blocks are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/security.md")]
pub struct SecurityGuide;
