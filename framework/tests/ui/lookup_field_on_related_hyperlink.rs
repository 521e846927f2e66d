use rest_framework::ModelSerializer;

#[path = "support/blog.rs"]
mod blog;
use blog::post;

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(hyperlinked, view_name = "author-detail", lookup_field = "name")]
    pub author: String,
}

fn main() {}
