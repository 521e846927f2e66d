#![allow(missing_docs, clippy::unwrap_used)]
//! DRF's `DateField`, `TimeField`, naive `DateTimeField`, `UUIDField` and the narrower number
//! fields on a model: read from request data with DRF's texts, saved, read back from the
//! database (SQLite, or PostgreSQL with `TEST_PG_URL`) and written as DRF writes them;
//! described to OPTIONS and the OpenAPI schema with DRF's and drf-spectacular's names.

use rest_framework::ModelSerializer;
use rest_framework::exceptions::ApiError;
use rest_framework::sea_orm::{ConnectionTrait, Database, DatabaseConnection, Schema};
use rest_framework::serializers::{ModelSerializer as _, SerializerContext};
use serde_json::{Value, json};

mod event {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_event")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub day: Date,
        pub starts: Time,
        pub logged: DateTime,
        pub token: Uuid,
        pub ratio: f32,
        pub seats: i16,
        pub ends: Option<Time>,
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl rest_framework::models::ModelMeta for Entity {
        const NAME: &'static str = "Event";
    }
}

#[derive(ModelSerializer)]
#[serializer(model = event::Entity)]
pub struct EventSerializer {
    #[field(read_only)]
    pub id: i64,
    pub day: chrono::NaiveDate,
    pub starts: chrono::NaiveTime,
    pub logged: chrono::NaiveDateTime,
    pub token: uuid::Uuid,
    #[field(min_value = 0, max_value = 1)]
    pub ratio: f32,
    #[field(min_value = 1)]
    pub seats: i16,
    pub ends: Option<chrono::NaiveTime>,
}

async fn database() -> DatabaseConnection {
    let url = rest_framework::test::db::fresh_database_url("sqlite::memory:")
        .await
        .unwrap();
    let db = Database::connect(url).await.unwrap();
    let schema = Schema::new(db.get_database_backend());
    db.execute(&schema.create_table_from_entity(event::Entity))
        .await
        .unwrap();
    db
}

fn object(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().cloned().unwrap()
}

#[tokio::test]
async fn dates_times_and_uuids_round_trip_through_the_database() {
    let db = database().await;
    let ctx = SerializerContext::new(&db, "http://testserver");
    let data = json!({
        "day": "2001-1-2",
        "starts": "13:05",
        "logged": "2001-01-02T13:05:06.25+02:00",
        "token": "{825D7AEB-05A9-45B5-A5B7-05DF87923CDA}",
        "ratio": "0.5",
        "seats": 3,
        "ends": null,
    });
    let save = EventSerializer::validate(&object(data), None, false, &ctx)
        .await
        .unwrap();
    let created = save.insert(&db).await.unwrap();
    let rendered = EventSerializer::from_model(&created, &ctx).await.unwrap();
    let expected = json!({
        "id": 1,
        "day": "2001-01-02",
        "starts": "13:05:00",
        // USE_TZ = False: an aware input is converted to UTC and made naive.
        "logged": "2001-01-02T11:05:06.250000",
        "token": "825d7aeb-05a9-45b5-a5b7-05df87923cda",
        "ratio": 0.5,
        "seats": 3,
        "ends": null,
    });
    assert_eq!(serde_json::to_value(&rendered).unwrap(), expected);
    // Read back from the database, the same.
    let listed = EventSerializer::from_models(
        &<event::Entity as rest_framework::sea_orm::EntityTrait>::find()
            .all(&db)
            .await
            .unwrap(),
        &ctx,
    )
    .await
    .unwrap();
    assert_eq!(serde_json::to_value(&listed).unwrap(), json!([expected]));
}

#[tokio::test]
async fn invalid_values_get_drf_texts() {
    let db = database().await;
    let ctx = SerializerContext::new(&db, "http://testserver");
    let data = json!({
        "day": "2001-99-99",
        "starts": "25:00",
        "logged": "yesterday",
        "token": "825d7aeb-05a9",
        "ratio": 2,
        "seats": 0,
        "ends": 12,
    });
    let err = EventSerializer::validate(&object(data), None, false, &ctx)
        .await
        .err()
        .unwrap();
    let ApiError::Validation(errors) = err else {
        panic!("not a validation error: {err:?}");
    };
    assert_eq!(
        serde_json::to_value(&errors).unwrap(),
        json!({
            "day": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
            "starts": ["Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]]."],
            "logged": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],
            "token": ["Must be a valid UUID."],
            "ratio": ["Ensure this value is less than or equal to 1."],
            "seats": ["Ensure this value is greater than or equal to 1."],
            "ends": ["Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]]."],
        })
    );
}

#[test]
fn options_and_the_schema_name_the_types() {
    let info = serde_json::to_value(rest_framework::metadata::Fields(
        &EventSerializer::metadata(),
    ))
    .unwrap();
    let types: Vec<(&str, &str)> = ["day", "starts", "logged", "token", "ratio", "seats", "ends"]
        .into_iter()
        .map(|key| (key, info[key]["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("day", "date"),
            ("starts", "time"),
            ("logged", "datetime"),
            ("token", "string"),
            ("ratio", "float"),
            ("seats", "integer"),
            ("ends", "time"),
        ]
    );
    let mut registry = rest_framework::poem_openapi::registry::Registry::new();
    EventSerializer::register_schemas(&mut registry);
    let schema = serde_json::to_value(&registry.schemas["Event"]).unwrap();
    assert_eq!(schema["properties"]["token"]["format"], "uuid");
    assert_eq!(schema["properties"]["day"]["type"], "string");
}
