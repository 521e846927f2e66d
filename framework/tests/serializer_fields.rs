#![allow(missing_docs, clippy::unwrap_used)]
//! The field kinds beyond columns, each with DRF's accepted and rejected inputs and exact
//! error texts: `default`, `allow_null`, `validate_with` hooks, `unique_together`, slug /
//! string / method / dotted-source relations, writable single foreign keys, the plain
//! `Serializer`, and statement counts that do not grow with the page.

use rest_framework::exceptions::{ApiError, ValidationErrors};
use rest_framework::fields::Representation;
use rest_framework::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    Schema,
};
use rest_framework::serializers::{
    ActiveModelOf, ModelOf, ModelSerializer as _, Serializer as _, SerializerContext,
};
use rest_framework::{ModelSerializer, Serializer};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::{label, note, post, post_label, writer};

/// Every new relation kind, read-only.
#[derive(ModelSerializer)]
#[serializer(model = post::Entity, name = "PostSummary")]
pub struct PostSummarySerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(slug_field = "name", many, queryset = label::Entity, read_only)]
    pub labels: Vec<String>,
    #[field(string_related, many, queryset = label::Entity)]
    pub label_names: Vec<String>,
    #[field(string_related)]
    pub writer: String,
    #[field(source = "writer.email")]
    pub writer_email: String,
    #[field(method = shout)]
    pub shout: String,
}

fn shout(post: &post::Model, ctx: &SerializerContext<'_>) -> String {
    format!("{}! ({})", post.title.to_uppercase(), ctx.base_url)
}

/// Writable relations and the new column options.
#[derive(ModelSerializer)]
#[serializer(
    model = post::Entity,
    unique_together(title, writer),
    validate_with = title_differs_from_content
)]
pub struct PostWriteSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 20, validate_with = no_shouting)]
    pub title: String,
    #[field(default = "(empty)")]
    pub content: String,
    #[field(allow_null = false, required = false)]
    pub subtitle: Option<String>,
    #[field(pk_related)]
    pub writer: i64,
    #[field(slug_field = "name", many, queryset = label::Entity, required = false)]
    pub labels: Vec<String>,
}

fn no_shouting(title: String) -> Result<String, String> {
    if title.chars().any(char::is_lowercase) {
        Ok(title.trim_end_matches('!').to_string())
    } else {
        Err("Do not shout.".into())
    }
}

fn title_differs_from_content(
    post: &mut ActiveModelOf<PostWriteSerializer>,
    _instance: Option<&ModelOf<PostWriteSerializer>>,
) -> Result<(), String> {
    if post.title.try_as_ref() == post.content.try_as_ref() {
        return Err("Title and content must differ.".into());
    }
    Ok(())
}

/// A note whose post is written by the post writer's email (a writable forward slug), and a
/// nullable subtitle read through the post.
#[derive(ModelSerializer)]
#[serializer(model = note::Entity)]
pub struct NoteSerializer {
    #[field(read_only)]
    pub id: i64,
    pub body: String,
    #[field(slug_field = "title", source = "post")]
    pub post_title: String,
    #[field(source = "post.subtitle")]
    pub post_subtitle: Option<String>,
}

/// A plain serializer: a login body.
#[derive(Serializer)]
#[serializer(validate_with = login_differs)]
pub struct LoginSerializer {
    #[field(validate(email))]
    pub email: String,
    #[field(write_only, min_length = 3)]
    pub password: String,
    #[field(default = true)]
    pub remember: bool,
    #[field(allow_null)]
    pub next: Option<String>,
    pub attempts: Option<i64>,
}

fn login_differs(login: &LoginSerializer) -> Result<(), ValidationErrors> {
    if login.password == login.email {
        return Err(ValidationErrors::field(
            "password",
            "The password is too similar to the email address.",
        ));
    }
    Ok(())
}

async fn database() -> (DatabaseConnection, Arc<AtomicUsize>) {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let schema = Schema::new(db.get_database_backend());
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

/// Writers 1 and 2, labels `zeta` (1) and `alpha` (2), `posts` posts by writer 1 with both
/// labels and one note each.
async fn seed(db: &DatabaseConnection, posts: usize) {
    for email in ["w@example.com", "v@example.com"] {
        writer::ActiveModel {
            email: Set(email.into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    for name in ["zeta", "alpha"] {
        label::ActiveModel {
            name: Set(name.into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    for i in 0..posts {
        let post = post::ActiveModel {
            title: Set(format!("p{i}")),
            subtitle: Set((i % 2 == 0).then(|| format!("sub{i}"))),
            writer_id: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        for label_id in [1, 2] {
            post_label::ActiveModel {
                post_id: Set(post.id),
                label_id: Set(label_id),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }
        note::ActiveModel {
            post_id: Set(post.id),
            body: Set(format!("n{i}")),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
}

fn object(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().cloned().unwrap()
}

fn errors_of(err: ApiError) -> String {
    match err {
        ApiError::Validation(errors) => serde_json::to_string(&errors).unwrap(),
        other => panic!("not a validation error: {other:?}"),
    }
}

/// The response renderer's bytes ([`Representation::write_json`]) are serde's.
fn assert_same_json<T: Representation + serde::Serialize + ?Sized>(value: &T) {
    let mut written = Vec::new();
    value.write_json(&mut written).unwrap();
    assert_eq!(
        String::from_utf8(written).unwrap(),
        serde_json::to_string(value).unwrap()
    );
}

async fn post_errors(db: &DatabaseConnection, data: Value) -> String {
    let ctx = SerializerContext::new(db, "http://testserver");
    let result = PostWriteSerializer::validate(&object(data), None, false, &ctx).await;
    errors_of(result.err().expect("should be invalid"))
}

#[tokio::test]
async fn read_only_relations_render_slugs_strings_methods_and_dotted_sources() {
    let (db, _) = database().await;
    seed(&db, 1).await;
    let rows = post::Entity::find().all(&db).await.unwrap();
    let ctx = SerializerContext::new(&db, "http://testserver");
    let rendered = PostSummarySerializer::from_models(&rows, &ctx)
        .await
        .unwrap();
    assert_same_json(&rendered);
    assert_eq!(
        serde_json::to_string(&rendered[0]).unwrap(),
        r##"{"id":1,"labels":["alpha","zeta"],"label_names":["#alpha","#zeta"],"writer":"Writer <w@example.com>","writer_email":"w@example.com","shout":"P0! (http://testserver)"}"##
    );
    let notes = note::Entity::find().all(&db).await.unwrap();
    let rendered = NoteSerializer::from_models(&notes, &ctx).await.unwrap();
    assert_same_json(&rendered);
    assert_eq!(
        serde_json::to_string(&rendered).unwrap(),
        r#"[{"id":1,"body":"n0","post_title":"p0","post_subtitle":"sub0"}]"#
    );
}

#[tokio::test]
async fn new_relation_kinds_cost_the_same_statements_for_any_page() {
    let mut counts = Vec::new();
    for size in [1, 10, 100] {
        let (db, statements) = database().await;
        seed(&db, size).await;
        let rows = post::Entity::find().all(&db).await.unwrap();
        let notes = note::Entity::find().all(&db).await.unwrap();
        let ctx = SerializerContext::new(&db, "http://testserver");
        statements.store(0, Ordering::SeqCst);
        let posts = PostSummarySerializer::from_models(&rows, &ctx)
            .await
            .unwrap();
        let notes = NoteSerializer::from_models(&notes, &ctx).await.unwrap();
        assert_eq!((posts.len(), notes.len()), (size, size));
        counts.push(statements.load(Ordering::SeqCst));
    }
    assert_eq!(counts[0], counts[1], "1 vs 10 rows: {counts:?}");
    assert_eq!(counts[1], counts[2], "10 vs 100 rows: {counts:?}");
    // Posts: slugs, strings of labels, writer, writer's email; notes: post title, subtitle.
    assert_eq!(counts[0], 6, "{counts:?}");
}

#[tokio::test]
async fn writable_relations_defaults_and_hooks_save() {
    let (db, _) = database().await;
    seed(&db, 0).await;
    let ctx = SerializerContext::new(&db, "http://testserver");
    let data = json!({"title": "Hello!!", "writer": "2", "labels": ["alpha", "zeta", "alpha"]});
    let save = PostWriteSerializer::validate(&object(data), None, false, &ctx)
        .await
        .unwrap();
    let created = save.insert(&db).await.unwrap();
    // The field hook trimmed the title; `default` filled the content; the slugs became keys.
    assert_eq!(
        (created.title.as_str(), created.content.as_str()),
        ("Hello", "(empty)")
    );
    assert_eq!((created.writer_id, created.subtitle.clone()), (2, None));
    let rendered = PostWriteSerializer::from_model(&created, &ctx)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_string(&rendered).unwrap(),
        r#"{"id":1,"title":"Hello","content":"(empty)","subtitle":null,"writer":2,"labels":["alpha","zeta"]}"#
    );
    // A partial update keeps the content: defaults apply on create and full updates only.
    let patch = json!({"title": "Renamed", "labels": []});
    let save = PostWriteSerializer::validate(&object(patch), Some(&created), true, &ctx)
        .await
        .unwrap();
    let updated = save.update(&db).await.unwrap();
    let rendered = PostWriteSerializer::from_model(&updated, &ctx)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_string(&rendered).unwrap(),
        r#"{"id":1,"title":"Renamed","content":"(empty)","subtitle":null,"writer":2,"labels":[]}"#
    );
    // A forward slug writes the foreign key.
    let save = NoteSerializer::validate(
        &object(json!({"body": "hi", "post_title": "Renamed"})),
        None,
        false,
        &ctx,
    )
    .await
    .unwrap();
    let note = save.insert(&db).await.unwrap();
    assert_eq!(note.post_id, updated.id);
}

#[tokio::test]
async fn writable_primary_key_uses_drf_texts() {
    let (db, _) = database().await;
    seed(&db, 0).await;
    for (writer, expected) in [
        (
            json!(99),
            r#"{"writer":["Invalid pk \"99\" - object does not exist."]}"#,
        ),
        (
            json!("99"),
            r#"{"writer":["Invalid pk \"99\" - object does not exist."]}"#,
        ),
        (
            json!("abc"),
            r#"{"writer":["Incorrect type. Expected pk value, received str."]}"#,
        ),
        (
            json!([1]),
            r#"{"writer":["Incorrect type. Expected pk value, received list."]}"#,
        ),
        (json!(null), r#"{"writer":["This field may not be null."]}"#),
        (json!(""), r#"{"writer":["This field may not be null."]}"#),
    ] {
        let body = json!({"title": "Fine", "writer": writer});
        assert_eq!(post_errors(&db, body).await, expected, "writer = {writer}");
    }
    assert_eq!(
        post_errors(&db, json!({"title": "Fine"})).await,
        r#"{"writer":["This field is required."]}"#
    );
}

#[tokio::test]
async fn slug_fields_use_drf_texts() {
    let (db, _) = database().await;
    seed(&db, 0).await;
    for (labels, expected) in [
        (
            json!(["alpha", "nope"]),
            r#"{"labels":["Object with name=nope does not exist."]}"#,
        ),
        (
            json!([5]),
            r#"{"labels":["Object with name=5 does not exist."]}"#,
        ),
        (
            json!(["alpha", {"name": "zeta"}]),
            r#"{"labels":["Invalid value."]}"#,
        ),
        (
            json!("alpha"),
            r#"{"labels":["Expected a list of items but got type \"str\"."]}"#,
        ),
        (json!(null), r#"{"labels":["This field may not be null."]}"#),
    ] {
        let body = json!({"title": "Fine", "writer": 1, "labels": labels});
        assert_eq!(post_errors(&db, body).await, expected, "labels = {labels}");
    }
    let ctx = SerializerContext::new(&db, "http://testserver");
    let result = NoteSerializer::validate(
        &object(json!({"body": "x", "post_title": "missing"})),
        None,
        false,
        &ctx,
    )
    .await;
    assert_eq!(
        errors_of(result.err().unwrap()),
        r#"{"post_title":["Object with title=missing does not exist."]}"#
    );
}

#[tokio::test]
async fn column_options_use_drf_texts() {
    let (db, _) = database().await;
    seed(&db, 0).await;
    let cases = [
        (
            json!({"title": "Fine", "writer": 1, "subtitle": null}),
            r#"{"subtitle":["This field may not be null."]}"#,
        ),
        (
            json!({"title": "LOUD", "writer": 1}),
            r#"{"title":["Do not shout."]}"#,
        ),
        (
            json!({"title": 12, "writer": 1}),
            r#"{"title":["Do not shout."]}"#,
        ),
        (
            json!({"title": {"a": 1}, "content": [], "writer": 1}),
            r#"{"title":["Not a valid string."],"content":["Not a valid string."]}"#,
        ),
        (
            json!({"title": "Same", "content": "Same", "writer": 1}),
            r#"{"non_field_errors":["Title and content must differ."]}"#,
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(post_errors(&db, body.clone()).await, expected, "{body}");
    }
}

#[tokio::test]
async fn unique_together_is_checked_against_the_table() {
    let (db, _) = database().await;
    seed(&db, 0).await;
    let ctx = SerializerContext::new(&db, "http://testserver");
    let body = json!({"title": "Twice", "writer": 1});
    let save = PostWriteSerializer::validate(&object(body.clone()), None, false, &ctx)
        .await
        .unwrap();
    let first = save.insert(&db).await.unwrap();
    assert_eq!(
        post_errors(&db, body).await,
        r#"{"non_field_errors":["The fields title, writer must make a unique set."]}"#
    );
    // Another writer may use the title; the row itself may keep it on update.
    let other = json!({"title": "Twice", "writer": 2});
    assert!(
        PostWriteSerializer::validate(&object(other), None, false, &ctx)
            .await
            .is_ok()
    );
    let same = json!({"title": "Twice", "writer": 1});
    assert!(
        PostWriteSerializer::validate(&object(same), Some(&first), false, &ctx)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn type_errors_use_drf_texts() {
    #[derive(Serializer)]
    pub struct TypesSerializer {
        pub count: i64,
        pub flag: bool,
        pub at: rest_framework::sea_orm::prelude::DateTimeUtc,
        pub name: String,
    }
    let errors = TypesSerializer::from_data(
        &object(json!({"count": "x", "flag": "maybe", "at": "yesterday", "name": {}})),
        false,
    )
    .err()
    .unwrap();
    assert_eq!(
        serde_json::to_value(&errors).unwrap(),
        json!({
            "count": ["A valid integer is required."],
            "flag": ["Must be a valid boolean."],
            "at": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],
            "name": ["Not a valid string."],
        })
    );
    let ok = TypesSerializer::from_data(
        &object(json!({"count": "7", "flag": "yes", "at": "2026-01-02T03:04Z", "name": " n "})),
        false,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string(&ok).unwrap(),
        r#"{"count":7,"flag":true,"at":"2026-01-02T03:04:00Z","name":"n"}"#
    );
}

#[tokio::test]
async fn plain_serializer_validates_into_the_struct() {
    let login =
        LoginSerializer::from_request(&json!({"email": "a@example.com", "password": "secret"}))
            .unwrap();
    assert_eq!(
        (login.remember, login.next.clone(), login.attempts),
        (true, None, None)
    );
    // Write-only fields are not written out.
    assert_same_json(&login);
    assert_eq!(
        serde_json::to_string(&login).unwrap(),
        r#"{"email":"a@example.com","remember":true,"next":null,"attempts":null}"#
    );
    let cases = [
        (
            json!({}),
            r#"{"email":["This field is required."],"password":["This field is required."]}"#,
        ),
        (
            json!({"email": "nope", "password": "ab", "attempts": null, "next": null}),
            r#"{"email":["Enter a valid email address."],"password":["Ensure this field has at least 3 characters."],"attempts":["This field may not be null."]}"#,
        ),
        (
            json!({"email": "a@example.com", "password": "a@example.com"}),
            r#"{"password":["The password is too similar to the email address."]}"#,
        ),
        (
            json!("text"),
            r#"{"non_field_errors":["Invalid data. Expected a dictionary, but got str."]}"#,
        ),
        (
            json!([1]),
            r#"{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}"#,
        ),
    ];
    for (body, expected) in cases {
        let err = LoginSerializer::from_request(&body).err().unwrap();
        assert_eq!(err.status(), rest_framework::status::HTTP_400_BAD_REQUEST);
        assert_eq!(errors_of(err), expected, "{body}");
    }
}

#[test]
fn schemas_describe_the_new_field_kinds() {
    let mut registry = rest_framework::poem_openapi::registry::Registry::new();
    PostWriteSerializer::register_schemas(&mut registry);
    PostSummarySerializer::register_schemas(&mut registry);
    LoginSerializer::register_schemas(&mut registry);
    let schema = |name: &str| serde_json::to_value(&registry.schemas[name]).unwrap();

    let summary = schema("PostSummary");
    assert_eq!(summary["properties"]["labels"]["type"], "array");
    assert_eq!(summary["properties"]["labels"]["readOnly"], true);
    assert_eq!(summary["properties"]["writer"]["type"], "string");
    assert_eq!(summary["properties"]["shout"]["readOnly"], true);
    assert_eq!(summary["properties"]["writer_email"]["readOnly"], true);
    // One component per serializer (drf-spectacular without COMPONENT_SPLIT_REQUEST).
    assert!(!registry.schemas.contains_key("PostSummaryRequest"));

    let request = schema("PostWrite");
    assert_eq!(request["properties"]["content"]["default"], "(empty)");
    assert_eq!(request["properties"]["writer"]["type"], "integer");
    assert_eq!(request["properties"]["labels"]["items"]["type"], "string");
    assert!(request["properties"]["subtitle"].get("nullable").is_none());
    let required = request["required"].as_array().cloned().unwrap_or_default();
    for field in ["title", "writer"] {
        assert!(required.contains(&json!(field)), "{field}: {required:?}");
    }
    assert!(schema("PatchedPostWrite").get("required").is_none());

    let login = schema("Login");
    assert_eq!(login["properties"]["next"]["nullable"], true);
    assert_eq!(login["properties"]["remember"]["default"], true);
    assert_eq!(login["properties"]["password"]["writeOnly"], true);
    assert_eq!(login["required"], json!(["email", "password"]));
    assert!(!registry.schemas.contains_key("PatchedLogin"));
}

/// A plain serializer describes itself to OPTIONS as a ModelSerializer does, from the same
/// description as its validation and schema (write-only fields included, as DRF's
/// `SimpleMetadata`).
#[test]
fn plain_serializers_describe_themselves_to_options() {
    use rest_framework::description::{Described, FieldKind};
    let info = serde_json::to_value(rest_framework::metadata::Fields(
        &LoginSerializer::metadata(),
    ))
    .unwrap();
    assert_eq!(
        info,
        json!({
            "email": {"type": "email", "required": true, "read_only": false, "label": "Email"},
            "password": {"type": "string", "required": true, "read_only": false, "label": "Password", "min_length": 3},
            "remember": {"type": "boolean", "required": false, "read_only": false, "label": "Remember"},
            "next": {"type": "string", "required": false, "read_only": false, "label": "Next"},
            "attempts": {"type": "integer", "required": false, "read_only": false, "label": "Attempts"},
        })
    );
    let fields = <LoginSerializer as Described>::DESCRIPTION;
    let keys: Vec<_> = fields.iter().map(|f| f.key).collect();
    assert_eq!(
        keys,
        <LoginSerializer as rest_framework::serializers::Serializer>::FIELDS
    );
    assert!(fields[0].email && fields[1].write_only && fields[3].allow_null);
    assert_eq!(fields[1].options.min_length, Some(3));
    // `attempts: Option<i64>` is optional, and refuses null without `allow_null`.
    assert!(!fields[4].required && !fields[4].allow_null);
    assert!(matches!(
        fields[4].kind,
        FieldKind::Value {
            type_name: "integer"
        }
    ));
}

/// A ModelSerializer's description: options, flags and kinds.
#[test]
fn model_serializers_describe_each_field_once() {
    use rest_framework::description::{Described, FieldKind};
    let fields = <PostWriteSerializer as Described>::DESCRIPTION;
    let keys: Vec<_> = fields.iter().map(|f| f.key).collect();
    assert_eq!(
        keys,
        <PostWriteSerializer as rest_framework::serializers::ModelSerializer>::FIELDS
    );
    assert_eq!(fields[1].options.max_length, Some(20));
    assert!(fields[0].read_only && !fields[0].required);
    // `allow_null = false` on an `Option` column.
    assert!(!fields[3].allow_null && !fields[3].required);
    assert!(fields[2].default.is_some());
    assert!(matches!(fields[4].kind, FieldKind::Relation));
    let summary = <PostSummarySerializer as Described>::DESCRIPTION;
    assert!(summary.iter().skip(1).all(|f| f.read_only));
    assert!(matches!(summary[5].kind, FieldKind::Relation));
}

/// `read_fields` reads every field and keeps going: the valid ones hold their values, the
/// others their defaults, and the errors are those `from_data` would give (no object hook).
#[test]
fn read_fields_gives_the_valid_fields_and_every_error() {
    let (login, errors) = LoginSerializer::read_fields(
        &object(json!({"email": true, "password": "secret", "attempts": "x"})),
        false,
    );
    assert_eq!(login.password, "secret");
    assert!(login.email.is_empty() && login.remember && login.attempts.is_none());
    assert_eq!(
        serde_json::to_value(&errors).unwrap(),
        json!({
            "email": ["Enter a valid email address."],
            "attempts": ["A valid integer is required."],
        })
    );
    // The object-level hook runs in `from_data` only.
    let same = object(json!({"email": "a@example.com", "password": "a@example.com"}));
    let (_, errors) = LoginSerializer::read_fields(&same, false);
    assert!(errors.is_empty());
    assert!(LoginSerializer::from_data(&same, false).is_err());
}
