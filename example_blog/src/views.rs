//! The blog's viewsets, as the DRF reference's `blog/views.py`.

use crate::entities::{article, comment, tag, user};
use crate::permissions::{IsOwnerOrReadOnly, IsStaffOrReadOnly};
use crate::serializers::{
    ArticleListSerializer, ArticleSerializer, CommentSerializer, TagSerializer, UserSerializer,
};
use rest_framework::exceptions::ApiResult;
use rest_framework::filters::{FieldFilter, FilterBackend, OrderingFilter, SearchFilter};
use rest_framework::generics;
use rest_framework::models::ModelMeta;
use rest_framework::permissions::{IsAuthenticated, IsAuthenticatedOrReadOnly};
use rest_framework::poem::http::Method;
use rest_framework::request::RequestContext;
use rest_framework::response::Response;
use rest_framework::sea_orm::ActiveValue::Set;
use rest_framework::sea_orm::{ColumnTrait, QueryFilter};
use rest_framework::serializers::{ModelSerializer, Save};
use rest_framework::status;
use rest_framework::viewset;
use rest_framework::viewsets::{GenericViewSet, ModelViewSet, ReadOnlyModelViewSet};

/// `/api/articles/`: anyone reads; authenticated users write; only the author changes.
pub struct ArticleViewSet;

#[viewset(
    serializer = ArticleSerializer,
    list_serializer = ArticleListSerializer,
    permissions = IsAuthenticatedOrReadOnly & IsOwnerOrReadOnly,
)]
impl ModelViewSet for ArticleViewSet {
    /// `?user=`, `?tags=` (repeatable), `?search=` over title and content, and `?ordering=`.
    fn filter_backends(&self) -> Vec<Box<dyn FilterBackend<article::Entity>>> {
        vec![
            Box::new(
                FieldFilter::new()
                    .foreign_key::<user::Entity>("user", article::Column::UserId)
                    .many_to_many::<tag::Entity>("tags"),
            ),
            Box::new(SearchFilter::new(vec![
                article::Column::Title,
                article::Column::Content,
            ])),
            Box::new(
                OrderingFilter::new()
                    .column("created_at", article::Column::CreatedAt)
                    .column("title", article::Column::Title)
                    .count::<comment::Entity>("comment_count"),
            ),
        ]
    }

    /// The author is the request user (DRF: `serializer.save(user=self.request.user)`).
    async fn perform_create(
        &self,
        ctx: &RequestContext,
        mut save: Save<ArticleSerializer>,
    ) -> ApiResult<article::Model> {
        save.model.user_id = Set(ctx.require_user()?.id);
        save.insert(ctx.db()).await
    }

    /// `/api/articles/{id}/comments/`: the article's comments, oldest first (GET), or a new
    /// comment on it by any authenticated user (POST).
    #[action(
        detail = true,
        methods = [get, post],
        serializer = CommentSerializer,
        permissions = IsAuthenticatedOrReadOnly
    )]
    async fn comments(&self, ctx: &RequestContext) -> ApiResult<Response> {
        let article = generics::lookup_object(self, ctx).await?;
        if *ctx.method() == Method::POST {
            let sctx = ctx.serializer_context();
            let mut save = CommentSerializer::validate(&ctx.data()?, None, false, &sctx).await?;
            save.model.article_id = Set(article.id);
            save.model.user_id = Set(ctx.require_user()?.id);
            let comment = save.insert(ctx.db()).await?;
            let body = CommentSerializer::from_model(&comment, &sctx).await?;
            return Ok(Response::json(status::HTTP_201_CREATED, &body));
        }
        let comments =
            comment::Entity::default_queryset().filter(comment::Column::ArticleId.eq(article.id));
        generics::list_with::<CommentSerializer>(ctx, self.pagination(ctx), comments).await
    }
}

/// `/api/comments/`: list, retrieve, update and delete; comments are created through
/// `/api/articles/{id}/comments/` only (POST here answers 405).
pub struct CommentViewSet;

#[viewset(
    serializer = CommentSerializer,
    mixins = [list, retrieve, update, destroy],
    permissions = IsAuthenticatedOrReadOnly & IsOwnerOrReadOnly,
)]
impl GenericViewSet for CommentViewSet {
    /// `?article=<id>`.
    fn filter_backends(&self) -> Vec<Box<dyn FilterBackend<comment::Entity>>> {
        vec![Box::new(FieldFilter::new().foreign_key::<article::Entity>(
            "article",
            comment::Column::ArticleId,
        ))]
    }
}

/// `/api/tags/`: ordered by name; anyone reads, only staff writes.
pub struct TagViewSet;

#[viewset(serializer = TagSerializer, permissions = IsStaffOrReadOnly)]
impl ModelViewSet for TagViewSet {}

/// `/api/users/`: authenticated users only; hyperlinked, ordered by id.
pub struct UserViewSet;

#[viewset(serializer = UserSerializer, permissions = IsAuthenticated)]
impl ReadOnlyModelViewSet for UserViewSet {}
