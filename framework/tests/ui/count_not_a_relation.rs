use rest_framework::ModelSerializer;

#[path = "support/blog.rs"]
mod blog;
use blog::post;

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(count = post::Entity)]
    pub post_count: i64,
}

fn main() {}
