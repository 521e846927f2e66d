//! The attributes, as written: `#[serializer(...)]` on the struct, `#[field(...)]` on fields.

use darling::{
    FromDeriveInput, FromField, FromMeta,
    ast::{Data, NestedMeta},
    util::{Ignored, SpannedValue},
};
use proc_macro2::Span;
use syn::spanned::Spanned;

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
    pub read_only: Option<SpannedValue<bool>>,
    #[darling(default)]
    pub write_only: Option<SpannedValue<bool>>,
    #[darling(default)]
    pub required: Option<bool>,
    #[darling(default)]
    pub allow_blank: bool,
    /// Accept `null` (the field's type must be `Option<T>`).
    #[darling(default)]
    pub allow_null: Option<SpannedValue<bool>>,
    /// The value used when the field is omitted on create (`default = 5`).
    #[darling(default)]
    pub default: Option<DefaultValue>,
    /// The label OPTIONS shows (default: the name, `created_at` -> `Created at`, `id` -> `ID`).
    #[darling(default)]
    pub label: Option<String>,
    /// Checked against the database: `tag with this name already exists.`
    #[darling(default)]
    pub unique: Option<SpannedValue<bool>>,
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
    pub source: Option<SpannedValue<String>>,
    /// What the field is when it is not a plain column (`pk_related`, `nested`, `count = ...`,
    /// ...): every option of `#[field(...)]` that `FieldAttrs` does not name lands here.
    #[darling(flatten)]
    pub kind: KindAttrs,
    #[darling(default)]
    pub many: bool,
    /// A writable nested serializer over a reverse foreign key (`nested, many, writable`):
    /// validated item by item, its rows inserted with the parent (see `serializers`).
    #[darling(default)]
    pub writable: Option<SpannedValue<bool>>,
    /// `allow_empty = false` on a writable `nested, many` field: `This list may not be empty.`
    #[darling(default)]
    pub allow_empty: Option<SpannedValue<bool>>,
    /// The related entity of a writable relation (DRF's `queryset=`).
    #[darling(default)]
    pub queryset: Option<syn::Path>,
    /// The route name of hyperlinks (`article-detail`).
    #[darling(default)]
    pub view_name: Option<String>,
    /// DRF's `lookup_field` of a `HyperlinkedIdentityField`: the column whose value the URL
    /// holds (that of the viewset's `lookup_field`; the primary key by default).
    #[darling(default)]
    pub lookup_field: Option<SpannedValue<String>>,
    /// DRF's `validate_<field>`: `fn(T) -> Result<T, String>`, run after the field's own rules.
    #[darling(default)]
    pub validate_with: Option<syn::Path>,
    /// Rules of the `validator` crate and DRF's field classes: `validate(email, url, slug, regex = "^a+$", length(min = 1, max = 9), range(min = 0, max = 5), contains = "x", custom = path)`.
    #[darling(default)]
    pub validate: Option<Validators>,
}

/// The options that say what a field is, as written: at most one may be given (the model's
/// `choose_kind` reports the others). Only the options that are switched on are kept
/// (`nested = false` is no option), in the order they were written, so that the error of a
/// conflict points at the second one.
pub struct KindAttrs {
    pub given: Vec<KindOption>,
}

/// One option that says what a field is. All but the last are parsed into [`KindAttrs`];
/// a dotted `source` is written as `source` and added by [`FieldAttrs::kind_options`].
#[derive(Clone)]
pub enum KindOption {
    /// `PrimaryKeyRelatedField`: a foreign key shown as its primary key (column `<name>_id`),
    /// or with `many` the primary keys of a to-many relation.
    PkRelated(Span),
    /// A nested serializer (the field's type is the serializer, or a `Vec` of it with `many`).
    Nested(Span),
    /// DRF's `HyperlinkedIdentityField`: the object's own URL (`view_name = "user-detail"`).
    HyperlinkedIdentity(Span),
    /// DRF's `HyperlinkedRelatedField`: a foreign key (column `<name>_id`), or with `many` and
    /// `queryset = Entity` a to-many relation, shown as URLs of `view_name`.
    Hyperlinked(Span),
    /// DRF's `StringRelatedField`: the related row's `Display` (read-only).
    StringRelated(Span),
    /// DRF's `SlugRelatedField`: the related object shown (and looked up) by this column of
    /// the related entity (`slug_field = "name"`).
    SlugField(SpannedValue<String>),
    /// A count of a reverse relation: `count = comment::Entity`.
    Count(syn::Path),
    /// DRF's `SerializerMethodField`: `fn(&Model, &SerializerContext) -> T` (read-only).
    Method(syn::Path),
    /// `source = "user.email"`: a column of the row a foreign key points at (read-only).
    DottedSource(SpannedValue<String>),
}

impl KindOption {
    /// The option as error messages name it.
    pub fn name(&self) -> &'static str {
        match self {
            KindOption::PkRelated(_) => "`pk_related`",
            KindOption::Nested(_) => "`nested`",
            KindOption::HyperlinkedIdentity(_) => "`hyperlinked_identity`",
            KindOption::Hyperlinked(_) => "`hyperlinked`",
            KindOption::StringRelated(_) => "`string_related`",
            KindOption::SlugField(_) => "`slug_field`",
            KindOption::Count(_) => "`count`",
            KindOption::Method(_) => "`method`",
            KindOption::DottedSource(_) => "a dotted `source`",
        }
    }

    /// Where the option is written (its name for a flag, its value otherwise).
    pub fn span(&self) -> Span {
        match self {
            KindOption::PkRelated(span)
            | KindOption::Nested(span)
            | KindOption::HyperlinkedIdentity(span)
            | KindOption::Hyperlinked(span)
            | KindOption::StringRelated(span) => *span,
            KindOption::SlugField(value) | KindOption::DottedSource(value) => value.span(),
            KindOption::Count(path) | KindOption::Method(path) => path.span(),
        }
    }
}

/// The kind options as darling parses them; [`KindAttrs`] adds the written order.
#[derive(FromMeta)]
struct KindFlags {
    #[darling(default)]
    pk_related: Option<SpannedValue<bool>>,
    #[darling(default)]
    nested: Option<SpannedValue<bool>>,
    #[darling(default)]
    hyperlinked_identity: Option<SpannedValue<bool>>,
    #[darling(default)]
    hyperlinked: Option<SpannedValue<bool>>,
    #[darling(default)]
    string_related: Option<SpannedValue<bool>>,
    #[darling(default)]
    slug_field: Option<SpannedValue<String>>,
    #[darling(default)]
    count: Option<syn::Path>,
    #[darling(default)]
    method: Option<syn::Path>,
}

impl FromMeta for KindAttrs {
    fn from_list(items: &[NestedMeta]) -> darling::Result<Self> {
        // darling checks the options (unknown names, duplicates, values); `items` keeps
        // their order, which the parsed struct has lost.
        let mut flags = KindFlags::from_list(items)?;
        let on = |flag: Option<SpannedValue<bool>>| flag.filter(|f| **f).map(|f| f.span());
        let given = items
            .iter()
            .filter_map(|item| match item {
                NestedMeta::Meta(meta) => meta.path().get_ident(),
                NestedMeta::Lit(_) => None,
            })
            .filter_map(|name| match name.to_string().as_str() {
                "pk_related" => on(flags.pk_related.take()).map(KindOption::PkRelated),
                "nested" => on(flags.nested.take()).map(KindOption::Nested),
                "hyperlinked_identity" => {
                    on(flags.hyperlinked_identity.take()).map(KindOption::HyperlinkedIdentity)
                }
                "hyperlinked" => on(flags.hyperlinked.take()).map(KindOption::Hyperlinked),
                "string_related" => on(flags.string_related.take()).map(KindOption::StringRelated),
                "slug_field" => flags.slug_field.take().map(KindOption::SlugField),
                "count" => flags.count.take().map(KindOption::Count),
                "method" => flags.method.take().map(KindOption::Method),
                _ => None,
            })
            .collect();
        Ok(KindAttrs { given })
    }
}

impl FieldAttrs {
    /// Every option that says what the field is, in written order, a dotted `source` last
    /// (it is `FieldAttrs`'s own option, so its place among the others is unknown).
    pub fn kind_options(&self) -> Vec<KindOption> {
        let dotted = self
            .source
            .as_ref()
            .filter(|source| source.contains('.'))
            .map(|source| KindOption::DottedSource(source.clone()));
        self.kind.given.iter().cloned().chain(dotted).collect()
    }

    /// `read_only` given (and not `= false`).
    pub fn read_only(&self) -> bool {
        flag(&self.read_only)
    }

    /// `write_only` given (and not `= false`).
    pub fn write_only(&self) -> bool {
        flag(&self.write_only)
    }

    /// `read_only = false` written out: the field is declared writable.
    pub fn explicitly_writable(&self) -> bool {
        self.read_only.as_ref().is_some_and(|v| !**v)
    }

    /// `writable` given (and not `= false`).
    pub fn writable(&self) -> bool {
        flag(&self.writable)
    }
}

fn flag(value: &Option<SpannedValue<bool>>) -> bool {
    value.as_ref().is_some_and(|v| **v)
}

#[derive(FromMeta, Default)]
pub struct Validators {
    #[darling(default)]
    pub email: bool,
    #[darling(default)]
    pub url: bool,
    /// DRF's `SlugField`: `^[-a-zA-Z0-9_]+$`.
    #[darling(default)]
    pub slug: bool,
    /// DRF's `RegexField`: the value must match (Django's `RegexValidator`, a search).
    #[darling(default)]
    pub regex: Option<syn::LitStr>,
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
