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

// `pagination` takes a paginator (a type implementing `Pagination`, an expression building
// one, or `None`); a page size is not one.
#[rest_framework::viewset(serializer = PostSerializer, pagination = 25)]
impl rest_framework::viewsets::ModelViewSet for PostViewSet {}

fn main() {}
