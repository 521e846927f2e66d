use rest_framework::ModelSerializer;

#[path = "support/post.rs"]
mod post;

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(writable)]
    pub title: String,
}

fn main() {}
