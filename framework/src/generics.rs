//! DRF's generic view mixins as functions: list, create, retrieve, update, destroy, and the
//! object lookup (`get_object`) with its 404s and object-level permission check.

use crate::exceptions::{ApiError, ApiResult};
use crate::fields::Repr;
use crate::models::{ModelMeta, filter_pk};
use crate::permissions::Permission;
use crate::request::RequestContext;
use crate::response::Response;
use crate::serializers::ModelSerializer;
use crate::viewsets::{ModelOf, ModelViewSet, created};

/// DRF's `ListModelMixin.list`: filter, paginate, serialize the page in one batch.
pub async fn list<V: ModelViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let queryset = view.get_queryset(ctx);
    let sctx = ctx.serializer_context();
    match view.pagination(ctx) {
        Some(pagination) => {
            let page = pagination.paginate_queryset(queryset, ctx).await?;
            let items = V::ListSerializer::from_models(&page.items, &sctx).await?;
            let page = page.with_items(items);
            Ok(Response::ok(&page.body()))
        }
        None => {
            let rows = queryset.all(ctx.db()).await?;
            let items = V::ListSerializer::from_models(&rows, &sctx).await?;
            Ok(Response::ok(&Repr(&items)))
        }
    }
}

/// DRF's `CreateModelMixin.create`: validate, `perform_create`, 201 with the representation.
pub async fn create<V: ModelViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let data = ctx.data()?;
    let sctx = ctx.serializer_context();
    let save = V::Serializer::validate(&data, None, false, &sctx).await?;
    let instance = view.perform_create(ctx, save).await?;
    let body = V::Serializer::from_model(&instance, &sctx).await?;
    Ok(created(&body))
}

/// DRF's `get_object`: look the row up by the `id` path parameter in `get_queryset()`, then
/// check the object permissions.
pub async fn get_object<V: ModelViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<ModelOf<V>> {
    // A non-numeric id cannot match: Django answers the generic 404.
    let id: i64 = ctx
        .path_param("id")
        .and_then(|raw| raw.parse().ok())
        .ok_or_else(|| ApiError::NotFound("Not found.".into()))?;
    let instance = filter_pk(view.get_queryset(ctx), id)
        .one(ctx.db())
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("No {} matches the given query.", V::Entity::NAME))
        })?;
    if !view.permissions().has_object_permission(ctx, &instance) {
        return Err(ApiError::for_permission_denied(ctx.user().is_some()));
    }
    Ok(instance)
}

/// DRF's `RetrieveModelMixin.retrieve`.
pub async fn retrieve<V: ModelViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let instance = get_object(view, ctx).await?;
    let body = V::Serializer::from_model(&instance, &ctx.serializer_context()).await?;
    Ok(Response::ok(&body))
}

/// DRF's `UpdateModelMixin.update` (`partial` for PATCH).
pub async fn update<V: ModelViewSet>(
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
pub async fn destroy<V: ModelViewSet>(view: &V, ctx: &RequestContext) -> ApiResult<Response> {
    let instance = get_object(view, ctx).await?;
    view.perform_destroy(ctx, instance).await?;
    Ok(Response::no_content())
}
