//! The checked model of a viewset: what `#[viewset(...)]` and the block's `#[action(...)]`
//! methods mean, after every rule was verified. Each rule is a small function that pushes
//! its errors; [`Viewset::check`] runs them all, so one compile shows every mistake.

use super::attrs::{
    ACTION_OPTIONS, ActionMethod, ImplBlock, List, UnknownOptions, VIEWSET_OPTIONS, Value,
    ViewsetArgs,
};
use darling::{Error, error::Accumulator};
use proc_macro2::Span;
use syn::spanned::Spanned;

pub struct Viewset {
    /// The impl block without its action methods (its trait path is still the user's).
    pub item: syn::ItemImpl,
    /// The trait the block implements.
    pub implements: Trait,
    /// The actions the viewset answers.
    pub actions: Actions,
    pub serializer: syn::Type,
    pub list_serializer: Option<syn::Type>,
    /// The entity, when it is not the serializer's.
    pub model: Option<syn::Type>,
    /// The permission classes; `None`: anyone (`AllowAny`).
    pub permissions: Option<Permission>,
    /// The authentication classes; `None`: the settings' defaults.
    pub authentication: Option<Vec<syn::Expr>>,
    /// The paginator; `None`: the settings' default.
    pub pagination: Option<Pagination>,
    /// The throttles; `None`: the settings' defaults.
    pub throttle_classes: Option<Vec<syn::Expr>>,
    pub throttle_scope: Option<syn::LitStr>,
    pub lookup_field: Option<LookupField>,
    pub lookup_url_kwarg: Option<syn::LitStr>,
    /// The block keeps the default `get_queryset` (and does not set `QUERYSET_IS_STATIC`):
    /// every request lists the same statement.
    pub queryset_is_static: bool,
    /// The `#[action]` methods.
    pub extra_actions: Vec<Action>,
}

/// The trait a `#[viewset]` block implements. A macro sees no types: the trait is known by
/// the last segment of its path (`rest_framework::viewsets::ModelViewSet` or, imported,
/// `ModelViewSet`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Trait {
    /// `ModelViewSet`: every action.
    Model,
    /// `ReadOnlyModelViewSet`: list and retrieve.
    ReadOnly,
    /// `GenericViewSet`: the actions of `mixins = [...]` (DRF's mixins).
    Generic,
}

/// The actions of a viewset (`viewsets::Actions`).
pub enum Actions {
    /// `Actions::ALL`.
    All,
    /// `Actions::READ_ONLY`.
    ReadOnly,
    /// `mixins = [...]`: these actions, each named once.
    Mixins(Vec<syn::Ident>),
}

/// The mixins of `mixins = [...]` (the fields of `viewsets::Actions`).
const MIXINS: [&str; 5] = ["list", "create", "retrieve", "update", "destroy"];

/// The HTTP methods of `#[action(methods = [...])]`.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// A permission expression (DRF 3.9's composition): `A & (B | !C)`, `[A, B]`.
pub enum Permission {
    /// A permission class, as written (`IsAuthenticated`, `HasScope::new("read")`).
    Class(syn::Expr),
    /// `A & B`.
    And(Box<Permission>, Box<Permission>),
    /// `A | B`.
    Or(Box<Permission>, Box<Permission>),
    /// `!A`.
    Not(Box<Permission>),
    /// `[A, B]`: all of them (DRF's list); `[]` lets anyone in.
    All(Vec<Permission>),
}

/// `pagination = ...`.
pub enum Pagination {
    /// `None`: the list is not paginated.
    Off,
    /// A paginator type, with its defaults (`LimitOffsetPagination`).
    Type(syn::ExprPath),
    /// An expression building a paginator (`CursorPagination::new("-created_at")`, a
    /// constant `PAGINATOR`).
    Value(syn::Expr),
}

/// `lookup_field = "slug"`.
pub struct LookupField {
    /// The name, as written (`LOOKUP_FIELD`).
    pub name: syn::LitStr,
    /// The column it names, spanned on the string (checked against the model's rows).
    pub column: syn::Ident,
}

/// An `#[action(...)]` method: DRF's extra action.
pub struct Action {
    /// The method, without its `#[action]`.
    pub method: syn::ImplItemFn,
    /// On the detail route (`{id}/<url_path>/`) or the list route (`<url_path>/`).
    pub detail: bool,
    pub methods: Vec<syn::Ident>,
    pub url_path: String,
    pub url_name: String,
    /// The view's name (OPTIONS, the browsable API).
    pub name: String,
    /// The action's own serializer; `None`: the viewset's.
    pub serializer: Option<syn::Type>,
    /// The action's own permission classes; `None`: the viewset's.
    pub permissions: Option<Permission>,
}

impl Viewset {
    /// Checks a viewset: every rule of the arguments, the block and each action runs, and
    /// all their errors come back together: the arguments' first, then the trait's, then
    /// each action's. A value that could not be read is one more error; only arguments that
    /// are not even a list of options (`#[viewset(serializer =)]`) leave out the arguments'
    /// rules.
    pub fn check(args: darling::Result<ViewsetArgs>, block: ImplBlock) -> darling::Result<Self> {
        let mut errors = Error::accumulator();
        let args = errors.handle(args);
        let implements = check_trait(&block.item);
        let options = args.map(|args| {
            let implements = implements.as_ref().ok().copied();
            Options::check(args, implements, &block.item, &mut errors)
        });
        let implements = errors.handle(implements);
        let extra_actions: Vec<Action> = block
            .actions
            .into_iter()
            .filter_map(|action| errors.handle(Action::check(action)))
            .collect();
        errors.finish()?;
        // Every rule that gave `None` pushed an error: here all are known.
        let (Some(Some(options)), Some(implements)) = (options, implements) else {
            return Err(internal_error());
        };
        Ok(Viewset {
            queryset_is_static: queryset_is_static(&block.item),
            item: block.item,
            implements,
            actions: options.actions,
            serializer: options.serializer,
            list_serializer: options.list_serializer,
            model: options.model,
            permissions: options.permissions,
            authentication: options.authentication,
            pagination: options.pagination,
            throttle_classes: options.throttle_classes,
            throttle_scope: options.throttle_scope,
            lookup_field: options.lookup_field,
            lookup_url_kwarg: options.lookup_url_kwarg,
            extra_actions,
        })
    }
}

/// The checked arguments of `#[viewset(...)]` (see [`Viewset`]).
struct Options {
    actions: Actions,
    serializer: syn::Type,
    list_serializer: Option<syn::Type>,
    model: Option<syn::Type>,
    permissions: Option<Permission>,
    authentication: Option<Vec<syn::Expr>>,
    pagination: Option<Pagination>,
    throttle_classes: Option<Vec<syn::Expr>>,
    throttle_scope: Option<syn::LitStr>,
    lookup_field: Option<LookupField>,
    lookup_url_kwarg: Option<syn::LitStr>,
}

impl Options {
    /// Runs the rules of the arguments; `None` if any pushed an error. `implements` is the
    /// block's trait, when known.
    fn check(
        args: ViewsetArgs,
        implements: Option<Trait>,
        item: &syn::ItemImpl,
        errors: &mut Accumulator,
    ) -> Option<Self> {
        for error in args.refused {
            errors.push(error);
        }
        let meant = check_unknown("viewset", &args.unknown, &VIEWSET_OPTIONS, errors);
        // A misspelt `serializer` is one mistake, not also a missing option.
        let misspelt = meant.contains(&"serializer");
        let serializer = given(args.serializer, errors)
            .and_then(|serializer| check_serializer(serializer, misspelt, errors));
        let list_serializer = given(args.list_serializer, errors);
        let model = given(args.model, errors);
        let permissions = check_given(args.permissions, errors, |expr, errors| {
            check_permission(&expr, errors)
        });
        let authentication = given(args.authentication, errors);
        let pagination = check_given(args.pagination, errors, |expr, _| Some(pagination(&expr)));
        let actions = given(args.mixins, errors)
            .and_then(|mixins| check_actions(implements, mixins.as_ref(), item, errors));
        let throttle_classes = given(args.throttle_classes, errors);
        let throttle_scope = given(args.throttle_scope, errors);
        let lookup_field = check_given(args.lookup_field, errors, check_lookup_field);
        let lookup_url_kwarg = check_given(args.lookup_url_kwarg, errors, check_lookup_url_kwarg);
        Some(Options {
            actions: actions?,
            serializer: serializer?,
            list_serializer: list_serializer?,
            model: model?,
            permissions: permissions?,
            authentication: authentication?.map(|list| list.items),
            pagination: pagination?,
            throttle_classes: throttle_classes?.map(|list| list.items),
            throttle_scope: throttle_scope?,
            lookup_field: lookup_field?,
            lookup_url_kwarg: lookup_url_kwarg?,
        })
    }
}

/// An optional option: `Some(None)` when it is not given, `Some(Some(value))` when its value
/// was read, and `None` when it could not be (its error pushed).
fn given<T>(value: Option<Value<T>>, errors: &mut Accumulator) -> Option<Option<T>> {
    match value {
        None => Some(None),
        Some(value) => errors.handle(value).map(Some),
    }
}

/// [`given`], then `rule` on the value: `None` when either pushed an error.
fn check_given<T, U>(
    value: Option<Value<T>>,
    errors: &mut Accumulator,
    rule: impl FnOnce(T, &mut Accumulator) -> Option<U>,
) -> Option<Option<U>> {
    match given(value, errors)? {
        None => Some(None),
        Some(value) => rule(value, errors).map(Some),
    }
}

/// Options that are none of `known`: each is an error naming the known ones (and the
/// closest, for a typo; darling's own error names only the closest). Gives the closest
/// names.
fn check_unknown<'a>(
    what: &str,
    unknown: &UnknownOptions,
    known: &[&'a str],
    errors: &mut Accumulator,
) -> Vec<&'a str> {
    let expected = known
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut meant = Vec::new();
    for path in &unknown.0 {
        let name = darling::util::path_to_string(path);
        let close = closest(&name, known);
        let hint = close
            .map(|close| format!(" (did you mean `{close}`?)"))
            .unwrap_or_default();
        errors.push(error_at(
            &format!("unknown {what} option `{name}`{hint}; expected one of {expected}"),
            path.span(),
        ));
        meant.extend(close);
    }
    meant
}

/// The known name within a few typos of `name`, if any.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let allowed = (name.chars().count() / 3).max(1);
    known
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein's distance: the insertions, deletions and substitutions from `a` to `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// A rule gave no value yet pushed no error (a bug of this crate).
fn internal_error() -> Error {
    Error::custom("internal error: a viewset rule failed without an error")
}

/// A spanned compile error.
fn error_at(message: &str, span: Span) -> Error {
    Error::custom(message).with_span(&span)
}

/// `serializer = ...` is the one required option (unless an unknown option was `misspelt`
/// for it, and reported).
fn check_serializer(
    serializer: Option<syn::Type>,
    misspelt: bool,
    errors: &mut Accumulator,
) -> Option<syn::Type> {
    if serializer.is_none() && !misspelt {
        errors.push(error_at(
            "a viewset needs `serializer = SomeSerializer`",
            Span::call_site(),
        ));
    }
    serializer
}

/// The block is `impl <one of the three traits> for MyViewSet`.
fn check_trait(item: &syn::ItemImpl) -> darling::Result<Trait> {
    let Some((_, path, _)) = &item.trait_ else {
        return Err(error_at(
            "#[viewset] goes on `impl ModelViewSet for YourViewSet { ... }` (or `ReadOnlyModelViewSet`, `GenericViewSet`)",
            item.impl_token.span,
        ));
    };
    let last = path.segments.last();
    match last.map(|segment| segment.ident.to_string()).as_deref() {
        Some("ModelViewSet") => Ok(Trait::Model),
        Some("ReadOnlyModelViewSet") => Ok(Trait::ReadOnly),
        Some("GenericViewSet") => Ok(Trait::Generic),
        _ => Err(error_at(
            "#[viewset] goes on `impl ModelViewSet for ...`, `impl ReadOnlyModelViewSet for ...` or `impl GenericViewSet for ...`",
            trait_span(item),
        )),
    }
}

/// Where the trait's name is written (`GenericViewSet` of `viewsets::GenericViewSet`).
fn trait_span(item: &syn::ItemImpl) -> Span {
    match &item.trait_ {
        Some((_, path, _)) => path
            .segments
            .last()
            .map_or_else(|| path.span(), |segment| segment.ident.span()),
        None => item.impl_token.span,
    }
}

/// The actions: the trait's, or with `GenericViewSet` (and only with it) the `mixins`.
fn check_actions(
    implements: Option<Trait>,
    mixins: Option<&List>,
    item: &syn::ItemImpl,
    errors: &mut Accumulator,
) -> Option<Actions> {
    let named = mixins.map(|list| check_mixins(list, errors));
    match (implements?, mixins) {
        (Trait::Model, None) => Some(Actions::All),
        (Trait::ReadOnly, None) => Some(Actions::ReadOnly),
        (Trait::Generic, Some(_)) => named?.map(Actions::Mixins),
        (Trait::Generic, None) => {
            errors.push(error_at(
                "a `GenericViewSet` needs `mixins = [list, retrieve, ...]`",
                trait_span(item),
            ));
            None
        }
        (Trait::Model | Trait::ReadOnly, Some(list)) => {
            errors.push(error_at(
                "`mixins` only goes with `impl GenericViewSet for ...`",
                list.span,
            ));
            None
        }
    }
}

/// `mixins = [list, retrieve]`: each a mixin, named once. `None` if any is not.
fn check_mixins(list: &List, errors: &mut Accumulator) -> Option<Vec<syn::Ident>> {
    names_from(
        list,
        &MIXINS,
        "unknown mixin; expected `list`, `create`, `retrieve`, `update` or `destroy`",
        errors,
    )
}

/// The items of `list`, each one of `known` and written once; every other item is an
/// error (`unknown`, or a repeat). `None` if any was pushed.
fn names_from(
    list: &List,
    known: &[&str],
    unknown: &str,
    errors: &mut Accumulator,
) -> Option<Vec<syn::Ident>> {
    let mut names: Vec<syn::Ident> = Vec::new();
    let mut valid = true;
    for item in &list.items {
        let ident = match item {
            syn::Expr::Path(path) if path.qself.is_none() => path.path.get_ident(),
            _ => None,
        };
        match ident {
            Some(ident) if names.contains(ident) => {
                errors.push(error_at(
                    &format!("`{ident}` is listed twice"),
                    ident.span(),
                ));
                valid = false;
            }
            Some(ident) if known.contains(&ident.to_string().as_str()) => {
                names.push(ident.clone());
            }
            _ => {
                errors.push(Error::custom(unknown).with_span(item));
                valid = false;
            }
        }
    }
    valid.then_some(names)
}

/// `A & (B | !C)`, `[A, B]`: every part that is no permission is an error.
fn check_permission(expr: &syn::Expr, errors: &mut Accumulator) -> Option<Permission> {
    match expr {
        syn::Expr::Binary(binary) => {
            let left = check_permission(&binary.left, errors);
            let combine = match binary.op {
                syn::BinOp::BitAnd(_) => Some(Permission::And as fn(_, _) -> _),
                syn::BinOp::BitOr(_) => Some(Permission::Or as fn(_, _) -> _),
                other => {
                    errors.push(
                        Error::custom("permissions combine with `&`, `|` and `!`")
                            .with_span(&other),
                    );
                    None
                }
            };
            let right = check_permission(&binary.right, errors);
            Some(combine?(Box::new(left?), Box::new(right?)))
        }
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Not(_),
            expr,
            ..
        }) => Some(Permission::Not(Box::new(check_permission(expr, errors)?))),
        syn::Expr::Paren(syn::ExprParen { expr, .. })
        | syn::Expr::Group(syn::ExprGroup { expr, .. }) => check_permission(expr, errors),
        syn::Expr::Array(array) => {
            let items: Vec<_> = array
                .elems
                .iter()
                .map(|item| check_permission(item, errors))
                .collect();
            items
                .into_iter()
                .collect::<Option<_>>()
                .map(Permission::All)
        }
        syn::Expr::Path(_)
        | syn::Expr::Call(_)
        | syn::Expr::Struct(_)
        | syn::Expr::MethodCall(_) => Some(Permission::Class(expr.clone())),
        other => {
            errors.push(
                Error::custom("expected a permission class, or `A & B`, `A | B`, `!A`, `[A, B]`")
                    .with_span(other),
            );
            None
        }
    }
}

/// `lookup_field = "slug"` names a column: a field of the model's rows (the compiler
/// checks that it exists).
fn check_lookup_field(name: syn::LitStr, errors: &mut Accumulator) -> Option<LookupField> {
    let Ok(mut column) = syn::parse_str::<syn::Ident>(&name.value()) else {
        errors.push(error_at(
            "expected a column name: `lookup_field = \"slug\"`",
            name.span(),
        ));
        return None;
    };
    column.set_span(name.span());
    Some(LookupField { name, column })
}

/// `lookup_url_kwarg = "..."` names the path parameter: not empty.
fn check_lookup_url_kwarg(kwarg: syn::LitStr, errors: &mut Accumulator) -> Option<syn::LitStr> {
    if kwarg.value().is_empty() {
        errors.push(error_at(
            "expected the path parameter's name: `lookup_url_kwarg = \"slug\"`",
            kwarg.span(),
        ));
        return None;
    }
    Some(kwarg)
}

/// `pagination = ...`: `None`, a paginator type, or an expression building one. A macro
/// sees no types; Rust's naming tells them apart: a path is a type unless its last segment
/// is a constant's `SCREAMING_CASE` name.
fn pagination(expr: &syn::Expr) -> Pagination {
    match expr {
        syn::Expr::Path(path) if path.qself.is_none() && path.path.is_ident("None") => {
            Pagination::Off
        }
        syn::Expr::Path(path) if !is_constant_name(&path.path) => Pagination::Type(path.clone()),
        other => Pagination::Value(other.clone()),
    }
}

/// `SOME_PAGINATOR`: a constant (a value), not a type.
fn is_constant_name(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|segment| {
        let name = segment.ident.to_string();
        name.len() > 1
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The default `get_queryset` is the same statement on every request: list routes may then
/// render their pages' statements once. A block that overrides it (or sets the constant
/// itself) keeps the trait's conservative default.
fn queryset_is_static(item: &syn::ItemImpl) -> bool {
    !item.items.iter().any(|item| match item {
        syn::ImplItem::Fn(method) => method.sig.ident == "get_queryset",
        syn::ImplItem::Const(constant) => constant.ident == "QUERYSET_IS_STATIC",
        _ => false,
    })
}

impl Action {
    /// Checks one `#[action(...)]` method: every rule pushes its own errors.
    fn check(action: ActionMethod) -> darling::Result<Self> {
        let ActionMethod {
            method,
            span,
            args,
            repeated,
        } = action;
        let mut errors = Error::accumulator();
        for span in repeated {
            errors.push(error_at(
                "a method has one `#[action(...)]`: merge the options",
                span,
            ));
        }
        let Some(args) = errors.handle(args) else {
            return Err(errors.finish().err().unwrap_or_else(internal_error));
        };
        for error in args.refused {
            errors.push(error);
        }
        let meant = check_unknown("action", &args.unknown, &ACTION_OPTIONS, &mut errors);
        // A misspelt `detail` is one mistake, not also a missing option.
        let misspelt = meant.contains(&"detail");
        let detail = given(args.detail, &mut errors)
            .and_then(|detail| check_detail(detail, misspelt, span, &mut errors));
        let methods = check_given(args.methods, &mut errors, |list, errors| {
            check_methods(&list, errors)
        });
        let fn_name = method.sig.ident.to_string();
        let url_path = given(args.url_path, &mut errors);
        let url_name = given(args.url_name, &mut errors);
        let name = given(args.name, &mut errors);
        let serializer = given(args.serializer, &mut errors);
        let permissions = check_given(args.permissions, &mut errors, |expr, errors| {
            check_permission(&expr, errors)
        });
        errors.finish()?;
        // Every rule that gave `None` pushed an error: here all are known.
        let (
            Some(detail),
            Some(methods),
            Some(url_path),
            Some(url_name),
            Some(name),
            Some(serializer),
            Some(permissions),
        ) = (
            detail,
            methods,
            url_path,
            url_name,
            name,
            serializer,
            permissions,
        )
        else {
            return Err(internal_error());
        };
        Ok(Action {
            detail,
            methods: methods
                .unwrap_or_else(|| vec![syn::Ident::new("get", method.sig.ident.span())]),
            url_path: url_path.map_or_else(|| fn_name.clone(), |path| path.value()),
            url_name: url_name.map_or_else(|| fn_name.replace('_', "-"), |name| name.value()),
            name: name.map_or_else(|| words(&fn_name), |name| name.value()),
            serializer,
            permissions,
            method,
        })
    }
}

/// `detail = true` or `detail = false` is required: DRF has no default (unless an unknown
/// option was `misspelt` for it, and reported).
fn check_detail(
    detail: Option<syn::LitBool>,
    misspelt: bool,
    span: Span,
    errors: &mut Accumulator,
) -> Option<bool> {
    if detail.is_none() && !misspelt {
        errors.push(error_at(
            "an action needs `detail = true` (on `/prefix/{id}/...`) or `detail = false`",
            span,
        ));
    }
    detail.map(|flag| flag.value)
}

/// `methods = [get, post]`: each an HTTP method, named once.
fn check_methods(list: &List, errors: &mut Accumulator) -> Option<Vec<syn::Ident>> {
    names_from(
        list,
        &METHODS,
        "expected one of `get`, `post`, `put`, `patch`, `delete`",
        errors,
    )
}

/// `recent_posts` -> `Recent Posts` (DRF's default action name).
fn words(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
