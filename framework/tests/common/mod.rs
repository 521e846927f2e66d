//! Entities shared by the framework's integration tests: writers, posts with labels
//! (many-to-many through `post_label`) and notes (a reverse foreign key).

use rest_framework::models::ModelMeta;
use rest_framework::sea_orm::Order;

pub mod writer {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "writer")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub email: String,
        #[sea_orm(has_many)]
        pub posts: HasMany<super::post::Entity>,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod label {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "label")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        #[sea_orm(has_many, via = "post_label")]
        pub posts: HasMany<super::post::Entity>,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod post {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "post")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub title: String,
        #[sea_orm(default_value = "")]
        pub content: String,
        pub subtitle: Option<String>,
        pub writer_id: i64,
        #[sea_orm(belongs_to, from = "writer_id", to = "id")]
        pub writer: BelongsTo<super::writer::Entity>,
        #[sea_orm(has_many)]
        pub notes: HasMany<super::note::Entity>,
        #[sea_orm(has_many, via = "post_label")]
        pub labels: HasMany<super::label::Entity>,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod post_label {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "post_label")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub post_id: i64,
        pub label_id: i64,
        #[sea_orm(belongs_to, from = "post_id", to = "id")]
        pub post: BelongsTo<super::post::Entity>,
        #[sea_orm(belongs_to, from = "label_id", to = "id")]
        pub label: BelongsTo<super::label::Entity>,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod note {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "note")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub post_id: i64,
        pub body: String,
        #[sea_orm(belongs_to, from = "post_id", to = "id")]
        pub post: BelongsTo<super::post::Entity>,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

impl std::fmt::Display for writer::Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Writer <{}>", self.email)
    }
}
impl std::fmt::Display for label::Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.name)
    }
}

impl ModelMeta for writer::Entity {
    const NAME: &'static str = "Writer";
}
impl ModelMeta for label::Entity {
    const NAME: &'static str = "Label";
    fn ordering() -> Vec<(label::Column, Order)> {
        vec![(label::Column::Name, Order::Asc)]
    }
}
impl ModelMeta for post::Entity {
    const NAME: &'static str = "Post";
    /// Newest first, as the blog's articles.
    fn ordering() -> Vec<(post::Column, Order)> {
        vec![(post::Column::Id, Order::Desc)]
    }
}
impl ModelMeta for note::Entity {
    const NAME: &'static str = "Note";
    fn ordering() -> Vec<(note::Column, Order)> {
        vec![(note::Column::Id, Order::Asc)]
    }
}

/// Creates the tables of every entity here with sea-orm's schema builder (any backend).
#[allow(dead_code)] // not every test crate uses it
pub async fn create_tables(db: &rest_framework::sea_orm::DatabaseConnection) {
    use rest_framework::sea_orm::{ConnectionTrait, Schema};
    let schema = Schema::new(db.get_database_backend());
    for stmt in [
        schema.create_table_from_entity(writer::Entity),
        schema.create_table_from_entity(label::Entity),
        schema.create_table_from_entity(post::Entity),
        schema.create_table_from_entity(post_label::Entity),
        schema.create_table_from_entity(note::Entity),
    ] {
        db.execute(&stmt)
            .await
            .expect("the test tables can be created");
    }
}
