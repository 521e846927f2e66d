//! The entity every compile-fail case uses: `post` with `id`, `title`, `user_id`.

use rest_framework::sea_orm;
use rest_framework::sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub user_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}

impl rest_framework::models::ModelMeta for Entity {
    const NAME: &'static str = "Post";
}
