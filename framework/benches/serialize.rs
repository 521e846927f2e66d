#![allow(missing_docs, clippy::unwrap_used)]
//! Serializer benchmarks on in-memory SQLite with the framework tests' entities (a post is
//! the blog's article, a note its comment, a label its tag):
//! - `serialize_page_100_posts_with_nested_notes_to_bytes`: load the relations of a page of
//!   100 posts (author, labels, 5 nested notes each, note counts) and write the page to JSON
//!   bytes (the list/detail hot path);
//! - `render_100_posts_to_bytes`: only the JSON writing of an already loaded page;
//! - `parse_and_validate_post_body`: parse a request body and validate it (lengths, label
//!   existence), as a create does.
//!
//! Verifying a JWT is in `benches/jwt.rs`.
//!
//! `cargo bench -p rest_framework --bench serialize -- --quick`

use criterion::{Criterion, criterion_group, criterion_main};
use rest_framework::ModelSerializer;
use rest_framework::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    Schema,
};
use rest_framework::serializers::{ModelSerializer as _, SerializerContext};
use std::hint::black_box;

#[path = "../tests/common/mod.rs"]
#[allow(dead_code)]
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
    #[field(max_length = 500)]
    pub body: String,
}

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 100)]
    pub title: String,
    pub content: String,
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

async fn database() -> DatabaseConnection {
    let db = Database::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    let schema = Schema::new(db.get_database_backend());
    for stmt in [
        schema.create_table_from_entity(writer::Entity),
        schema.create_table_from_entity(label::Entity),
        schema.create_table_from_entity(post::Entity),
        schema.create_table_from_entity(post_label::Entity),
        schema.create_table_from_entity(note::Entity),
    ] {
        db.execute(&stmt).await.expect("create table");
    }
    let writer = writer::ActiveModel {
        email: Set("writer@example.com".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("writer");
    for name in ["rust", "web", "databases"] {
        label::ActiveModel {
            name: Set(name.into()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("label");
    }
    for i in 0..100_i64 {
        let post = post::ActiveModel {
            title: Set(format!("Article number {i}")),
            content: Set("Lorem ipsum dolor sit amet. ".repeat(10)),
            writer_id: Set(writer.id),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("post");
        for label_id in [1 + i % 3, 1 + (i + 1) % 3] {
            post_label::ActiveModel {
                post_id: Set(post.id),
                label_id: Set(label_id),
                ..Default::default()
            }
            .insert(&db)
            .await
            .expect("post label");
        }
        for n in 0..5 {
            note::ActiveModel {
                post_id: Set(post.id),
                body: Set(format!("Comment {n} on article {i}: nice work!")),
                ..Default::default()
            }
            .insert(&db)
            .await
            .expect("note");
        }
    }
    db
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let db = runtime.block_on(database());
    let ctx = SerializerContext::new(&db, "http://testserver");
    let rows = runtime
        .block_on(post::Entity::find().all(&db))
        .expect("posts");
    assert_eq!(rows.len(), 100);

    c.bench_function("serialize_page_100_posts_with_nested_notes_to_bytes", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let page = PostSerializer::from_models(black_box(&rows), &ctx)
                    .await
                    .expect("render");
                serde_json::to_vec(&page).expect("json")
            })
        })
    });

    let page = runtime
        .block_on(PostSerializer::from_models(&rows, &ctx))
        .expect("render");
    c.bench_function("render_100_posts_to_bytes", |b| {
        b.iter(|| serde_json::to_vec(black_box(&page)).expect("json"))
    });

    let body = br#"{"title": "A new article", "content": "Some text worth reading.", "labels": [1, "2", 3]}"#;
    c.bench_function("parse_and_validate_post_body", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let data: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_slice(black_box(body)).expect("json");
                PostSerializer::validate(&data, None, false, &ctx)
                    .await
                    .expect("valid")
            })
        })
    });
}

criterion_group!(serialize, benches);
criterion_main!(serialize);
