//! DRF's generic view mixins as functions: list, create, retrieve, update, destroy, and the
//! object lookup (`get_object`) with its 404s and object-level permission check.

use crate::exceptions::{ApiError, ApiResult};
use crate::filters::FilterBackend;
use crate::models::{LookupValue, ModelMeta, column_named, lookup_value};
use crate::pagination::{Pagination, PreparedPage, QuerysetPage};
use crate::permissions::Permission;
use crate::prepared::{PerBackend, PreparedStatement};
use crate::relations::{fetch_one_related, read_related_rows};
use crate::request::RequestContext;
use crate::response::Response;
use crate::serializers::ModelSerializer;
use crate::viewsets::{GenericViewSet, ModelOf, created, lookup_url_kwarg};
use poem::http::StatusCode;
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect, QueryTrait, Select};
use std::sync::Arc;

/// DRF's `ListModelMixin.list`: filter, paginate, serialize the page in one batch.
pub async fn list<V: GenericViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let queryset = filter_queryset(view, ctx, view.get_queryset(ctx)).await?;
    list_with::<V::ListSerializer>(ctx, view.pagination(ctx), queryset).await
}

/// [`list`] as a viewset's list route runs it, with the viewset's filter `backends` (built
/// once per route) and keeping the statements of its pages in `prepared`.
///
/// When the queryset cannot differ from one request to the next (the viewset's
/// `get_queryset` is the default one, [`GenericViewSet::QUERYSET_IS_STATIC`], and no filter
/// backend has a parameter in this request) and the paginator only asks for an offset and a
/// limit, the page and count statements are rendered on the first such request and only
/// copied, with this request's limit and offset, after that. Any other request is built as
/// [`list`] builds it. Same SQL, same rows: only the work of building and rendering it goes.
pub async fn list_in_route<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
    backends: &[Box<dyn FilterBackend<V::Entity>>],
    prepared: &PerBackend<PreparedPage>,
) -> ApiResult<Response> {
    let pagination = view.pagination(ctx);
    if V::QUERYSET_IS_STATIC
        && let Some(paginator) = &pagination
        && paginator.windows_by_offset()
        && backends.iter().all(|backend| backend.leaves_unchanged(ctx))
    {
        let db_backend = ctx.db().get_database_backend();
        let page = prepared.get_or_render(db_backend, || {
            PreparedPage::render::<V::ListSerializer>(view.get_queryset(ctx), db_backend)
        });
        if let Some(page) = page {
            let page = QuerysetPage::prepared::<V::ListSerializer>(page);
            return paginated::<V::ListSerializer>(ctx, paginator, page).await;
        }
    }
    // Boxed: the common unfiltered page keeps a small future.
    Box::pin(async move {
        let queryset =
            crate::filters::filter_queryset(backends, ctx, view.get_queryset(ctx)).await?;
        list_with::<V::ListSerializer>(ctx, pagination, queryset).await
    })
    .await
}

/// The paginated list response of `page`.
async fn paginated<S: ModelSerializer>(
    ctx: &RequestContext,
    pagination: &Arc<dyn Pagination>,
    mut page: QuerysetPage<S::Entity>,
) -> ApiResult<Response> {
    let links = crate::pagination::paginate_queryset_page(&**pagination, &mut page, ctx).await?;
    let items = crate::rows::represent::<S>(page.into_fetched(), &ctx.serializer_context()).await?;
    Ok(Response::representation(
        StatusCode::OK,
        &links.body(&items),
    ))
}

/// A list response of any queryset with any serializer: paginated when `pagination` is set
/// (what an extra action's body uses, as DRF's `paginate_queryset` + `get_paginated_response`).
pub async fn list_with<S: ModelSerializer>(
    ctx: &RequestContext,
    pagination: Option<std::sync::Arc<dyn Pagination>>,
    queryset: Select<S::Entity>,
) -> ApiResult<Response> {
    let sctx = ctx.serializer_context();
    match pagination {
        Some(pagination) => {
            paginated::<S>(
                ctx,
                &pagination,
                QuerysetPage::for_serializer::<S>(queryset),
            )
            .await
        }
        None => {
            let queryset = S::defer_unread(queryset, &[]);
            let fetched = crate::rows::fetch::<S>(queryset, ctx.db()).await?;
            let items = crate::rows::represent::<S>(fetched, &sctx).await?;
            Ok(Response::representation(StatusCode::OK, &items))
        }
    }
}

/// DRF's `CreateModelMixin.create`: validate, `perform_create`, 201 with the representation.
pub async fn create<V: GenericViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let data = ctx.data()?;
    let sctx = ctx.serializer_context();
    let save = V::Serializer::validate(&data, None, false, &sctx).await?;
    let instance = view.perform_create(ctx, save).await?;
    let body = V::Serializer::from_model(&instance, &sctx).await?;
    Ok(created(&body))
}

/// DRF's `get_object`: look the row up by the lookup path parameter in `get_queryset()`, then
/// check the viewset's object permissions.
pub async fn get_object<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
) -> ApiResult<ModelOf<V>> {
    let instance = lookup_object(view, ctx).await?;
    check_object_permissions(&view.permissions(), ctx, &instance)?;
    Ok(instance)
}

/// The row of the lookup path parameter (DRF's `lookup_url_kwarg`, `id` by default) in
/// `get_queryset()`, matched on the viewset's `lookup_field`, without permission checks (for
/// extra actions with permission classes of their own). A value the column cannot hold (`abc`
/// for an integer) answers Django's generic 404, an unknown one `No Article matches the given
/// query.`
pub async fn lookup_object<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
) -> ApiResult<ModelOf<V>> {
    lookup_queryset(view, ctx)
        .await?
        .one(ctx.db())
        .await?
        .ok_or_else(no_match::<V>)
}

/// The filtered queryset narrowed to the lookup path parameter's row ([`lookup_object`]'s
/// query), or the 404 of a value the column cannot hold.
async fn lookup_queryset<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
) -> ApiResult<Select<V::Entity>> {
    let (column, value) = lookup_column_value::<V>(ctx)?;
    let queryset = filter_queryset(view, ctx, view.get_queryset(ctx)).await?;
    Ok(narrow_to_lookup(queryset, column, value))
}

/// The lookup column and the path parameter's value for it, or the 404 of a value the column
/// cannot hold.
fn lookup_column_value<V: GenericViewSet>(
    ctx: &RequestContext,
) -> ApiResult<(<V::Entity as sea_orm::EntityTrait>::Column, sea_orm::Value)> {
    let column = column_named::<V::Entity>(V::LOOKUP_FIELD).ok_or_else(|| {
        ApiError::Internal(format!(
            "`lookup_field` \"{}\" is no column of {}.",
            V::LOOKUP_FIELD,
            V::Entity::NAME
        ))
    })?;
    let raw = ctx.path_param(lookup_url_kwarg::<V>()).unwrap_or("");
    match lookup_value(column, raw) {
        LookupValue::Value(value) => Ok((column, value)),
        LookupValue::NoMatch => Err(no_match::<V>()),
        LookupValue::Invalid => Err(ApiError::NotFound("Not found.".into())),
    }
}

/// `queryset` narrowed to the rows whose lookup `column` is `value`.
fn narrow_to_lookup<E: sea_orm::EntityTrait>(
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
/// type (see [`retrieve_in_route`]).
fn lookup_mark(value: &sea_orm::Value) -> Option<sea_orm::Value> {
    match value {
        sea_orm::Value::BigInt(_) => Some(sea_orm::Value::from(i64::MIN + 0x5eed)),
        sea_orm::Value::String(_) => Some(sea_orm::Value::from("\u{0}lookup mark".to_string())),
        _ => None,
    }
}

/// `No Article matches the given query.`
fn no_match<V: GenericViewSet>() -> ApiError {
    ApiError::NotFound(format!("No {} matches the given query.", V::Entity::NAME))
}

/// DRF's `filter_queryset`: the viewset's filter backends, in order.
pub async fn filter_queryset<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
    queryset: Select<V::Entity>,
) -> ApiResult<Select<V::Entity>> {
    crate::filters::filter_queryset(&view.filter_backends(), ctx, queryset).await
}

/// DRF's `check_object_permissions`: 401 for anonymous requests, 403 otherwise.
pub fn check_object_permissions<M>(
    permission: &impl Permission<M>,
    ctx: &RequestContext,
    obj: &M,
) -> ApiResult<()> {
    if permission.has_object_permission(ctx, obj) {
        Ok(())
    } else {
        Err(ApiError::for_permission_denied(ctx.user().is_some()))
    }
}

/// DRF's `RetrieveModelMixin.retrieve`.
///
/// The row comes with the rows of the serializer's nested forward relations joined into the
/// same statement (Django's `select_related`), so the author of an article costs no query.
pub async fn retrieve<V: GenericViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let (column, value) = lookup_column_value::<V>(ctx)?;
    retrieve_built(view, ctx, &view.filter_backends(), column, value).await
}

/// [`retrieve`] of the row whose lookup `column` is `value`, its statement built for this
/// request with the viewset's filter `backends`.
async fn retrieve_built<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
    backends: &[Box<dyn FilterBackend<V::Entity>>],
    column: <V::Entity as sea_orm::EntityTrait>::Column,
    value: sea_orm::Value,
) -> ApiResult<Response> {
    let queryset = crate::filters::filter_queryset(backends, ctx, view.get_queryset(ctx)).await?;
    let queryset = narrow_to_lookup(queryset, column, value);
    let (instance, preloaded) = fetch_one_related::<V::Serializer>(queryset, ctx.db())
        .await?
        .ok_or_else(no_match::<V>)?;
    retrieved(view, ctx, instance, preloaded).await
}

/// [`retrieve`] as a viewset's detail route runs it, keeping its statement in `prepared`.
///
/// As [`list_in_route`] does for pages: when the queryset cannot differ from one request to
/// the next (the default `get_queryset`, no filter parameter in the request), the statement
/// of the row and what the serializer joins to it is rendered on the first such request, and
/// later ones only bind their lookup value into a copy.
pub async fn retrieve_in_route<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
    backends: &[Box<dyn FilterBackend<V::Entity>>],
    prepared: &PerBackend<PreparedStatement>,
) -> ApiResult<Response> {
    let (column, value) = lookup_column_value::<V>(ctx)?;
    if V::QUERYSET_IS_STATIC
        && let Some(mark) = lookup_mark(&value)
        && backends.iter().all(|backend| backend.leaves_unchanged(ctx))
    {
        let db_backend = ctx.db().get_database_backend();
        let statement = prepared.get_or_render(db_backend, || {
            let queryset = narrow_to_lookup(view.get_queryset(ctx), column, mark.clone());
            let select = V::Serializer::select_related(queryset.limit(1));
            PreparedStatement::new(db_backend.build(&QueryTrait::into_query(select)), &[mark])
        });
        if let Some(statement) = statement {
            let rows = crate::db::query_all(ctx.db(), statement.bind([value])).await?;
            let (models, preloaded) = read_related_rows::<V::Serializer>(&rows)?;
            let instance = models.into_iter().next().ok_or_else(no_match::<V>)?;
            return retrieved(view, ctx, instance, preloaded).await;
        }
    }
    // Boxed, as in `list_in_route`.
    Box::pin(retrieve_built(view, ctx, backends, column, value)).await
}

/// The response of [`retrieve`] for the row it found.
async fn retrieved<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
    instance: ModelOf<V>,
    preloaded: crate::relations::Preloaded,
) -> ApiResult<Response> {
    check_object_permissions(&view.permissions(), ctx, &instance)?;
    let sctx = ctx.serializer_context();
    let mut body =
        V::Serializer::from_models_preloaded(std::slice::from_ref(&instance), &preloaded, &sctx)
            .await?;
    let body = body
        .pop()
        .ok_or_else(|| ApiError::Internal("empty render".into()))?;
    Ok(Response::representation(StatusCode::OK, &body))
}

/// DRF's `UpdateModelMixin.update` (`partial` for PATCH).
pub async fn update<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
    partial: bool,
) -> ApiResult<Response> {
    let instance = get_object(view, ctx).await?;
    let data = ctx.data()?;
    let sctx = ctx.serializer_context();
    let save = V::Serializer::validate(&data, Some(&instance), partial, &sctx).await?;
    let instance = view.perform_update(ctx, save).await?;
    let body = V::Serializer::from_model(&instance, &sctx).await?;
    Ok(Response::representation(StatusCode::OK, &body))
}

/// DRF's `DestroyModelMixin.destroy`: 204 without a body.
pub async fn destroy<V: GenericViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let instance = get_object(view, ctx).await?;
    view.perform_destroy(ctx, instance).await?;
    Ok(Response::no_content())
}
