//! Two related entities for compile-fail cases about relations: `author` and `post`
//! (`post.author_id` -> `author.id`).

pub mod author {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "author")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        #[sea_orm(has_many)]
        pub posts: HasMany<super::post::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl rest_framework::models::ModelMeta for Entity {
        const NAME: &'static str = "Author";
    }
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
        pub author_id: i64,
        #[sea_orm(belongs_to, from = "author_id", to = "id")]
        pub author: BelongsTo<super::author::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl rest_framework::models::ModelMeta for Entity {
        const NAME: &'static str = "Post";
    }
}
