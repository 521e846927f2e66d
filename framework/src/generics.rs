//! DRF's generic view mixins as functions: list, create, retrieve, update, destroy, and the
//! object lookup (`get_object`) with its 404s and object-level permission check.

use crate::exceptions::{ApiError, ApiResult};
use crate::models::{LookupValue, ModelMeta, column_named, lookup_value};
use crate::pagination::Pagination;
use crate::permissions::Permission;
use crate::query::{self, DetailPlan, ListPlan, Listed, narrow_to_lookup};
use crate::request::RequestContext;
use crate::response::Response;
use crate::serializers::ModelSerializer;
use crate::viewsets::{GenericViewSet, ModelOf, created, lookup_url_kwarg};
use poem::http::StatusCode;
use sea_orm::Select;
use std::sync::Arc;

/// DRF's `ListModelMixin.list` as a viewset's list route runs it: the route's filter
/// backends, the paginator, the page serialized in one batch ([`crate::query::list`]).
pub async fn list<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
    plan: &ListPlan<V::Entity>,
) -> ApiResult<Response> {
    let queryset = || view.get_queryset(ctx);
    let listed = query::list::<V::ListSerializer>(ctx, plan, queryset, view.pagination(ctx));
    Ok(list_response(listed.await?))
}

/// A list response of any queryset with any serializer: paginated when `pagination` is set
/// (what an extra action's body uses, as DRF's `paginate_queryset` + `get_paginated_response`).
pub async fn list_with<S: ModelSerializer>(
    ctx: &RequestContext,
    pagination: Option<Arc<dyn Pagination>>,
    queryset: Select<S::Entity>,
) -> ApiResult<Response> {
    Ok(list_response(
        query::fetch_list::<S>(ctx, queryset, pagination).await?,
    ))
}

/// The 200 of a list: the paginated body, or the bare list.
fn list_response<S: ModelSerializer>(listed: Listed<S>) -> Response {
    match &listed.links {
        Some(links) => Response::representation(StatusCode::OK, &links.body(&listed.items)),
        None => Response::representation(StatusCode::OK, &listed.items),
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

/// DRF's `RetrieveModelMixin.retrieve` as a viewset's detail route runs it.
///
/// The row comes with the rows of the serializer's nested forward relations joined into the
/// same statement (Django's `select_related`), so the author of an article costs no query
/// ([`crate::query::fetch_one`]).
pub async fn retrieve<V: GenericViewSet>(
    view: &V,
    ctx: &RequestContext,
    plan: &DetailPlan<V::Entity>,
) -> ApiResult<Response> {
    let (column, value) = lookup_column_value::<V>(ctx)?;
    let queryset = || view.get_queryset(ctx);
    let (instance, preloaded) =
        query::fetch_one::<V::Serializer>(ctx, plan, queryset, column, value)
            .await?
            .ok_or_else(no_match::<V>)?;
    check_object_permissions(&view.permissions(), ctx, &instance)?;
    let body = query::represent_one::<V::Serializer>(ctx, instance, preloaded)
        .await?
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
