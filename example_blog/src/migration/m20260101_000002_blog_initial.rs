//! `blog.0001_initial`: `blog_tag`, `blog_article`, its many-to-many table
//! `blog_article_tags` and `blog_comment`, with cascading foreign keys and the indexes the API
//! needs:
//!
//! | index | serves |
//! |---|---|
//! | `blog_article (created_at, id)` | the default ordering `-created_at, -id` with `LIMIT` |
//! | `blog_article (user_id)` | `?user=`, a user's `articles`, the cascade from `accounts_user` |
//! | `blog_comment (article_id, created_at, id)` | an article's comments, oldest first; counts |
//! | `blog_comment (user_id)` | the cascade from `accounts_user` |
//! | unique `blog_article_tags (article_id, tag_id)` | Django's `unique_together`; an article's tags |
//! | `blog_article_tags (tag_id)` | `?tags=`, the cascade from `blog_tag` |

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, string_len, string_len_uniq, text, timestamp_with_time_zone,
};

/// Creates the blog's tables and indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

const USER: &str = "accounts_user";
const TAG: &str = "blog_tag";
const ARTICLE: &str = "blog_article";
const ARTICLE_TAGS: &str = "blog_article_tags";
const COMMENT: &str = "blog_comment";

/// A `FOREIGN KEY (column) REFERENCES target (id) ON DELETE CASCADE` clause of `table`.
fn cascade_fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("{table}_{column}_fk_{target}_id"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .on_update(ForeignKeyAction::NoAction)
        .to_owned()
}

/// `CREATE [UNIQUE] INDEX name ON table (columns...)`.
fn index(
    name: &'static str,
    table: &'static str,
    columns: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(*column);
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TAG)
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("name", 50))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ARTICLE)
                    .col(big_pk_auto("id"))
                    .col(string_len("title", 100))
                    .col(text("content"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(big_integer("user_id"))
                    .foreign_key(&mut cascade_fk(ARTICLE, "user_id", USER))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ARTICLE_TAGS)
                    .col(big_pk_auto("id"))
                    .col(big_integer("article_id"))
                    .col(big_integer("tag_id"))
                    .foreign_key(&mut cascade_fk(ARTICLE_TAGS, "article_id", ARTICLE))
                    .foreign_key(&mut cascade_fk(ARTICLE_TAGS, "tag_id", TAG))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(COMMENT)
                    .col(big_pk_auto("id"))
                    .col(string_len("content", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(big_integer("article_id"))
                    .col(big_integer("user_id"))
                    .foreign_key(&mut cascade_fk(COMMENT, "article_id", ARTICLE))
                    .foreign_key(&mut cascade_fk(COMMENT, "user_id", USER))
                    .to_owned(),
            )
            .await?;

        for statement in [
            index(
                "blog_article_created_at_id_idx",
                ARTICLE,
                &["created_at", "id"],
                false,
            ),
            index("blog_article_user_id_idx", ARTICLE, &["user_id"], false),
            index(
                "blog_article_tags_article_id_tag_id_uniq",
                ARTICLE_TAGS,
                &["article_id", "tag_id"],
                true,
            ),
            index(
                "blog_article_tags_tag_id_idx",
                ARTICLE_TAGS,
                &["tag_id"],
                false,
            ),
            index(
                "blog_comment_article_id_created_at_id_idx",
                COMMENT,
                &["article_id", "created_at", "id"],
                false,
            ),
            index("blog_comment_user_id_idx", COMMENT, &["user_id"], false),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [COMMENT, ARTICLE_TAGS, ARTICLE, TAG] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
