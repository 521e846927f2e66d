//! The junction table of `Article.tags` (table `blog_article_tags`, Django's auto-created
//! many-to-many table): its own `id`, and `(article_id, tag_id)` unique together.

use sea_orm::entity::prelude::*;

/// One tag on one article.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_article_tags")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The article (`blog_article.id`).
    #[sea_orm(unique_key = "article_tag")]
    pub article_id: i64,
    /// The tag (`blog_tag.id`).
    #[sea_orm(unique_key = "article_tag")]
    pub tag_id: i64,
    /// The article.
    #[sea_orm(belongs_to, from = "article_id", to = "id", on_delete = "Cascade")]
    pub article: BelongsTo<super::article::Entity>,
    /// The tag.
    #[sea_orm(belongs_to, from = "tag_id", to = "id", on_delete = "Cascade")]
    pub tag: BelongsTo<super::tag::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
