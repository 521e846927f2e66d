//! DRF's generic view mixins as functions: list, create, retrieve, update, destroy, and the
//! object lookup (`get_object`) with its 404s and object-level permission check.

use crate::exceptions::{ApiError, ApiResult};
use crate::fields::Repr;
use crate::models::{LookupValue, ModelMeta, column_named, lookup_value};
use crate::pagination::{Pagination, QuerysetPage};
use crate::permissions::Permission;
use crate::relations::{fetch_one_related, fetch_related};
use crate::request::RequestContext;
use crate::response::Response;
use crate::serializers::ModelSerializer;
use crate::viewsets::{GenericViewSet, ModelOf, created, lookup_url_kwarg};
use sea_orm::{ColumnTrait, QueryFilter, QueryTrait, Select};

/// DRF's `ListModelMixin.list`: filter, paginate, serialize the page in one batch.
pub async fn list<V: GenericViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let queryset = filter_queryset(view, ctx, view.get_queryset(ctx)).await?;
    list_with::<V::ListSerializer>(ctx, view.pagination(ctx), queryset).await
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
            let mut page = QuerysetPage::for_serializer::<S>(queryset);
            let links = pagination.paginate(&mut page, ctx).await?;
            let (rows, preloaded) = page.into_rows_preloaded();
            let items = S::from_models_preloaded(&rows, &preloaded, &sctx).await?;
            Ok(Response::ok(&links.body(&items)))
        }
        None => {
            let queryset = S::defer_unread(queryset, &[]);
            let (rows, preloaded) = fetch_related::<S>(queryset, ctx.db()).await?;
            let items = S::from_models_preloaded(&rows, &preloaded, &sctx).await?;
            Ok(Response::ok(&Repr(&items)))
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
    let column = column_named::<V::Entity>(V::LOOKUP_FIELD).ok_or_else(|| {
        ApiError::Internal(format!(
            "`lookup_field` \"{}\" is no column of {}.",
            V::LOOKUP_FIELD,
            V::Entity::NAME
        ))
    })?;
    let raw = ctx.path_param(lookup_url_kwarg::<V>()).unwrap_or("");
    let value = match lookup_value(column, raw) {
        LookupValue::Value(value) => value,
        LookupValue::NoMatch => return Err(no_match::<V>()),
        LookupValue::Invalid => return Err(ApiError::NotFound("Not found.".into())),
    };
    let mut queryset = filter_queryset(view, ctx, view.get_queryset(ctx))
        .await?
        .filter(column.eq(value));
    // Django's `QuerySet.get()` drops the ordering: one row needs no sort.
    QueryTrait::query(&mut queryset).clear_order_by();
    Ok(queryset)
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
    let queryset = lookup_queryset(view, ctx).await?;
    let (instance, preloaded) = fetch_one_related::<V::Serializer>(queryset, ctx.db())
        .await?
        .ok_or_else(no_match::<V>)?;
    check_object_permissions(&view.permissions(), ctx, &instance)?;
    let sctx = ctx.serializer_context();
    let mut body =
        V::Serializer::from_models_preloaded(std::slice::from_ref(&instance), &preloaded, &sctx)
            .await?;
    let body = body
        .pop()
        .ok_or_else(|| ApiError::Internal("empty render".into()))?;
    Ok(Response::ok(&body))
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
    Ok(Response::ok(&body))
}

/// DRF's `DestroyModelMixin.destroy`: 204 without a body.
pub async fn destroy<V: GenericViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let instance = get_object(view, ctx).await?;
    view.perform_destroy(ctx, instance).await?;
    Ok(Response::no_content())
}
