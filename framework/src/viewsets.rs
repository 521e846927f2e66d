//! ViewSets (DRF's `rest_framework.viewsets`): one type answering the list route
//! (`/articles/`: list, create) and the detail route (`/articles/{id}/`: retrieve, update,
//! partial_update, destroy).
//!
//! Write `#[viewset(...)] impl ModelViewSet for MyViewSet { ... }`: the attribute fills in the
//! associated types and configuration; the hooks (`get_queryset`, `perform_create`, ...) are
//! ordinary trait methods with DRF's default behaviour, overridden in the same impl block.

use crate::authentication::Authentication;
use crate::exceptions::{ApiError, ApiResult};
use crate::generics;
use crate::models::{ModelMeta, pk_column, pk_of};
use crate::openapi;
use crate::pagination::PageNumberPagination;
use crate::permissions::Permission;
use crate::request::RequestContext;
use crate::response::Response;
use crate::serializers::{ModelSerializer, Save};
use crate::views::ApiView;
use poem::http::{Method, StatusCode};
use poem_openapi::registry::{MetaOperation, Registry};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};
use std::future::Future;
use std::sync::Arc;

/// The row type of a viewset's entity.
pub type ModelOf<V> = <<V as ModelViewSet>::Entity as EntityTrait>::Model;

/// DRF's `ModelViewSet`. Implement it with `#[viewset(...)]`, which sets the types and
/// configuration from its arguments; override any hook in the same block.
pub trait ModelViewSet: Send + Sync + Sized + 'static {
    /// The model (`queryset.model`).
    type Entity: ModelMeta;
    /// The serializer of every action but list (`serializer_class`).
    type Serializer: ModelSerializer<Entity = Self::Entity>;
    /// The serializer of the list action (`get_serializer_class()` for `list`).
    type ListSerializer: ModelSerializer<Entity = Self::Entity>;

    /// The permission classes (`permission_classes`).
    fn permissions(&self) -> impl Permission<ModelOf<Self>>;

    /// The authentication classes; `None` uses the settings' defaults.
    fn authentication_classes(&self) -> Option<Vec<Arc<dyn Authentication>>> {
        None
    }

    /// The pagination of the list action; `None` disables it. Default: the settings'.
    fn pagination(&self, ctx: &RequestContext) -> Option<PageNumberPagination> {
        Some(ctx.state().settings.default_pagination.clone())
    }

    /// The rows this viewset works on (DRF's `get_queryset`); may use the request user.
    fn get_queryset(&self, _ctx: &RequestContext) -> Select<Self::Entity> {
        Self::Entity::default_queryset()
    }

    /// Saves a new row (DRF's `perform_create`): set columns from the request here.
    fn perform_create(
        &self,
        ctx: &RequestContext,
        save: Save<Self::Serializer>,
    ) -> impl Future<Output = ApiResult<ModelOf<Self>>> + Send {
        async move { save.insert(ctx.db()).await }
    }

    /// Saves changes to a row (DRF's `perform_update`).
    fn perform_update(
        &self,
        ctx: &RequestContext,
        save: Save<Self::Serializer>,
    ) -> impl Future<Output = ApiResult<ModelOf<Self>>> + Send {
        async move { save.update(ctx.db()).await }
    }

    /// Deletes a row (DRF's `perform_destroy`).
    fn perform_destroy(
        &self,
        ctx: &RequestContext,
        instance: ModelOf<Self>,
    ) -> impl Future<Output = ApiResult<()>> + Send {
        async move {
            Self::Entity::delete_many()
                .filter(pk_column::<Self::Entity>().eq(pk_of::<Self::Entity>(&instance)))
                .exec(ctx.db())
                .await?;
            Ok(())
        }
    }
}

/// What a router registers: the routes of a viewset. `#[viewset]` implements it.
pub trait ViewSet: Send + Sync + 'static {
    /// The routes under `prefix` (`articles`): `(route suffix, view, name suffix)`, e.g.
    /// `("", list view, "list")` and `("{id}/", detail view, "detail")`.
    fn routes(self: Arc<Self>) -> Vec<ViewSetRoute>;
    /// DRF's basename (`article`), from the model name.
    fn basename(&self) -> String;
}

/// One route of a viewset.
pub struct ViewSetRoute {
    /// Path below the prefix (`""` or `"{id}/"`).
    pub suffix: &'static str,
    /// The view answering it.
    pub view: Arc<dyn ApiView>,
    /// Route name suffix (`list`, `detail`).
    pub name: &'static str,
}

/// The routes of a [`ModelViewSet`]; `#[viewset]` calls this for [`ViewSet::routes`].
pub fn model_viewset_routes<V: ModelViewSet>(viewset: Arc<V>) -> Vec<ViewSetRoute> {
    vec![
        ViewSetRoute {
            suffix: "",
            view: Arc::new(ListRoute(viewset.clone())),
            name: "list",
        },
        ViewSetRoute {
            suffix: "{id}/",
            view: Arc::new(DetailRoute(viewset)),
            name: "detail",
        },
    ]
}

/// The list route of a viewset (`/articles/`).
pub struct ListRoute<V>(pub Arc<V>);
/// The detail route of a viewset (`/articles/{id}/`).
pub struct DetailRoute<V>(pub Arc<V>);

fn check_permissions<V: ModelViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<()> {
    if view.permissions().has_permission(ctx) {
        Ok(())
    } else {
        Err(ApiError::for_permission_denied(ctx.user().is_some()))
    }
}

#[async_trait::async_trait]
impl<V: ModelViewSet> ApiView for ListRoute<V> {
    fn methods(&self) -> Vec<Method> {
        vec![Method::GET, Method::POST]
    }
    fn authentication_classes(&self) -> Option<Vec<Arc<dyn Authentication>>> {
        self.0.authentication_classes()
    }
    fn check_permissions(&self, ctx: &RequestContext) -> ApiResult<()> {
        check_permissions(&*self.0, ctx)
    }
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        match *ctx.method() {
            Method::POST => generics::create(&*self.0, ctx).await,
            _ => generics::list(&*self.0, ctx).await,
        }
    }
    fn name(&self) -> String {
        format!("{} List", V::Entity::NAME)
    }
    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        openapi::list_operations::<V>(path, registry)
    }
}

#[async_trait::async_trait]
impl<V: ModelViewSet> ApiView for DetailRoute<V> {
    fn methods(&self) -> Vec<Method> {
        vec![Method::GET, Method::PUT, Method::PATCH, Method::DELETE]
    }
    fn authentication_classes(&self) -> Option<Vec<Arc<dyn Authentication>>> {
        self.0.authentication_classes()
    }
    fn check_permissions(&self, ctx: &RequestContext) -> ApiResult<()> {
        check_permissions(&*self.0, ctx)
    }
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let view = &*self.0;
        match *ctx.method() {
            Method::PUT => generics::update(view, ctx, false).await,
            Method::PATCH => generics::update(view, ctx, true).await,
            Method::DELETE => generics::destroy(view, ctx).await,
            _ => generics::retrieve(view, ctx).await,
        }
    }
    fn name(&self) -> String {
        format!("{} Instance", V::Entity::NAME)
    }
    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        openapi::detail_operations::<V>(path, registry)
    }
}

/// 201 Created with a body.
pub(crate) fn created<T: serde::Serialize>(body: &T) -> Response {
    Response::json(StatusCode::CREATED, body)
}
