#![allow(missing_docs, clippy::unwrap_used)]
//! The filter backends end to end: django-filter's exact-match filters, DRF's `SearchFilter`
//! and `OrderingFilter`, on real SQLite (and on PostgreSQL when
//! `TEST_PG_URL=postgres://user@host:port/db` is set: every test then gets its own database), through the public API only.

use rest_framework::exceptions::ApiError;
use rest_framework::filters::{FieldFilter, FilterBackend, OrderingFilter, SearchFilter};
use rest_framework::models::ModelMeta;
use rest_framework::pagination::PageNumberPagination;
use rest_framework::poem::http::{HeaderMap, Method, Uri};
use rest_framework::request::RequestContext;
use rest_framework::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    DbErr, EntityTrait, QueryTrait, Schema, Select,
};
use rest_framework::settings::{AppState, Settings};
use rest_framework::users::{RequestUser, UserStore};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::{label, note, post, post_label, writer};

/// Filters never look users up.
struct NoUsers;

#[rest_framework::async_trait]
impl UserStore for NoUsers {
    fn username_field(&self) -> &'static str {
        "email"
    }
    async fn get_by_id(
        &self,
        _db: &DatabaseConnection,
        _id: i64,
    ) -> Result<Option<RequestUser>, DbErr> {
        Ok(None)
    }
    async fn get_by_username(
        &self,
        _db: &DatabaseConnection,
        _username: &str,
    ) -> Result<Option<(RequestUser, String)>, DbErr> {
        Ok(None)
    }
}

/// A fresh database with the schema: in-memory SQLite, or a PostgreSQL database of its own
/// (`TEST_PG_URL`, see `rest_framework::test::db`).
async fn database(_test: &str) -> (DatabaseConnection, Arc<AtomicUsize>) {
    let url = rest_framework::test::db::fresh_database_url("sqlite::memory:")
        .await
        .unwrap();
    let db = Database::connect(url).await.unwrap();
    let backend = db.get_database_backend();
    let schema = Schema::new(backend);
    for stmt in [
        schema.create_table_from_entity(writer::Entity),
        schema.create_table_from_entity(label::Entity),
        schema.create_table_from_entity(post::Entity),
        schema.create_table_from_entity(post_label::Entity),
        schema.create_table_from_entity(note::Entity),
    ] {
        db.execute(&stmt).await.unwrap();
    }
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    let mut db = db;
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    (db, statements)
}

/// Writers 1 (three posts) and 2 (one post), 3 (none); labels 1 "zeta", 2 "alpha", 3 "unused".
///
/// | post | title | content | writer | labels | notes |
/// | --- | --- | --- | --- | --- | --- |
/// | 1 | Apple pie | Bake with cinnamon, 50% less sugar. | 1 | 1, 2 | 2 |
/// | 2 | Cherry_tart | Plain cherries. | 1 | 2 | 0 |
/// | 3 | Crumble of apples | Oats and butter. | 2 | 1 | 3 |
/// | 4 | Banana bread | Ripe bananas; no apples | 1 | - | 1 |
async fn seed(db: &DatabaseConnection) {
    for email in ["one@example.com", "two@example.com", "three@example.com"] {
        writer::ActiveModel {
            email: Set(email.into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    for name in ["zeta", "alpha", "unused"] {
        label::ActiveModel {
            name: Set(name.into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    let posts: [(&str, &str, i64, &[i64], usize); 4] = [
        (
            "Apple pie",
            "Bake with cinnamon, 50% less sugar.",
            1,
            &[1, 2],
            2,
        ),
        ("Cherry_tart", "Plain cherries.", 1, &[2], 0),
        ("Crumble of apples", "Oats and butter.", 2, &[1], 3),
        ("Banana bread", "Ripe bananas; no apples", 1, &[], 1),
    ];
    for (title, content, writer_id, labels, notes) in posts {
        let post = post::ActiveModel {
            title: Set(title.into()),
            content: Set(content.into()),
            writer_id: Set(writer_id),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        for label_id in labels {
            post_label::ActiveModel {
                post_id: Set(post.id),
                label_id: Set(*label_id),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }
        for n in 0..notes {
            note::ActiveModel {
                post_id: Set(post.id),
                body: Set(format!("n{n}")),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }
    }
}

/// A GET request on `/api/posts/?{query}` (the query as it appears in a URL).
fn request(db: &DatabaseConnection, query: &str) -> RequestContext {
    let state = AppState::with_user_store(
        db.clone(),
        Settings::new("filters-test-secret"),
        Arc::new(NoUsers),
    );
    let uri: Uri = format!("/api/posts/?{query}").parse().unwrap();
    RequestContext::new(state, Method::GET, uri, HeaderMap::new(), Vec::new())
}

fn field_filter() -> FieldFilter<post::Entity> {
    FieldFilter::new()
        .foreign_key::<writer::Entity>("writer", post::Column::WriterId)
        .many_to_many::<label::Entity>("labels")
}

fn search_filter() -> SearchFilter<post::Entity> {
    SearchFilter::new(vec![post::Column::Title, post::Column::Content])
}

fn ordering_filter() -> OrderingFilter<post::Entity> {
    OrderingFilter::new()
        .column("title", post::Column::Title)
        .column("writer", post::Column::WriterId)
        .column("id", post::Column::Id)
        .count::<note::Entity>("note_count")
        .count::<label::Entity>("label_count")
}

/// The ids of the rows `backend` leaves, in order, or the 400 body.
async fn run(
    db: &DatabaseConnection,
    backend: &dyn FilterBackend<post::Entity>,
    query: &str,
) -> Result<Vec<i64>, String> {
    let ctx = request(db, query);
    match backend
        .filter_queryset(&ctx, post::Entity::default_queryset())
        .await
    {
        Ok(select) => Ok(ids(db, select).await),
        Err(err) => Err(error_body(err)),
    }
}

async fn ids(db: &DatabaseConnection, select: Select<post::Entity>) -> Vec<i64> {
    select.all(db).await.unwrap().iter().map(|p| p.id).collect()
}

fn error_body(err: ApiError) -> String {
    assert_eq!(err.status(), rest_framework::status::HTTP_400_BAD_REQUEST);
    assert!(
        matches!(err, ApiError::Validation(_) | ApiError::ValidationList(_)),
        "not a validation error: {err:?}"
    );
    String::from_utf8(err.into_response(None).body.unwrap_or_default()).unwrap()
}

const WRITER_INVALID: &str =
    r#"{"writer":["Select a valid choice. That choice is not one of the available choices."]}"#;

#[tokio::test]
async fn foreign_key_exact_match() {
    let (db, _) = database("foreign_key").await;
    seed(&db).await;
    let filter = field_filter();
    assert_eq!(run(&db, &filter, "").await, Ok(vec![4, 3, 2, 1]));
    assert_eq!(run(&db, &filter, "writer=1").await, Ok(vec![4, 2, 1]));
    assert_eq!(run(&db, &filter, "writer=2").await, Ok(vec![3]));
    // An existing writer without posts: an empty list, not an error.
    assert_eq!(run(&db, &filter, "writer=3").await, Ok(vec![]));
    // Python's int(): spaces, a sign, leading zeros.
    assert_eq!(run(&db, &filter, "writer=%20%2B02%20").await, Ok(vec![3]));
    // `?writer=` is no filter; a repeated parameter counts with its last value (QueryDict.get).
    assert_eq!(run(&db, &filter, "writer=").await, Ok(vec![4, 3, 2, 1]));
    assert_eq!(run(&db, &filter, "writer=999&writer=2").await, Ok(vec![3]));
    assert_eq!(
        run(&db, &filter, "writer=2&writer=").await,
        Ok(vec![4, 3, 2, 1])
    );
    // Other parameters are not this filter's business.
    assert_eq!(
        run(&db, &filter, "page=2&bogus=1").await,
        Ok(vec![4, 3, 2, 1])
    );
    for bad in [
        "writer=999999",
        "writer=abc",
        "writer=1.0",
        "writer=%20",
        "writer=99999999999999999999999",
        "writer=2&writer=999",
    ] {
        assert_eq!(
            run(&db, &filter, bad).await,
            Err(WRITER_INVALID.to_string()),
            "{bad}"
        );
    }
    assert_eq!(
        run(&db, &filter, "writer=1%00").await,
        Err(r#"{"writer":["Null characters are not allowed."]}"#.to_string())
    );
}

#[tokio::test]
async fn many_to_many_any_of() {
    let (db, _) = database("many_to_many").await;
    seed(&db).await;
    let filter = field_filter();
    assert_eq!(run(&db, &filter, "labels=1").await, Ok(vec![3, 1]));
    assert_eq!(run(&db, &filter, "labels=2").await, Ok(vec![2, 1]));
    // OR across values, post 1 (both labels) only once.
    assert_eq!(
        run(&db, &filter, "labels=1&labels=2").await,
        Ok(vec![3, 2, 1])
    );
    assert_eq!(
        run(&db, &filter, "labels=2&labels=1&labels=2").await,
        Ok(vec![3, 2, 1])
    );
    assert_eq!(run(&db, &filter, "labels=3").await, Ok(vec![]));
    // AND with the foreign key.
    assert_eq!(
        run(&db, &filter, "labels=1&labels=2&writer=1").await,
        Ok(vec![2, 1])
    );
}

#[tokio::test]
async fn many_to_many_errors() {
    let (db, _) = database("many_to_many_errors").await;
    seed(&db).await;
    let filter = field_filter();
    let cases = [
        (
            "labels=abc",
            r#"{"labels":["“abc” is not a valid value."]}"#,
        ),
        ("labels=", r#"{"labels":["“” is not a valid value."]}"#),
        // Type errors win over unknown pks, whatever their order.
        (
            "labels=999999&labels=abc",
            r#"{"labels":["“abc” is not a valid value."]}"#,
        ),
        (
            "labels=999999",
            r#"{"labels":["Select a valid choice. 999999 is not one of the available choices."]}"#,
        ),
        (
            "labels=1&labels=999999",
            r#"{"labels":["Select a valid choice. 999999 is not one of the available choices."]}"#,
        ),
        // Django compares the pk as text with the value as given.
        (
            "labels=01",
            r#"{"labels":["Select a valid choice. 01 is not one of the available choices."]}"#,
        ),
        (
            "labels=%201",
            r#"{"labels":["Select a valid choice.  1 is not one of the available choices."]}"#,
        ),
        (
            "labels=99999999999999999999999",
            r#"{"labels":["Select a valid choice. 99999999999999999999999 is not one of the available choices."]}"#,
        ),
        (
            "labels=a%00",
            r#"{"labels":["Null characters are not allowed."]}"#,
        ),
        // Every parameter is validated; errors in declaration order.
        (
            "labels=abc&writer=abc",
            r#"{"writer":["Select a valid choice. That choice is not one of the available choices."],"labels":["“abc” is not a valid value."]}"#,
        ),
    ];
    for (query, body) in cases {
        assert_eq!(
            run(&db, &filter, query).await,
            Err(body.to_string()),
            "{query}"
        );
    }
}

#[tokio::test]
async fn validation_costs_one_query_per_parameter() {
    let (db, statements) = database("query_count").await;
    seed(&db).await;
    let filter = field_filter();
    let cases = [
        ("", 0),
        ("writer=1", 1),
        ("labels=1", 1),
        ("labels=1&labels=2&labels=3", 1),
        ("writer=1&labels=1&labels=2&labels=3", 2),
        ("writer=999&labels=1&labels=999", 2),
        // Values that cannot be pks are refused without asking the database.
        ("writer=abc&labels=1&labels=abc", 0),
    ];
    for (query, expected) in cases {
        let ctx = request(&db, query);
        statements.store(0, Ordering::SeqCst);
        let _ = filter
            .filter_queryset(&ctx, post::Entity::default_queryset())
            .await;
        assert_eq!(statements.load(Ordering::SeqCst), expected, "{query}");
    }
}

#[tokio::test]
async fn search_terms_and_fields() {
    let (db, _) = database("search").await;
    seed(&db).await;
    let filter = search_filter();
    let cases: [(&str, &[i64]); 16] = [
        ("", &[4, 3, 2, 1]),
        ("search=", &[4, 3, 2, 1]),
        ("search=%20,%20", &[4, 3, 2, 1]),
        // Case-insensitive, in the title or the content.
        ("search=APPLE", &[4, 3, 1]),
        // Every term must match (in any of the fields).
        ("search=apple%20cinnamon", &[1]),
        ("search=apple,cinnamon", &[1]),
        ("search=apple+cherries", &[]),
        ("search=cherries", &[2]),
        // Quoted phrases stay whole.
        ("search=%22apple%20pie%22", &[1]),
        ("search=%22pie%20apple%22", &[]),
        // LIKE wildcards match themselves.
        ("search=50%25", &[1]),
        ("search=%25", &[1]),
        ("search=_", &[2]),
        ("search=a_e", &[]),
        ("search=a%25e", &[]),
        // The last value counts.
        ("search=cherries&search=oats", &[3]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            run(&db, &filter, query).await,
            Ok(expected.to_vec()),
            "{query}"
        );
    }
    // A backslash and a quote are text too.
    assert_eq!(run(&db, &filter, "search=%5C").await, Ok(vec![]));
    assert_eq!(run(&db, &filter, "search='%20OR%201=1--").await, Ok(vec![]));
    // Another parameter name.
    let renamed = search_filter().param("q");
    assert_eq!(run(&db, &renamed, "q=oats&search=apple").await, Ok(vec![3]));
    // No fields: no filtering.
    let empty = SearchFilter::<post::Entity>::new(vec![]);
    assert_eq!(run(&db, &empty, "search=oats").await, Ok(vec![4, 3, 2, 1]));
    // DRF's bare list.
    assert_eq!(
        run(&db, &filter, "search=a%00").await,
        Err(r#"["Null characters are not allowed."]"#.to_string())
    );
}

#[tokio::test]
async fn search_terms_are_bound_values() {
    let ctx_db = database("search_sql").await.0;
    let ctx = request(&ctx_db, "search=it's%2050%25");
    let select = search_filter()
        .filter_queryset(&ctx, post::Entity::find())
        .await
        .unwrap();
    for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
        let statement = select.build(backend);
        assert!(!statement.sql.contains("it's"), "{}", statement.sql);
        let values = format!("{:?}", statement.values);
        assert!(values.contains(r"%it's%"), "{values}");
        assert!(values.contains(r"%50\\%%"), "{values}");
    }
    let sql = select.build(DbBackend::Sqlite).sql;
    assert!(
        sql.contains(
            r#"(LOWER(CAST("post"."title" AS TEXT)) LIKE LOWER(?) ESCAPE '\' OR LOWER(CAST("post"."content" AS TEXT)) LIKE LOWER(?) ESCAPE '\')"#
        ),
        "{sql}"
    );
}

#[tokio::test]
async fn ordering_by_declared_names() {
    let (db, _) = database("ordering").await;
    seed(&db).await;
    let filter = ordering_filter();
    let cases: [(&str, &[i64]); 17] = [
        // No or only unknown terms: the queryset's default order (-id).
        ("", &[4, 3, 2, 1]),
        ("ordering=", &[4, 3, 2, 1]),
        ("ordering=bogus", &[4, 3, 2, 1]),
        ("ordering=content,-content,--title,,", &[4, 3, 2, 1]),
        // Titles whose order is the same in a binary and in a linguistic collation.
        ("ordering=id", &[1, 2, 3, 4]),
        ("ordering=-id", &[4, 3, 2, 1]),
        ("ordering=-title", &[3, 2, 4, 1]),
        ("ordering=title", &[1, 4, 2, 3]),
        // Several terms; spaces around terms are ignored.
        ("ordering=writer,-id", &[4, 2, 1, 3]),
        ("ordering=%20-writer%20,%20id", &[3, 1, 2, 4]),
        // Unknown terms are dropped, the valid ones kept in order.
        ("ordering=bogus,-writer,content,id", &[3, 1, 2, 4]),
        // A repeated name counts once, first spelling wins.
        ("ordering=writer,-writer,id", &[1, 2, 4, 3]),
        // Counts of a reverse foreign key and of a many-to-many.
        ("ordering=note_count", &[2, 4, 1, 3]),
        ("ordering=-note_count", &[3, 1, 4, 2]),
        ("ordering=-label_count,id", &[1, 2, 3, 4]),
        ("ordering=label_count,-id", &[4, 3, 2, 1]),
        // The last value counts.
        ("ordering=id&ordering=-note_count", &[3, 1, 4, 2]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            run(&db, &filter, query).await,
            Ok(expected.to_vec()),
            "{query}"
        );
    }
    let renamed = ordering_filter().param("sort");
    assert_eq!(
        run(&db, &renamed, "sort=id&ordering=-id").await,
        Ok(vec![1, 2, 3, 4])
    );
}

#[tokio::test]
async fn ordering_replaces_the_default_and_counts_in_a_correlated_subquery() {
    let db = database("ordering_sql").await.0;
    let filter = ordering_filter();
    let ordered = |query: &'static str| {
        let ctx = request(&db, query);
        let filter = &filter;
        async move {
            filter
                .filter_queryset(&ctx, post::Entity::default_queryset())
                .await
                .unwrap()
                .build(DbBackend::Sqlite)
                .sql
        }
    };
    let sql = ordered("ordering=-note_count,title").await;
    assert!(
        sql.ends_with(
            r#"ORDER BY (SELECT COUNT(*) FROM "note" AS "rf_count" WHERE "rf_count"."post_id" = "post"."id") DESC, "post"."title" ASC"#
        ),
        "{sql}"
    );
    assert!(!sql.contains("JOIN") && !sql.contains("GROUP BY"), "{sql}");
    let sql = ordered("ordering=label_count").await;
    assert!(
        sql.ends_with(
            r#"ORDER BY (SELECT COUNT(*) FROM "post_label" AS "rf_count" WHERE "rf_count"."post_id" = "post"."id") ASC"#
        ),
        "{sql}"
    );
    let sql = ordered("ordering=bogus").await;
    assert!(sql.ends_with(r#"ORDER BY "post"."id" DESC"#), "{sql}");
}

#[tokio::test]
async fn many_to_many_is_a_subquery_without_duplicates() {
    let db = database("many_to_many_sql").await.0;
    seed(&db).await;
    let ctx = request(&db, "labels=1&labels=2");
    let select = field_filter()
        .filter_queryset(&ctx, post::Entity::find())
        .await
        .unwrap();
    let sql = select.build(DbBackend::Sqlite).sql;
    assert!(
        sql.ends_with(
            r#"WHERE "post"."id" IN (SELECT "post_id" FROM "post_label" WHERE "label_id" IN (?, ?))"#
        ),
        "{sql}"
    );
}

#[tokio::test]
async fn all_three_together_and_paginated() {
    let (db, _) = database("combined").await;
    seed(&db).await;
    let backends: Vec<Box<dyn FilterBackend<post::Entity>>> = vec![
        Box::new(field_filter()),
        Box::new(search_filter()),
        Box::new(ordering_filter()),
    ];
    let cases: [(&str, Result<&[i64], &str>); 5] = [
        ("writer=1&search=apple&ordering=title", Ok(&[1, 4])),
        ("writer=1&search=apple&ordering=-note_count", Ok(&[1, 4])),
        (
            "labels=1&labels=2&search=apple&ordering=-note_count",
            Ok(&[3, 1]),
        ),
        ("labels=2&search=a&ordering=bogus", Ok(&[2, 1])),
        // The field filter refuses before the others run.
        ("writer=999&search=a%00&ordering=title", Err(WRITER_INVALID)),
    ];
    for (query, expected) in cases {
        let ctx = request(&db, query);
        let result = rest_framework::filters::filter_queryset(
            &backends,
            &ctx,
            post::Entity::default_queryset(),
        )
        .await;
        let got = match result {
            Ok(select) => Ok(ids(&db, select).await),
            Err(err) => Err(error_body(err)),
        };
        assert_eq!(
            got,
            expected.map(<[i64]>::to_vec).map_err(str::to_string),
            "{query}"
        );
    }
    // The futures can run inside a `Send` handler.
    fn assert_send<T: Send>(_: &T) {}
    let ctx = request(&db, "");
    let future =
        rest_framework::filters::filter_queryset(&backends, &ctx, post::Entity::default_queryset());
    assert_send(&future);
    drop(future);
    // Through the paginator: the count and the page keep the filters and the order.
    let ctx = request(&db, "search=a&ordering=-note_count&page=2&page_size=2");
    let select =
        rest_framework::filters::filter_queryset(&backends, &ctx, post::Entity::default_queryset())
            .await
            .unwrap();
    let page = PageNumberPagination::default()
        .paginate_queryset(select, &ctx)
        .await
        .unwrap();
    assert_eq!(page.count, 4);
    assert_eq!(page.items.iter().map(|p| p.id).collect::<Vec<_>>(), [4, 2]);
    assert_eq!(
        page.previous.as_deref(),
        Some("http://localhost/api/posts/?ordering=-note_count&page_size=2&search=a")
    );
}

#[test]
fn schema_parameters_as_drf_spectacular() {
    let params: Vec<(String, bool, Option<String>)> = [
        field_filter().schema_parameters(),
        search_filter().schema_parameters(),
        ordering_filter().schema_parameters(),
    ]
    .into_iter()
    .flatten()
    .map(|p| (p.name, p.style.is_some(), p.description))
    .collect();
    assert_eq!(
        params,
        [
            ("writer".to_string(), false, None),
            ("labels".to_string(), true, None),
            (
                "search".to_string(),
                false,
                Some("A search term.".to_string())
            ),
            (
                "ordering".to_string(),
                false,
                Some("Which field to use when ordering the results.".to_string())
            ),
        ]
    );
}
