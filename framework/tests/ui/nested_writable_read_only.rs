use rest_framework::ModelSerializer;

#[path = "support/post.rs"]
mod post;

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(nested, many, writable, read_only)]
    pub notes: Vec<PostSerializer>,
}

fn main() {}
