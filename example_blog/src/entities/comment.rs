//! `blog.Comment` (table `blog_comment`).

use rest_framework::models::set_auto_timestamps;
use sea_orm::entity::prelude::*;

/// A comment on an article.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blog_comment")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The article (`blog_article.id`).
    pub article_id: i64,
    /// The author (`accounts_user.id`).
    pub user_id: i64,
    /// `max_length = 500`.
    #[sea_orm(column_type = "String(StringLen::N(500))")]
    pub content: String,
    /// Insert time.
    pub created_at: DateTimeUtc,
    /// Last save time.
    pub updated_at: DateTimeUtc,
    /// The article commented on.
    #[sea_orm(belongs_to, from = "article_id", to = "id", on_delete = "Cascade")]
    pub article: BelongsTo<super::article::Entity>,
    /// The author.
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
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
