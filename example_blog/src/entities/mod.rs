//! The blog's sea-orm entities, one module per Django model, mapped onto Django's exact table
//! and column names (`accounts_user`, `blog_tag`, `blog_article`, `blog_article_tags`,
//! `blog_comment`), so that the blog can run on a database created by the DRF reference app
//! and the other way round.
//!
//! The entities use sea-orm 2.0's dense format (`#[sea_orm::model]`). Relation fields carry
//! Django's attribute names: `article.user`, `article.tags`, `article.comment_set`,
//! `user.articles`, `user.comment_set`, `tag.article_set`, `comment.article`, `comment.user`.
//! The many-to-many `Article.tags` goes through the junction entity [`article_tag`], so
//! `articles.load_many(tag::Entity, &db)` loads the tags of a whole page in one query.

pub mod article;
pub mod article_tag;
pub mod comment;
pub mod tag;
pub mod user;

/// `use crate::entities::prelude::*;` brings every entity in under its model's name.
pub mod prelude {
    pub use super::article::Entity as Article;
    pub use super::article_tag::Entity as ArticleTag;
    pub use super::comment::Entity as Comment;
    pub use super::tag::Entity as Tag;
    pub use super::user::Entity as User;
}

#[cfg(test)]
mod tests;
