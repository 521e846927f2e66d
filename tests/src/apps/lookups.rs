//! Viewsets that find rows by a column other than the primary key (DRF's `lookup_field` and
//! `lookup_url_kwarg`): tags by their unique `name`, with hyperlinks and a detail action.
//! Built only with the framework's public API.

use example_blog::config::Config;
use example_blog::entities::{tag, user};
use rest_framework::exceptions::ApiResult;
use rest_framework::generics;
use rest_framework::poem::EndpointExt;
use rest_framework::poem::endpoint::BoxEndpoint;
use rest_framework::request::RequestContext;
use rest_framework::response::Response;
use rest_framework::routers::DefaultRouter;
use rest_framework::settings::{AppState, Settings};
use rest_framework::urls::UrlPatterns;
use rest_framework::viewsets::{ModelViewSet, ReadOnlyModelViewSet};
use rest_framework::{HyperlinkedModelSerializer, viewset};
use sea_orm::DatabaseConnection;

/// A tag linked by its name: `{"url": ".../named-tags/<name>/", "id", "name"}`.
#[derive(HyperlinkedModelSerializer)]
#[serializer(model = tag::Entity)]
pub struct NamedTagSerializer {
    #[field(
        hyperlinked_identity,
        view_name = "named-tag-detail",
        lookup_field = "name"
    )]
    pub url: String,
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 50, unique)]
    pub name: String,
}

/// Tags at `/api/named-tags/{name}/` (`lookup_field = "name"`), every action, unpaginated.
pub struct NamedTags;

#[viewset(serializer = NamedTagSerializer, lookup_field = "name", pagination = None)]
impl ModelViewSet for NamedTags {
    /// `GET /api/named-tags/{name}/shout/`: the tag's name in capitals.
    #[action(detail = true)]
    async fn shout(&self, ctx: &RequestContext) -> ApiResult<Response> {
        let tag = generics::get_object(self, ctx).await?;
        Ok(Response::ok(
            &serde_json::json!({"shout": tag.name.to_uppercase()}),
        ))
    }
}

/// Tags at `/api/tags-by-kwarg/{tag_name}/`: `lookup_field = "name"` read from the path
/// parameter `tag_name` (`lookup_url_kwarg`).
pub struct TagsByKwarg;

#[viewset(
    serializer = NamedTagSerializer,
    lookup_field = "name",
    lookup_url_kwarg = "tag_name",
    pagination = None
)]
impl ReadOnlyModelViewSet for TagsByKwarg {}

/// Tags by primary key (the default lookup), for comparison.
pub struct TagsById;

#[viewset(serializer = NamedTagSerializer, pagination = None)]
impl ReadOnlyModelViewSet for TagsById {}

/// The URL patterns.
pub fn urlpatterns() -> UrlPatterns {
    let router = DefaultRouter::new()
        .register_with_basename("named-tags", NamedTags, "named-tag")
        .register_with_basename("tags-by-kwarg", TagsByKwarg, "kwarg-tag")
        .register_with_basename("tags-by-id", TagsById, "id-tag");
    UrlPatterns::new()
        .include("/api/", router)
        .schema("/api/schema/", "/api/schema/swagger-ui/")
}

/// The application, for [`crate::TestServer::start_blog_app`].
pub fn build(db: DatabaseConnection, config: &Config) -> BoxEndpoint<'static> {
    let mut settings = Settings::new(config.secret_key.as_bytes().to_vec());
    settings.default_authentication_classes = vec![std::sync::Arc::new(
        rest_framework::contrib::simplejwt::JwtAuthentication,
    )];
    let state = AppState::new::<user::Entity>(db, settings);
    urlpatterns().into_endpoint(state).boxed()
}
