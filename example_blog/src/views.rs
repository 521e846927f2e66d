//! The blog's viewsets.

use crate::entities::article;
use crate::permissions::IsOwnerOrReadOnly;
use crate::serializers::{ArticleListSerializer, ArticleSerializer};
use rest_framework::exceptions::ApiResult;
use rest_framework::permissions::IsAuthenticatedOrReadOnly;
use rest_framework::request::RequestContext;
use rest_framework::sea_orm::ActiveValue::Set;
use rest_framework::serializers::Save;
use rest_framework::viewset;
use rest_framework::viewsets::ModelViewSet;

/// `/api/articles/`: anyone reads; authenticated users write; only the author changes.
pub struct ArticleViewSet;

#[viewset(
    serializer = ArticleSerializer,
    list_serializer = ArticleListSerializer,
    permissions = IsAuthenticatedOrReadOnly & IsOwnerOrReadOnly,
)]
impl ModelViewSet for ArticleViewSet {
    /// The author is the request user (DRF: `serializer.save(user=self.request.user)`).
    async fn perform_create(
        &self,
        ctx: &RequestContext,
        mut save: Save<ArticleSerializer>,
    ) -> ApiResult<article::Model> {
        save.model.user_id = Set(ctx.require_user()?.id);
        save.insert(ctx.db()).await
    }
}
