//! The blog's URL configuration and application: DRF's `urls.py` and `settings.py`.

use crate::config::Config;
use crate::entities::user;
use crate::views::{ArticleViewSet, CommentViewSet, TagViewSet, UserViewSet};
use rest_framework::authentication::jwt_views::TokenObtainPairView;
use rest_framework::authentication::{Authentication, BasicAuthentication, JwtAuthentication};
use rest_framework::authtoken::{ObtainAuthTokenView, TokenAuthentication};
use rest_framework::routers::DefaultRouter;
use rest_framework::settings::{AppState, Settings};
use rest_framework::urls::UrlPatterns;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The framework settings of the blog (DRF's `REST_FRAMEWORK`, simplejwt's `SIMPLE_JWT`).
pub fn settings(config: &Config) -> Settings {
    let mut settings = Settings::new(config.secret_key.as_bytes().to_vec());
    settings.schema_title = "Blog API".into();
    // DRF's DEFAULT_AUTHENTICATION_CLASSES, in the reference's order (the JWT cookie and the
    // session classes come later).
    let classes: Vec<Arc<dyn Authentication>> = vec![
        Arc::new(JwtAuthentication),
        Arc::new(TokenAuthentication::new()),
        Arc::new(BasicAuthentication::new()),
    ];
    settings.default_authentication_classes = classes;
    if let Some(lifetime) = config.access_token_lifetime {
        settings.jwt.access_token_lifetime = lifetime;
    }
    if let Some(lifetime) = config.refresh_token_lifetime {
        settings.jwt.refresh_token_lifetime = lifetime;
    }
    settings
}

/// The URL patterns of the blog.
pub fn urlpatterns() -> UrlPatterns {
    let router = DefaultRouter::new()
        .register("articles", ArticleViewSet)
        .register("comments", CommentViewSet)
        .register("tags", TagViewSet)
        .register("users", UserViewSet);
    UrlPatterns::new()
        .include("/api/", router)
        .path("/api/token/", TokenObtainPairView)
        .path("/api/api-token-auth/", ObtainAuthTokenView)
        .schema("/api/schema/", "/api/schema/swagger-ui/")
}

/// Builds the whole HTTP application (router, middleware) for a migrated database.
pub async fn build_app(
    db: DatabaseConnection,
    config: &Config,
) -> Result<rest_framework::poem::endpoint::BoxEndpoint<'static>, String> {
    use rest_framework::poem::EndpointExt;
    let state = AppState::new::<user::Entity>(db, settings(config));
    Ok(urlpatterns().into_endpoint(state).boxed())
}
