//! The arguments, as written: `#[viewset(...)]` on the impl block, `#[action(...)]` on its
//! methods. darling reads the options by name and the shape of each value; [`super::model`]
//! decides what they mean and reports every mistake, including the values that could not
//! be read, so that no mistake hides another.

use darling::{FromMeta, ast::NestedMeta, util::parse_expr};
use proc_macro2::{Span, TokenStream};

/// The options of `#[viewset(...)]`, in the order the unknown-option error lists them.
pub const VIEWSET_OPTIONS: [&str; 11] = [
    "serializer",
    "list_serializer",
    "model",
    "permissions",
    "authentication",
    "pagination",
    "mixins",
    "throttle_classes",
    "throttle_scope",
    "lookup_field",
    "lookup_url_kwarg",
];

/// The options of `#[action(...)]`, in the order the unknown-option error lists them.
pub const ACTION_OPTIONS: [&str; 7] = [
    "detail",
    "methods",
    "url_path",
    "url_name",
    "name",
    "serializer",
    "permissions",
];

/// `#[viewset(...)]`. darling dispatches the options by name; every mistake is the model's
/// to report, with the others: a value that could not be read is kept as its error
/// ([`Value`]), an unknown option by its name, a repeated option as its error, and a
/// missing `serializer` is a rule.
#[derive(FromMeta)]
pub struct ViewsetArgs {
    /// `serializer = ArticleSerializer`: the serializer of every action.
    #[darling(default, map = Some, with = type_path)]
    pub serializer: Option<Value<syn::Type>>,
    /// `list_serializer = ArticleListSerializer`: the list action's serializer.
    #[darling(default, map = Some, with = type_path)]
    pub list_serializer: Option<Value<syn::Type>>,
    /// `model = article::Entity`: the entity, when it is not the serializer's.
    #[darling(default, map = Some, with = type_path)]
    pub model: Option<Value<syn::Type>>,
    /// `permissions = A & (B | !C)` or `[A, B]`, as written.
    #[darling(default, map = Some, with = expr)]
    pub permissions: Option<Value<syn::Expr>>,
    /// `authentication = [JwtAuthentication, ...]`.
    #[darling(default, map = Some, with = |meta| list(
        meta,
        "expected a list of authentication classes: `[JwtAuthentication]`",
    ))]
    pub authentication: Option<Value<List>>,
    /// `pagination = LimitOffsetPagination` (a type), an expression building a paginator, or
    /// `None`, as written.
    #[darling(default, map = Some, with = expr)]
    pub pagination: Option<Value<syn::Expr>>,
    /// `mixins = [list, retrieve, ...]`.
    #[darling(default, map = Some, with = |meta| list(meta, "expected `mixins = [list, retrieve, ...]`"))]
    pub mixins: Option<Value<List>>,
    /// `throttle_classes = [AnonRateThrottle::new().rate("5/min"), ...]`.
    #[darling(default, map = Some, with = |meta| list(
        meta,
        "expected a list of throttles: `[AnonRateThrottle::new()]` (`[]` for none)",
    ))]
    pub throttle_classes: Option<Value<List>>,
    /// `throttle_scope = "uploads"`.
    #[darling(default, map = Some, with = |meta| string(meta, "expected a string: `throttle_scope = \"uploads\"`"))]
    pub throttle_scope: Option<Value<syn::LitStr>>,
    /// `lookup_field = "slug"`: the column detail routes look rows up by.
    #[darling(default, map = Some, with = |meta| string(meta, "expected a column name: `lookup_field = \"slug\"`"))]
    pub lookup_field: Option<Value<syn::LitStr>>,
    /// `lookup_url_kwarg = "tag_name"`: the path parameter holding the lookup value.
    #[darling(default, map = Some, with = |meta| string(
        meta,
        "expected the path parameter's name: `lookup_url_kwarg = \"slug\"`",
    ))]
    pub lookup_url_kwarg: Option<Value<syn::LitStr>>,
    /// Every other option, for the model's error (which names the known ones).
    #[darling(flatten)]
    pub unknown: UnknownOptions,
    /// The items darling would refuse, as errors (see [`refuse_repeated`]).
    #[darling(skip)]
    pub refused: Vec<darling::Error>,
}

impl ViewsetArgs {
    /// Parses the attribute's arguments (the tokens inside `#[viewset(...)]`).
    pub fn parse(args: TokenStream) -> darling::Result<Self> {
        let (items, refused) = refuse_repeated(NestedMeta::parse_meta_list(args)?);
        Ok(ViewsetArgs {
            refused,
            ..Self::from_list(&items)?
        })
    }
}

/// `#[action(...)]` on a method of the block: DRF's `@action`.
#[derive(FromMeta)]
pub struct ActionArgs {
    /// `detail = true` (a route below `{id}/`) or `detail = false`; required.
    #[darling(default, map = Some, with = boolean)]
    pub detail: Option<Value<syn::LitBool>>,
    /// `methods = [get, post]`; `[get]` when absent.
    #[darling(default, map = Some, with = |meta| list(meta, "expected `methods = [get, post]`"))]
    pub methods: Option<Value<List>>,
    /// `url_path = "recent-posts"`; the method's name when absent.
    #[darling(default, map = Some, with = |meta| string(meta, "expected a string: `url_path = \"recent\"`"))]
    pub url_path: Option<Value<syn::LitStr>>,
    /// `url_name = "recent-posts"`; the method's name, dashed, when absent.
    #[darling(default, map = Some, with = |meta| string(meta, "expected a string: `url_name = \"recent\"`"))]
    pub url_name: Option<Value<syn::LitStr>>,
    /// `name = "Recent posts"`: the view's name; the method's name, in words, when absent.
    #[darling(default, map = Some, with = |meta| string(meta, "expected a string: `name = \"Recent\"`"))]
    pub name: Option<Value<syn::LitStr>>,
    /// `serializer = CommentSerializer`: the action's own serializer.
    #[darling(default, map = Some, with = type_path)]
    pub serializer: Option<Value<syn::Type>>,
    /// `permissions = ...`: the action's own permission classes, as written.
    #[darling(default, map = Some, with = expr)]
    pub permissions: Option<Value<syn::Expr>>,
    /// Every other option, for the model's error.
    #[darling(flatten)]
    pub unknown: UnknownOptions,
    /// The items darling would refuse, as errors (see [`refuse_repeated`]).
    #[darling(skip)]
    pub refused: Vec<darling::Error>,
}

impl ActionArgs {
    /// Parses one `#[action(...)]` attribute; `#[action]` alone has no options.
    pub fn parse(attr: &syn::Attribute) -> darling::Result<Self> {
        let items = match &attr.meta {
            syn::Meta::Path(_) => Vec::new(),
            syn::Meta::List(list) => NestedMeta::parse_meta_list(list.tokens.clone())?,
            syn::Meta::NameValue(pair) => {
                return Err(
                    darling::Error::custom("expected `#[action(detail = ...)]`").with_span(pair)
                );
            }
        };
        let (items, refused) = refuse_repeated(items);
        Ok(ActionArgs {
            refused,
            ..Self::from_list(&items)?
        })
    }
}

/// Takes out the items darling would refuse, each as an error: an option given again (darling
/// would refuse the whole attribute, and no other mistake of it would be reported) and a
/// bare literal.
fn refuse_repeated(items: Vec<NestedMeta>) -> (Vec<NestedMeta>, Vec<darling::Error>) {
    let mut kept: Vec<NestedMeta> = Vec::new();
    let mut refused = Vec::new();
    for item in items {
        match &item {
            NestedMeta::Lit(lit) => refused
                .push(darling::Error::custom("expected an option: `name = value`").with_span(lit)),
            NestedMeta::Meta(meta)
                if kept.iter().any(|seen| match seen {
                    NestedMeta::Meta(seen) => seen.path() == meta.path(),
                    NestedMeta::Lit(_) => false,
                }) =>
            {
                let name = darling::util::path_to_string(meta.path());
                refused.push(
                    darling::Error::custom(format!("`{name}` is given twice"))
                        .with_span(meta.path()),
                );
            }
            NestedMeta::Meta(_) => kept.push(item),
        }
    }
    (kept, refused)
}

/// The impl block `#[viewset]` is on, with its `#[action]` methods taken out.
pub struct ImplBlock {
    /// The block, without the action methods.
    pub item: syn::ItemImpl,
    /// The `#[action]` methods, in written order.
    pub actions: Vec<ActionMethod>,
}

/// A method of the block with `#[action(...)]`.
pub struct ActionMethod {
    /// The method, without its `#[action]` attributes.
    pub method: syn::ImplItemFn,
    /// Where the first `#[action(...)]` is written (`[action(...)]`).
    pub span: Span,
    /// Its options.
    pub args: darling::Result<ActionArgs>,
    /// Where any further `#[action]` attribute of the method is written.
    pub repeated: Vec<Span>,
}

impl ImplBlock {
    /// Takes the `#[action]` methods out of the block.
    pub fn parse(mut item: syn::ItemImpl) -> Self {
        let mut actions = Vec::new();
        let mut kept = Vec::new();
        for impl_item in std::mem::take(&mut item.items) {
            match impl_item {
                syn::ImplItem::Fn(mut method) if method.attrs.iter().any(is_action) => {
                    let (found, others) = method.attrs.into_iter().partition(is_action);
                    method.attrs = others;
                    let found: Vec<syn::Attribute> = found;
                    let mut spans = found.iter().map(|attr| attr.bracket_token.span.join());
                    let span = spans.next().unwrap_or_else(|| method.sig.ident.span());
                    actions.push(ActionMethod {
                        args: found
                            .first()
                            .map_or_else(|| ActionArgs::from_list(&[]), ActionArgs::parse),
                        span,
                        repeated: spans.collect(),
                        method,
                    });
                }
                other => kept.push(other),
            }
        }
        item.items = kept;
        ImplBlock { item, actions }
    }
}

/// `#[action(...)]`.
fn is_action(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("action")
}

/// The options that are none of a struct's fields (darling's `flatten` hands them over).
#[derive(Default)]
pub struct UnknownOptions(pub Vec<syn::Path>);

impl FromMeta for UnknownOptions {
    fn from_list(items: &[NestedMeta]) -> darling::Result<Self> {
        let paths = items.iter().filter_map(|item| match item {
            NestedMeta::Meta(meta) => Some(meta.path().clone()),
            // Refused before darling reads the options.
            NestedMeta::Lit(_) => None,
        });
        Ok(UnknownOptions(paths.collect()))
    }
}

/// A value as written, or why it could not be read: the model reports the error with the
/// other mistakes. (The parsers below return it inside the `darling::Result` that darling's
/// `with` expects, which is then always `Ok`.)
pub type Value<T> = darling::Result<T>;

/// `[a, b, c]`: the items, and where the list is written.
pub struct List {
    /// The brackets and what is inside.
    pub span: Span,
    /// The items, as written.
    pub items: Vec<syn::Expr>,
}

/// The value of `name = value`; `expected` is the error otherwise.
fn value<'a>(meta: &'a syn::Meta, expected: &str) -> darling::Result<&'a syn::Expr> {
    let syn::Meta::NameValue(pair) = meta else {
        return Err(darling::Error::custom(expected).with_span(meta));
    };
    let mut value = &pair.value;
    // A value passed through a `macro_rules!` fragment (`$ty`) is grouped.
    while let syn::Expr::Group(group) = value {
        value = &group.expr;
    }
    Ok(value)
}

/// `name = <expression>`, as written (a string literal stays one).
fn expr(meta: &syn::Meta) -> darling::Result<Value<syn::Expr>> {
    Ok(parse_expr::preserve_str_literal(meta))
}

/// `name = SomeType` (a path, as the old parser accepted).
fn type_path(meta: &syn::Meta) -> darling::Result<Value<syn::Type>> {
    let name = darling::util::path_to_string(meta.path());
    let expected = format!("expected a type: `{name} = SomeType`");
    Ok(value(meta, &expected).and_then(|value| match value {
        syn::Expr::Path(path) => Ok(syn::Type::Path(syn::TypePath {
            qself: path.qself.clone(),
            path: path.path.clone(),
        })),
        other => Err(darling::Error::custom(&expected).with_span(other)),
    }))
}

/// `name = [a, b]`.
fn list(meta: &syn::Meta, expected: &str) -> darling::Result<Value<List>> {
    Ok(value(meta, expected).and_then(|value| match value {
        syn::Expr::Array(array) => Ok(List {
            span: array.bracket_token.span.join(),
            items: array.elems.iter().cloned().collect(),
        }),
        other => Err(darling::Error::custom(expected).with_span(other)),
    }))
}

/// `name = "text"`.
fn string(meta: &syn::Meta, expected: &str) -> darling::Result<Value<syn::LitStr>> {
    Ok(value(meta, expected).and_then(|value| match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Ok(text.clone()),
        other => Err(darling::Error::custom(expected).with_span(other)),
    }))
}

/// `name = true` or `name = false`.
fn boolean(meta: &syn::Meta) -> darling::Result<Value<syn::LitBool>> {
    let name = darling::util::path_to_string(meta.path());
    let expected = format!("expected `{name} = true` or `{name} = false`");
    Ok(value(meta, &expected).and_then(|value| match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(flag),
            ..
        }) => Ok(flag.clone()),
        other => Err(darling::Error::custom(&expected).with_span(other)),
    }))
}
