//! The checked model of a serializer: what each field is, after every rule was verified.

use super::attrs::{FieldAttrs, SerializerAttrs, Validators};
use darling::{Error, ast::Data};
use syn::spanned::Spanned;

pub struct Serializer {
    pub ident: syn::Ident,
    pub vis: syn::Visibility,
    pub model: syn::Path,
    pub name: String,
    pub fields: Vec<Field>,
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
    /// A forward foreign key shown as its primary key (`m.<column>`, e.g. `user_id`).
    ForeignKeyPk { column: syn::Ident },
    /// Primary keys of a to-many relation.
    PkMany { related: syn::Path },
    /// A nested serializer.
    Nested {
        serializer: syn::Type,
        many: bool,
        optional: bool,
    },
    /// The number of related rows.
    Count { related: syn::Path },
    /// The object's own URL.
    HyperlinkIdentity { view_name: String },
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
    pub fn check(attrs: SerializerAttrs) -> darling::Result<Self> {
        let name = attrs.name.clone().unwrap_or_else(|| {
            let ident = attrs.ident.to_string();
            ident
                .strip_suffix("Serializer")
                .filter(|s| !s.is_empty())
                .unwrap_or(&ident)
                .to_string()
        });
        let Data::Struct(fields) = attrs.data else {
            return Err(Error::custom(
                "ModelSerializer can only be derived for structs with named fields",
            )
            .with_span(&attrs.ident));
        };
        let mut errors = Error::accumulator();
        let mut checked = Vec::new();
        for field in fields.fields {
            if let Some(field) = errors.handle(Field::check(field, &attrs.model)) {
                checked.push(field);
            }
        }
        errors.finish()?;
        Ok(Serializer {
            ident: attrs.ident,
            vis: attrs.vis,
            model: attrs.model,
            name,
            fields: checked,
        })
    }
}

impl Field {
    fn check(attrs: FieldAttrs, model: &syn::Path) -> darling::Result<Self> {
        let ident = attrs
            .ident
            .clone()
            .ok_or_else(|| Error::custom("serializer fields must be named"))?;
        let mut read_only = flag(&attrs.read_only);
        let write_only = flag(&attrs.write_only);
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
        let pk_related = flag(&attrs.pk_related);
        let source = attrs
            .source
            .as_ref()
            .map(|s| (s.as_str().to_string(), s.span()));
        let identity = flag(&attrs.hyperlinked_identity);
        let hyperlinked = flag(&attrs.hyperlinked);
        let kinds = [
            nested,
            pk_related,
            attrs.count.is_some(),
            identity,
            hyperlinked,
        ]
        .iter()
        .filter(|k| **k)
        .count();
        if kinds > 1 {
            return Err(Error::custom(
                "choose one of `nested`, `pk_related`, `count`, `hyperlinked` and `hyperlinked_identity`",
            )
            .with_span(&ident));
        }
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
        let kind = if identity || hyperlinked {
            if write_only {
                return Err(
                    Error::custom("hyperlinked fields are read-only; remove `write_only`")
                        .with_span(&ident),
                );
            }
            read_only = true;
            if identity {
                Kind::HyperlinkIdentity {
                    view_name: view_name(&attrs.hyperlinked_identity)?,
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
        } else if nested {
            if !read_only && attrs.read_only.is_some() {
                // `read_only = false` written out: nested writes are not supported.
                return Err(Error::custom("nested serializers are read-only").with_span(&ident));
            }
            read_only = true;
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
                if !read_only {
                    return Err(Error::custom(
                        "writable foreign keys are not supported yet: add `read_only` and set the column in `perform_create`",
                    )
                    .with_span(&span));
                }
                Kind::ForeignKeyPk {
                    column: source_ident("_id")?,
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
        let unique = match (&attrs.unique, &kind) {
            (Some(flag), Kind::Column { column }) if **flag => {
                if read_only {
                    return Err(Error::custom(
                        "`unique` is checked on input; this field is read-only",
                    )
                    .with_span(&flag.span()));
                }
                Some(column_path(model, column).map_err(|e| e.with_span(&flag.span()))?)
            }
            (Some(flag), _) if **flag => {
                return Err(
                    Error::custom("`unique` applies to column fields").with_span(&flag.span())
                );
            }
            _ => None,
        };
        let optional_type = inner_type(&attrs.ty, "Option").is_some();
        let required = attrs.required.unwrap_or(!optional_type);
        Ok(Field {
            ty: attrs.ty.clone(),
            kind,
            read_only,
            write_only,
            required,
            allow_blank: attrs.allow_blank,
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

    #[allow(dead_code)]
    pub fn ty_span(&self) -> proc_macro2::Span {
        self.ty.span()
    }
}

/// `tag::Column::Name` for the column `name` of `model = tag::Entity` (sea-orm's naming).
fn column_path(model: &syn::Path, column: &syn::Ident) -> darling::Result<syn::Path> {
    let mut path = model.clone();
    let last = path
        .segments
        .last_mut()
        .filter(|segment| segment.ident == "Entity")
        .ok_or_else(|| Error::custom("`unique` needs `model = some_module::Entity`"))?;
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
