//! `blog.Article` (table `blog_article`).

use rest_framework::models::set_auto_timestamps;
use sea_orm::entity::prelude::*;

/// An article. `created_at` is set on insert and `updated_at` on every save, as Django's
/// `auto_now_add` / `auto_now` do; the code that saves sets them.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_article")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `max_length = 100`.
    #[sea_orm(column_type = "String(StringLen::N(100))")]
    pub title: String,
    /// Unbounded text.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// The author (`accounts_user.id`).
    pub user_id: i64,
    /// Insert time.
    pub created_at: DateTimeUtc,
    /// Last save time.
    pub updated_at: DateTimeUtc,
    /// The author.
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
    /// The article's tags, through `blog_article_tags`.
    #[sea_orm(has_many, via = "article_tag")]
    pub tags: HasMany<super::tag::Entity>,
    /// The article's comments (Django's default `comment_set`).
    #[sea_orm(has_many)]
    pub comment_set: HasMany<super::comment::Entity>,
}

/// Django's `auto_now_add` (`created_at`) and `auto_now` (`updated_at`).
#[rest_framework::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        set_auto_timestamps(&mut self.created_at, &mut self.updated_at, insert);
        Ok(self)
    }
}
