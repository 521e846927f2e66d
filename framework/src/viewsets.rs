//! ViewSets (DRF's `rest_framework.viewsets`): one type answering the list route
//! (`/articles/`: list, create) and the detail route (`/articles/{id}/`: retrieve, update,
//! partial_update, destroy), plus its extra actions.
//!
//! Write `#[viewset(...)] impl ModelViewSet for MyViewSet { ... }` (every action),
//! `impl ReadOnlyModelViewSet for ...` (list, retrieve) or `impl GenericViewSet for ...` with
//! `mixins = [list, retrieve, update, destroy]`. The attribute fills in the associated types
//! and configuration of [`GenericViewSet`]; its hooks (`get_queryset`, `perform_create`, ...)
//! are ordinary trait methods with DRF's default behaviour, overridden in the same block.
//!
//! Detail routes find rows by primary key unless the viewset sets DRF's `lookup_field`
//! (`#[viewset(lookup_field = "slug")]`, checked at compile time) and, optionally,
//! `lookup_url_kwarg` (the path parameter's name): `/articles/{slug}/`.

use crate::authentication::Authentication;
use crate::exceptions::{ApiError, ApiResult};
use crate::filters::FilterBackend;
use crate::generics;
use crate::models::{ModelMeta, pk_column, pk_of};
use crate::openapi;
use crate::pagination::Pagination;
use crate::permissions::Permission;
use crate::query::{DetailPlan, ListPlan};
use crate::request::RequestContext;
use crate::response::Response;
use crate::serializers::{ModelSerializer, Save};
use crate::throttling::Throttle;
use crate::views::ApiView;
use poem::http::{Method, StatusCode};
use poem_openapi::registry::{MetaOperation, Registry};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};
use std::future::Future;
use std::sync::Arc;

/// The row type of a viewset's entity.
pub type ModelOf<V> = <<V as GenericViewSet>::Entity as EntityTrait>::Model;

/// The actions a viewset answers (DRF's mixins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actions {
    /// `ListModelMixin`: GET on the list route.
    pub list: bool,
    /// `CreateModelMixin`: POST on the list route.
    pub create: bool,
    /// `RetrieveModelMixin`: GET on the detail route.
    pub retrieve: bool,
    /// `UpdateModelMixin`: PUT and PATCH on the detail route.
    pub update: bool,
    /// `DestroyModelMixin`: DELETE on the detail route.
    pub destroy: bool,
}

impl Actions {
    /// DRF's `ModelViewSet`.
    pub const ALL: Actions = Actions {
        list: true,
        create: true,
        retrieve: true,
        update: true,
        destroy: true,
    };
    /// DRF's `ReadOnlyModelViewSet`.
    pub const READ_ONLY: Actions = Actions {
        list: true,
        create: false,
        retrieve: true,
        update: false,
        destroy: false,
    };
    /// No action (a `GenericViewSet` adds mixins to this).
    pub const NONE: Actions = Actions {
        list: false,
        create: false,
        retrieve: false,
        update: false,
        destroy: false,
    };

    /// The methods of the list route.
    pub fn list_methods(&self) -> Vec<Method> {
        let mut methods = Vec::new();
        if self.list {
            methods.push(Method::GET);
        }
        if self.create {
            methods.push(Method::POST);
        }
        methods
    }

    /// The methods of the detail route.
    pub fn detail_methods(&self) -> Vec<Method> {
        let mut methods = Vec::new();
        if self.retrieve {
            methods.push(Method::GET);
        }
        if self.update {
            methods.extend([Method::PUT, Method::PATCH]);
        }
        if self.destroy {
            methods.push(Method::DELETE);
        }
        methods
    }
}

/// DRF's `ModelViewSet` (every action). `#[viewset]` implements it next to [`GenericViewSet`].
pub trait ModelViewSet: GenericViewSet {}

/// DRF's `ReadOnlyModelViewSet` (list, retrieve). `#[viewset]` implements it next to
/// [`GenericViewSet`].
pub trait ReadOnlyModelViewSet: GenericViewSet {}

/// DRF's `GenericViewSet`: the configuration and hooks every viewset has. Implement it with
/// `#[viewset(...)]`, which sets the types, the actions and the configuration from its
/// arguments; override any hook in the same block.
pub trait GenericViewSet: Send + Sync + Sized + 'static {
    /// The actions this viewset answers.
    const ACTIONS: Actions;
    /// The model (`queryset.model`).
    type Entity: ModelMeta;
    /// The serializer of every action but list (`serializer_class`).
    type Serializer: ModelSerializer<Entity = Self::Entity>;
    /// The serializer of the list action (`get_serializer_class()` for `list`).
    type ListSerializer: ModelSerializer<Entity = Self::Entity>;

    /// DRF's `lookup_field`: the column detail routes find rows by (`id`, or a unique column
    /// such as a tag's `name`). `#[viewset(lookup_field = "name")]` sets it.
    const LOOKUP_FIELD: &'static str = "id";
    /// DRF's `lookup_url_kwarg`: the path parameter holding the lookup value; `None` names it
    /// after [`GenericViewSet::LOOKUP_FIELD`]. `#[viewset(lookup_url_kwarg = "tag")]` sets it.
    const LOOKUP_URL_KWARG: Option<&'static str> = None;

    /// The permission classes (`permission_classes`).
    fn permissions(&self) -> impl Permission<ModelOf<Self>>;

    /// The authentication classes; `None` uses the settings' defaults.
    fn authentication_classes(&self) -> Option<Vec<Arc<dyn Authentication>>> {
        None
    }

    /// The throttle classes (`throttle_classes`); `None` uses the settings' defaults.
    fn throttle_classes(&self) -> Option<Vec<Arc<dyn Throttle>>> {
        None
    }

    /// The `throttle_scope` of every route of this viewset (for `ScopedRateThrottle`).
    fn throttle_scope(&self) -> Option<String> {
        None
    }

    /// DRF's `pagination_class`: `None` keeps the settings' default; `Some(None)` disables
    /// pagination; `Some(Some(paginator))` uses that paginator. `#[viewset(pagination = ...)]`
    /// sets it.
    fn pagination_class(&self) -> Option<Option<Arc<dyn Pagination>>> {
        None
    }

    /// The paginator of the list action for this request (DRF's `paginator`); `None` when
    /// lists are not paginated.
    fn pagination(&self, ctx: &RequestContext) -> Option<Arc<dyn Pagination>> {
        self.pagination_class()
            .unwrap_or_else(|| ctx.state().settings.default_pagination.clone())
    }

    /// DRF's `filter_backends` with their configuration (django-filter's `filterset_fields`,
    /// `search_fields`, `ordering_fields`), applied in order to lists and lookups. Like DRF's
    /// class attribute it is configuration, not per-request state: the list and detail
    /// routes build the backends once, when the router makes them, for list and retrieve;
    /// the other actions (updates, deletes, extra actions' `get_object`) call it per request.
    fn filter_backends(&self) -> Vec<Box<dyn FilterBackend<Self::Entity>>> {
        Vec::new()
    }

    /// True when [`GenericViewSet::get_queryset`] returns the same statement for every request;
    /// `#[viewset]` sets it when the block does not override `get_queryset`. A list route
    /// then renders the statements of its unfiltered pages once ([`crate::query::list`]).
    const QUERYSET_IS_STATIC: bool = false;

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
    /// Path below the prefix (`""`, `"{id}/"`, `"{id}/comments/"`).
    pub suffix: String,
    /// The view answering it.
    pub view: Arc<dyn ApiView>,
    /// Route name suffix (`list`, `detail`, `comments`).
    pub name: String,
}

/// The list and detail routes of a viewset (those its actions need); `#[viewset]` calls this
/// for [`ViewSet::routes`] and adds the extra actions' routes.
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn viewset_routes<V: GenericViewSet>(viewset: Arc<V>) -> Vec<ViewSetRoute> {
    let mut routes = Vec::new();
    if !V::ACTIONS.list_methods().is_empty() {
        routes.push(ViewSetRoute {
            suffix: String::new(),
            view: Arc::new(ListRoute::new(viewset.clone())),
            name: "list".into(),
        });
    }
    if !V::ACTIONS.detail_methods().is_empty() {
        routes.push(ViewSetRoute {
            suffix: detail_suffix::<V>(""),
            view: Arc::new(DetailRoute::new(viewset)),
            name: "detail".into(),
        });
    }
    routes
}

/// The path parameter of a viewset's detail routes (DRF's `lookup_url_kwarg or lookup_field`).
pub fn lookup_url_kwarg<V: GenericViewSet>() -> &'static str {
    V::LOOKUP_URL_KWARG.unwrap_or(V::LOOKUP_FIELD)
}

/// The route suffix of a detail route: `{id}/`, or `{id}/<url_path>/` for a detail action
/// (the parameter named by [`lookup_url_kwarg`]; its values are DRF's `[^/.]+`).
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn detail_suffix<V: GenericViewSet>(url_path: &str) -> String {
    let kwarg = lookup_url_kwarg::<V>();
    if url_path.is_empty() {
        format!("{{{kwarg}}}/")
    } else {
        format!("{{{kwarg}}}/{url_path}/")
    }
}

/// The list route of a viewset (`/articles/`): the viewset and the route's query plan (its
/// filter backends, and the statements of its unfiltered pages once rendered, see
/// [`crate::query::list`]).
pub struct ListRoute<V: GenericViewSet> {
    /// The viewset.
    pub viewset: Arc<V>,
    plan: ListPlan<V::Entity>,
}

impl<V: GenericViewSet> ListRoute<V> {
    /// The list route of `viewset`.
    pub fn new(viewset: Arc<V>) -> Self {
        let plan = ListPlan::new(viewset.filter_backends(), V::QUERYSET_IS_STATIC);
        ListRoute { viewset, plan }
    }
}

/// The detail route of a viewset (`/articles/{id}/`): the viewset and the route's query
/// plan (see [`crate::query::fetch_one`]).
pub struct DetailRoute<V: GenericViewSet> {
    /// The viewset.
    pub viewset: Arc<V>,
    plan: DetailPlan<V::Entity>,
}

impl<V: GenericViewSet> DetailRoute<V> {
    /// The detail route of `viewset`.
    pub fn new(viewset: Arc<V>) -> Self {
        let plan = DetailPlan::new(viewset.filter_backends(), V::QUERYSET_IS_STATIC);
        DetailRoute { viewset, plan }
    }
}

/// DRF's `check_permissions` with the viewset's permission classes.
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn check_permissions<V: GenericViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<()> {
    check_permission(&view.permissions(), ctx)
}

/// DRF's `check_permissions` with given permission classes (an action's own).
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn check_permission<M>(permission: &impl Permission<M>, ctx: &RequestContext) -> ApiResult<()> {
    if permission.has_permission(ctx) {
        Ok(())
    } else {
        Err(ApiError::for_permission_denied(ctx.user().is_some()))
    }
}

#[async_trait::async_trait]
impl<V: GenericViewSet> ApiView for ListRoute<V> {
    fn methods(&self) -> Vec<Method> {
        V::ACTIONS.list_methods()
    }
    fn authentication_classes(&self) -> Option<Vec<Arc<dyn Authentication>>> {
        self.viewset.authentication_classes()
    }
    fn throttle_classes(&self) -> Option<Vec<Arc<dyn Throttle>>> {
        self.viewset.throttle_classes()
    }
    fn throttle_scope(&self) -> Option<String> {
        self.viewset.throttle_scope()
    }
    fn check_permissions(&self, ctx: &RequestContext) -> ApiResult<()> {
        check_permissions(&*self.viewset, ctx)
    }
    fn openapi_allows_anonymous(&self, method: &Method) -> bool {
        self.viewset.permissions().openapi_allows_anonymous(method)
    }
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        // The writes are boxed: this future then has the size of a read, the common case.
        match *ctx.method() {
            Method::POST => Box::pin(generics::create(&*self.viewset, ctx)).await,
            _ => generics::list(&*self.viewset, ctx, &self.plan).await,
        }
    }
    fn name(&self) -> String {
        format!("{} List", V::Entity::NAME)
    }
    async fn metadata_actions(&self, ctx: &RequestContext) -> Option<serde_json::Value> {
        crate::views::metadata_actions_for::<V::Serializer, _, _>(
            ctx,
            &self.methods(),
            |ctx| async move { check_permissions(&*self.viewset, &ctx).is_ok() },
        )
        .await
    }
    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        let parameters = self
            .plan
            .backends()
            .iter()
            .flat_map(|b| b.schema_parameters())
            .collect();
        let pagination = self
            .viewset
            .pagination_class()
            .unwrap_or_else(openapi::schema_default_pagination);
        openapi::list_operations::<V>(path, parameters, pagination.as_deref(), registry)
    }
}

#[async_trait::async_trait]
impl<V: GenericViewSet> ApiView for DetailRoute<V> {
    fn methods(&self) -> Vec<Method> {
        V::ACTIONS.detail_methods()
    }
    fn authentication_classes(&self) -> Option<Vec<Arc<dyn Authentication>>> {
        self.viewset.authentication_classes()
    }
    fn throttle_classes(&self) -> Option<Vec<Arc<dyn Throttle>>> {
        self.viewset.throttle_classes()
    }
    fn throttle_scope(&self) -> Option<String> {
        self.viewset.throttle_scope()
    }
    fn check_permissions(&self, ctx: &RequestContext) -> ApiResult<()> {
        check_permissions(&*self.viewset, ctx)
    }
    fn openapi_allows_anonymous(&self, method: &Method) -> bool {
        self.viewset.permissions().openapi_allows_anonymous(method)
    }
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let view = &*self.viewset;
        match *ctx.method() {
            Method::PUT => Box::pin(generics::update(view, ctx, false)).await,
            Method::PATCH => Box::pin(generics::update(view, ctx, true)).await,
            Method::DELETE => Box::pin(generics::destroy(view, ctx)).await,
            _ => generics::retrieve(view, ctx, &self.plan).await,
        }
    }
    fn name(&self) -> String {
        format!("{} Instance", V::Entity::NAME)
    }
    async fn metadata_actions(&self, ctx: &RequestContext) -> Option<serde_json::Value> {
        crate::views::metadata_actions_for::<V::Serializer, _, _>(
            ctx,
            &self.methods(),
            |ctx| async move {
                check_permissions(&*self.viewset, &ctx).is_ok()
                    && generics::get_object(&*self.viewset, &ctx).await.is_ok()
            },
        )
        .await
    }
    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        openapi::detail_operations::<V>(path, registry)
    }
}

/// 201 Created with a body.
pub(crate) fn created<T: crate::fields::Representation>(body: &T) -> Response {
    Response::representation(StatusCode::CREATED, body)
}
