//! The checked model of a serializer: what each field is, after every rule was verified.

use super::attrs::{FieldAttrs, SerializerAttrs, Validators};
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

fn flag(value: &Option<darling::util::SpannedValue<bool>>) -> bool {
    value.as_ref().is_some_and(|v| **v)
}

impl Serializer {
    /// Checks a serializer; `model_required` for the `ModelSerializer` derives.
    pub fn check(attrs: SerializerAttrs, model_required: bool) -> darling::Result<Self> {
        let name = attrs.name.clone().unwrap_or_else(|| {
            let ident = attrs.ident.to_string();
            ident
                .strip_suffix("Serializer")
                .filter(|s| !s.is_empty())
                .unwrap_or(&ident)
                .to_string()
        });
        match (&attrs.model, model_required) {
            (None, true) => {
                return Err(Error::custom(
                    "a ModelSerializer needs its entity: `#[serializer(model = article::Entity)]`",
                )
                .with_span(&attrs.ident));
            }
            (Some(model), false) => {
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
        let mut checked = Vec::new();
        for field in fields.fields {
            if let Some(field) = errors.handle(Field::check(field, attrs.model.as_ref())) {
                checked.push(field);
            }
        }
        let mut unique_together = Vec::new();
        for set in &attrs.unique_together {
            if let Some(set) = errors.handle(unique_set(set, &checked, attrs.model.as_ref())) {
                unique_together.push(set);
            }
        }
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

/// One `unique_together(a, b)`: every name must be a column field of the serializer.
fn unique_set(
    set: &darling::util::PathList,
    fields: &[Field],
    model: Option<&syn::Path>,
) -> darling::Result<(Vec<String>, Vec<syn::Path>)> {
    let model = model
        .ok_or_else(|| Error::custom("`unique_together` is checked against a model's table"))?;
    if set.len() < 2 {
        return Err(
            Error::custom("`unique_together` needs at least two fields").with_span(
                &set.first()
                    .map(|p| p.span())
                    .unwrap_or_else(proc_macro2::Span::call_site),
            ),
        );
    }
    let mut keys = Vec::new();
    let mut columns = Vec::new();
    for path in set.iter() {
        let ident = path
            .get_ident()
            .ok_or_else(|| Error::custom("name a field of this serializer").with_span(path))?;
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
                return Err(Error::custom(
                    "`unique_together` applies to column and foreign-key fields",
                )
                .with_span(ident));
            }
        };
        keys.push(field.key());
        columns.push(column_path(model, column).map_err(|e| e.with_span(ident))?);
    }
    Ok((keys, columns))
}

/// A spanned compile error.
fn error_at(message: &str, span: proc_macro2::Span) -> Error {
    Error::custom(message).with_span(&span)
}

/// The related entity of a forward foreign key named `relation`: `queryset = ...` if given,
/// else the module beside the model's (`article::Entity` -> `user::Entity`).
fn sibling_entity(model: &syn::Path, relation: &str, span: proc_macro2::Span) -> syn::Path {
    let mut path = model.clone();
    path.segments.pop();
    path.segments.pop();
    path.segments
        .push(syn::PathSegment::from(syn::Ident::new(relation, span)));
    path.segments
        .push(syn::PathSegment::from(syn::Ident::new("Entity", span)));
    path
}

impl Field {
    fn check(attrs: FieldAttrs, model: Option<&syn::Path>) -> darling::Result<Self> {
        let ident = attrs
            .ident
            .clone()
            .ok_or_else(|| Error::custom("serializer fields must be named"))?;
        let mut read_only = flag(&attrs.read_only);
        let write_only = flag(&attrs.write_only);
        // `read_only = false` written out.
        let explicitly_writable = attrs.read_only.as_ref().is_some_and(|v| !**v);
        if read_only && write_only {
            let span = attrs
                .write_only
                .as_ref()
                .map(|v| v.span())
                .unwrap_or_else(|| ident.span());
            return Err(
                Error::custom("a field cannot be both `read_only` and `write_only`")
                    .with_span(&span),
            );
        }
        let nested = flag(&attrs.nested);
        let writable = flag(&attrs.writable);
        if let (Some(flag), false) = (&attrs.writable, nested) {
            return Err(error_at(
                "`writable` applies to `nested` fields: `#[field(nested, many, writable)]`",
                flag.span(),
            ));
        }
        let pk_related = flag(&attrs.pk_related);
        let source = attrs
            .source
            .as_ref()
            .map(|s| (s.as_str().to_string(), s.span()));
        let dotted = source
            .as_ref()
            .filter(|(text, _)| text.contains('.'))
            .cloned();
        let identity = flag(&attrs.hyperlinked_identity);
        let hyperlinked = flag(&attrs.hyperlinked);
        let string_related = flag(&attrs.string_related);
        let kinds = [
            nested,
            pk_related,
            attrs.count.is_some(),
            identity,
            hyperlinked,
            attrs.slug_field.is_some(),
            string_related,
            attrs.method.is_some(),
            dotted.is_some(),
        ]
        .iter()
        .filter(|k| **k)
        .count();
        if kinds > 1 {
            return Err(Error::custom(
                "choose one of `nested`, `pk_related`, `slug_field`, `string_related`, `method`, `count`, `hyperlinked`, `hyperlinked_identity` and a dotted `source`",
            )
            .with_span(&ident));
        }
        if kinds == 1 && model.is_none() && attrs.method.is_none() {
            return Err(Error::custom(
                "relations need a model: derive `ModelSerializer` with `#[serializer(model = ...)]`",
            )
            .with_span(&ident));
        }
        // Only reached for relation kinds, which need a model (checked above).
        let model_path = || {
            model
                .cloned()
                .ok_or_else(|| Error::custom("a model is needed"))
        };
        let source_ident = |suffix: &str| -> darling::Result<syn::Ident> {
            let (text, span) = source
                .clone()
                .unwrap_or_else(|| (ident.to_string(), ident.span()));
            let text = format!("{text}{suffix}");
            syn::parse_str::<syn::Ident>(&text)
                .map(|i| syn::Ident::new(&i.to_string(), span))
                .map_err(|_| {
                    Error::custom(format!("`{text}` is not a valid field name")).with_span(&span)
                })
        };
        let relation_name = || {
            source
                .clone()
                .unwrap_or_else(|| (ident.to_string(), ident.span()))
        };
        let forward_entity = || -> darling::Result<syn::Path> {
            let (name, span) = relation_name();
            Ok(attrs
                .queryset
                .clone()
                .unwrap_or(sibling_entity(&model_path()?, &name, span)))
        };
        let read_only_kind = |what: &str, read_only: &mut bool| -> darling::Result<()> {
            if write_only || explicitly_writable {
                return Err(Error::custom(format!(
                    "{what} is read-only; remove `write_only` / `read_only = false`"
                ))
                .with_span(&ident));
            }
            *read_only = true;
            Ok(())
        };
        let view_name = |flag: &Option<darling::util::SpannedValue<bool>>| {
            attrs.view_name.clone().ok_or_else(|| {
                let span = flag
                    .as_ref()
                    .map(|f| f.span())
                    .unwrap_or_else(|| ident.span());
                Error::custom(
                    "a hyperlinked field needs the route name: `view_name = \"article-detail\"`",
                )
                .with_span(&span)
            })
        };
        if let Some(lookup) = attrs.lookup_field.as_ref().filter(|_| !identity) {
            return Err(Error::custom(
                "`lookup_field` goes with `hyperlinked_identity` (related hyperlinks use the primary key)",
            )
            .with_span(&lookup.span()));
        }
        let kind = if identity || hyperlinked {
            if write_only {
                return Err(
                    Error::custom("hyperlinked fields are read-only; remove `write_only`")
                        .with_span(&ident),
                );
            }
            read_only = true;
            if identity {
                let lookup_field = match &attrs.lookup_field {
                    Some(lookup) => {
                        let mut column =
                            syn::parse_str::<syn::Ident>(lookup.as_str()).map_err(|_| {
                                Error::custom("expected a column name").with_span(&lookup.span())
                            })?;
                        column.set_span(lookup.span());
                        Some(column)
                    }
                    None => None,
                };
                Kind::HyperlinkIdentity {
                    view_name: view_name(&attrs.hyperlinked_identity)?,
                    lookup_field,
                }
            } else if attrs.many {
                let related = attrs.queryset.clone().ok_or_else(|| {
                    Error::custom("`hyperlinked, many` needs the related entity: `queryset = article::Entity`")
                        .with_span(&ident)
                })?;
                Kind::HyperlinkMany {
                    related,
                    view_name: view_name(&attrs.hyperlinked)?,
                }
            } else {
                Kind::HyperlinkForeignKey {
                    column: source_ident("_id")?,
                    view_name: view_name(&attrs.hyperlinked)?,
                }
            }
        } else if let Some(related) = attrs.count.clone() {
            if write_only {
                return Err(
                    Error::custom("a `count` field is read-only; remove `write_only`")
                        .with_span(&related),
                );
            }
            read_only = true;
            Kind::Count { related }
        } else if let Some(path) = attrs.method.clone() {
            if write_only || explicitly_writable {
                return Err(Error::custom(
                    "a `method` field is computed on output and read-only; remove `write_only` / `read_only = false`",
                )
                .with_span(&path));
            }
            read_only = true;
            Kind::Method { path }
        } else if let Some((text, span)) = dotted {
            read_only_kind("a dotted `source`", &mut read_only)?;
            let mut parts = text.split('.');
            let (Some(relation), Some(attr), None) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(error_at(
                    "a dotted `source` follows one foreign key: `source = \"user.email\"`",
                    span,
                ));
            };
            let parse = |part: &str| {
                syn::parse_str::<syn::Ident>(part)
                    .map(|i| syn::Ident::new(&i.to_string(), span))
                    .map_err(|_| error_at(&format!("`{part}` is not a valid field name"), span))
            };
            let fk_column = parse(&format!("{relation}_id"))?;
            Kind::ForwardRelated {
                related: attrs.queryset.clone().unwrap_or(sibling_entity(
                    &model_path()?,
                    relation,
                    span,
                )),
                fk_column,
                value: RelatedValue::Attr(parse(attr)?),
            }
        } else if string_related {
            read_only_kind("a `string_related` field", &mut read_only)?;
            if attrs.many {
                let related = attrs.queryset.clone().ok_or_else(|| {
                    Error::custom(
                        "`string_related, many` needs the related entity: `queryset = tag::Entity`",
                    )
                    .with_span(&ident)
                })?;
                Kind::ManyRelated {
                    related,
                    value: RelatedValue::Display,
                }
            } else {
                Kind::ForwardRelated {
                    related: forward_entity()?,
                    fk_column: source_ident("_id")?,
                    value: RelatedValue::Display,
                }
            }
        } else if let Some(slug) = &attrs.slug_field {
            let attr = syn::parse_str::<syn::Ident>(slug.as_str())
                .map(|i| syn::Ident::new(&i.to_string(), slug.span()))
                .map_err(|_| {
                    error_at(
                        &format!("`{}` is not a valid column name", slug.as_str()),
                        slug.span(),
                    )
                })?;
            let related = if attrs.many {
                attrs.queryset.clone().ok_or_else(|| {
                    error_at(
                        "`slug_field` with `many` needs the related entity: `queryset = tag::Entity`",
                        slug.span(),
                    )
                })?
            } else {
                forward_entity()?
            };
            let value = RelatedValue::Slug {
                column: column_path(&related, &attr).map_err(|e| e.with_span(&slug.span()))?,
                attr,
                name: slug.as_str().to_string(),
            };
            if attrs.many {
                if inner_type(&attrs.ty, "Vec").is_none() {
                    return Err(error_at(
                        "a `slug_field` field with `many` must have type `Vec<String>`",
                        attrs.ty.span(),
                    ));
                }
                Kind::ManyRelated { related, value }
            } else {
                Kind::ForwardRelated {
                    related,
                    fk_column: source_ident("_id")?,
                    value,
                }
            }
        } else if nested {
            if writable {
                if read_only || write_only {
                    return Err(Error::custom(
                        "a `writable` nested field is read and written; remove `read_only` / `write_only`",
                    )
                    .with_span(&ident));
                }
                if attrs.validate.is_some() || attrs.validate_with.is_some() {
                    return Err(Error::custom(
                        "a nested serializer validates its own fields; remove `validate` / `validate_with`",
                    )
                    .with_span(&ident));
                }
            } else {
                if !read_only && attrs.read_only.is_some() {
                    // `read_only = false` written out: writes need `writable`.
                    return Err(Error::custom(
                        "nested serializers are read-only unless `writable` (a reverse foreign key)",
                    )
                    .with_span(&ident));
                }
                read_only = true;
            }
            if let Some(flag) = &attrs.allow_empty
                && !(writable && attrs.many)
            {
                return Err(error_at(
                    "`allow_empty` applies to `nested, many, writable` fields",
                    flag.span(),
                ));
            }
            let (serializer, many, optional) = if attrs.many {
                let inner = inner_type(&attrs.ty, "Vec").ok_or_else(|| {
                    Error::custom("a `nested, many` field must have type `Vec<SomeSerializer>`")
                        .with_span(&attrs.ty)
                })?;
                (inner.clone(), true, false)
            } else if let Some(inner) = inner_type(&attrs.ty, "Option") {
                (inner.clone(), false, true)
            } else {
                (attrs.ty.clone(), false, false)
            };
            Kind::Nested {
                serializer,
                many,
                optional,
                writable,
                allow_empty: attrs.allow_empty.as_ref().is_none_or(|flag| **flag),
            }
        } else if pk_related {
            let span = attrs
                .pk_related
                .as_ref()
                .map(|v| v.span())
                .unwrap_or_else(|| ident.span());
            if attrs.many {
                let related = attrs.queryset.clone().ok_or_else(|| {
                    Error::custom(
                        "`pk_related, many` needs the related entity: `queryset = tag::Entity`",
                    )
                    .with_span(&span)
                })?;
                if inner_type(&attrs.ty, "Vec").is_none() {
                    return Err(Error::custom(
                        "a `pk_related, many` field must have type `Vec<i64>`",
                    )
                    .with_span(&attrs.ty));
                }
                Kind::PkMany { related }
            } else {
                Kind::ForeignKeyPk {
                    column: source_ident("_id")?,
                    related: if read_only {
                        None
                    } else {
                        Some(forward_entity()?)
                    },
                }
            }
        } else {
            Kind::Column {
                column: source_ident("")?,
            }
        };
        if read_only && attrs.validate.is_some() {
            return Err(
                Error::custom("validators only run on input; this field is read-only")
                    .with_span(&ident),
            );
        }
        if let (true, Some(path)) = (read_only, &attrs.validate_with) {
            return Err(error_at(
                "`validate_with` runs on input; this field is read-only",
                path.span(),
            ));
        }
        let unique = match (&attrs.unique, &kind, model) {
            (Some(flag), Kind::Column { column }, Some(model)) if **flag => {
                if read_only {
                    return Err(Error::custom(
                        "`unique` is checked on input; this field is read-only",
                    )
                    .with_span(&flag.span()));
                }
                Some(column_path(model, column).map_err(|e| e.with_span(&flag.span()))?)
            }
            (Some(flag), _, _) if **flag => {
                return Err(Error::custom(
                    "`unique` applies to column fields of a ModelSerializer",
                )
                .with_span(&flag.span()));
            }
            _ => None,
        };
        let optional_type = inner_type(&attrs.ty, "Option").is_some();
        let allow_null = match &attrs.allow_null {
            Some(flag) if **flag && !optional_type => {
                return Err(error_at(
                    "`allow_null` needs an `Option<T>` field: null is read as `None`",
                    flag.span(),
                ));
            }
            Some(flag) => **flag,
            // A nullable column accepts null (Django's `null=True`); plain fields only on request.
            None => optional_type && model.is_some(),
        };
        if let Some(default) = attrs.default.as_ref().map(|d| &d.0) {
            if attrs.required == Some(true) {
                return Err(error_at(
                    "a field with a `default` is not required; remove `required`",
                    default.span(),
                ));
            }
            let column_like = matches!(kind, Kind::Column { .. } | Kind::ForeignKeyPk { .. });
            if read_only || !column_like {
                return Err(error_at(
                    "`default` applies to writable column fields",
                    default.span(),
                ));
            }
        }
        let required = attrs
            .required
            .unwrap_or(!optional_type && attrs.default.is_none());
        Ok(Field {
            ty: attrs.ty.clone(),
            kind,
            read_only,
            write_only,
            required,
            allow_blank: attrs.allow_blank,
            allow_null,
            default: attrs.default.as_ref().map(|d| d.0.clone()),
            validate_with: attrs.validate_with.clone(),
            label: attrs
                .label
                .clone()
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
    let variant: String = column
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
