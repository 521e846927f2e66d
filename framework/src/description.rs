//! What a serializer says about each of its fields, written once.
//!
//! `#[derive(ModelSerializer)]` and `#[derive(Serializer)]` describe every field of the struct
//! in one `const` slice of [`FieldDescription`]s (the [`Described`] trait). Everything that
//! tells about a field reads that slice:
//!
//! - validation reads the field's [`FieldOptions`] (DRF's `max_length`, `allow_blank`, ...),
//!   its `required` and `allow_null`;
//! - OPTIONS ([`crate::metadata::serializer_info`], DRF's `SimpleMetadata`) reads the key, the
//!   label, the flags, the options and the [`FieldKind`];
//! - the OpenAPI document ([`crate::openapi::schema::register_serializer`], drf-spectacular's
//!   component) reads the same flags and the field's base schema.
//!
//! ```
//! # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc_support/blog.rs"));
//! use rest_framework::ModelSerializer;
//! use rest_framework::description::Described;
//!
//! #[derive(ModelSerializer)]
//! #[serializer(model = tag::Entity)]
//! pub struct TagSerializer {
//!     #[field(read_only)]
//!     pub id: i64,
//!     #[field(max_length = 50)]
//!     pub name: String,
//! }
//!
//! # fn main() {
//! let name = &<TagSerializer as Described>::DESCRIPTION[1];
//! assert_eq!((name.key, name.label, name.read_only), ("name", "Name", false));
//! assert_eq!(name.options.max_length, Some(50));
//! # }
//! ```
//!
//! The OPTIONS type of a plain value comes from its Rust type through [`FieldTypeName`]
//! (`String` is DRF's `string`, `i64` its `integer`); a type without the trait is DRF's generic
//! `field`. An e-mail or URL validator makes the field DRF's `EmailField` / `URLField`
//! (`email`, `url`) whatever its type.

use crate::fields::FieldOptions;
use crate::serializers::ModelSerializer;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use std::marker::PhantomData;

/// One field of a serializer, as the derive describes it: everything validation, OPTIONS and
/// the OpenAPI schema need to know about it.
#[derive(Debug, Clone, Copy)]
pub struct FieldDescription {
    /// The key in JSON bodies (`created_at`).
    pub key: &'static str,
    /// The human label (`Created at`; `label = "..."`), OPTIONS' `label` and the schema's
    /// `title` when it says more than the key.
    pub label: &'static str,
    /// Output only (DRF's `read_only`).
    pub read_only: bool,
    /// Input only (DRF's `write_only`).
    pub write_only: bool,
    /// Must be sent on create or full update (never for a read-only field).
    pub required: bool,
    /// `null` is a value of the field: accepted on input (DRF's `allow_null`) and, for
    /// read-only `Option` fields and optional nested objects, possibly written on output
    /// (the schema's `nullable`).
    pub allow_null: bool,
    /// The rules of the value (lengths, bounds, `allow_blank`, `trim_whitespace`).
    pub options: FieldOptions,
    /// `validate(email)`: DRF's `EmailField` (OPTIONS `email`, schema `format: email`).
    pub email: bool,
    /// `validate(url)`: DRF's `URLField` (OPTIONS `url`, schema `format: uri`).
    pub url: bool,
    /// `validate(slug)` / `validate(regex = "...")`: DRF's `SlugField` / `RegexField`
    /// (OPTIONS `slug` / `regex`, the schema's `pattern`).
    pub pattern: Option<TextPattern>,
    /// What the field is.
    pub kind: FieldKind,
    /// The OpenAPI schema of the value before DRF's flags (its type's, a nested serializer's
    /// `$ref`, a hyperlink), registering the components it refers to. E-mail and URL fields
    /// are documented by their validator instead.
    pub schema: fn(&mut Registry) -> MetaSchemaRef,
    /// The `default = ...` value as the schema's `default` (`None` inside when it does not
    /// serialize).
    pub default: Option<fn() -> Option<serde_json::Value>>,
}

/// The pattern a text field's values match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPattern {
    /// DRF's `SlugField`: ASCII letters, digits, `_` and `-`.
    Slug,
    /// DRF's `RegexField`: this regular expression.
    Regex(&'static str),
}

impl TextPattern {
    /// The regular expression, as drf-spectacular writes it in the schema's `pattern`.
    pub fn regex(&self) -> &'static str {
        match self {
            TextPattern::Slug => crate::fields::validators::SLUG_PATTERN,
            TextPattern::Regex(regex) => regex,
        }
    }
}

impl FieldDescription {
    /// A required, writable `String`-schema field of `kind` with DRF's default options: the
    /// starting point of the framework's own tests.
    #[cfg(test)]
    pub(crate) const fn for_tests(key: &'static str, label: &'static str, kind: FieldKind) -> Self {
        FieldDescription {
            key,
            label,
            read_only: false,
            write_only: false,
            required: true,
            allow_null: false,
            options: FieldOptions::DEFAULT,
            email: false,
            url: false,
            pattern: None,
            kind,
            schema: type_schema::<String>,
            default: None,
        }
    }
}

/// What a field is, as far as OPTIONS tells.
#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    /// A plain value (a column, a count, a plain serializer's field).
    Value {
        /// DRF's OPTIONS `type` of the Rust type ([`FieldTypeName`]; `field` without it).
        type_name: &'static str,
    },
    /// A relation (primary keys, slugs, hyperlinks, `Display`s) or a method field: DRF's
    /// generic `field`.
    Relation,
    /// A nested serializer: OPTIONS' `nested object` with the child's fields.
    NestedOne(fn() -> &'static [FieldDescription]),
    /// A list of a nested serializer: OPTIONS' `field` whose `child` is the nested object.
    NestedMany(fn() -> &'static [FieldDescription]),
}

impl FieldKind {
    /// The child serializer's fields of a nested kind.
    pub fn children(&self) -> Option<&'static [FieldDescription]> {
        match self {
            FieldKind::NestedOne(fields) | FieldKind::NestedMany(fields) => Some(fields()),
            FieldKind::Value { .. } | FieldKind::Relation => None,
        }
    }
}

/// A serializer's fields, described once (implemented by the derives).
pub trait Described {
    /// Every declared field, in order.
    const DESCRIPTION: &'static [FieldDescription];
}

/// The name DRF's OPTIONS gives the field class of a Rust type.
///
/// `Option<T>` is `T`'s. A type without it (a sea-orm column of another type, a JSON value)
/// is DRF's generic `field`.
pub trait FieldTypeName {
    /// DRF's OPTIONS `type`: `string`, `integer`, `float`, `boolean`, `datetime`, `date`,
    /// `time`.
    const NAME: &'static str;
}

macro_rules! type_names {
    ($($name:literal: $($ty:ty),+;)*) => {$($(
        impl FieldTypeName for $ty {
            const NAME: &'static str = $name;
        }
    )+)*};
}

type_names! {
    "string": String, uuid::Uuid;
    "integer": i64, i32, i16, i8, u64, u32, u16, u8;
    "float": f64, f32;
    "boolean": bool;
    "datetime": DateTime<Utc>, DateTime<FixedOffset>, NaiveDateTime;
    "date": NaiveDate;
    "time": NaiveTime;
}

impl<T: FieldTypeName> FieldTypeName for Option<T> {
    const NAME: &'static str = T::NAME;
}

/// `TypeNameOf::<T>::NAME` is `T`'s [`FieldTypeName`], else (with [`TypeNameFallback`] in
/// scope) DRF's `field`: an inherent constant, when its bound holds, is found before the
/// trait's.
#[doc(hidden)]
pub struct TypeNameOf<T: ?Sized>(PhantomData<T>);

impl<T: FieldTypeName + ?Sized> TypeNameOf<T> {
    /// `T`'s name.
    pub const NAME: &'static str = T::NAME;
}

/// The fallback of [`TypeNameOf`]: DRF's `field`.
#[doc(hidden)]
pub trait TypeNameFallback {
    /// DRF's generic `field`.
    const NAME: &'static str = "field";
}

impl<T: ?Sized> TypeNameFallback for TypeNameOf<T> {}

/// A nested serializer's fields, for [`FieldKind::NestedOne`] / [`FieldKind::NestedMany`].
#[doc(hidden)]
pub fn fields_of<S: Described>() -> &'static [FieldDescription] {
    S::DESCRIPTION
}

/// The schema of a value's type (nothing registered: columns are plain types).
#[doc(hidden)]
pub fn type_schema<T: Type>(_registry: &mut Registry) -> MetaSchemaRef {
    T::schema_ref()
}

/// The schema of a method field's type, registering what it refers to.
#[doc(hidden)]
pub fn registered_type_schema<T: Type>(registry: &mut Registry) -> MetaSchemaRef {
    T::register(registry);
    T::schema_ref()
}

/// A nested serializer's `$ref`, its schemas registered.
#[doc(hidden)]
pub fn nested_schema<S: ModelSerializer>(registry: &mut Registry) -> MetaSchemaRef {
    S::register_schemas(registry);
    crate::openapi::schema::nested::<S>(false)
}

/// An array of a nested serializer's `$ref`, its schemas registered.
#[doc(hidden)]
pub fn nested_many_schema<S: ModelSerializer>(registry: &mut Registry) -> MetaSchemaRef {
    S::register_schemas(registry);
    crate::openapi::schema::nested::<S>(true)
}

/// A hyperlink's schema.
#[doc(hidden)]
pub fn hyperlink_schema(_registry: &mut Registry) -> MetaSchemaRef {
    crate::openapi::schema::hyperlink(false)
}

/// An array of hyperlinks' schema.
#[doc(hidden)]
pub fn hyperlinks_schema(_registry: &mut Registry) -> MetaSchemaRef {
    crate::openapi::schema::hyperlink(true)
}

/// A `default = ...` value as JSON, for the schema.
#[doc(hidden)]
pub fn default_value<T: serde::Serialize>(value: T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Opaque;

    #[test]
    fn type_names_come_from_the_type() {
        // Resolved as generated code resolves them: in consts, with the fallback in scope.
        #[allow(unused_imports)]
        use TypeNameFallback as _;
        const NAMES: [&str; 9] = [
            TypeNameOf::<String>::NAME,
            TypeNameOf::<Option<String>>::NAME,
            TypeNameOf::<i64>::NAME,
            TypeNameOf::<u8>::NAME,
            TypeNameOf::<f32>::NAME,
            TypeNameOf::<bool>::NAME,
            TypeNameOf::<DateTime<Utc>>::NAME,
            TypeNameOf::<NaiveDate>::NAME,
            TypeNameOf::<Option<NaiveDateTime>>::NAME,
        ];
        assert_eq!(
            NAMES,
            [
                "string", "string", "integer", "integer", "float", "boolean", "datetime", "date",
                "datetime"
            ]
        );
        // Without the trait: DRF's `field`.
        const OTHERS: [&str; 3] = [
            TypeNameOf::<Opaque>::NAME,
            TypeNameOf::<Option<Opaque>>::NAME,
            TypeNameOf::<serde_json::Value>::NAME,
        ];
        assert_eq!(OTHERS, ["field"; 3]);
    }
}
