//! Indexes for the orderings and filters that `blog.0001_initial`'s indexes leave to a sort of
//! every matching row (the DRF reference's schema sorts the whole table per request):
//!
//! | index | serves |
//! |---|---|
//! | `blog_comment (created_at, id)` | `/api/comments/`: the default ordering `created_at, id` with `LIMIT` / `OFFSET` over all comments (the initial index starts with `article_id`) |
//! | `blog_article (user_id, created_at, id)` | `/api/articles/?user=`: that user's articles already newest first; replaces `blog_article_user_id_idx` (its prefix) |
//! | `blog_article (title)` | `/api/articles/?ordering=title` and `-title` |
//!
//! The default article ordering (`-created_at, -id`) is served by `blog_article_created_at_id_idx`
//! and an article's comments by `blog_comment_article_id_created_at_id_idx`, both initial.

use sea_orm_migration::prelude::*;

/// Creates the ordering indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

const ARTICLE: &str = "blog_article";
const COMMENT: &str = "blog_comment";

/// `(index, table, columns)`.
const INDEXES: [(&str, &str, &[&str]); 3] = [
    (
        "blog_comment_created_at_id_idx",
        COMMENT,
        &["created_at", "id"],
    ),
    (
        "blog_article_user_id_created_at_id_idx",
        ARTICLE,
        &["user_id", "created_at", "id"],
    ),
    ("blog_article_title_idx", ARTICLE, &["title"]),
];

/// The initial index on `blog_article (user_id)`, a prefix of the new `(user_id, created_at,
/// id)`: it would only slow down writes.
const REPLACED_INDEX: (&str, &str, &str) = ("blog_article_user_id_idx", ARTICLE, "user_id");

fn drop_index(name: &str, table: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(table)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table));
            for column in columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index).await?;
        }
        let (name, table, _) = REPLACED_INDEX;
        manager.drop_index(drop_index(name, table)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (name, table, column) = REPLACED_INDEX;
        manager
            .create_index(
                Index::create()
                    .name(name)
                    .table(Alias::new(table))
                    .col(Alias::new(column))
                    .to_owned(),
            )
            .await?;
        for (name, table, _) in INDEXES {
            manager.drop_index(drop_index(name, table)).await?;
        }
        Ok(())
    }
}
