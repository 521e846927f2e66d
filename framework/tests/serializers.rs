#![allow(missing_docs, clippy::unwrap_used)]
//! The derive end to end on SQLite: representations, batch loading (statement counts that do
//! not depend on the page size), validation error bodies and many-to-many writes.

use rest_framework::ModelSerializer;
use rest_framework::fields::Representation as _;
use rest_framework::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    Schema,
};
use rest_framework::serializers::{ModelSerializer as _, SerializerContext};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::{label, note, post, post_label, writer};

#[derive(ModelSerializer)]
#[serializer(model = writer::Entity)]
pub struct WriterSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(validate(email))]
    pub email: String,
}

#[derive(ModelSerializer)]
#[serializer(model = note::Entity)]
pub struct NoteSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 20)]
    pub body: String,
}

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 10)]
    pub title: String,
    #[field(read_only, pk_related)]
    pub writer: i64,
    #[field(nested, source = "writer")]
    pub author: WriterSerializer,
    #[field(pk_related, many, queryset = label::Entity, required = false)]
    pub labels: Vec<i64>,
    #[field(nested, many)]
    pub notes: Vec<NoteSerializer>,
    #[field(count = note::Entity)]
    pub note_count: i64,
}

/// Columns, primary-key relations and a count only: built straight from rows.
#[derive(ModelSerializer)]
#[serializer(model = post::Entity, name = "PostRow")]
pub struct PostRowSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 10)]
    pub title: String,
    pub subtitle: Option<String>,
    #[field(read_only, pk_related)]
    pub writer: i64,
    #[field(pk_related, many, queryset = label::Entity, required = false)]
    pub labels: Vec<i64>,
    #[field(count = note::Entity)]
    pub note_count: i64,
    #[field(write_only, required = false)]
    pub content: String,
}

async fn database() -> (DatabaseConnection, Arc<AtomicUsize>) {
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

async fn seed(db: &DatabaseConnection, posts: usize) {
    let writer = writer::ActiveModel {
        email: Set("w@example.com".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let zeta = label::ActiveModel {
        name: Set("zeta".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let alpha = label::ActiveModel {
        name: Set("alpha".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    for i in 0..posts {
        let post = post::ActiveModel {
            title: Set(format!("p{i}")),
            writer_id: Set(writer.id),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        for label_id in [zeta.id, alpha.id] {
            post_label::ActiveModel {
                post_id: Set(post.id),
                label_id: Set(label_id),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }
        for n in 0..(i % 3) {
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

#[tokio::test]
async fn renders_relations_in_field_order() {
    let (db, _) = database().await;
    seed(&db, 3).await;
    let rows = post::Entity::find().all(&db).await.unwrap();
    let ctx = SerializerContext::new(&db, "http://testserver");
    let rendered = PostSerializer::from_models(&rows, &ctx).await.unwrap();
    let body = serde_json::to_string(&rendered[2]).unwrap();
    // The response renderer writes the same bytes without serde.
    let mut written = Vec::new();
    rendered.write_json(&mut written).unwrap();
    assert_eq!(written, serde_json::to_vec(&rendered).unwrap());
    // Labels by name (alpha has the larger id), notes by id, the count of notes.
    assert_eq!(
        body,
        r#"{"id":3,"title":"p2","writer":1,"author":{"id":1,"email":"w@example.com"},"labels":[2,1],"notes":[{"id":2,"body":"n0"},{"id":3,"body":"n1"}],"note_count":2}"#
    );
}

#[tokio::test]
async fn statement_count_does_not_depend_on_page_size() {
    let mut counts = Vec::new();
    for size in [1, 10, 100] {
        let (db, statements) = database().await;
        seed(&db, size).await;
        let rows = post::Entity::find().all(&db).await.unwrap();
        let ctx = SerializerContext::new(&db, "http://testserver");
        statements.store(0, Ordering::SeqCst);
        let rendered = PostSerializer::from_models(&rows, &ctx).await.unwrap();
        assert_eq!(rendered.len(), size);
        counts.push(statements.load(Ordering::SeqCst));
    }
    assert_eq!(
        counts[0], counts[1],
        "statements for 1 and 10 rows: {counts:?}"
    );
    assert_eq!(
        counts[1], counts[2],
        "statements for 10 and 100 rows: {counts:?}"
    );
    // author, labels, notes; the note counts are the lengths of the loaded notes.
    assert_eq!(counts[0], 3);
}

#[tokio::test]
async fn fetch_related_joins_the_author_counts_and_label_ids_into_the_page_query() {
    let (db, statements) = database().await;
    seed(&db, 10).await;
    // A post without labels: its aggregate is NULL, rendered as an empty list.
    post::ActiveModel {
        title: Set("bare".into()),
        writer_id: Set(1),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let ctx = SerializerContext::new(&db, "http://testserver");
    let rows = post::Entity::find().all(&db).await.unwrap();
    let loaded = PostSerializer::from_models(&rows, &ctx).await.unwrap();

    statements.store(0, Ordering::SeqCst);
    let (fetched, preloaded) = rest_framework::__private::query::fetch_related::<PostSerializer>(
        post::Entity::find(),
        &db,
    )
    .await
    .unwrap();
    let rendered =
        <PostSerializer as rest_framework::query::Reads>::build(&fetched, &preloaded, &ctx)
            .await
            .unwrap();
    // The posts with their authors, note counts and label ids (in the labels' ordering, as
    // the separate query of `from_models` gives them), then the notes.
    assert_eq!(statements.load(Ordering::SeqCst), 2);
    let rendered = serde_json::to_string(&rendered).unwrap();
    assert_eq!(rendered, serde_json::to_string(&loaded).unwrap());
    assert!(rendered.contains(r#""labels":[2,1]"#), "{rendered}");
    assert!(
        rendered.contains(
            r#""title":"bare","writer":1,"author":{"id":1,"email":"w@example.com"},"labels":[]"#
        ),
        "{rendered}"
    );
}

#[tokio::test]
async fn validation_errors_are_drf_bodies_in_field_order() {
    let (db, _) = database().await;
    seed(&db, 1).await;
    let ctx = SerializerContext::new(&db, "http://testserver");
    let data = serde_json::json!({"labels": "1", "id": 99, "writer": 5});
    let err = PostSerializer::validate(data.as_object().unwrap(), None, false, &ctx)
        .await
        .err()
        .unwrap();
    let rest_framework::exceptions::ApiError::Validation(errors) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        serde_json::to_string(&errors).unwrap(),
        r#"{"title":["This field is required."],"labels":["Expected a list of items but got type \"str\"."]}"#
    );
    let data = serde_json::json!({"title": "x".repeat(11), "labels": [1, 999]});
    let err = PostSerializer::validate(data.as_object().unwrap(), None, false, &ctx)
        .await
        .err()
        .unwrap();
    let rest_framework::exceptions::ApiError::Validation(errors) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        serde_json::to_string(&errors).unwrap(),
        r#"{"title":["Ensure this field has no more than 10 characters."],"labels":["Invalid pk \"999\" - object does not exist."]}"#
    );
    let data = serde_json::json!({"email": "not-an-email"});
    let err = WriterSerializer::validate(data.as_object().unwrap(), None, false, &ctx)
        .await
        .err()
        .unwrap();
    assert_eq!(err.status(), rest_framework::status::HTTP_400_BAD_REQUEST);
    let rest_framework::exceptions::ApiError::Validation(errors) = err else {
        panic!()
    };
    assert_eq!(
        serde_json::to_string(&errors).unwrap(),
        r#"{"email":["Enter a valid email address."]}"#
    );
}

#[tokio::test]
async fn saves_many_to_many_in_one_transaction_and_partial_updates_keep_them() {
    let (db, _) = database().await;
    seed(&db, 0).await;
    let ctx = SerializerContext::new(&db, "http://testserver");
    let data = serde_json::json!({"title": "new", "labels": ["1", 2, 2]});
    let mut save = PostSerializer::validate(data.as_object().unwrap(), None, false, &ctx)
        .await
        .unwrap();
    save.model.writer_id = Set(1);
    let created = save.insert(&db).await.unwrap();
    let rendered = PostSerializer::from_model(&created, &ctx).await.unwrap();
    assert_eq!(rendered.labels, vec![2, 1]);
    assert_eq!(rendered.note_count, 0);

    let patch = serde_json::json!({"title": "renamed"});
    let save = PostSerializer::validate(patch.as_object().unwrap(), Some(&created), true, &ctx)
        .await
        .unwrap();
    let updated = save.update(&db).await.unwrap();
    let rendered = PostSerializer::from_model(&updated, &ctx).await.unwrap();
    assert_eq!(
        (rendered.title.as_str(), rendered.labels.clone()),
        ("renamed", vec![2, 1])
    );

    let clear = serde_json::json!({"labels": []});
    let save = PostSerializer::validate(clear.as_object().unwrap(), Some(&updated), true, &ctx)
        .await
        .unwrap();
    let cleared = save.update(&db).await.unwrap();
    assert!(
        PostSerializer::from_model(&cleared, &ctx)
            .await
            .unwrap()
            .labels
            .is_empty()
    );
}

#[tokio::test]
async fn serializers_of_columns_pks_and_counts_read_their_own_columns_off_rows() {
    use rest_framework::__private::query::{fetch, represent};
    use rest_framework::query::Fetched;
    use rest_framework::query::Reads;
    use rest_framework::sea_orm::{DbBackend, QueryTrait};
    const { assert!(PostRowSerializer::READS_ROWS) };
    // A nested serializer needs models.
    const { assert!(!PostSerializer::READS_ROWS) };
    assert!(PostSerializer::select_row(post::Entity::find()).is_none());

    let (db, statements) = database().await;
    seed(&db, 5).await;
    post::ActiveModel {
        title: Set("bare".into()),
        subtitle: Set(Some("sub".into())),
        content: Set("never shown".into()),
        writer_id: Set(1),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let ctx = SerializerContext::new(&db, "http://testserver");
    let models = post::Entity::find().all(&db).await.unwrap();
    let from_models = PostRowSerializer::from_models(&models, &ctx).await.unwrap();

    // Exactly the shown columns, in field order: no `content` (write-only), no model.
    let select = PostRowSerializer::select_row(post::Entity::find()).unwrap();
    let sql = select.build(DbBackend::Sqlite).to_string();
    assert!(
        sql.starts_with(
            r#"SELECT "post"."id", "post"."title", "post"."subtitle", "post"."writer_id", (SELECT"#
        ),
        "{sql}"
    );
    assert!(!sql.contains("content"), "{sql}");

    statements.store(0, Ordering::SeqCst);
    let fetched = fetch::<PostRowSerializer>(post::Entity::find(), &db)
        .await
        .unwrap();
    assert!(matches!(fetched, Fetched::Rows(ref rows) if rows.len() == 6));
    let from_rows = represent::<PostRowSerializer>(fetched, &ctx).await.unwrap();
    assert_eq!(
        statements.load(Ordering::SeqCst),
        1,
        "one statement for the page"
    );
    assert_eq!(
        serde_json::to_string(&from_rows).unwrap(),
        serde_json::to_string(&from_models).unwrap()
    );
    let body = serde_json::to_string(&from_rows[5]).unwrap();
    assert_eq!(
        body,
        r#"{"id":6,"title":"bare","subtitle":"sub","writer":1,"labels":[],"note_count":0}"#
    );
    assert!(
        serde_json::to_string(&from_rows[2])
            .unwrap()
            .contains(r#""labels":[2,1],"note_count":2"#)
    );
}

#[tokio::test]
async fn nested_serializers_of_columns_are_read_off_rows_too() {
    use rest_framework::query::Reads;
    use rest_framework::sea_orm::{DbBackend, QueryTrait};
    // Only columns: joined into the parent's row by name. Anything more: an empty list.
    assert_eq!(WriterSerializer::COLUMNS, ["id", "email"]);
    assert!(PostRowSerializer::COLUMNS.is_empty());
    let sql = PostSerializer::select_related(post::Entity::find())
        .build(DbBackend::Sqlite)
        .to_string();
    assert!(
        sql.contains(
            r#""__author"."id" AS "__author__id", "__author"."email" AS "__author__email", (SELECT"#
        ),
        "{sql}"
    );

    let (db, statements) = database().await;
    seed(&db, 6).await;
    let ctx = SerializerContext::new(&db, "http://testserver");
    let rows = post::Entity::find().all(&db).await.unwrap();
    let page = PostSerializer::from_models(&rows, &ctx).await.unwrap();
    // One parent (a detail): its notes are read off their rows; the author off the parent's.
    for (row, expected) in rows.iter().zip(&page) {
        statements.store(0, Ordering::SeqCst);
        let (fetched, preloaded) =
            rest_framework::__private::query::fetch_related::<PostSerializer>(
                post::Entity::find_by_id(row.id),
                &db,
            )
            .await
            .unwrap();
        let one =
            <PostSerializer as rest_framework::query::Reads>::build(&fetched, &preloaded, &ctx)
                .await
                .unwrap();
        assert_eq!(statements.load(Ordering::SeqCst), 2, "the post, its notes");
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(std::slice::from_ref(expected)).unwrap()
        );
    }
}
