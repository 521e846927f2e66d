use rest_framework::ModelSerializer;

#[path = "support/post.rs"]
mod post;

#[derive(ModelSerializer)]
#[serializer(model = post::Entity, unique_together(title, user))]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    pub title: String,
}

fn main() {}
