#![allow(missing_docs, clippy::unwrap_used)]
//! Writable nested serializers (`#[field(nested, many, writable)]`) on SQLite (or PostgreSQL
//! with `TEST_PG_URL`): DRF's error shapes keyed by path, children saved in the parent's
//! transaction (nothing written when a child fails), update replacing the set, and the
//! request schemas.

use rest_framework::ModelSerializer;
use rest_framework::exceptions::ApiError;
use rest_framework::sea_orm::sea_query::Index;
use rest_framework::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    PaginatorTrait,
};
use rest_framework::serializers::{ModelSerializer as _, SerializerContext};
use serde_json::{Value, json};

mod common;
use common::{note, post, writer};

#[derive(ModelSerializer)]
#[serializer(model = note::Entity)]
pub struct NoteSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 20)]
    pub body: String,
}

#[derive(ModelSerializer)]
#[serializer(model = post::Entity, name = "PostWithNotes")]
pub struct PostWithNotesSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 10)]
    pub title: String,
    #[field(nested, many, writable)]
    pub notes: Vec<NoteSerializer>,
}

#[derive(ModelSerializer)]
#[serializer(model = post::Entity, name = "PostNeedsNotes")]
pub struct PostNeedsNotesSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 10)]
    pub title: String,
    #[field(nested, many, writable, allow_empty = false)]
    pub notes: Vec<NoteSerializer>,
}

#[derive(ModelSerializer)]
#[serializer(model = post::Entity, name = "PostTitle")]
pub struct PostTitleSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 10)]
    pub title: String,
}

/// A single writable nested object (validated and saved only here: `posts` is a `has_many`).
#[derive(ModelSerializer)]
#[serializer(model = writer::Entity, name = "WriterWithPost")]
pub struct WriterWithPostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(validate(email))]
    pub email: String,
    #[field(nested, writable, source = "posts")]
    pub first_post: Option<PostTitleSerializer>,
}

async fn database() -> DatabaseConnection {
    let url = rest_framework::test::db::fresh_database_url("sqlite::memory:")
        .await
        .unwrap();
    let db = Database::connect(url).await.unwrap();
    common::create_tables(&db).await;
    writer::ActiveModel {
        email: Set("w@example.com".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    db
}

/// The error body of a failed validation.
async fn errors<S: rest_framework::serializers::ModelSerializer>(
    db: &DatabaseConnection,
    data: Value,
) -> Value {
    let ctx = SerializerContext::new(db, "http://testserver");
    match S::validate(data.as_object().unwrap(), None, false, &ctx).await {
        Err(ApiError::Validation(errors)) => serde_json::to_value(&errors).unwrap(),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("{data} validated"),
    }
}

/// A successful validation's [`Save`].
async fn validated<S: rest_framework::serializers::ModelSerializer>(
    db: &DatabaseConnection,
    data: Value,
    instance: Option<&rest_framework::serializers::ModelOf<S>>,
    partial: bool,
) -> rest_framework::serializers::Save<S> {
    let ctx = SerializerContext::new(db, "http://testserver");
    match S::validate(data.as_object().unwrap(), instance, partial, &ctx).await {
        Ok(save) => save,
        Err(err) => panic!("{data}: {err:?}"),
    }
}

async fn note_bodies(db: &DatabaseConnection) -> Vec<(i64, String)> {
    note::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.post_id, n.body))
        .collect()
}

#[tokio::test]
async fn creates_the_parent_and_its_children_in_one_transaction() {
    let db = database().await;
    let ctx = SerializerContext::new(&db, "http://testserver");
    let data = json!({"title": "new", "notes": [{"body": "first"}, {"body": "second"}]});
    let mut save = validated::<PostWithNotesSerializer>(&db, data, None, false).await;
    save.model.writer_id = Set(1);
    let created = save.insert(&db).await.unwrap();
    assert_eq!(
        note_bodies(&db).await,
        vec![(created.id, "first".into()), (created.id, "second".into())]
    );
    let rendered = PostWithNotesSerializer::from_model(&created, &ctx)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&rendered).unwrap()["notes"],
        json!([{"id": 1, "body": "first"}, {"id": 2, "body": "second"}])
    );
}

#[tokio::test]
async fn update_replaces_the_set_and_partial_update_without_the_key_keeps_it() {
    let db = database().await;
    let data = json!({"title": "new", "notes": [{"body": "a"}, {"body": "b"}]});
    let mut save = validated::<PostWithNotesSerializer>(&db, data, None, false).await;
    save.model.writer_id = Set(1);
    let created = save.insert(&db).await.unwrap();

    let patch = json!({"title": "renamed"});
    let save = validated::<PostWithNotesSerializer>(&db, patch, Some(&created), true).await;
    let updated = save.update(&db).await.unwrap();
    assert_eq!(note_bodies(&db).await.len(), 2);

    let put = json!({"title": "renamed", "notes": [{"body": "c"}]});
    let save = validated::<PostWithNotesSerializer>(&db, put, Some(&updated), false).await;
    save.update(&db).await.unwrap();
    assert_eq!(note_bodies(&db).await, vec![(created.id, "c".into())]);

    let clear = json!({"notes": []});
    let save = validated::<PostWithNotesSerializer>(&db, clear, Some(&updated), true).await;
    save.update(&db).await.unwrap();
    assert!(note_bodies(&db).await.is_empty());
}

#[tokio::test]
async fn a_child_failing_in_the_middle_of_the_save_writes_nothing() {
    let db = database().await;
    // Valid for the serializer, refused by the database: the second note repeats the first.
    let mut index = Index::create();
    index
        .name("note_body_unique")
        .table(note::Entity)
        .col(note::Column::Body)
        .unique();
    db.execute(&index).await.unwrap();
    let data = json!({"title": "new", "notes": [{"body": "same"}, {"body": "same"}]});
    let mut save = validated::<PostWithNotesSerializer>(&db, data, None, false).await;
    save.model.writer_id = Set(1);
    assert!(save.insert(&db).await.is_err());
    assert_eq!(post::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(note::Entity::find().count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn list_errors_are_keyed_by_index_as_drf_renders_them() {
    let db = database().await;
    let cases = [
        (
            json!({"title": "t", "notes": [{"body": "ok"}, {"body": ""}]}),
            json!({"notes": [{}, {"body": ["This field may not be blank."]}]}),
        ),
        (
            json!({"title": "x".repeat(11), "notes": [{}, {"body": "x".repeat(21)}, {"body": "ok"}]}),
            json!({
                "title": ["Ensure this field has no more than 10 characters."],
                "notes": [
                    {"body": ["This field is required."]},
                    {"body": ["Ensure this field has no more than 20 characters."]},
                    {}
                ]
            }),
        ),
        (
            json!({"title": "t", "notes": {"body": "x"}}),
            json!({"notes": {"non_field_errors": ["Expected a list of items but got type \"dict\"."]}}),
        ),
        (
            json!({"title": "t", "notes": "x"}),
            json!({"notes": {"non_field_errors": ["Expected a list of items but got type \"str\"."]}}),
        ),
        (
            json!({"title": "t", "notes": ["x", 1, null]}),
            json!({"notes": [
                {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
                {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]},
                ["This field may not be null."]
            ]}),
        ),
        (
            json!({"title": "t"}),
            json!({"notes": ["This field is required."]}),
        ),
        (
            json!({"title": "t", "notes": null}),
            json!({"notes": ["This field may not be null."]}),
        ),
    ];
    for (data, expected) in cases {
        assert_eq!(
            errors::<PostWithNotesSerializer>(&db, data.clone()).await,
            expected,
            "{data}"
        );
    }
    // An empty list is fine by default, refused with `allow_empty = false`.
    let empty = json!({"title": "t", "notes": []});
    validated::<PostWithNotesSerializer>(&db, empty.clone(), None, false).await;
    assert_eq!(
        errors::<PostNeedsNotesSerializer>(&db, empty).await,
        json!({"notes": {"non_field_errors": ["This list may not be empty."]}})
    );
    assert_eq!(note::Entity::find().count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn a_single_nested_object_nests_its_errors_and_saves_with_the_parent() {
    let db = database().await;
    let cases = [
        (
            json!({"email": "bad", "first_post": {"title": "x".repeat(11)}}),
            json!({
                "email": ["Enter a valid email address."],
                "first_post": {"title": ["Ensure this field has no more than 10 characters."]}
            }),
        ),
        (
            json!({"email": "a@example.com", "first_post": "x"}),
            json!({"first_post": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}}),
        ),
        (
            json!({"email": "a@example.com", "first_post": []}),
            json!({"first_post": {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}}),
        ),
    ];
    for (data, expected) in cases {
        assert_eq!(
            errors::<WriterWithPostSerializer>(&db, data.clone()).await,
            expected,
            "{data}"
        );
    }
    let data = json!({"email": "a@example.com", "first_post": {"title": "hello"}});
    let save = validated::<WriterWithPostSerializer>(&db, data, None, false).await;
    let writer = save.insert(&db).await.unwrap();
    let posts = post::Entity::find().all(&db).await.unwrap();
    assert_eq!(
        posts
            .iter()
            .map(|p| (p.writer_id, p.title.as_str()))
            .collect::<Vec<_>>(),
        vec![(writer.id, "hello")]
    );
    // `null` is allowed for an `Option` field: no post.
    let data = json!({"email": "b@example.com", "first_post": null});
    let save = validated::<WriterWithPostSerializer>(&db, data, None, false).await;
    save.insert(&db).await.unwrap();
    assert_eq!(post::Entity::find().count(&db).await.unwrap(), 1);
}

#[test]
fn schemas_reference_the_nested_serializer_s_component() {
    // drf-spectacular without COMPONENT_SPLIT_REQUEST: one component per serializer, used
    // by requests and responses alike.
    let mut registry = rest_framework::poem_openapi::registry::Registry::new();
    PostWithNotesSerializer::register_schemas(&mut registry);
    WriterWithPostSerializer::register_schemas(&mut registry);
    let schema = |name: &str| serde_json::to_value(&registry.schemas[name]).unwrap();
    for name in ["PostWithNotes", "PatchedPostWithNotes"] {
        assert_eq!(
            schema(name)["properties"]["notes"],
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Note"}}),
            "{name}"
        );
    }
    let required = schema("PostWithNotes")["required"].clone();
    for field in ["notes", "title"] {
        assert!(
            required
                .as_array()
                .is_some_and(|r| r.contains(&json!(field))),
            "{field} in {required}"
        );
    }
    assert!(schema("PatchedPostWithNotes").get("required").is_none());
    assert!(!registry.schemas.contains_key("NoteRequest"));
    assert!(!registry.schemas.contains_key("PostWithNotesRequest"));
    let writer = schema("WriterWithPost");
    assert_eq!(
        writer["properties"]["first_post"]["allOf"][0],
        json!({"$ref": "#/components/schemas/PostTitle"})
    );
    assert_eq!(writer["properties"]["first_post"]["nullable"], true);
}

/// Nested fields point at the child serializer's own description.
#[test]
fn nested_fields_describe_their_child() {
    use rest_framework::description::{Described, FieldKind};
    let notes = &<PostWithNotesSerializer as Described>::DESCRIPTION[2];
    let FieldKind::NestedMany(child) = notes.kind else {
        panic!("notes: {:?}", notes.kind);
    };
    let keys = |fields: &[rest_framework::description::FieldDescription]| {
        fields.iter().map(|f| f.key).collect::<Vec<_>>()
    };
    assert_eq!(
        keys(child()),
        keys(<NoteSerializer as Described>::DESCRIPTION)
    );
    assert!(!notes.read_only && !notes.allow_null);
    let first_post = &<WriterWithPostSerializer as Described>::DESCRIPTION[2];
    let FieldKind::NestedOne(child) = first_post.kind else {
        panic!("first_post: {:?}", first_post.kind);
    };
    assert_eq!(child()[1].options.max_length, Some(10));
    // An optional nested object may be null.
    assert!(first_post.allow_null && !first_post.required);
    let info = PostWithNotesSerializer::metadata();
    let child = info[2].1.child.as_ref().unwrap();
    assert_eq!(child.field_type, "nested object");
    assert_eq!(child.children.as_ref().unwrap()[1].1.max_length, Some(20));
}
