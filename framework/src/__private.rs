//! The door generated code goes through: the runtime helpers that `#[derive(ModelSerializer)]`
//! and its siblings call, and nothing a user calls by hand. Not part of the public API: the
//! names may change in any release. The macros name only these paths, so a helper can move
//! between modules without touching them.

/// Helpers of [`crate::fields`] for generated code.
pub mod fields {
    pub use crate::fields::parse_field_with;
}

/// [`crate::description`] for generated code: the types of a serializer's one description,
/// the type-name lookup with its `field` fallback, the schema helpers its fields point at, and
/// the runtime functions that read it (OPTIONS, the OpenAPI components).
pub mod description {
    pub use crate::description::{
        Described, FieldDescription, FieldKind, TextPattern, TypeNameFallback, TypeNameOf,
        default_value, fields_of, hyperlink_schema, hyperlinks_schema, nested_many_schema,
        nested_schema, registered_type_schema, type_schema,
    };
    pub use crate::fields::{FieldOptions, parse_email_with};
    pub use crate::metadata::{model_serializer_info, serializer_info};
    pub use crate::openapi::schema::register_serializer;
}

/// Helpers of [`crate::parsers`] for generated code.
pub mod parsers {
    pub use crate::parsers::html_form_data;
}

/// Helpers of `crate::relations` for generated code.
pub mod relations {
    pub use crate::query::related::{
        annotate_count, annotate_pks_many, counted_by_lists, defer_text_columns,
        join_forward_columns, join_forward_table, lengths_if_rows_of, load_counts, load_forward,
        load_many_values, load_nested_many, load_nested_one, load_nested_required, load_pks_many,
        preloaded_counts, read_count, read_joined_table, read_pks_many, render_select_list,
        required_related, select_list_start, with_select_list,
    };
    pub use crate::relations::{
        ForeignKeyValue, check_unique, check_unique_together, parse_nested, parse_pk,
        parse_pks_many, parse_slug, parse_slugs_many, save_nested, set_many_to_many,
    };
}

/// The read side of a serializer ([`crate::query`]), implemented by generated code.
pub mod query {
    pub use crate::query::related::fetch_related;
    pub use crate::query::rows::{fetch, represent};
    pub use crate::query::{Columns, Preloaded, Reads};
}

/// Helpers of `crate::query::rows` for generated code.
pub mod rows {
    pub use crate::query::rows::{
        column, count, join_columns, pks_many, read_joined_columns, select,
    };
}

/// Helpers of [`crate::serializers`] for generated code.
pub mod serializers {
    pub use crate::serializers::hook_errors;
}

/// Helpers of [`crate::viewsets`] (and the view and OpenAPI helpers of its actions) for the
/// code `#[viewset]` generates.
pub mod viewsets {
    pub use crate::openapi::{action_operations, lookup_param};
    pub use crate::views::metadata_actions_for;
    pub use crate::viewsets::{check_permission, check_permissions, detail_suffix, viewset_routes};
}
