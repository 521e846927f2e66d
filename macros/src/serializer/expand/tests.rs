//! The generated code, as text: each field's facts are written once, in the serializer's
//! description, and everything else reads them from there.

use crate::serializer::attrs::SerializerAttrs;
use crate::serializer::model::{Derive, Serializer};
use darling::FromDeriveInput;

fn checked(input: syn::DeriveInput, derive: Derive) -> Serializer {
    let attrs = SerializerAttrs::from_derive_input(&input).expect("attributes");
    Serializer::check(attrs, derive).expect("a valid serializer")
}

/// The derive's output without spaces.
fn model_expansion(input: syn::DeriveInput) -> String {
    let s = checked(input, Derive::Model);
    let model = s.model.clone().expect("a model");
    super::expand(&s, &model).to_string().replace(' ', "")
}

fn plain_expansion(input: syn::DeriveInput) -> String {
    super::expand_plain(&checked(input, Derive::Plain))
        .to_string()
        .replace(' ', "")
}

fn post_serializer() -> syn::DeriveInput {
    syn::parse_quote! {
        #[serializer(model = post::Entity)]
        pub struct PostSerializer {
            #[field(read_only)] pub id: i64,
            #[field(max_length = 100, min_length = 2)] pub title: String,
            #[field(validate(email), allow_blank)] pub contact: String,
            #[field(pk_related)] pub user: i64,
            #[field(nested, source = "user")] pub author: AuthorSerializer,
            #[field(nested, many)] pub notes: Vec<NoteSerializer>,
            #[field(count = note::Entity)] pub note_count: i64,
            #[field(write_only, required = false, default = "x")] pub secret: String,
        }
    }
}

#[test]
fn each_field_is_described_once() {
    let code = model_expansion(post_serializer());
    // One description, with one entry and one set of options per field.
    assert_eq!(code.matches("Describedfor").count(), 1);
    assert_eq!(code.matches("FieldDescription{").count(), 8);
    assert_eq!(code.matches("FieldOptions{").count(), 8);
    assert!(code.contains("max_length:::core::option::Option::Some(100usize)"));
    // Validation reads the writable columns' options from it, by position.
    for (index, key) in [(1, "title"), (2, "contact"), (7, "secret")] {
        assert!(
            code.contains(&format!("Described>::DESCRIPTION[{index}usize]")),
            "{key}"
        );
    }
    assert!(code.contains("&__field.options"));
    // OPTIONS and the schema are runtime functions over it.
    assert!(code.contains("model_serializer_info(<Selfas::rest_framework::__private::description::Described>::DESCRIPTION)"));
    assert!(code.contains("register_serializer(registry,\"Post\""));
    assert!(!code.contains("FieldInfo::new"));
    assert!(!code.contains("register_described_object"));
}

#[test]
fn kinds_point_at_children_and_type_names_at_the_type() {
    let code = model_expansion(post_serializer());
    assert!(code.contains("FieldKind::NestedOne(::rest_framework::__private::description::fields_of::<AuthorSerializer>)"));
    assert!(code.contains("FieldKind::NestedMany(::rest_framework::__private::description::fields_of::<NoteSerializer>)"));
    assert!(code.contains("nested_many_schema::<NoteSerializer>"));
    // Columns and counts: the type's name for OPTIONS, with the `field` fallback in scope.
    assert!(code.contains("TypeNameOf::<i64>::NAME"));
    assert!(code.contains("TypeNameOf::<String>::NAME"));
    assert_eq!(
        code.matches("use::rest_framework::__private::description::TypeNameFallbackas_;")
            .count(),
        5
    );
    // No DRF type name is guessed from a type's spelling.
    for name in ["\"string\"", "\"integer\"", "\"email\"", "\"nestedobject\""] {
        assert!(!code.contains(name), "{name}");
    }
    assert!(code.contains("email:true"));
    assert!(code.contains("allow_blank:true"));
    // An e-mail field is read as DRF's `EmailField`, its validator inside.
    assert!(code.contains("description::parse_email_with(data,__field.key"));
    assert!(!code.contains("validators::email"));
    assert!(code.contains("default:::core::option::Option::Some(||"));
}

/// A type named like a DRF type is asked, not read: an alias gets its target's name.
#[test]
fn type_names_do_not_depend_on_the_spelling() {
    let code = model_expansion(syn::parse_quote! {
        #[serializer(model = post::Entity)]
        pub struct PostSerializer {
            #[field(read_only)] pub created: DateTimeWithTimeZone,
            pub title: Text,
        }
    });
    assert!(code.contains("TypeNameOf::<DateTimeWithTimeZone>::NAME"));
    assert!(code.contains("TypeNameOf::<Text>::NAME"));
}

#[test]
fn plain_serializers_are_described_and_tell_options() {
    let code = plain_expansion(syn::parse_quote! {
        pub struct LoginSerializer {
            #[field(validate(email))] pub email: String,
            #[field(write_only, max_length = 128)] pub password: String,
            pub remember: Option<bool>,
        }
    });
    assert_eq!(code.matches("FieldDescription{").count(), 3);
    assert_eq!(code.matches("FieldOptions{").count(), 3);
    assert!(code.contains("fnmetadata()"));
    // `from_data` is `read_fields` and the object hook.
    assert!(code.contains("fnread_fields("));
    assert!(
        code.contains(
            "<Selfas::rest_framework::serializers::Serializer>::read_fields(data,partial)"
        )
    );
    assert!(code.contains(
        "serializer_info(<Selfas::rest_framework::__private::description::Described>::DESCRIPTION)"
    ));
    assert!(!code.contains("model_serializer_info"));
    assert!(code.contains("register_serializer(registry,\"Login\",::core::option::Option::None,<Selfas::rest_framework::__private::description::Described>::DESCRIPTION,false)"));
}
