//! `blog.Tag` (table `blog_tag`).

use sea_orm::entity::prelude::*;

/// A tag; its `name` is unique.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_tag")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique, `max_length = 50`.
    #[sea_orm(unique, column_type = "String(StringLen::N(50))")]
    pub name: String,
    /// The articles with this tag, through `blog_article_tags` (Django's `article_set`).
    #[sea_orm(has_many, via = "article_tag")]
    pub article_set: HasMany<super::article::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
