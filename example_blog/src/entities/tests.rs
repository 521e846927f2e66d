//! The entities against the migrated schema on `sqlite::memory:`: relations, batch loading
//! and the cascades.

use super::{article, article_tag, comment, tag, user};
use crate::db;
use chrono::{Duration, Utc};
use rest_framework::test::db::TestDatabase;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, LoaderTrait, ModelTrait,
    PaginatorTrait, QueryOrder,
};

/// A migrated `sqlite::memory:`, or a migrated PostgreSQL database of its own (`TEST_PG_URL`,
/// see `rest_framework::test::db`).
async fn migrated_db() -> DatabaseConnection {
    let db = match rest_framework::test::db::postgres_url() {
        Some(server) => {
            let database = TestDatabase::from_template(&server, "example_blog", |url| async move {
                let db = db::connect(&url).await?;
                db::migrate(&db).await?;
                db.close().await
            })
            .await
            .expect("a PostgreSQL test database");
            return db::connect(&database.keep()).await.expect("connect");
        }
        None => db::connect("sqlite::memory:").await.expect("connect"),
    };
    db::migrate(&db).await.expect("migrate");
    db
}

async fn new_user(db: &DatabaseConnection, email: &str) -> user::Model {
    user::ActiveModel {
        password: Set("!".into()),
        last_login: Set(None),
        is_superuser: Set(false),
        email: Set(email.into()),
        first_name: Set(String::new()),
        last_name: Set(String::new()),
        is_staff: Set(false),
        is_active: Set(true),
        date_joined: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert user")
}

async fn new_article(
    db: &DatabaseConnection,
    user: &user::Model,
    title: &str,
    age: i64,
) -> article::Model {
    let at = Utc::now() - Duration::minutes(age);
    article::ActiveModel {
        title: Set(title.into()),
        content: Set(format!("content of {title}")),
        user_id: Set(user.id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert article")
}

async fn new_tag(db: &DatabaseConnection, name: &str) -> tag::Model {
    tag::ActiveModel {
        name: Set(name.into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert tag")
}

async fn tag_article(db: &DatabaseConnection, article: &article::Model, tag: &tag::Model) {
    article_tag::ActiveModel {
        article_id: Set(article.id),
        tag_id: Set(tag.id),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert article tag");
}

async fn new_comment(
    db: &DatabaseConnection,
    article: &article::Model,
    user: &user::Model,
    content: &str,
) -> comment::Model {
    let now = Utc::now();
    comment::ActiveModel {
        article_id: Set(article.id),
        user_id: Set(user.id),
        content: Set(content.into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert comment")
}

#[tokio::test]
async fn loaders_follow_the_relations() {
    let db = migrated_db().await;
    let alice = new_user(&db, "alice@example.com").await;
    let bob = new_user(&db, "bob@example.com").await;
    let a1 = new_article(&db, &alice, "first", 10).await;
    let a2 = new_article(&db, &bob, "second", 5).await;
    let a3 = new_article(&db, &alice, "third", 1).await;
    // Inserted out of alphabetical order: the loader must order by name, not id.
    let zeta = new_tag(&db, "zeta").await;
    let alpha = new_tag(&db, "alpha").await;
    let mid = new_tag(&db, "mid").await;
    tag_article(&db, &a1, &zeta).await;
    tag_article(&db, &a1, &alpha).await;
    tag_article(&db, &a1, &mid).await;
    tag_article(&db, &a3, &mid).await;
    let c1 = new_comment(&db, &a1, &bob, "nice").await;
    let c2 = new_comment(&db, &a1, &alice, "thanks").await;
    let c3 = new_comment(&db, &a3, &bob, "hm").await;

    let articles = article::Entity::find()
        .order_by_desc(article::Column::CreatedAt)
        .order_by_desc(article::Column::Id)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        articles.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![a3.id, a2.id, a1.id]
    );
    // Datetimes round-trip through SQLite.
    assert_eq!(articles[2].created_at, a1.created_at);

    let tags = articles
        .load_many(tag::Entity::find().order_by_asc(tag::Column::Name), &db)
        .await
        .unwrap();
    let names: Vec<Vec<&str>> = tags
        .iter()
        .map(|tags| tags.iter().map(|t| t.name.as_str()).collect())
        .collect();
    assert_eq!(
        names,
        vec![vec!["mid"], vec![], vec!["alpha", "mid", "zeta"]]
    );

    let authors = articles.load_one(user::Entity, &db).await.unwrap();
    let author_ids: Vec<Option<i64>> = authors.iter().map(|u| u.as_ref().map(|u| u.id)).collect();
    assert_eq!(
        author_ids,
        vec![Some(alice.id), Some(bob.id), Some(alice.id)]
    );

    let comments = articles.load_many(comment::Entity, &db).await.unwrap();
    let comment_ids: Vec<Vec<i64>> = comments
        .iter()
        .map(|cs| cs.iter().map(|c| c.id).collect())
        .collect();
    assert_eq!(comment_ids, vec![vec![c3.id], vec![], vec![c1.id, c2.id]]);

    // The reverse directions.
    let users = vec![alice.clone(), bob.clone()];
    let by_user = users.load_many(article::Entity, &db).await.unwrap();
    assert_eq!(
        by_user[0].iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![a1.id, a3.id]
    );
    let tagged = mid.find_related(article::Entity).all(&db).await.unwrap();
    assert_eq!(tagged.len(), 2);
    assert_eq!(
        c1.find_related(article::Entity).one(&db).await.unwrap(),
        Some(a1.clone())
    );
    assert_eq!(
        c1.find_related(user::Entity).one(&db).await.unwrap(),
        Some(bob.clone())
    );
}

#[tokio::test]
async fn constraints_and_cascades() {
    let db = migrated_db().await;
    let alice = new_user(&db, "alice@example.com").await;
    let bob = new_user(&db, "bob@example.com").await;
    let a1 = new_article(&db, &alice, "first", 10).await;
    let a2 = new_article(&db, &alice, "second", 5).await;
    let t1 = new_tag(&db, "one").await;
    let t2 = new_tag(&db, "two").await;
    tag_article(&db, &a1, &t1).await;
    tag_article(&db, &a1, &t2).await;
    tag_article(&db, &a2, &t2).await;
    new_comment(&db, &a1, &bob, "c1").await;
    new_comment(&db, &a2, &bob, "c2").await;

    // Unique email, tag name and (article, tag).
    let dup_user = user::ActiveModel {
        password: Set("!".into()),
        last_login: Set(None),
        is_superuser: Set(false),
        email: Set("alice@example.com".into()),
        first_name: Set(String::new()),
        last_name: Set(String::new()),
        is_staff: Set(false),
        is_active: Set(true),
        date_joined: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db)
    .await;
    assert!(dup_user.is_err());
    assert!(
        tag::ActiveModel {
            name: Set("one".into()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .is_err()
    );
    let dup_link = article_tag::ActiveModel {
        article_id: Set(a1.id),
        tag_id: Set(t1.id),
        ..Default::default()
    }
    .insert(&db)
    .await;
    assert!(dup_link.is_err());
    // Foreign keys are enforced.
    let orphan = article_tag::ActiveModel {
        article_id: Set(9999),
        tag_id: Set(t1.id),
        ..Default::default()
    }
    .insert(&db)
    .await;
    assert!(orphan.is_err());

    // Deleting an article deletes its comments and tag links, not the tags.
    a1.delete(&db).await.unwrap();
    assert_eq!(comment::Entity::find().count(&db).await.unwrap(), 1);
    assert_eq!(article_tag::Entity::find().count(&db).await.unwrap(), 1);
    assert_eq!(tag::Entity::find().count(&db).await.unwrap(), 2);
    // Deleting a tag removes its links, not the articles.
    t2.delete(&db).await.unwrap();
    assert_eq!(article_tag::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(article::Entity::find().count(&db).await.unwrap(), 1);
    // Deleting a user deletes their articles and comments.
    bob.delete(&db).await.unwrap();
    assert_eq!(comment::Entity::find().count(&db).await.unwrap(), 0);
    alice.delete(&db).await.unwrap();
    assert_eq!(article::Entity::find().count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn migrations_are_idempotent_and_create_the_indexes() {
    let db = migrated_db().await;
    db::migrate(&db).await.expect("second migrate is a no-op");
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return;
    }
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ))
        .await
        .unwrap();
    let names: Vec<String> = rows
        .iter()
        .map(|row| row.try_get("", "name").unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "account_emailaddress_email_03be32b2",
            "account_emailaddress_user_id_2c513194",
            "account_emailaddress_user_id_email_987c8728_uniq",
            "blog_article_created_at_id_idx",
            "blog_article_tags_article_id_tag_id_uniq",
            "blog_article_tags_tag_id_idx",
            "blog_article_title_idx",
            "blog_article_user_id_created_at_id_idx",
            "blog_comment_article_id_created_at_id_idx",
            "blog_comment_created_at_id_idx",
            "blog_comment_user_id_idx",
            "django_session_expire_date_a5c62663",
            "token_blacklist_outstandingtoken_user_id_idx",
            "unique_primary_email",
            "unique_verified_email",
        ]
    );
}

/// One string per row of `sql` (every column cast to text by the query).
async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
    .iter()
    .map(|row| row.try_get_by_index::<String>(0).expect("a text column"))
    .collect()
}

/// On PostgreSQL (`TEST_PG_URL`), the columns have the types Django's migrations give them
/// there (`bigint` identity ids, `varchar(n)`, `text`, `timestamp with time zone`, `boolean`)
/// and the indexes are the SQLite ones plus Django's `varchar_pattern_ops` `_like` indexes.
#[tokio::test]
async fn postgres_schema_has_djangos_column_types() {
    let db = migrated_db().await;
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return;
    }
    let columns = strings(
        &db,
        "SELECT table_name || '.' || column_name || ' ' || \
         CASE WHEN character_maximum_length IS NULL THEN data_type \
         ELSE data_type || '(' || character_maximum_length || ')' END || \
         CASE WHEN is_nullable = 'YES' THEN ' NULL' ELSE '' END || \
         CASE WHEN is_identity = 'YES' THEN ' IDENTITY ' || identity_generation ELSE '' END \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name <> 'seaql_migrations' ORDER BY table_name, ordinal_position",
    )
    .await;
    let expected = [
        "account_emailaddress.id integer IDENTITY BY DEFAULT",
        "account_emailaddress.email character varying(254)",
        "account_emailaddress.verified boolean",
        "account_emailaddress.primary boolean",
        "account_emailaddress.user_id bigint",
        "accounts_user.id bigint IDENTITY BY DEFAULT",
        "accounts_user.password character varying(128)",
        "accounts_user.last_login timestamp with time zone NULL",
        "accounts_user.is_superuser boolean",
        "accounts_user.first_name character varying(150)",
        "accounts_user.last_name character varying(150)",
        "accounts_user.is_staff boolean",
        "accounts_user.is_active boolean",
        "accounts_user.date_joined timestamp with time zone",
        "accounts_user.email character varying(254)",
        "authtoken_token.key character varying(40)",
        "authtoken_token.created timestamp with time zone",
        "authtoken_token.user_id bigint",
        "blog_article.id bigint IDENTITY BY DEFAULT",
        "blog_article.title character varying(100)",
        "blog_article.content text",
        "blog_article.created_at timestamp with time zone",
        "blog_article.updated_at timestamp with time zone",
        "blog_article.user_id bigint",
        "blog_article_tags.id bigint IDENTITY BY DEFAULT",
        "blog_article_tags.article_id bigint",
        "blog_article_tags.tag_id bigint",
        "blog_comment.id bigint IDENTITY BY DEFAULT",
        "blog_comment.content character varying(500)",
        "blog_comment.created_at timestamp with time zone",
        "blog_comment.updated_at timestamp with time zone",
        "blog_comment.article_id bigint",
        "blog_comment.user_id bigint",
        "blog_tag.id bigint IDENTITY BY DEFAULT",
        "blog_tag.name character varying(50)",
        "django_session.session_key character varying(40)",
        "django_session.session_data text",
        "django_session.expire_date timestamp with time zone",
        "token_blacklist_blacklistedtoken.id bigint IDENTITY BY DEFAULT",
        "token_blacklist_blacklistedtoken.blacklisted_at timestamp with time zone",
        "token_blacklist_blacklistedtoken.token_id bigint",
        "token_blacklist_outstandingtoken.id bigint IDENTITY BY DEFAULT",
        "token_blacklist_outstandingtoken.jti character varying(255)",
        "token_blacklist_outstandingtoken.token text",
        "token_blacklist_outstandingtoken.created_at timestamp with time zone NULL",
        "token_blacklist_outstandingtoken.expires_at timestamp with time zone",
        "token_blacklist_outstandingtoken.user_id bigint NULL",
    ];
    assert_eq!(columns, expected);

    let indexes = strings(
        &db,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' \
         AND tablename <> 'seaql_migrations' ORDER BY indexname",
    )
    .await;
    let on = |table: &str, what: &str| format!("ON public.{table} USING btree ({what})");
    let expected = [
        format!(
            "CREATE INDEX account_emailaddress_email_03be32b2 {}",
            on("account_emailaddress", "email")
        ),
        format!(
            "CREATE INDEX account_emailaddress_email_03be32b2_like {}",
            on("account_emailaddress", "email varchar_pattern_ops")
        ),
        format!(
            "CREATE UNIQUE INDEX account_emailaddress_pkey {}",
            on("account_emailaddress", "id")
        ),
        format!(
            "CREATE INDEX account_emailaddress_user_id_2c513194 {}",
            on("account_emailaddress", "user_id")
        ),
        format!(
            "CREATE UNIQUE INDEX account_emailaddress_user_id_email_987c8728_uniq {}",
            on("account_emailaddress", "user_id, email")
        ),
        format!(
            "CREATE INDEX accounts_user_email_b2644a56_like {}",
            on("accounts_user", "email varchar_pattern_ops")
        ),
        format!(
            "CREATE UNIQUE INDEX accounts_user_email_key {}",
            on("accounts_user", "email")
        ),
        format!(
            "CREATE UNIQUE INDEX accounts_user_pkey {}",
            on("accounts_user", "id")
        ),
        format!(
            "CREATE INDEX authtoken_token_key_10f0b77e_like {}",
            on("authtoken_token", "key varchar_pattern_ops")
        ),
        format!(
            "CREATE UNIQUE INDEX authtoken_token_pkey {}",
            on("authtoken_token", "key")
        ),
        format!(
            "CREATE UNIQUE INDEX authtoken_token_user_id_key {}",
            on("authtoken_token", "user_id")
        ),
        format!(
            "CREATE INDEX blog_article_created_at_id_idx {}",
            on("blog_article", "created_at, id")
        ),
        format!(
            "CREATE UNIQUE INDEX blog_article_pkey {}",
            on("blog_article", "id")
        ),
        format!(
            "CREATE UNIQUE INDEX blog_article_tags_article_id_tag_id_uniq {}",
            on("blog_article_tags", "article_id, tag_id")
        ),
        format!(
            "CREATE UNIQUE INDEX blog_article_tags_pkey {}",
            on("blog_article_tags", "id")
        ),
        format!(
            "CREATE INDEX blog_article_tags_tag_id_idx {}",
            on("blog_article_tags", "tag_id")
        ),
        format!(
            "CREATE INDEX blog_article_title_idx {}",
            on("blog_article", "title")
        ),
        format!(
            "CREATE INDEX blog_article_user_id_created_at_id_idx {}",
            on("blog_article", "user_id, created_at, id")
        ),
        format!(
            "CREATE INDEX blog_comment_article_id_created_at_id_idx {}",
            on("blog_comment", "article_id, created_at, id")
        ),
        format!(
            "CREATE INDEX blog_comment_created_at_id_idx {}",
            on("blog_comment", "created_at, id")
        ),
        format!(
            "CREATE UNIQUE INDEX blog_comment_pkey {}",
            on("blog_comment", "id")
        ),
        format!(
            "CREATE INDEX blog_comment_user_id_idx {}",
            on("blog_comment", "user_id")
        ),
        format!(
            "CREATE INDEX blog_tag_name_c5718cc8_like {}",
            on("blog_tag", "name varchar_pattern_ops")
        ),
        format!(
            "CREATE UNIQUE INDEX blog_tag_name_key {}",
            on("blog_tag", "name")
        ),
        format!("CREATE UNIQUE INDEX blog_tag_pkey {}", on("blog_tag", "id")),
        format!(
            "CREATE INDEX django_session_expire_date_a5c62663 {}",
            on("django_session", "expire_date")
        ),
        format!(
            "CREATE UNIQUE INDEX django_session_pkey {}",
            on("django_session", "session_key")
        ),
        format!(
            "CREATE UNIQUE INDEX token_blacklist_blacklistedtoken_pkey {}",
            on("token_blacklist_blacklistedtoken", "id")
        ),
        format!(
            "CREATE UNIQUE INDEX token_blacklist_blacklistedtoken_token_id_key {}",
            on("token_blacklist_blacklistedtoken", "token_id")
        ),
        format!(
            "CREATE UNIQUE INDEX token_blacklist_outstandingtoken_jti_key {}",
            on("token_blacklist_outstandingtoken", "jti")
        ),
        format!(
            "CREATE UNIQUE INDEX token_blacklist_outstandingtoken_pkey {}",
            on("token_blacklist_outstandingtoken", "id")
        ),
        format!(
            "CREATE INDEX token_blacklist_outstandingtoken_user_id_idx {}",
            on("token_blacklist_outstandingtoken", "user_id")
        ),
        format!(
            "CREATE UNIQUE INDEX unique_primary_email {} WHERE (\"primary\" = true)",
            on("account_emailaddress", "user_id, \"primary\"")
        ),
        format!(
            "CREATE UNIQUE INDEX unique_verified_email {} WHERE (verified = true)",
            on("account_emailaddress", "email")
        ),
    ];
    assert_eq!(indexes, expected);
}

/// The list pages walk an index in their ordering: no sort of the whole table per request
/// (`USE TEMP B-TREE FOR ORDER BY`), whatever the page.
#[tokio::test]
async fn list_orderings_are_served_by_indexes() {
    use rest_framework::models::ModelMeta;
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let db = migrated_db().await;
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return;
    }
    // The plan of a deep page of `select`; `EXPLAIN QUERY PLAN` answers the step as its 4th
    // column.
    async fn plan<E: EntityTrait>(db: &DatabaseConnection, select: sea_orm::Select<E>) -> String {
        use sea_orm::QueryTrait;
        let sql = select
            .limit(10)
            .offset(5000)
            .build(sea_orm::DbBackend::Sqlite)
            .to_string();
        db.query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {sql}"),
        ))
        .await
        .expect("explain")
        .iter()
        .map(|row| row.try_get_by_index::<String>(3).expect("detail"))
        .collect::<Vec<_>>()
        .join("\n")
    }
    let cases = [
        (
            plan(&db, article::Entity::default_queryset()).await,
            "blog_article_created_at_id_idx",
        ),
        (
            plan(
                &db,
                article::Entity::default_queryset().filter(article::Column::UserId.eq(5)),
            )
            .await,
            "blog_article_user_id_created_at_id_idx",
        ),
        (
            plan(
                &db,
                article::Entity::find().order_by_desc(article::Column::Title),
            )
            .await,
            "blog_article_title_idx",
        ),
        (
            plan(&db, comment::Entity::default_queryset()).await,
            "blog_comment_created_at_id_idx",
        ),
        (
            plan(
                &db,
                comment::Entity::default_queryset().filter(comment::Column::ArticleId.eq(5)),
            )
            .await,
            "blog_comment_article_id_created_at_id_idx",
        ),
    ];
    for (plan, index) in cases {
        assert!(plan.contains(index), "expected {index}:\n{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "sorts the table:\n{plan}");
    }
}
