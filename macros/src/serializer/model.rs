//! The checked model of a serializer: what each field is, after every rule was verified.

use super::attrs::{FieldAttrs, KindOption, SerializerAttrs, Validators};
use darling::{Error, ast::Data};
use syn::spanned::Spanned;

pub struct Serializer {
    pub ident: syn::Ident,
    pub vis: syn::Visibility,
    /// The entity; `None` for a plain `Serializer`.
    pub model: Option<syn::Path>,
    pub name: String,
    /// The OpenAPI schema's description.
    pub description: Option<String>,
    pub fields: Vec<Field>,
    /// Object-level validation hook.
    pub validate_with: Option<syn::Path>,
    /// Sets of fields that must be unique together: (field keys, column paths).
    pub unique_together: Vec<(Vec<String>, Vec<syn::Path>)>,
}

pub struct Field {
    pub ident: syn::Ident,
    pub ty: syn::Type,
    pub kind: Kind,
    pub read_only: bool,
    pub write_only: bool,
    /// Required on create / full update.
    pub required: bool,
    pub allow_blank: bool,
    /// `null` is accepted (the type is `Option<T>`).
    pub allow_null: bool,
    /// The value used when the field is omitted on create.
    pub default: Option<syn::Expr>,
    /// `validate_<field>`: `fn(T) -> Result<T, String>`.
    pub validate_with: Option<syn::Path>,
    /// The OPTIONS label.
    pub label: String,
    /// The column's path (`tag::Column::Name`) when the field must be unique.
    pub unique: Option<syn::Path>,
    pub max_length: Option<usize>,
    pub min_length: Option<usize>,
    pub min_value: Option<syn::Lit>,
    pub max_value: Option<syn::Lit>,
    pub validators: Validators,
}

pub enum Kind {
    /// A model column (`m.<column>`).
    Column { column: syn::Ident },
    /// A forward foreign key shown as its primary key (`m.<column>`, e.g. `user_id`);
    /// writable when the related entity is known.
    ForeignKeyPk {
        column: syn::Ident,
        related: Option<syn::Path>,
    },
    /// A value of the row a forward foreign key points at (slug, `Display`, dotted source).
    ForwardRelated {
        related: syn::Path,
        fk_column: syn::Ident,
        value: RelatedValue,
    },
    /// Values of the rows of a to-many relation (slugs, `Display`s).
    ManyRelated {
        related: syn::Path,
        value: RelatedValue,
    },
    /// `SerializerMethodField`: `method(&model, ctx)`.
    Method { path: syn::Path },
    /// Primary keys of a to-many relation.
    PkMany { related: syn::Path },
    /// A nested serializer.
    Nested {
        serializer: syn::Type,
        many: bool,
        optional: bool,
        /// Validated and saved with the parent (a reverse foreign key).
        writable: bool,
        /// An empty list is accepted (`many` + `writable` only).
        allow_empty: bool,
    },
    /// The number of related rows.
    Count { related: syn::Path },
    /// The object's own URL.
    HyperlinkIdentity {
        view_name: String,
        /// The column in the URL (`lookup_field`); the primary key when `None`.
        lookup_field: Option<syn::Ident>,
    },
    /// A forward foreign key as a URL.
    HyperlinkForeignKey {
        column: syn::Ident,
        view_name: String,
    },
    /// A to-many relation as URLs.
    HyperlinkMany {
        related: syn::Path,
        view_name: String,
    },
}

/// What a related-row field shows of the related row.
pub enum RelatedValue {
    /// `SlugRelatedField`: a column, also used to look rows up on input.
    Slug {
        attr: syn::Ident,
        column: syn::Path,
        name: String,
    },
    /// `StringRelatedField`: the row's `Display`.
    Display,
    /// A dotted `source = "user.email"`: a column of the related row.
    Attr(syn::Ident),
}

/// `T` of `Wrapper<T>` when the type's last segment is `wrapper`.
pub fn inner_type<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last()?;
    if segment.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// Which derive is being checked: the `ModelSerializer` derives need a model, a plain
/// `Serializer` has none, and a `HyperlinkedModelSerializer` must declare its `url`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Derive {
    /// `#[derive(Serializer)]`.
    Plain,
    /// `#[derive(ModelSerializer)]`.
    Model,
    /// `#[derive(HyperlinkedModelSerializer)]`.
    Hyperlinked,
}

impl Serializer {
    /// Checks a serializer: every rule of every field and of the struct runs, and all their
    /// errors come back together (one compile shows every mistake).
    pub fn check(attrs: SerializerAttrs, derive: Derive) -> darling::Result<Self> {
        let name = attrs.name.clone().unwrap_or_else(|| {
            let ident = attrs.ident.to_string();
            ident
                .strip_suffix("Serializer")
                .filter(|s| !s.is_empty())
                .unwrap_or(&ident)
                .to_string()
        });
        // A wrong derive changes what every field means (a relation without a model, `null`
        // by default or not): the fields' own errors would only be noise, so stop here.
        match (&attrs.model, derive) {
            (None, Derive::Model | Derive::Hyperlinked) => {
                return Err(Error::custom(
                    "a ModelSerializer needs its entity: `#[serializer(model = article::Entity)]`",
                )
                .with_span(&attrs.ident));
            }
            (Some(model), Derive::Plain) => {
                return Err(Error::custom(
                    "a plain `Serializer` has no model; derive `ModelSerializer` to use `model`",
                )
                .with_span(model));
            }
            _ => {}
        }
        let Data::Struct(fields) = attrs.data else {
            return Err(Error::custom(
                "serializers can only be derived for structs with named fields",
            )
            .with_span(&attrs.ident));
        };
        let mut errors = Error::accumulator();
        // Decided on the attributes, so that a `url` field with mistakes of its own does not
        // also count as missing.
        let has_url = fields.iter().any(|field| {
            field
                .kind
                .given
                .iter()
                .any(|option| matches!(option, KindOption::HyperlinkedIdentity(_)))
        });
        if derive == Derive::Hyperlinked && !has_url {
            errors.push(Error::custom(
                "a HyperlinkedModelSerializer identifies objects by `url` instead of `id`: add `#[field(hyperlinked_identity, view_name = \"user-detail\")] pub url: String`",
            )
            .with_span(&attrs.ident));
        }
        let mut checked = Vec::new();
        let mut failed = Vec::new();
        for field in fields.fields {
            let ident = field.ident.clone();
            match Field::check(field, attrs.model.as_ref()) {
                Ok(field) => checked.push(field),
                Err(error) => {
                    errors.push(error);
                    failed.extend(ident);
                }
            }
        }
        let unique_together = attrs
            .unique_together
            .iter()
            .filter_map(|set| {
                check_unique_set(set, &checked, &failed, attrs.model.as_ref(), &mut errors)
            })
            .collect();
        errors.finish()?;
        Ok(Serializer {
            ident: attrs.ident,
            vis: attrs.vis,
            model: attrs.model,
            name,
            description: attrs.description,
            fields: checked,
            validate_with: attrs.validate_with,
            unique_together,
        })
    }
}

/// One `unique_together(a, b)`: at least two names, each a column or foreign-key field of the
/// serializer. A name of a field that failed its own checks is skipped (it has its error).
fn check_unique_set(
    set: &darling::util::PathList,
    fields: &[Field],
    failed: &[syn::Ident],
    model: Option<&syn::Path>,
    errors: &mut darling::error::Accumulator,
) -> Option<(Vec<String>, Vec<syn::Path>)> {
    let span = set
        .first()
        .map(|p| p.span())
        .unwrap_or_else(proc_macro2::Span::call_site);
    let Some(model) = model else {
        errors.push(error_at(
            "`unique_together` is checked against a model's table",
            span,
        ));
        return None;
    };
    if set.len() < 2 {
        errors.push(error_at(
            "`unique_together` needs at least two fields",
            span,
        ));
        return None;
    }
    let mut keys = Vec::new();
    let mut columns = Vec::new();
    let mut complete = true;
    for path in set.iter() {
        let column = unique_column(path, fields, failed, model);
        match column {
            Ok(Some((key, column))) => {
                keys.push(key);
                columns.push(column);
            }
            Ok(None) => complete = false,
            Err(error) => {
                errors.push(error);
                complete = false;
            }
        }
    }
    complete.then_some((keys, columns))
}

/// The key and column path of one name of `unique_together`; `None` for a failed field.
fn unique_column(
    path: &syn::Path,
    fields: &[Field],
    failed: &[syn::Ident],
    model: &syn::Path,
) -> darling::Result<Option<(String, syn::Path)>> {
    let ident = path
        .get_ident()
        .ok_or_else(|| Error::custom("name a field of this serializer").with_span(path))?;
    if failed.contains(ident) {
        return Ok(None);
    }
    let field = fields.iter().find(|f| f.ident == *ident).ok_or_else(|| {
        Error::custom(format!("`{ident}` is not a field of this serializer")).with_span(ident)
    })?;
    let column = match &field.kind {
        Kind::Column { column } | Kind::ForeignKeyPk { column, .. } => column,
        Kind::ForwardRelated {
            fk_column,
            value: RelatedValue::Slug { .. },
            ..
        } => fk_column,
        _ => {
            return Err(error_at(
                "`unique_together` applies to column and foreign-key fields",
                ident.span(),
            ));
        }
    };
    let column = column_path(model, column).map_err(|e| e.with_span(ident))?;
    Ok(Some((field.key(), column)))
}

/// A spanned compile error.
fn error_at(message: &str, span: proc_macro2::Span) -> Error {
    Error::custom(message).with_span(&span)
}

/// `text` as an identifier spanned on `span` (raw identifiers such as `r#type` included).
fn parse_ident(text: &str, span: proc_macro2::Span) -> Option<syn::Ident> {
    let mut ident = syn::parse_str::<syn::Ident>(text).ok()?;
    ident.set_span(span);
    Some(ident)
}

/// A field or column name written in a string (`source`, a foreign key's `<name>_id`).
fn field_ident(text: &str, span: proc_macro2::Span) -> darling::Result<syn::Ident> {
    parse_ident(text, span)
        .ok_or_else(|| error_at(&format!("`{text}` is not a valid field name"), span))
}

/// The related entity of a forward foreign key named `relation`: the module beside the
/// model's (`article::Entity` -> `user::Entity`).
fn sibling_entity(
    model: &syn::Path,
    relation: &str,
    span: proc_macro2::Span,
) -> darling::Result<syn::Path> {
    let mut path = model.clone();
    path.segments.pop();
    path.segments.pop();
    path.segments
        .push(syn::PathSegment::from(field_ident(relation, span)?));
    path.segments
        .push(syn::PathSegment::from(syn::Ident::new("Entity", span)));
    Ok(path)
}

/// What every rule of one field reads: its attributes, its name and the serializer's model.
struct FieldCx<'a> {
    attrs: &'a FieldAttrs,
    ident: &'a syn::Ident,
    model: Option<&'a syn::Path>,
}

impl FieldCx<'_> {
    /// The model attribute the field reads (`source`, else the field's name), and where it
    /// is written.
    fn relation_name(&self) -> (String, proc_macro2::Span) {
        match &self.attrs.source {
            Some(source) => (source.as_str().to_string(), source.span()),
            None => (self.ident.to_string(), self.ident.span()),
        }
    }

    /// The column the field reads: the relation name and `suffix` (`user` -> `user_id`).
    fn source_ident(&self, suffix: &str) -> darling::Result<syn::Ident> {
        let (name, span) = self.relation_name();
        field_ident(&format!("{name}{suffix}"), span)
    }

    /// The related entity of the forward foreign key `relation`: `queryset = ...`, else the
    /// sibling of the model named after the relation. Only called for relation kinds, which
    /// `choose_kind` let through only with a model.
    fn related_entity(
        &self,
        relation: &str,
        span: proc_macro2::Span,
    ) -> darling::Result<syn::Path> {
        if let Some(queryset) = &self.attrs.queryset {
            return Ok(queryset.clone());
        }
        let model = self
            .model
            .ok_or_else(|| Error::custom("a model is needed").with_span(self.ident))?;
        sibling_entity(model, relation, span)
    }

    /// The related entity of the field's own foreign key (named by `source` or the field).
    fn forward_entity(&self) -> darling::Result<syn::Path> {
        let (name, span) = self.relation_name();
        self.related_entity(&name, span)
    }

    /// The related entity of a to-many relation, which only `queryset = ...` names.
    fn many_entity(&self, message: &str, span: proc_macro2::Span) -> darling::Result<syn::Path> {
        self.attrs
            .queryset
            .clone()
            .ok_or_else(|| error_at(message, span))
    }

    /// The route name of a hyperlink; missing, an error on the kind option.
    fn view_name(&self, span: proc_macro2::Span) -> darling::Result<String> {
        self.attrs.view_name.clone().ok_or_else(|| {
            error_at(
                "a hyperlinked field needs the route name: `view_name = \"article-detail\"`",
                span,
            )
        })
    }
}

/// Decides what the field is from its kind options: none is a column, one is that kind.
/// More than one is an error on each option after the first; a relation without a model is
/// an error on the field. Either way the field's kind is unknown (`Err`) and the rules that
/// need it do not run.
fn choose_kind<'a>(
    cx: &FieldCx<'_>,
    options: &'a [KindOption],
) -> darling::Result<Option<&'a KindOption>> {
    let Some((first, others)) = options.split_first() else {
        return Ok(None);
    };
    let mut errors = Error::accumulator();
    for other in others {
        errors.push(error_at(
            &format!(
                "{} and {} cannot be combined: choose one relation kind",
                first.name(),
                other.name()
            ),
            other.span(),
        ));
    }
    errors.finish()?;
    if cx.model.is_none() && !matches!(first, KindOption::Method(_)) {
        return Err(Error::custom(
            "relations need a model: derive `ModelSerializer` with `#[serializer(model = ...)]`",
        )
        .with_span(cx.ident));
    }
    Ok(Some(first))
}

/// Whether a kind is read-only whatever the attributes say: its value is computed or shown
/// from another row, never written (a nested serializer is written only if `writable`).
fn read_only_kind(option: Option<&KindOption>, writable: bool) -> bool {
    match option {
        Some(
            KindOption::HyperlinkedIdentity(_)
            | KindOption::Hyperlinked(_)
            | KindOption::Count(_)
            | KindOption::Method(_)
            | KindOption::DottedSource(_)
            | KindOption::StringRelated(_),
        ) => true,
        Some(KindOption::Nested(_)) => !writable,
        Some(KindOption::PkRelated(_) | KindOption::SlugField(_)) | None => false,
    }
}

/// Builds the field's [`Kind`] from the chosen kind option (`None`: a column), with the
/// options each kind needs (`many`, `queryset`, `view_name`, the field's type). Every
/// missing piece is its own error; `None` when any was pushed.
fn check_kind(
    cx: &FieldCx<'_>,
    option: Option<&KindOption>,
    read_only: bool,
    errors: &mut darling::error::Accumulator,
) -> Option<Kind> {
    let attrs = cx.attrs;
    let ident_span = cx.ident.span();
    match option {
        None => {
            let column = errors.handle(cx.source_ident(""))?;
            Some(Kind::Column { column })
        }
        Some(KindOption::HyperlinkedIdentity(span)) => {
            let lookup_field = match &attrs.lookup_field {
                Some(lookup) => errors
                    .handle(
                        parse_ident(lookup.as_str(), lookup.span())
                            .ok_or_else(|| error_at("expected a column name", lookup.span())),
                    )
                    .map(Some),
                None => Some(None),
            };
            let view_name = errors.handle(cx.view_name(*span));
            Some(Kind::HyperlinkIdentity {
                view_name: view_name?,
                lookup_field: lookup_field?,
            })
        }
        Some(KindOption::Hyperlinked(span)) if attrs.many => {
            let related = errors.handle(cx.many_entity(
                "`hyperlinked, many` needs the related entity: `queryset = article::Entity`",
                ident_span,
            ));
            let view_name = errors.handle(cx.view_name(*span));
            Some(Kind::HyperlinkMany {
                related: related?,
                view_name: view_name?,
            })
        }
        Some(KindOption::Hyperlinked(span)) => {
            let column = errors.handle(cx.source_ident("_id"));
            let view_name = errors.handle(cx.view_name(*span));
            Some(Kind::HyperlinkForeignKey {
                column: column?,
                view_name: view_name?,
            })
        }
        Some(KindOption::Count(related)) => Some(Kind::Count {
            related: related.clone(),
        }),
        Some(KindOption::Method(path)) => Some(Kind::Method { path: path.clone() }),
        Some(KindOption::DottedSource(source)) => dotted_source_kind(cx, source, errors),
        Some(KindOption::StringRelated(_)) if attrs.many => {
            let related = errors.handle(cx.many_entity(
                "`string_related, many` needs the related entity: `queryset = tag::Entity`",
                ident_span,
            ))?;
            Some(Kind::ManyRelated {
                related,
                value: RelatedValue::Display,
            })
        }
        Some(KindOption::StringRelated(_)) => {
            // The foreign key first: a bad relation name is one error, not two.
            let fk_column = errors.handle(cx.source_ident("_id"))?;
            let related = errors.handle(cx.forward_entity())?;
            Some(Kind::ForwardRelated {
                related,
                fk_column,
                value: RelatedValue::Display,
            })
        }
        Some(KindOption::SlugField(slug)) => slug_field_kind(cx, slug, errors),
        Some(KindOption::Nested(_)) => {
            let (serializer, many, optional) = if attrs.many {
                let inner = errors.handle(inner_type(&attrs.ty, "Vec").ok_or_else(|| {
                    Error::custom("a `nested, many` field must have type `Vec<SomeSerializer>`")
                        .with_span(&attrs.ty)
                }))?;
                (inner.clone(), true, false)
            } else if let Some(inner) = inner_type(&attrs.ty, "Option") {
                (inner.clone(), false, true)
            } else {
                (attrs.ty.clone(), false, false)
            };
            Some(Kind::Nested {
                serializer,
                many,
                optional,
                writable: attrs.writable(),
                allow_empty: attrs.allow_empty.as_ref().is_none_or(|flag| **flag),
            })
        }
        Some(KindOption::PkRelated(span)) if attrs.many => {
            let related = errors.handle(cx.many_entity(
                "`pk_related, many` needs the related entity: `queryset = tag::Entity`",
                *span,
            ));
            let is_vec = inner_type(&attrs.ty, "Vec").is_some();
            if !is_vec {
                errors.push(
                    Error::custom("a `pk_related, many` field must have type `Vec<i64>`")
                        .with_span(&attrs.ty),
                );
            }
            Some(Kind::PkMany { related: related? }).filter(|_| is_vec)
        }
        Some(KindOption::PkRelated(_)) => {
            let column = errors.handle(cx.source_ident("_id"))?;
            // A read-only key is only shown: the related entity is needed to check writes.
            let related = if read_only {
                None
            } else {
                Some(errors.handle(cx.forward_entity())?)
            };
            Some(Kind::ForeignKeyPk { column, related })
        }
    }
}

/// `source = "user.email"`: the column `email` of the row the foreign key `user_id` points at.
fn dotted_source_kind(
    cx: &FieldCx<'_>,
    source: &darling::util::SpannedValue<String>,
    errors: &mut darling::error::Accumulator,
) -> Option<Kind> {
    let span = source.span();
    let mut parts = source.split('.');
    let (Some(relation), Some(attr), None) = (parts.next(), parts.next(), parts.next()) else {
        errors.push(error_at(
            "a dotted `source` follows one foreign key: `source = \"user.email\"`",
            span,
        ));
        return None;
    };
    let fk_column = errors.handle(field_ident(&format!("{relation}_id"), span));
    let attr = errors.handle(field_ident(attr, span));
    // A bad relation name is already reported by its foreign key.
    let related = fk_column
        .as_ref()
        .and_then(|_| errors.handle(cx.related_entity(relation, span)));
    Some(Kind::ForwardRelated {
        related: related?,
        fk_column: fk_column?,
        value: RelatedValue::Attr(attr?),
    })
}

/// `slug_field = "name"`: a related row shown by one of its columns, through a foreign key
/// or (with `many` and `queryset`) a to-many relation typed `Vec<String>`.
fn slug_field_kind(
    cx: &FieldCx<'_>,
    slug: &darling::util::SpannedValue<String>,
    errors: &mut darling::error::Accumulator,
) -> Option<Kind> {
    let attrs = cx.attrs;
    let attr = errors.handle(parse_ident(slug.as_str(), slug.span()).ok_or_else(|| {
        error_at(
            &format!("`{}` is not a valid column name", slug.as_str()),
            slug.span(),
        )
    }));
    let (related, fk_column) = if attrs.many {
        let related = errors.handle(cx.many_entity(
            "`slug_field` with `many` needs the related entity: `queryset = tag::Entity`",
            slug.span(),
        ));
        (related, None)
    } else {
        // The foreign key first: a bad relation name is one error, not two.
        let fk_column = errors.handle(cx.source_ident("_id"));
        let related = fk_column
            .as_ref()
            .and_then(|_| errors.handle(cx.forward_entity()));
        (related, fk_column)
    };
    let column = match (&related, &attr) {
        (Some(related), Some(attr)) => {
            errors.handle(column_path(related, attr).map_err(|e| e.with_span(&slug.span())))
        }
        _ => None,
    };
    if attrs.many && inner_type(&attrs.ty, "Vec").is_none() {
        errors.push(error_at(
            "a `slug_field` field with `many` must have type `Vec<String>`",
            attrs.ty.span(),
        ));
        return None;
    }
    let value = RelatedValue::Slug {
        column: column?,
        attr: attr?,
        name: slug.as_str().to_string(),
    };
    if attrs.many {
        Some(Kind::ManyRelated {
            related: related?,
            value,
        })
    } else {
        Some(Kind::ForwardRelated {
            related: related?,
            fk_column: fk_column?,
            value,
        })
    }
}

/// `read_only` and `write_only` exclude each other.
fn check_read_write(cx: &FieldCx<'_>, errors: &mut darling::error::Accumulator) {
    if let Some(write_only) = &cx.attrs.write_only
        && cx.attrs.read_only()
        && **write_only
    {
        errors.push(error_at(
            "a field cannot be both `read_only` and `write_only`",
            write_only.span(),
        ));
    }
}

/// A read-only kind cannot be made writable (`write_only`, `read_only = false`); a
/// `writable` nested serializer is both read and written.
fn check_kind_read_only(
    cx: &FieldCx<'_>,
    option: Option<&KindOption>,
    errors: &mut darling::error::Accumulator,
) {
    let attrs = cx.attrs;
    let write_only = attrs.write_only();
    let made_writable = write_only || attrs.explicitly_writable();
    let read_only_what = |what: &str| {
        Error::custom(format!(
            "{what} is read-only; remove `write_only` / `read_only = false`"
        ))
        .with_span(cx.ident)
    };
    match option {
        // `read_only = false` is tolerated on hyperlinks and counts (and ignored).
        Some(KindOption::HyperlinkedIdentity(_) | KindOption::Hyperlinked(_)) if write_only => {
            errors.push(
                Error::custom("hyperlinked fields are read-only; remove `write_only`")
                    .with_span(cx.ident),
            );
        }
        Some(KindOption::Count(path)) if write_only => {
            errors.push(
                Error::custom("a `count` field is read-only; remove `write_only`").with_span(path),
            );
        }
        Some(KindOption::Method(path)) if made_writable => {
            errors.push(Error::custom(
                "a `method` field is computed on output and read-only; remove `write_only` / `read_only = false`",
            )
            .with_span(path));
        }
        Some(KindOption::DottedSource(_)) if made_writable => {
            errors.push(read_only_what("a dotted `source`"));
        }
        Some(KindOption::StringRelated(_)) if made_writable => {
            errors.push(read_only_what("a `string_related` field"));
        }
        Some(KindOption::Nested(_)) if attrs.writable() && (attrs.read_only() || write_only) => {
            errors.push(Error::custom(
                "a `writable` nested field is read and written; remove `read_only` / `write_only`",
            )
            .with_span(cx.ident));
        }
        // `read_only = false` without `writable` (with it, the field is writable anyway).
        Some(KindOption::Nested(_)) if !attrs.writable() && attrs.explicitly_writable() => {
            errors.push(
                Error::custom(
                    "nested serializers are read-only unless `writable` (a reverse foreign key)",
                )
                .with_span(cx.ident),
            );
        }
        _ => {}
    }
}

/// `writable` is an option of nested serializers (a reverse foreign key saved with the parent).
fn check_writable(
    cx: &FieldCx<'_>,
    options: &[KindOption],
    errors: &mut darling::error::Accumulator,
) {
    let nested = options.iter().any(|o| matches!(o, KindOption::Nested(_)));
    if let Some(flag) = &cx.attrs.writable
        && !nested
    {
        errors.push(error_at(
            "`writable` applies to `nested` fields: `#[field(nested, many, writable)]`",
            flag.span(),
        ));
    }
}

/// `allow_empty` is an option of writable nested lists, the only lists a client sends.
fn check_allow_empty(
    cx: &FieldCx<'_>,
    option: Option<&KindOption>,
    errors: &mut darling::error::Accumulator,
) {
    // Only nested fields are checked: elsewhere the option has always been ignored.
    if let (Some(KindOption::Nested(_)), Some(flag)) = (option, &cx.attrs.allow_empty)
        && !(cx.attrs.writable() && cx.attrs.many)
    {
        errors.push(error_at(
            "`allow_empty` applies to `nested, many, writable` fields",
            flag.span(),
        ));
    }
}

/// `lookup_field` names the column of a `hyperlinked_identity` URL; related hyperlinks use
/// the primary key.
fn check_lookup_field(
    cx: &FieldCx<'_>,
    options: &[KindOption],
    errors: &mut darling::error::Accumulator,
) {
    let identity = options
        .iter()
        .any(|o| matches!(o, KindOption::HyperlinkedIdentity(_)));
    if let Some(lookup) = &cx.attrs.lookup_field
        && !identity
    {
        errors.push(error_at(
            "`lookup_field` goes with `hyperlinked_identity` (related hyperlinks use the primary key)",
            lookup.span(),
        ));
    }
}

/// Validators run on input: not on a read-only field (where `email` / `url` may still say
/// what a column is), and not on a writable nested serializer, whose own fields validate.
fn check_validators(
    cx: &FieldCx<'_>,
    option: Option<&KindOption>,
    read_only: bool,
    errors: &mut darling::error::Accumulator,
) {
    let attrs = cx.attrs;
    if let Some(pattern) = attrs
        .validate
        .as_ref()
        .and_then(|rules| rules.regex.as_ref())
        && let Err(err) = regex_syntax::Parser::new().parse(&pattern.value())
    {
        // The kind alone: the full text repeats the pattern on lines of its own.
        let why = match &err {
            regex_syntax::Error::Parse(err) => err.kind().to_string(),
            regex_syntax::Error::Translate(err) => err.kind().to_string(),
            other => other.to_string(),
        };
        errors.push(error_at(
            &format!("`regex` is not a valid regular expression: {why}"),
            pattern.span(),
        ));
    }
    if matches!(option, Some(KindOption::Nested(_))) && attrs.writable() {
        if attrs.validate.is_some() || attrs.validate_with.is_some() {
            errors.push(
                Error::custom(
                    "a nested serializer validates its own fields; remove `validate` / `validate_with`",
                )
                .with_span(cx.ident),
            );
        }
        return;
    }
    // On a read-only column, `validate(email)` / `validate(url)` only say what the field is
    // (DRF's read-only `EmailField` / `URLField`: OPTIONS `email`, schema `format: email`).
    let declares_class = |rules: &Validators| {
        rules.length.is_none()
            && rules.range.is_none()
            && rules.contains.is_none()
            && rules.custom.is_empty()
    };
    let refused = attrs
        .validate
        .as_ref()
        .is_some_and(|rules| option.is_some() || !declares_class(rules));
    if read_only && refused {
        errors.push(
            Error::custom("validators only run on input; this field is read-only")
                .with_span(cx.ident),
        );
    }
    if let (true, Some(path)) = (read_only, &attrs.validate_with) {
        errors.push(error_at(
            "`validate_with` runs on input; this field is read-only",
            path.span(),
        ));
    }
}

/// `unique` is checked against the model's table on input: a writable column of a
/// `ModelSerializer`. Gives the column's path.
fn check_unique(
    cx: &FieldCx<'_>,
    option: Option<&KindOption>,
    kind: Option<&Kind>,
    read_only: bool,
    errors: &mut darling::error::Accumulator,
) -> Option<syn::Path> {
    let flag = cx.attrs.unique.as_ref().filter(|flag| ***flag)?;
    let span = flag.span();
    let Some(model) = cx.model.filter(|_| option.is_none()) else {
        errors.push(error_at(
            "`unique` applies to column fields of a ModelSerializer",
            span,
        ));
        return None;
    };
    if read_only {
        errors.push(error_at(
            "`unique` is checked on input; this field is read-only",
            span,
        ));
        return None;
    }
    // `None`: the column itself is wrong, and reported.
    let Some(Kind::Column { column }) = kind else {
        return None;
    };
    errors.handle(column_path(model, column).map_err(|e| e.with_span(&span)))
}

/// `allow_null` needs an `Option<T>` (null is read as `None`). Gives whether null is accepted.
fn check_allow_null(cx: &FieldCx<'_>, errors: &mut darling::error::Accumulator) -> bool {
    let optional_type = inner_type(&cx.attrs.ty, "Option").is_some();
    match &cx.attrs.allow_null {
        Some(flag) if **flag && !optional_type => {
            errors.push(error_at(
                "`allow_null` needs an `Option<T>` field: null is read as `None`",
                flag.span(),
            ));
            false
        }
        Some(flag) => **flag,
        // A nullable column accepts null (Django's `null=True`); plain fields only on request.
        None => optional_type && cx.model.is_some(),
    }
}

/// A field with a `default` is never required.
fn check_default_required(cx: &FieldCx<'_>, errors: &mut darling::error::Accumulator) {
    if let Some(default) = &cx.attrs.default
        && cx.attrs.required == Some(true)
    {
        errors.push(error_at(
            "a field with a `default` is not required; remove `required`",
            default.0.span(),
        ));
    }
}

/// A `default` fills a writable column (or foreign key) on create.
fn check_default_target(
    cx: &FieldCx<'_>,
    option: Option<&KindOption>,
    read_only: bool,
    errors: &mut darling::error::Accumulator,
) {
    let Some(default) = &cx.attrs.default else {
        return;
    };
    // The kinds that become `Kind::Column` or `Kind::ForeignKeyPk`.
    let column_like = match option {
        None => true,
        Some(KindOption::PkRelated(_)) => !cx.attrs.many,
        Some(_) => false,
    };
    if read_only || !column_like {
        errors.push(error_at(
            "`default` applies to writable column fields",
            default.0.span(),
        ));
    }
}

impl Field {
    /// Checks one field: each rule below pushes its own errors, so that every mistake of
    /// the field is reported at once. The rules that need the field's kind run only when
    /// `choose_kind` could decide it.
    fn check(attrs: FieldAttrs, model: Option<&syn::Path>) -> darling::Result<Self> {
        let ident = attrs
            .ident
            .clone()
            .ok_or_else(|| Error::custom("serializer fields must be named"))?;
        let cx = FieldCx {
            attrs: &attrs,
            ident: &ident,
            model,
        };
        let options = attrs.kind_options();
        let mut errors = Error::accumulator();
        check_read_write(&cx, &mut errors);
        check_writable(&cx, &options, &mut errors);
        let option = errors.handle(choose_kind(&cx, &options));
        check_lookup_field(&cx, &options, &mut errors);
        let mut checked = None;
        if let Some(option) = option {
            check_kind_read_only(&cx, option, &mut errors);
            check_allow_empty(&cx, option, &mut errors);
            let read_only = attrs.read_only() || read_only_kind(option, attrs.writable());
            let kind = check_kind(&cx, option, read_only, &mut errors);
            check_validators(&cx, option, read_only, &mut errors);
            let unique = check_unique(&cx, option, kind.as_ref(), read_only, &mut errors);
            check_default_target(&cx, option, read_only, &mut errors);
            checked = kind.map(|kind| (kind, read_only, unique));
        }
        let allow_null = check_allow_null(&cx, &mut errors);
        check_default_required(&cx, &mut errors);
        errors.finish()?;
        let (kind, read_only, unique) = checked.ok_or_else(|| {
            Error::custom("internal error: a field rule failed without an error").with_span(&ident)
        })?;
        let optional_type = inner_type(&attrs.ty, "Option").is_some();
        let required = attrs
            .required
            .unwrap_or(!optional_type && attrs.default.is_none());
        let write_only = attrs.write_only();
        Ok(Field {
            ty: attrs.ty,
            kind,
            read_only,
            write_only,
            required,
            allow_blank: attrs.allow_blank,
            allow_null,
            default: attrs.default.map(|d| d.0),
            validate_with: attrs.validate_with,
            label: attrs
                .label
                .unwrap_or_else(|| default_label(&ident.to_string())),
            unique,
            max_length: attrs.max_length,
            min_length: attrs.min_length,
            min_value: attrs.min_value,
            max_value: attrs.max_value,
            validators: attrs.validate.unwrap_or_default(),
            ident,
        })
    }

    /// The key in JSON bodies (the field name, without a raw-identifier prefix).
    pub fn key(&self) -> String {
        let name = self.ident.to_string();
        name.strip_prefix("r#").unwrap_or(&name).to_string()
    }

    pub fn span(&self) -> proc_macro2::Span {
        self.ident.span()
    }

    pub fn writable(&self) -> bool {
        !self.read_only
    }

    /// Whether the Rust type is `Option<T>`.
    pub fn optional(&self) -> bool {
        inner_type(&self.ty, "Option").is_some()
    }
}

/// `tag::Column::Name` for the column `name` of `model = tag::Entity` (sea-orm's naming).
fn column_path(model: &syn::Path, column: &syn::Ident) -> darling::Result<syn::Path> {
    let mut path = model.clone();
    let last = path
        .segments
        .last_mut()
        .filter(|segment| segment.ident == "Entity")
        .ok_or_else(|| Error::custom("the entity must be written `some_module::Entity`"))?;
    last.ident = syn::Ident::new("Column", last.ident.span());
    // `r#type` is the column `type`, variant `Type`.
    let variant: String = syn::ext::IdentExt::unraw(column)
        .to_string()
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    path.segments.push(syn::PathSegment::from(syn::Ident::new(
        &variant,
        column.span(),
    )));
    Ok(path)
}

/// Django's label for a field name: `id` -> `ID`, `created_at` -> `Created at`.
fn default_label(name: &str) -> String {
    let name = name.strip_prefix("r#").unwrap_or(name);
    if name == "id" {
        return "ID".into();
    }
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
