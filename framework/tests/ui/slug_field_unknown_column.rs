use rest_framework::ModelSerializer;

#[path = "support/blog.rs"]
mod blog;
use blog::{author, post};

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(slug_field = "nmae", read_only)]
    pub author: String,
}

fn main() {}
