//! A small API over the blog's tables exercising the view layer: every paginator, a settings
//! default paginator overridden per viewset, `SimpleRouter`, function views (`api_view`),
//! ReDoc and a custom exception handler. Built only with the framework's public API.

use example_blog::config::Config;
use example_blog::entities::{tag, user};
use example_blog::serializers::{ArticleListSerializer, TagSerializer};
use rest_framework::decorators::api_view;
use rest_framework::exceptions::{ApiError, ApiResult, ExceptionContext, exception_handler};
use rest_framework::openapi::RedocView;
use rest_framework::pagination::{CursorPagination, LimitOffsetPagination, PageNumberPagination};
use rest_framework::permissions::IsAuthenticated;
use rest_framework::poem::EndpointExt;
use rest_framework::poem::endpoint::BoxEndpoint;
use rest_framework::poem::http::Method;
use rest_framework::request::RequestContext;
use rest_framework::response::Response;
use rest_framework::routers::{DefaultRouter, SimpleRouter};
use rest_framework::settings::{AppState, Settings};
use rest_framework::urls::UrlPatterns;
use rest_framework::viewset;
use rest_framework::viewsets::ReadOnlyModelViewSet;
use sea_orm::DatabaseConnection;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use std::sync::Arc;

/// Articles newest first by cursor, two per page.
pub struct CursorArticles;

#[viewset(
    serializer = ArticleListSerializer,
    pagination = CursorPagination { page_size: 2, ..CursorPagination::new("-created_at") },
)]
impl ReadOnlyModelViewSet for CursorArticles {}

/// Articles by cursor over `content`, a text column the list serializer does not show (the
/// cursor reads it off the rows, so it must not be deferred).
pub struct CursorArticlesByContent;

#[viewset(
    serializer = ArticleListSerializer,
    pagination = CursorPagination { page_size: 2, ..CursorPagination::new("content") },
)]
impl ReadOnlyModelViewSet for CursorArticlesByContent {}

/// Tags with the settings' default paginator (limit/offset, 3 per page).
pub struct DefaultTags;

#[viewset(serializer = TagSerializer)]
impl ReadOnlyModelViewSet for DefaultTags {}

/// Tags by limit/offset: 2 by default, at most 5.
pub struct LimitedTags;

#[viewset(
    serializer = TagSerializer,
    pagination = LimitOffsetPagination { default_limit: 2, max_limit: Some(5), ..LimitOffsetPagination::default() },
)]
impl ReadOnlyModelViewSet for LimitedTags {}

/// Tags whose name starts with the `prefix` query parameter, by limit/offset: a `get_queryset`
/// that depends on the request, so its list statements are built per request.
pub struct PrefixedTags;

#[viewset(serializer = TagSerializer, pagination = LimitOffsetPagination)]
impl ReadOnlyModelViewSet for PrefixedTags {
    fn get_queryset(&self, ctx: &RequestContext) -> Select<tag::Entity> {
        let prefix = ctx.query_param("prefix").unwrap_or_default();
        tag::Entity::find()
            .filter(tag::Column::Name.starts_with(prefix))
            .order_by_asc(tag::Column::Name)
    }
}

/// Tags by page number (overriding the settings' default).
pub struct PagedTags;

#[viewset(serializer = TagSerializer, pagination = PageNumberPagination)]
impl ReadOnlyModelViewSet for PagedTags {}

/// Every tag, unpaginated.
pub struct AllTags;

#[viewset(serializer = TagSerializer, pagination = None)]
impl ReadOnlyModelViewSet for AllTags {}

/// `@api_view(["GET", "POST"])`: a greeting, or an echo of the posted data.
async fn hello_world(request: RequestContext) -> ApiResult<Response> {
    if *request.method() == Method::POST {
        let data = request.data()?;
        return Ok(Response::json(
            rest_framework::status::HTTP_201_CREATED,
            &serde_json::json!({"message": "Got some data!", "data": data}),
        ));
    }
    Ok(Response::ok(
        &serde_json::json!({"message": "Hello, world!"}),
    ))
}

/// `@api_view()` + `@permission_classes([IsAuthenticated])`: who is asking.
async fn whoami(request: RequestContext) -> ApiResult<Response> {
    let user = request.require_user()?;
    Ok(Response::ok(&serde_json::json!({"id": user.id})))
}

/// Always throttled: `Retry-After: 5`.
async fn throttled(_request: RequestContext) -> ApiResult<Response> {
    Err(ApiError::Throttled(Some(5)))
}

/// A 404 of a missing object.
async fn missing(_request: RequestContext) -> ApiResult<Response> {
    Err(ApiError::NotFound(
        "No Widget matches the given query.".into(),
    ))
}

/// DRF's documented custom exception handler: the default response plus `status_code` in the
/// body, for requests under `/custom/` only.
fn custom_exception_handler(error: ApiError, context: &ExceptionContext<'_>) -> Response {
    let mut response = exception_handler(error, context);
    if !context.request.uri().path().starts_with("/custom/") {
        return response;
    }
    let body = response
        .body
        .as_deref()
        .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok());
    if let Some(serde_json::Value::Object(mut object)) = body {
        object.insert("status_code".into(), response.status.as_u16().into());
        response.body = serde_json::to_vec(&object).ok();
    }
    response
}

/// The settings: limit/offset by default (3 per page), the custom exception handler.
pub fn settings(config: &Config) -> Settings {
    let mut settings = Settings::new(config.secret_key.as_bytes().to_vec());
    settings.default_authentication_classes = vec![Arc::new(
        rest_framework::contrib::simplejwt::JwtAuthentication,
    )];
    settings.default_pagination = Some(Arc::new(LimitOffsetPagination {
        default_limit: 3,
        ..LimitOffsetPagination::default()
    }));
    settings.exception_handler = Arc::new(custom_exception_handler);
    settings
}

/// The URL patterns.
pub fn urlpatterns() -> UrlPatterns {
    let router = DefaultRouter::new()
        .register_with_basename("articles", CursorArticles, "article")
        .register_with_basename(
            "articles-by-content",
            CursorArticlesByContent,
            "article-by-content",
        )
        .register_with_basename("tags", DefaultTags, "tag")
        .register_with_basename("limited-tags", LimitedTags, "limited-tag")
        .register_with_basename("prefixed-tags", PrefixedTags, "prefixed-tag")
        .register_with_basename("paged-tags", PagedTags, "paged-tag")
        .register_with_basename("all-tags", AllTags, "all-tag");
    let simple = SimpleRouter::new().register_with_basename("tags", DefaultTags, "simple-tag");
    UrlPatterns::new()
        .include("/api/", router)
        .include("/simple/", simple)
        .path(
            "/hello/",
            api_view(&[Method::GET, Method::POST], hello_world)
                .description("Says hello, or echoes what it is sent."),
        )
        .path(
            "/whoami/",
            api_view(&[Method::GET], whoami).permission_classes(IsAuthenticated),
        )
        .path("/throttled/", api_view(&[Method::GET], throttled))
        .path("/custom/throttled/", api_view(&[Method::GET], throttled))
        .path("/custom/missing/", api_view(&[Method::GET], missing))
        .path(
            "/api/schema/redoc/",
            RedocView::new("/api/schema/", "Views API"),
        )
        .schema("/api/schema/", "/api/schema/swagger-ui/")
}

/// The application, for [`crate::TestServer::start_app`].
pub fn build(db: DatabaseConnection, config: &Config) -> BoxEndpoint<'static> {
    let state = AppState::new::<user::Entity>(db, settings(config));
    urlpatterns().into_endpoint(state).boxed()
}
