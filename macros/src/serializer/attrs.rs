//! The attributes, as written: `#[serializer(...)]` on the struct, `#[field(...)]` on fields.

use darling::{FromDeriveInput, FromField, FromMeta, ast::Data, util::Ignored};

#[derive(FromDeriveInput)]
#[darling(attributes(serializer), supports(struct_named))]
pub struct SerializerAttrs {
    pub ident: syn::Ident,
    pub vis: syn::Visibility,
    pub data: Data<Ignored, FieldAttrs>,
    /// The sea-orm entity (`model = article::Entity`); absent for a plain `Serializer`.
    #[darling(default)]
    pub model: Option<syn::Path>,
    /// Object-level validation (DRF's `validate(self, attrs)`), run after every field is
    /// valid; its errors default to `non_field_errors`.
    #[darling(default)]
    pub validate_with: Option<syn::Path>,
    /// DRF's `UniqueTogetherValidator`: `unique_together(title, user)`, repeatable.
    #[darling(default, multiple)]
    pub unique_together: Vec<darling::util::PathList>,
    /// The schema name; default: the struct name without `Serializer`.
    #[darling(default)]
    pub name: Option<String>,
    /// The schema's `description` in the OpenAPI document (drf-spectacular takes the
    /// serializer's docstring; rustdoc stays the Rust reader's).
    #[darling(default)]
    pub description: Option<String>,
}

#[derive(FromField)]
#[darling(attributes(field))]
pub struct FieldAttrs {
    pub ident: Option<syn::Ident>,
    pub ty: syn::Type,
    #[darling(default)]
    pub read_only: Option<darling::util::SpannedValue<bool>>,
    #[darling(default)]
    pub write_only: Option<darling::util::SpannedValue<bool>>,
    #[darling(default)]
    pub required: Option<bool>,
    #[darling(default)]
    pub allow_blank: bool,
    /// Accept `null` (the field's type must be `Option<T>`).
    #[darling(default)]
    pub allow_null: Option<darling::util::SpannedValue<bool>>,
    /// The value used when the field is omitted on create (`default = 5`).
    #[darling(default)]
    pub default: Option<DefaultValue>,
    /// The label OPTIONS shows (default: the name, `created_at` -> `Created at`, `id` -> `ID`).
    #[darling(default)]
    pub label: Option<String>,
    /// Checked against the database: `tag with this name already exists.`
    #[darling(default)]
    pub unique: Option<darling::util::SpannedValue<bool>>,
    #[darling(default)]
    pub max_length: Option<usize>,
    #[darling(default)]
    pub min_length: Option<usize>,
    #[darling(default)]
    pub min_value: Option<syn::Lit>,
    #[darling(default)]
    pub max_value: Option<syn::Lit>,
    /// The model attribute this field reads (`source = "user"`).
    #[darling(default)]
    pub source: Option<darling::util::SpannedValue<String>>,
    /// `PrimaryKeyRelatedField`: a foreign key shown as its primary key (column `<name>_id`),
    /// or with `many` the primary keys of a to-many relation.
    #[darling(default)]
    pub pk_related: Option<darling::util::SpannedValue<bool>>,
    /// A nested serializer (the field's type is the serializer, or a `Vec` of it with `many`).
    #[darling(default)]
    pub nested: Option<darling::util::SpannedValue<bool>>,
    #[darling(default)]
    pub many: bool,
    /// A writable nested serializer over a reverse foreign key (`nested, many, writable`):
    /// validated item by item, its rows inserted with the parent (see `serializers`).
    #[darling(default)]
    pub writable: Option<darling::util::SpannedValue<bool>>,
    /// `allow_empty = false` on a writable `nested, many` field: `This list may not be empty.`
    #[darling(default)]
    pub allow_empty: Option<darling::util::SpannedValue<bool>>,
    /// The related entity of a writable relation (DRF's `queryset=`).
    #[darling(default)]
    pub queryset: Option<syn::Path>,
    /// DRF's `HyperlinkedIdentityField`: the object's own URL (`view_name = "user-detail"`).
    #[darling(default)]
    pub hyperlinked_identity: Option<darling::util::SpannedValue<bool>>,
    /// DRF's `HyperlinkedRelatedField`: a foreign key (column `<name>_id`), or with `many` and
    /// `queryset = Entity` a to-many relation, shown as URLs of `view_name`.
    #[darling(default)]
    pub hyperlinked: Option<darling::util::SpannedValue<bool>>,
    /// The route name of hyperlinks (`article-detail`).
    #[darling(default)]
    pub view_name: Option<String>,
    /// DRF's `lookup_field` of a `HyperlinkedIdentityField`: the column whose value the URL
    /// holds (that of the viewset's `lookup_field`; the primary key by default).
    #[darling(default)]
    pub lookup_field: Option<darling::util::SpannedValue<String>>,
    /// A count of a reverse relation: `count = comment::Entity`.
    #[darling(default)]
    pub count: Option<syn::Path>,
    /// DRF's `SlugRelatedField`: the related object shown (and looked up) by this column of
    /// the related entity (`slug_field = "name"`).
    #[darling(default)]
    pub slug_field: Option<darling::util::SpannedValue<String>>,
    /// DRF's `StringRelatedField`: the related row's `Display` (read-only).
    #[darling(default)]
    pub string_related: Option<darling::util::SpannedValue<bool>>,
    /// DRF's `SerializerMethodField`: `fn(&Model, &SerializerContext) -> T` (read-only).
    #[darling(default)]
    pub method: Option<syn::Path>,
    /// DRF's `validate_<field>`: `fn(T) -> Result<T, String>`, run after the field's own rules.
    #[darling(default)]
    pub validate_with: Option<syn::Path>,
    /// Rules of the `validator` crate: `validate(email, url, length(min = 1, max = 9), range(min = 0, max = 5), contains = "x", custom = path)`.
    #[darling(default)]
    pub validate: Option<Validators>,
}

#[derive(FromMeta, Default)]
pub struct Validators {
    #[darling(default)]
    pub email: bool,
    #[darling(default)]
    pub url: bool,
    #[darling(default)]
    pub length: Option<Bounds>,
    #[darling(default)]
    pub range: Option<Bounds>,
    #[darling(default)]
    pub contains: Option<String>,
    #[darling(default, multiple)]
    pub custom: Vec<syn::Path>,
}

#[derive(FromMeta, Default)]
pub struct Bounds {
    #[darling(default)]
    pub min: Option<syn::Lit>,
    #[darling(default)]
    pub max: Option<syn::Lit>,
}

/// `default = expr`, taken as written: a string literal is the string (darling would parse
/// its contents as an expression).
pub struct DefaultValue(pub syn::Expr);

impl FromMeta for DefaultValue {
    fn from_expr(expr: &syn::Expr) -> darling::Result<Self> {
        Ok(DefaultValue(expr.clone()))
    }
}
