use rest_framework::ModelSerializer;

#[path = "support/post.rs"]
mod post;

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(hyperlinked_identity)]
    pub url: String,
    pub title: String,
}

fn main() {}
