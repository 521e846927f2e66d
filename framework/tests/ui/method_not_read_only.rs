use rest_framework::ModelSerializer;
use rest_framework::serializers::SerializerContext;

#[path = "support/post.rs"]
mod post;

fn shout(post: &post::Model, _ctx: &SerializerContext<'_>) -> String {
    post.title.to_uppercase()
}

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(method = shout, write_only)]
    pub shout: String,
}

fn main() {}
