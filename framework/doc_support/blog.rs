// The entities the rustdoc examples use: a small blog (users, articles, tags through a join
// table, comments). Examples include this file with
// `include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc_support/blog.rs"));` at their top level.

pub mod user {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "accounts_user")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub password: String,
        pub last_login: Option<DateTimeUtc>,
        pub is_superuser: bool,
        #[sea_orm(unique)]
        pub email: String,
        pub first_name: String,
        pub last_name: String,
        pub is_staff: bool,
        pub is_active: bool,
        pub date_joined: DateTimeUtc,
        #[sea_orm(has_many)]
        pub articles: HasMany<super::article::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl rest_framework::models::ModelMeta for Entity {
        const NAME: &'static str = "User";
    }

    #[cfg(feature = "auth")]
    impl rest_framework::contrib::auth::AuthUser for Entity {
        const USERNAME_FIELD: &'static str = "email";

        fn username_column() -> Column {
            Column::Email
        }

        fn password_hash(user: &Model) -> &str {
            &user.password
        }

        fn request_user(user: &Model) -> rest_framework::contrib::auth::RequestUser {
            rest_framework::contrib::auth::RequestUser {
                id: user.id,
                username: user.email.clone(),
                is_active: user.is_active,
                is_staff: user.is_staff,
                is_superuser: user.is_superuser,
            }
        }
    }
}

pub mod article {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "blog_article")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub title: String,
        pub content: String,
        pub user_id: i64,
        pub created_at: DateTimeUtc,
        #[sea_orm(belongs_to, from = "user_id", to = "id")]
        pub user: BelongsTo<super::user::Entity>,
        #[sea_orm(has_many, via = "article_tag")]
        pub tags: HasMany<super::tag::Entity>,
        #[sea_orm(has_many)]
        pub comment_set: HasMany<super::comment::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl rest_framework::models::ModelMeta for Entity {
        const NAME: &'static str = "Article";
        fn ordering() -> Vec<(Column, rest_framework::sea_orm::Order)> {
            vec![(Column::CreatedAt, rest_framework::sea_orm::Order::Desc)]
        }
    }
}

pub mod tag {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "blog_tag")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub name: String,
        #[sea_orm(has_many, via = "article_tag")]
        pub article_set: HasMany<super::article::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl rest_framework::models::ModelMeta for Entity {
        const NAME: &'static str = "Tag";
    }
}

pub mod article_tag {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "blog_article_tags")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub article_id: i64,
        pub tag_id: i64,
        #[sea_orm(belongs_to, from = "article_id", to = "id")]
        pub article: BelongsTo<super::article::Entity>,
        #[sea_orm(belongs_to, from = "tag_id", to = "id")]
        pub tag: BelongsTo<super::tag::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod comment {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "blog_comment")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub article_id: i64,
        pub content: String,
        #[sea_orm(belongs_to, from = "article_id", to = "id")]
        pub article: BelongsTo<super::article::Entity>,
    }

    impl ActiveModelBehavior for ActiveModel {}

    impl rest_framework::models::ModelMeta for Entity {
        const NAME: &'static str = "Comment";
    }
}
