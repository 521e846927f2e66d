use rest_framework::ModelSerializer;

#[path = "support/post.rs"]
mod post;

#[derive(ModelSerializer)]
#[serializer(model = post::Entity)]
pub struct PostSerializer {
    #[field(read_only)]
    pub id: i64,
    pub title: String,
}

pub struct PostViewSet;

#[rest_framework::viewset(serializer = PostSerializer, lookup_field = "slug")]
impl rest_framework::viewsets::ModelViewSet for PostViewSet {}

fn main() {}
