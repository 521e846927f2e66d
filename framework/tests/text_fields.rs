#![allow(missing_docs, clippy::unwrap_used)]
//! DRF's `SlugField` and `RegexField` (`validate(slug)`, `validate(regex = "...")`): DRF's
//! test tables for them (`TestSlugField`, `TestRegexField`), their OPTIONS types and their
//! schema's `pattern` (drf-spectacular's).

use rest_framework::Serializer;
use rest_framework::serializers::Serializer as _;
use serde_json::{Value, json};

#[derive(Serializer)]
pub struct TextSerializer {
    #[field(validate(slug), required = false, allow_blank)]
    pub slug: String,
    #[field(validate(regex = "a+"), required = false, allow_blank)]
    pub regex: String,
}

/// The messages of `field` for `value`, or `None` when it is valid.
fn errors(field: &str, value: Value) -> Option<Vec<String>> {
    let data = json!({ field: value });
    match TextSerializer::from_data(data.as_object().unwrap(), false) {
        Ok(_) => None,
        Err(errors) => Some(errors.messages(field).unwrap_or_default().to_vec()),
    }
}

#[test]
fn drf_slug_and_regex_tables() {
    const SLUG: &str =
        "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.";
    const REGEX: &str = "This value does not match the required pattern.";
    // DRF's TestSlugField: valid 'slug-99', invalid 'slug 99'.
    assert_eq!(errors("slug", json!("slug-99")), None);
    assert_eq!(
        errors("slug", json!("slug 99")),
        Some(vec![SLUG.to_string()])
    );
    assert_eq!(errors("slug", json!("slüg")), Some(vec![SLUG.to_string()]));
    // DRF's TestRegexField (`regex='[a-z][0-9]'` there; a search, as Django's RegexValidator).
    assert_eq!(errors("regex", json!("xaax")), None);
    assert_eq!(errors("regex", json!("xyz")), Some(vec![REGEX.to_string()]));
}

#[test]
fn options_and_schema_name_the_pattern() {
    let info = serde_json::to_value(rest_framework::metadata::Fields(&TextSerializer::metadata()))
        .unwrap();
    assert_eq!(info["slug"]["type"], "slug");
    assert_eq!(info["regex"]["type"], "regex");
    let mut registry = rest_framework::poem_openapi::registry::Registry::new();
    TextSerializer::register_schemas(&mut registry);
    let schema = serde_json::to_value(&registry.schemas["Text"]).unwrap();
    assert_eq!(schema["properties"]["slug"]["pattern"], "^[-a-zA-Z0-9_]+$");
    assert_eq!(schema["properties"]["regex"]["pattern"], "a+");
}
