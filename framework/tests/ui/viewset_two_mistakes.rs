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

// Two mistakes, two errors in one compile: a misspelt option, and an action without `detail`.
#[rest_framework::viewset(serializer = PostSerializer, paginaton = None)]
impl rest_framework::viewsets::ModelViewSet for PostViewSet {
    #[action(methods = [get])]
    async fn recent(
        &self,
        _ctx: &rest_framework::request::RequestContext,
    ) -> rest_framework::exceptions::ApiResult<rest_framework::response::Response> {
        Ok(rest_framework::response::Response::no_content())
    }
}

fn main() {}
