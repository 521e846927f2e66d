//! The plan of a list or detail route, made once when the router builds the route, and the
//! two reads it serves: a list page ([`list`]) and one row with what its serializer joins
//! to it ([`fetch_one`]).
//!
//! When the queryset cannot differ from one request to the next (the viewset's default
//! `get_queryset`, and no filter backend has a parameter in this request) the statements
//! are rendered on the first such request and only copied with this request's values after
//! that ([`super::prepared`]). Any other request is built for itself. Same SQL, same rows:
//! only the work of building and rendering it goes.

use super::page::{PreparedPage, QuerysetPage, paginate_queryset_page};
use super::prepared::{PerBackend, PreparedStatement};
use super::related::{Preloaded, fetch_one_related, read_related_rows};
use super::rows::{self, Fetched};
use crate::exceptions::ApiResult;
use crate::filters::{FieldFilter, FilterBackend, OrderingFilter, SearchFilter, filter_queryset};
use crate::pagination::{LimitOffsetPagination, PageLinks, PageNumberPagination, Pagination};
use crate::request::RequestContext;
use crate::serializers::{ModelOf, ModelSerializer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select};
use std::any::Any;
use std::sync::Arc;

/// What a route keeps between requests: its filter backends (DRF's `filter_backends`, which
/// are configuration: built once) and the statements rendered once for the requests they
/// leave unchanged (`P`: a `PreparedPage` for a list, a `PreparedStatement` for a detail).
pub struct Plan<E: EntityTrait, P> {
    backends: Vec<Box<dyn FilterBackend<E>>>,
    queryset_is_static: bool,
    prepared: PerBackend<P>,
}

/// The plan of a list route.
pub type ListPlan<E> = Plan<E, PreparedPage>;
/// The plan of a detail route.
pub type DetailPlan<E> = Plan<E, PreparedStatement>;

impl<E: EntityTrait, P> Plan<E, P> {
    /// The plan of a route filtered by `backends`; `queryset_is_static` when the viewset's
    /// `get_queryset` returns the same statement on every request.
    pub fn new(backends: Vec<Box<dyn FilterBackend<E>>>, queryset_is_static: bool) -> Self {
        Plan {
            backends,
            queryset_is_static,
            prepared: PerBackend::default(),
        }
    }

    /// The route's filter backends.
    pub fn backends(&self) -> &[Box<dyn FilterBackend<E>>] {
        &self.backends
    }

    /// True when this request's statement is the one of every unfiltered request.
    fn unchanged_for(&self, ctx: &RequestContext) -> bool
    where
        E: crate::models::ModelMeta,
    {
        self.queryset_is_static
            && self
                .backends
                .iter()
                .all(|backend| leaves_unchanged(&**backend, ctx))
    }
}

/// True when `backend` returns the queryset as it is for this request: one of the
/// framework's backends none of whose parameters is present. A backend of the app's own may
/// read anything (the user, a header): never.
fn leaves_unchanged<E: crate::models::ModelMeta>(
    backend: &dyn FilterBackend<E>,
    ctx: &RequestContext,
) -> bool {
    let any: &dyn Any = backend;
    if let Some(filter) = any.downcast_ref::<FieldFilter<E>>() {
        filter.leaves_unchanged(ctx)
    } else if let Some(filter) = any.downcast_ref::<SearchFilter<E>>() {
        filter.leaves_unchanged(ctx)
    } else if let Some(filter) = any.downcast_ref::<OrderingFilter<E>>() {
        filter.leaves_unchanged(ctx)
    } else {
        false
    }
}

/// True when every window `pagination` asks for is an offset and a limit (DRF's page-number
/// and limit-offset paginators): its pages can come from statements rendered once.
fn windows_by_offset(pagination: &dyn Pagination) -> bool {
    let any: &dyn Any = pagination;
    any.is::<PageNumberPagination>() || any.is::<LimitOffsetPagination>()
}

/// A list as a list view answers it: the representations, and the page's count and links
/// when the list is paginated.
pub struct Listed<S> {
    /// The representations, in order.
    pub items: Vec<S>,
    /// The paginator's count and links (`None`: not paginated).
    pub links: Option<PageLinks>,
}

/// The list of a route: `queryset` (the viewset's `get_queryset`) through the route's filter
/// backends, paginated by `pagination`, represented by `S`.
pub async fn list<S: ModelSerializer>(
    ctx: &RequestContext,
    plan: &ListPlan<S::Entity>,
    queryset: impl Fn() -> Select<S::Entity> + Send + Sync,
    pagination: Option<Arc<dyn Pagination>>,
) -> ApiResult<Listed<S>> {
    if let Some(paginator) = &pagination
        && windows_by_offset(&**paginator)
        && plan.unchanged_for(ctx)
    {
        let db_backend = ctx.db().get_database_backend();
        let page = plan.prepared.get_or_render(db_backend, || {
            PreparedPage::render::<S>(queryset(), db_backend)
        });
        if let Some(page) = page {
            return paginated::<S>(ctx, &**paginator, QuerysetPage::prepared::<S>(page)).await;
        }
    }
    // Boxed: the common unfiltered page keeps a small future.
    Box::pin(async move {
        let queryset = filter_queryset(&plan.backends, ctx, queryset()).await?;
        fetch_list::<S>(ctx, queryset, pagination).await
    })
    .await
}

/// The list of any queryset with any serializer, paginated when `pagination` is set (what
/// an extra action's body uses, as DRF's `paginate_queryset`).
pub async fn fetch_list<S: ModelSerializer>(
    ctx: &RequestContext,
    queryset: Select<S::Entity>,
    pagination: Option<Arc<dyn Pagination>>,
) -> ApiResult<Listed<S>> {
    match pagination {
        Some(pagination) => {
            let page = QuerysetPage::for_serializer::<S>(queryset);
            paginated::<S>(ctx, &*pagination, page).await
        }
        None => {
            let queryset = S::defer_unread(queryset, &[]);
            let fetched = rows::fetch::<S>(queryset, ctx.db()).await?;
            let items = rows::represent::<S>(fetched, &ctx.serializer_context()).await?;
            Ok(Listed { items, links: None })
        }
    }
}

/// `page` windowed by `pagination` and represented by `S`.
async fn paginated<S: ModelSerializer>(
    ctx: &RequestContext,
    pagination: &dyn Pagination,
    mut page: QuerysetPage<S::Entity>,
) -> ApiResult<Listed<S>> {
    let links = paginate_queryset_page(pagination, &mut page, ctx).await?;
    let items = rows::represent::<S>(page.into_fetched(), &ctx.serializer_context()).await?;
    Ok(Listed {
        items,
        links: Some(links),
    })
}

/// The row of `queryset` (the viewset's `get_queryset`, through the route's filter backends)
/// whose lookup `column` is `value`, with the rows of `S`'s nested forward relations joined
/// into the same statement (Django's `select_related`).
pub async fn fetch_one<S: ModelSerializer>(
    ctx: &RequestContext,
    plan: &DetailPlan<S::Entity>,
    queryset: impl Fn() -> Select<S::Entity> + Send + Sync,
    column: <S::Entity as EntityTrait>::Column,
    value: sea_orm::Value,
) -> ApiResult<Option<(ModelOf<S>, Preloaded)>> {
    if let Some(mark) = lookup_mark(&value)
        && plan.unchanged_for(ctx)
    {
        let db_backend = ctx.db().get_database_backend();
        let statement = plan.prepared.get_or_render(db_backend, || {
            let queryset = narrow_to_lookup(queryset(), column, mark.clone());
            let select = S::select_related(queryset.limit(1));
            PreparedStatement::new(db_backend.build(&QueryTrait::into_query(select)), &[mark])
        });
        if let Some(statement) = statement {
            let rows = crate::db::query_all(ctx.db(), statement.bind([value])).await?;
            let (models, preloaded) = read_related_rows::<S>(&rows)?;
            return Ok(models.into_iter().next().map(|model| (model, preloaded)));
        }
    }
    // Boxed, as in `list`.
    Box::pin(async move {
        let queryset = filter_queryset(&plan.backends, ctx, queryset()).await?;
        fetch_one_related::<S>(narrow_to_lookup(queryset, column, value), ctx.db()).await
    })
    .await
}

/// The representation of one row fetched by [`fetch_one`].
pub async fn represent_one<S: ModelSerializer>(
    ctx: &RequestContext,
    model: ModelOf<S>,
    preloaded: Preloaded,
) -> ApiResult<Option<S>> {
    let fetched = Fetched::Models(vec![model], preloaded);
    let mut items = rows::represent::<S>(fetched, &ctx.serializer_context()).await?;
    Ok(items.pop())
}

/// `queryset` narrowed to the rows whose lookup `column` is `value`.
pub fn narrow_to_lookup<E: EntityTrait>(
    queryset: Select<E>,
    column: E::Column,
    value: sea_orm::Value,
) -> Select<E> {
    let mut queryset = queryset.filter(column.eq(value));
    // Django's `QuerySet.get()` drops the ordering: one row needs no sort.
    QueryTrait::query(&mut queryset).clear_order_by();
    queryset
}

/// What a lookup statement is rendered with in place of the looked-up value, by the value's
/// type (see [`fetch_one`]).
fn lookup_mark(value: &sea_orm::Value) -> Option<sea_orm::Value> {
    match value {
        sea_orm::Value::BigInt(_) => Some(sea_orm::Value::from(i64::MIN + 0x5eed)),
        sea_orm::Value::String(_) => Some(sea_orm::Value::from("\u{0}lookup mark".to_string())),
        _ => None,
    }
}
