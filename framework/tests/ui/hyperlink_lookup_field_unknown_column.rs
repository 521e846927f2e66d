use rest_framework::HyperlinkedModelSerializer;

#[path = "support/post.rs"]
mod post;

#[derive(HyperlinkedModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(hyperlinked_identity, view_name = "post-detail", lookup_field = "slug")]
    pub url: String,
    pub title: String,
}

fn main() {}
