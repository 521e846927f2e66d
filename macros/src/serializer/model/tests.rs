//! The checked model, built from `syn::parse_quote!` inputs: the kinds and options each
//! field gets, and the errors each rule reports (all of them, in one run).

use super::{Derive, Field, Kind, RelatedValue, Serializer};
use crate::serializer::attrs::SerializerAttrs;
use darling::FromDeriveInput;
use quote::ToTokens;

fn check(input: syn::DeriveInput, derive: Derive) -> darling::Result<Serializer> {
    Serializer::check(SerializerAttrs::from_derive_input(&input)?, derive)
}

/// The checked serializer; panics with the messages if it has errors.
fn checked(input: syn::DeriveInput, derive: Derive) -> Serializer {
    check(input, derive).unwrap_or_else(|error| panic!("unexpected errors: {:?}", messages(error)))
}

/// Every error message, in order; panics if the input checks.
fn errors(input: syn::DeriveInput, derive: Derive) -> Vec<String> {
    match check(input, derive) {
        Ok(_) => panic!("expected errors"),
        Err(error) => messages(error),
    }
}

fn messages(error: darling::Error) -> Vec<String> {
    error.flatten().into_iter().map(|e| e.to_string()).collect()
}

fn field<'a>(serializer: &'a Serializer, name: &str) -> &'a Field {
    serializer
        .fields
        .iter()
        .find(|f| f.key() == name)
        .unwrap_or_else(|| panic!("no field `{name}`"))
}

fn text(tokens: &impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}

const CONFLICT: &str = "cannot be combined: choose one relation kind";

#[test]
fn columns_and_foreign_keys() {
    let s = checked(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct PostSerializer {
                #[field(read_only)] pub id: i64,
                #[field(source = "heading", max_length = 10, unique)] pub title: String,
                #[field(pk_related)] pub user: i64,
                #[field(pk_related, read_only, source = "owner")] pub owner_pk: i64,
                #[field(pk_related, queryset = people::person::Entity)] pub writer: i64,
                #[field(pk_related, many, queryset = tag::Entity)] pub tags: Vec<i64>,
                pub r#type: Option<String>,
            }
        },
        Derive::Model,
    );
    assert_eq!(s.name, "Post");
    let title = field(&s, "title");
    assert!(matches!(&title.kind, Kind::Column { column } if column == "heading"));
    assert_eq!(title.max_length, Some(10));
    assert_eq!(
        text(title.unique.as_ref().unwrap()),
        "post::Column::Heading"
    );
    assert!(title.required && title.writable());
    assert!(matches!(
        &field(&s, "user").kind,
        Kind::ForeignKeyPk { column, related: Some(related) }
            if column == "user_id" && text(related) == "user::Entity"
    ));
    // Read-only keys are only shown: no related entity is needed.
    assert!(matches!(
        &field(&s, "owner_pk").kind,
        Kind::ForeignKeyPk { column, related: None } if column == "owner_id"
    ));
    assert!(matches!(
        &field(&s, "writer").kind,
        Kind::ForeignKeyPk { related: Some(related), .. }
            if text(related) == "people::person::Entity"
    ));
    assert!(matches!(
        &field(&s, "tags").kind,
        Kind::PkMany { related } if text(related) == "tag::Entity"
    ));
    // A raw identifier is a column like any other (this used to panic).
    let ty = field(&s, "type");
    assert!(matches!(&ty.kind, Kind::Column { column } if column == "r#type"));
    assert!(ty.allow_null && !ty.required);
}

#[test]
fn nested_serializers() {
    let s = checked(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct PostSerializer {
                #[field(nested, source = "user")] pub author: AuthorSerializer,
                #[field(nested)] pub editor: Option<AuthorSerializer>,
                #[field(nested, many)] pub comment_set: Vec<CommentSerializer>,
                #[field(nested, many, writable, allow_empty = false)] pub notes: Vec<NoteSerializer>,
            }
        },
        Derive::Model,
    );
    let author = field(&s, "author");
    assert!(author.read_only);
    assert!(matches!(
        &author.kind,
        Kind::Nested { serializer, many: false, optional: false, writable: false, allow_empty: true }
            if text(serializer) == "AuthorSerializer"
    ));
    assert!(matches!(
        &field(&s, "editor").kind,
        Kind::Nested {
            optional: true,
            many: false,
            ..
        }
    ));
    assert!(matches!(
        &field(&s, "comment_set").kind,
        Kind::Nested { serializer, many: true, .. } if text(serializer) == "CommentSerializer"
    ));
    let notes = field(&s, "notes");
    assert!(notes.writable());
    assert!(matches!(
        &notes.kind,
        Kind::Nested {
            many: true,
            writable: true,
            allow_empty: false,
            ..
        }
    ));
}

#[test]
fn related_values_and_read_only_kinds() {
    let s = checked(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct PostSerializer {
                #[field(slug_field = "title", source = "post")] pub post_title: String,
                #[field(slug_field = "name", many, queryset = label::Entity, required = false)]
                pub labels: Vec<String>,
                #[field(string_related)] pub user: String,
                #[field(string_related, many, queryset = tag::Entity)] pub tags: Vec<String>,
                #[field(source = "writer.email")] pub email: String,
                #[field(count = comment::Entity)] pub comment_count: i64,
                #[field(method = shout)] pub shout: String,
            }
        },
        Derive::Model,
    );
    let slug = field(&s, "post_title");
    // A slug is looked up on input: writable unless `read_only`.
    assert!(slug.writable());
    assert!(matches!(
        &slug.kind,
        Kind::ForwardRelated { related, fk_column, value: RelatedValue::Slug { attr, column, name } }
            if text(related) == "post::Entity" && fk_column == "post_id" && attr == "title"
                && text(column) == "post::Column::Title" && name == "title"
    ));
    assert!(matches!(
        &field(&s, "labels").kind,
        Kind::ManyRelated { related, value: RelatedValue::Slug { column, .. } }
            if text(related) == "label::Entity" && text(column) == "label::Column::Name"
    ));
    assert!(matches!(
        &field(&s, "user").kind,
        Kind::ForwardRelated { fk_column, value: RelatedValue::Display, .. } if fk_column == "user_id"
    ));
    assert!(matches!(
        &field(&s, "tags").kind,
        Kind::ManyRelated {
            value: RelatedValue::Display,
            ..
        }
    ));
    assert!(matches!(
        &field(&s, "email").kind,
        Kind::ForwardRelated { related, fk_column, value: RelatedValue::Attr(attr) }
            if text(related) == "writer::Entity" && fk_column == "writer_id" && attr == "email"
    ));
    assert!(
        matches!(&field(&s, "comment_count").kind, Kind::Count { related } if text(related) == "comment::Entity")
    );
    assert!(matches!(&field(&s, "shout").kind, Kind::Method { path } if text(path) == "shout"));
    for name in ["user", "tags", "email", "comment_count", "shout"] {
        assert!(field(&s, name).read_only, "`{name}` is read-only");
    }
}

#[test]
fn hyperlinks() {
    let s = checked(
        syn::parse_quote! {
            #[serializer(model = user::Entity)]
            pub struct UserSerializer {
                #[field(hyperlinked_identity, view_name = "user-detail", lookup_field = "username")]
                pub url: String,
                #[field(hyperlinked, view_name = "team-detail")] pub team: String,
                #[field(hyperlinked, many, queryset = article::Entity, view_name = "article-detail")]
                pub articles: Vec<String>,
            }
        },
        Derive::Hyperlinked,
    );
    assert!(matches!(
        &field(&s, "url").kind,
        Kind::HyperlinkIdentity { view_name, lookup_field: Some(lookup) }
            if view_name == "user-detail" && lookup == "username"
    ));
    assert!(matches!(
        &field(&s, "team").kind,
        Kind::HyperlinkForeignKey { column, view_name } if column == "team_id" && view_name == "team-detail"
    ));
    assert!(matches!(
        &field(&s, "articles").kind,
        Kind::HyperlinkMany { related, .. } if text(related) == "article::Entity"
    ));
    assert!(s.fields.iter().all(|f| f.read_only));
}

#[test]
fn required_null_and_default() {
    let input = |derive: &str| -> syn::DeriveInput {
        let model = (derive == "model").then(|| quote::quote!(#[serializer(model = post::Entity)]));
        syn::parse_quote! {
            #model
            pub struct S {
                pub title: String,
                pub subtitle: Option<String>,
                #[field(allow_null)] pub note: Option<String>,
                #[field(allow_null = false, required = false)] pub strict: Option<String>,
                #[field(default = "untitled")] pub heading: String,
            }
        }
    };
    let s = checked(input("model"), Derive::Model);
    assert!(field(&s, "title").required);
    let subtitle = field(&s, "subtitle");
    // A nullable column accepts null without asking.
    assert!(!subtitle.required && subtitle.allow_null);
    assert!(field(&s, "note").allow_null);
    assert!(!field(&s, "strict").allow_null);
    let heading = field(&s, "heading");
    assert!(!heading.required && heading.default.is_some());
    let plain = checked(input("plain"), Derive::Plain);
    // A plain serializer accepts null only when asked.
    assert!(!field(&plain, "subtitle").allow_null);
    assert!(field(&plain, "note").allow_null);
}

#[test]
fn two_kinds_name_both_in_written_order() {
    let errors = |attrs: proc_macro2::TokenStream| {
        errors(
            syn::parse_quote! {
                #[serializer(model = post::Entity)]
                pub struct S { #[field(#attrs)] pub author: AuthorSerializer }
            },
            Derive::Model,
        )
    };
    assert_eq!(
        errors(quote::quote!(pk_related, nested)),
        [format!("`pk_related` and `nested` {CONFLICT}")]
    );
    assert_eq!(
        errors(quote::quote!(nested, pk_related)),
        [format!("`nested` and `pk_related` {CONFLICT}")]
    );
    assert_eq!(
        errors(quote::quote!(string_related, source = "user.email")),
        [format!("`string_related` and a dotted `source` {CONFLICT}")]
    );
    // `= false` is no option.
    assert!(
        check(
            syn::parse_quote! {
                #[serializer(model = post::Entity)]
                pub struct S { #[field(pk_related = false, nested)] pub author: AuthorSerializer }
            },
            Derive::Model,
        )
        .is_ok()
    );
}

#[test]
fn each_extra_kind_is_an_error() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(count = comment::Entity, method = m, hyperlinked, view_name = "x")]
                pub n: i64,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        [
            format!("`count` and `method` {CONFLICT}"),
            format!("`count` and `hyperlinked` {CONFLICT}"),
        ]
    );
}

#[test]
fn three_mistakes_of_one_field_give_three_errors() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(read_only, write_only, allow_null, writable)] pub title: String,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        [
            "a field cannot be both `read_only` and `write_only`",
            "`writable` applies to `nested` fields: `#[field(nested, many, writable)]`",
            "`allow_null` needs an `Option<T>` field: null is read as `None`",
        ]
    );
}

#[test]
fn every_bad_field_is_reported() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(read_only)] pub id: i64,
                #[field(allow_null)] pub title: String,
                #[field(pk_related, many)] pub tags: Vec<i64>,
                #[field(default = 1, required = true)] pub rank: i64,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        [
            "`allow_null` needs an `Option<T>` field: null is read as `None`",
            "`pk_related, many` needs the related entity: `queryset = tag::Entity`",
            "a field with a `default` is not required; remove `required`",
        ]
    );
}

#[test]
fn read_only_kinds_refuse_writes() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(method = shout, write_only)] pub shout: String,
                #[field(count = comment::Entity, write_only)] pub comments: i64,
                #[field(string_related, read_only = false)] pub user: String,
                #[field(source = "user.email", write_only)] pub email: String,
                #[field(hyperlinked, view_name = "user-detail", write_only)] pub owner: String,
                #[field(nested, read_only = false)] pub author: AuthorSerializer,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        [
            "a `method` field is computed on output and read-only; remove `write_only` / `read_only = false`",
            "a `count` field is read-only; remove `write_only`",
            "a `string_related` field is read-only; remove `write_only` / `read_only = false`",
            "a dotted `source` is read-only; remove `write_only` / `read_only = false`",
            "hyperlinked fields are read-only; remove `write_only`",
            "nested serializers are read-only unless `writable` (a reverse foreign key)",
        ]
    );
}

#[test]
fn writable_nested_rules() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(nested, many, writable, read_only, validate(email))] pub notes: Vec<N>,
                #[field(nested, many, allow_empty = false)] pub comments: Vec<C>,
                #[field(nested, many)] pub tags: T,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        [
            "a `writable` nested field is read and written; remove `read_only` / `write_only`",
            "a nested serializer validates its own fields; remove `validate` / `validate_with`",
            "`allow_empty` applies to `nested, many, writable` fields",
            "a `nested, many` field must have type `Vec<SomeSerializer>`",
        ]
    );
}

#[test]
fn hyperlink_rules() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(hyperlinked, many, write_only)] pub articles: String,
                #[field(hyperlinked, view_name = "user-detail", lookup_field = "name")]
                pub user: String,
                #[field(hyperlinked_identity, lookup_field = "not a column")] pub url: String,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        [
            "hyperlinked fields are read-only; remove `write_only`",
            "`hyperlinked, many` needs the related entity: `queryset = article::Entity`",
            "a hyperlinked field needs the route name: `view_name = \"article-detail\"`",
            "`lookup_field` goes with `hyperlinked_identity` (related hyperlinks use the primary key)",
            "expected a column name",
            "a hyperlinked field needs the route name: `view_name = \"article-detail\"`",
        ]
    );
}

#[test]
fn relation_shapes() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(pk_related, many)] pub tags: i64,
                #[field(slug_field = "not a column", many)] pub labels: String,
                #[field(string_related, many)] pub users: Vec<String>,
                #[field(source = "a.b.c")] pub deep: String,
                #[field(source = "9a.9b")] pub bad: String,
                #[field(source = "not valid")] pub spaced: String,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        [
            "`pk_related, many` needs the related entity: `queryset = tag::Entity`",
            "a `pk_related, many` field must have type `Vec<i64>`",
            "`not a column` is not a valid column name",
            "`slug_field` with `many` needs the related entity: `queryset = tag::Entity`",
            "a `slug_field` field with `many` must have type `Vec<String>`",
            "`string_related, many` needs the related entity: `queryset = tag::Entity`",
            "a dotted `source` follows one foreign key: `source = \"user.email\"`",
            "`9a_id` is not a valid field name",
            "`9b` is not a valid field name",
            "`not valid` is not a valid field name",
        ]
    );
}

#[test]
fn input_rules_on_read_only_fields() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(read_only, validate(email, length(max = 3)), validate_with = check, unique, default = "x")]
                pub title: String,
                #[field(pk_related, many, queryset = tag::Entity, unique, default = 1)]
                pub tags: Vec<i64>,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        [
            "validators only run on input; this field is read-only",
            "`validate_with` runs on input; this field is read-only",
            "`unique` is checked on input; this field is read-only",
            "`default` applies to writable column fields",
            "`unique` applies to column fields of a ModelSerializer",
            "`default` applies to writable column fields",
        ]
    );
}

/// On a read-only column, `validate(email)` / `validate(url)` only say what the field is
/// (DRF's read-only `EmailField` / `URLField`); on a relation they are still refused.
#[test]
fn read_only_columns_may_be_email_or_url_fields() {
    let s = checked(
        syn::parse_quote! {
            pub struct UserDetailsSerializer {
                #[field(read_only, validate(email))] pub email: String,
                #[field(read_only, validate(url))] pub home: String,
            }
        },
        Derive::Plain,
    );
    assert!(field(&s, "email").validators.email && field(&s, "email").read_only);
    assert!(field(&s, "home").validators.url);
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(method = shout, validate(email))] pub shout: String,
            }
        },
        Derive::Model,
    );
    assert_eq!(
        errors,
        ["validators only run on input; this field is read-only"]
    );
}

#[test]
fn plain_serializer_rules() {
    let s = checked(
        syn::parse_quote! {
            pub struct LoginSerializer {
                pub email: String,
                #[field(method = greet)] pub greeting: String,
            }
        },
        Derive::Plain,
    );
    assert_eq!(s.name, "Login");
    assert!(s.model.is_none());
    let errors = errors(
        syn::parse_quote! {
            pub struct LoginSerializer {
                #[field(pk_related)] pub user: i64,
                #[field(unique)] pub email: String,
            }
        },
        Derive::Plain,
    );
    assert_eq!(
        errors,
        [
            "relations need a model: derive `ModelSerializer` with `#[serializer(model = ...)]`",
            "`unique` applies to column fields of a ModelSerializer",
        ]
    );
}

#[test]
fn struct_rules() {
    let without_model: syn::DeriveInput = syn::parse_quote!(
        pub struct S {
            pub title: String,
        }
    );
    assert_eq!(
        errors(without_model, Derive::Model),
        ["a ModelSerializer needs its entity: `#[serializer(model = article::Entity)]`"]
    );
    let with_model: syn::DeriveInput = syn::parse_quote! {
        #[serializer(model = post::Entity)]
        pub struct S { pub title: String }
    };
    assert_eq!(
        errors(with_model.clone(), Derive::Plain),
        ["a plain `Serializer` has no model; derive `ModelSerializer` to use `model`"]
    );
    assert_eq!(
        errors(with_model, Derive::Hyperlinked),
        [
            "a HyperlinkedModelSerializer identifies objects by `url` instead of `id`: add `#[field(hyperlinked_identity, view_name = \"user-detail\")] pub url: String`"
        ]
    );
    // A `url` with a mistake of its own is not also missing.
    let bad_url: syn::DeriveInput = syn::parse_quote! {
        #[serializer(model = post::Entity)]
        pub struct S { #[field(hyperlinked_identity)] pub url: String }
    };
    assert_eq!(
        errors(bad_url, Derive::Hyperlinked),
        ["a hyperlinked field needs the route name: `view_name = \"article-detail\"`"]
    );
}

#[test]
fn unique_together_rules() {
    let s = checked(
        syn::parse_quote! {
            #[serializer(model = post::Entity, unique_together(title, user))]
            pub struct S { pub title: String, #[field(pk_related)] pub user: i64 }
        },
        Derive::Model,
    );
    let (keys, columns) = &s.unique_together[0];
    assert_eq!(keys, &["title", "user"]);
    assert_eq!(
        columns.iter().map(text).collect::<Vec<_>>(),
        ["post::Column::Title", "post::Column::UserId"]
    );
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity, unique_together(titel, usr), unique_together(title))]
            #[serializer(unique_together(title, shout, broken))]
            pub struct S {
                pub title: String,
                #[field(method = m)] pub shout: String,
                #[field(allow_null)] pub broken: String,
            }
        },
        Derive::Model,
    );
    // `broken` has its own error, and no second one for `unique_together`.
    assert_eq!(
        errors,
        [
            "`allow_null` needs an `Option<T>` field: null is read as `None`",
            "`titel` is not a field of this serializer",
            "`usr` is not a field of this serializer",
            "`unique_together` needs at least two fields",
            "`unique_together` applies to column and foreign-key fields",
        ]
    );
}

#[test]
fn unknown_options_are_darlings_errors() {
    let errors = errors(
        syn::parse_quote! {
            #[serializer(model = post::Entity)]
            pub struct S {
                #[field(read_only, maxlength = 3)] pub title: String,
                #[field(nestd)] pub author: A,
                #[field(nested, nested)] pub editor: A,
            }
        },
        Derive::Model,
    );
    // The kind options are parsed apart (`#[darling(flatten)]`), yet the suggestions span
    // every option.
    assert_eq!(
        errors,
        [
            "Unknown field: `maxlength`. Did you mean `max_length`? at title",
            "Unknown field: `nestd`. Did you mean `nested`? at author",
            "Duplicate field `nested` at editor",
        ]
    );
}

/// The cases of `framework/tests/ui` that this crate rejects: one error each, as their
/// `.stderr` files expect.
#[test]
fn ui_cases_report_one_error() {
    let cases: [(syn::DeriveInput, Derive, &str); 12] = [
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only)]
                    pub id: i64,
                    #[field(nested, many, allow_empty = false)]
                    pub notes: Vec<PostSerializer>,
                }
            ),
            Derive::Model,
            "`allow_empty` applies to `nested, many, writable` fields",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only)]
                    pub id: i64,
                    #[field(allow_null)]
                    pub title: String,
                }
            ),
            Derive::Model,
            "`allow_null` needs an `Option<T>` field: null is read as `None`",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only)]
                    pub id: i64,
                    #[field(default = "untitled", required = true)]
                    pub title: String,
                }
            ),
            Derive::Model,
            "a field with a `default` is not required; remove `required`",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(hyperlinked_identity)]
                    pub url: String,
                    pub title: String,
                }
            ),
            Derive::Model,
            "a hyperlinked field needs the route name: `view_name = \"article-detail\"`",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only)]
                    pub id: i64,
                    pub title: String,
                }
            ),
            Derive::Hyperlinked,
            "a HyperlinkedModelSerializer identifies objects by `url` instead of `id`: add `#[field(hyperlinked_identity, view_name = \"user-detail\")] pub url: String`",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only)]
                    pub id: i64,
                    #[field(hyperlinked, view_name = "author-detail", lookup_field = "name")]
                    pub author: String,
                }
            ),
            Derive::Model,
            "`lookup_field` goes with `hyperlinked_identity` (related hyperlinks use the primary key)",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(pk_related, many)]
                    pub tags: Vec<i64>,
                }
            ),
            Derive::Model,
            "`pk_related, many` needs the related entity: `queryset = tag::Entity`",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only)]
                    pub id: i64,
                    #[field(method = shout, write_only)]
                    pub shout: String,
                }
            ),
            Derive::Model,
            "a `method` field is computed on output and read-only; remove `write_only` / `read_only = false`",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only)]
                    pub id: i64,
                    #[field(nested, many, writable, read_only)]
                    pub notes: Vec<PostSerializer>,
                }
            ),
            Derive::Model,
            "a `writable` nested field is read and written; remove `read_only` / `write_only`",
        ),
        (
            syn::parse_quote!(
                pub struct LoginSerializer {
                    pub email: String,
                    #[field(pk_related)]
                    pub user: i64,
                }
            ),
            Derive::Plain,
            "relations need a model: derive `ModelSerializer` with `#[serializer(model = ...)]`",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only, write_only)]
                    pub title: String,
                }
            ),
            Derive::Model,
            "a field cannot be both `read_only` and `write_only`",
        ),
        (
            syn::parse_quote!(
                #[serializer(model = post::Entity)]
                pub struct PostSerializer {
                    #[field(read_only)]
                    pub id: i64,
                    #[field(writable)]
                    pub title: String,
                }
            ),
            Derive::Model,
            "`writable` applies to `nested` fields: `#[field(nested, many, writable)]`",
        ),
    ];
    for (input, derive, message) in cases {
        assert_eq!(errors(input, derive), [message]);
    }
}
