use rest_framework::HyperlinkedModelSerializer;

#[path = "support/post.rs"]
mod post;

#[derive(HyperlinkedModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    pub title: String,
}

fn main() {}
