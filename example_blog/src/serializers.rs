//! The blog's serializers, field for field those of the DRF reference
//! (`reference/drf_blog/blog/serializers.py`).

use crate::entities::{article, comment, tag, user};
use rest_framework::sea_orm::prelude::DateTimeUtc;
use rest_framework::{HyperlinkedModelSerializer, ModelSerializer};

/// A user nested in an article: `{"id", "email"}`.
#[derive(ModelSerializer)]
#[serializer(model = user::Entity, name = "Author")]
pub struct AuthorSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 254, validate(email), label = "Email address")]
    pub email: String,
}

/// A comment; `article` and `user` are set by the view, never from the body.
#[derive(ModelSerializer)]
#[serializer(model = comment::Entity)]
pub struct CommentSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(read_only, pk_related)]
    pub article: i64,
    #[field(read_only, pk_related)]
    pub user: i64,
    #[field(max_length = 500)]
    pub content: String,
    #[field(read_only)]
    pub created_at: DateTimeUtc,
    #[field(read_only)]
    pub updated_at: DateTimeUtc,
}

/// The compact representation of the list action.
#[derive(ModelSerializer)]
#[serializer(description = "Compact representation used by the list action.")]
#[serializer(model = article::Entity)]
pub struct ArticleListSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 100)]
    pub title: String,
    #[field(read_only, pk_related)]
    pub user: i64,
    #[field(pk_related, many, queryset = tag::Entity, required = false)]
    pub tags: Vec<i64>,
    #[field(count = comment::Entity)]
    pub comment_count: i64,
    #[field(read_only)]
    pub created_at: DateTimeUtc,
}

/// The full representation of every other action.
#[derive(ModelSerializer)]
#[serializer(description = "Full representation used by every action except list.")]
#[serializer(model = article::Entity)]
pub struct ArticleSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 100)]
    pub title: String,
    pub content: String,
    #[field(read_only, pk_related)]
    pub user: i64,
    #[field(nested, source = "user")]
    pub author: AuthorSerializer,
    #[field(pk_related, many, queryset = tag::Entity, required = false)]
    pub tags: Vec<i64>,
    #[field(nested, many)]
    pub comment_set: Vec<CommentSerializer>,
    #[field(count = comment::Entity)]
    pub comment_count: i64,
    #[field(read_only)]
    pub created_at: DateTimeUtc,
    #[field(read_only)]
    pub updated_at: DateTimeUtc,
}

/// A tag: `{"id", "name"}`; names are unique.
#[derive(ModelSerializer)]
#[serializer(model = tag::Entity)]
pub struct TagSerializer {
    #[field(read_only)]
    pub id: i64,
    #[field(max_length = 50, unique)]
    pub name: String,
}

/// A user, hyperlinked (DRF's `HyperlinkedModelSerializer`): `url` instead of `id`, and the
/// user's articles as links, newest first.
#[derive(HyperlinkedModelSerializer)]
#[serializer(model = user::Entity)]
pub struct UserSerializer {
    #[field(hyperlinked_identity, view_name = "user-detail")]
    pub url: String,
    #[field(max_length = 254, validate(email), label = "Email address")]
    pub email: String,
    #[field(max_length = 150, required = false, allow_blank = true)]
    pub first_name: String,
    #[field(max_length = 150, required = false, allow_blank = true)]
    pub last_name: String,
    #[field(hyperlinked, many, queryset = article::Entity, view_name = "article-detail")]
    pub articles: Vec<String>,
}
