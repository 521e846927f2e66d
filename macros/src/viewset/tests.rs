//! The checked model, built from `quote!` arguments and `syn::parse_quote!` impl blocks: what
//! each option and action becomes, and the errors each rule reports (all of them, in one run).

use super::attrs::{ACTION_OPTIONS, ActionArgs, ImplBlock, VIEWSET_OPTIONS, ViewsetArgs};
use super::model::{Action, Actions, Pagination, Permission, Trait, Viewset};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

fn check(args: TokenStream, item: syn::ItemImpl) -> darling::Result<Viewset> {
    Viewset::check(ViewsetArgs::parse(args), ImplBlock::parse(item))
}

/// The checked viewset; panics with the messages if it has errors.
fn checked(args: TokenStream, item: syn::ItemImpl) -> Viewset {
    check(args, item).unwrap_or_else(|error| panic!("unexpected errors: {:?}", messages(error)))
}

/// Every error message, in order; panics if the input checks.
fn errors(args: TokenStream, item: syn::ItemImpl) -> Vec<String> {
    match check(args, item) {
        Ok(_) => panic!("expected errors"),
        Err(error) => messages(error),
    }
}

/// The messages as the compiler shows them (darling's locations are left out of spanned
/// errors).
fn messages(error: darling::Error) -> Vec<String> {
    syn::Error::from(error)
        .into_iter()
        .map(|e| e.to_string())
        .collect()
}

fn text(tokens: &impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}

fn model_viewset() -> syn::ItemImpl {
    syn::parse_quote!(impl ModelViewSet for PostViewSet {})
}

fn action<'a>(viewset: &'a Viewset, name: &str) -> &'a Action {
    viewset
        .extra_actions
        .iter()
        .find(|a| a.method.sig.ident == name)
        .unwrap_or_else(|| panic!("no action `{name}`"))
}

/// The permission tree, in prefix form: `and(A,or(B,not(C)))`.
fn tree(permission: &Permission) -> String {
    match permission {
        Permission::Class(expr) => text(expr),
        Permission::And(l, r) => format!("and({},{})", tree(l), tree(r)),
        Permission::Or(l, r) => format!("or({},{})", tree(l), tree(r)),
        Permission::Not(inner) => format!("not({})", tree(inner)),
        Permission::All(items) => {
            let items: Vec<String> = items.iter().map(tree).collect();
            format!("all({})", items.join(","))
        }
    }
}

const UNKNOWN_MIXIN: &str =
    "unknown mixin; expected `list`, `create`, `retrieve`, `update` or `destroy`";

#[test]
fn defaults() {
    let v = checked(quote!(serializer = PostSerializer), model_viewset());
    assert_eq!(v.implements, Trait::Model);
    assert!(matches!(v.actions, Actions::All));
    assert_eq!(text(&v.serializer), "PostSerializer");
    assert!(v.list_serializer.is_none() && v.model.is_none());
    assert!(v.permissions.is_none() && v.authentication.is_none() && v.pagination.is_none());
    assert!(v.throttle_classes.is_none() && v.throttle_scope.is_none());
    assert!(v.lookup_field.is_none() && v.lookup_url_kwarg.is_none());
    assert!(v.queryset_is_static);
    assert!(v.extra_actions.is_empty());
}

#[test]
fn every_option() {
    let v = checked(
        quote!(
            serializer = crate::serializers::PostSerializer,
            list_serializer = PostListSerializer,
            model = post::Entity,
            permissions = IsAuthenticated,
            authentication = [JwtAuthentication, SessionAuthentication::new()],
            pagination = LimitOffsetPagination,
            throttle_classes = [AnonRateThrottle::new().rate("5/min")],
            throttle_scope = "uploads",
            lookup_field = "slug",
            lookup_url_kwarg = "post_slug",
        ),
        syn::parse_quote!(impl rest_framework::viewsets::ReadOnlyModelViewSet for PostViewSet {}),
    );
    assert_eq!(v.implements, Trait::ReadOnly);
    assert!(matches!(v.actions, Actions::ReadOnly));
    assert_eq!(text(&v.serializer), "crate::serializers::PostSerializer");
    assert_eq!(text(&v.list_serializer.unwrap()), "PostListSerializer");
    assert_eq!(text(&v.model.unwrap()), "post::Entity");
    assert_eq!(tree(&v.permissions.unwrap()), "IsAuthenticated");
    let authentication: Vec<String> = v.authentication.unwrap().iter().map(text).collect();
    assert_eq!(
        authentication,
        ["JwtAuthentication", "SessionAuthentication::new()"]
    );
    assert!(
        matches!(v.pagination, Some(Pagination::Type(path)) if text(&path) == "LimitOffsetPagination")
    );
    let throttles: Vec<String> = v.throttle_classes.unwrap().iter().map(text).collect();
    assert_eq!(throttles, ["AnonRateThrottle::new().rate(\"5/min\")"]);
    assert_eq!(v.throttle_scope.unwrap().value(), "uploads");
    let lookup = v.lookup_field.unwrap();
    assert_eq!(
        (lookup.name.value(), lookup.column.to_string()),
        ("slug".into(), "slug".into())
    );
    assert_eq!(v.lookup_url_kwarg.unwrap().value(), "post_slug");
    // `mixins` goes with `GenericViewSet`: with it, every option is known.
    let all_options = quote!(
        serializer = S,
        list_serializer = S,
        model = m::Entity,
        permissions = P,
        authentication = [],
        pagination = None,
        mixins = [list],
        throttle_classes = [],
        throttle_scope = "s",
        lookup_field = "f",
        lookup_url_kwarg = "k",
    );
    for name in VIEWSET_OPTIONS {
        assert!(
            all_options.to_string().contains(&format!("{name} =")),
            "{name}"
        );
    }
    assert_eq!(
        all_options.to_string().matches(" = ").count(),
        VIEWSET_OPTIONS.len()
    );
    checked(
        all_options,
        syn::parse_quote!(impl GenericViewSet for PostViewSet {}),
    );
}

#[test]
fn serializer_is_required() {
    assert_eq!(
        errors(quote!(), model_viewset()),
        ["a viewset needs `serializer = SomeSerializer`"]
    );
    assert_eq!(
        errors(quote!(list_serializer = S), model_viewset()),
        ["a viewset needs `serializer = SomeSerializer`"]
    );
}

#[test]
fn trait_rules() {
    assert_eq!(
        errors(
            quote!(serializer = S),
            syn::parse_quote!(impl PostViewSet {})
        ),
        [
            "#[viewset] goes on `impl ModelViewSet for YourViewSet { ... }` (or `ReadOnlyModelViewSet`, `GenericViewSet`)"
        ]
    );
    assert_eq!(
        errors(
            quote!(serializer = S),
            syn::parse_quote!(impl viewsets::ListViewSet for PostViewSet {})
        ),
        [
            "#[viewset] goes on `impl ModelViewSet for ...`, `impl ReadOnlyModelViewSet for ...` or `impl GenericViewSet for ...`"
        ]
    );
}

#[test]
fn mixins_rules() {
    let generic: syn::ItemImpl = syn::parse_quote!(impl GenericViewSet for PostViewSet {});
    let v = checked(
        quote!(serializer = S, mixins = [list, retrieve, destroy]),
        generic.clone(),
    );
    assert_eq!(v.implements, Trait::Generic);
    let Actions::Mixins(mixins) = &v.actions else {
        panic!("expected mixins");
    };
    let names: Vec<String> = mixins.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["list", "retrieve", "destroy"]);
    // No mixin: only the extra actions' routes.
    assert!(matches!(
        checked(quote!(serializer = S, mixins = []), generic.clone()).actions,
        Actions::Mixins(m) if m.is_empty()
    ));
    assert_eq!(
        errors(quote!(serializer = S), generic.clone()),
        ["a `GenericViewSet` needs `mixins = [list, retrieve, ...]`"]
    );
    assert_eq!(
        errors(quote!(serializer = S, mixins = [list]), model_viewset()),
        ["`mixins` only goes with `impl GenericViewSet for ...`"]
    );
    // Every bad item is its own error.
    assert_eq!(
        errors(
            quote!(
                serializer = S,
                mixins = [list, delete, list, "create", viewsets::update]
            ),
            generic.clone()
        ),
        [
            UNKNOWN_MIXIN,
            "`list` is listed twice",
            UNKNOWN_MIXIN,
            UNKNOWN_MIXIN
        ]
    );
    assert_eq!(
        errors(quote!(serializer = S, mixins = list), generic),
        ["expected `mixins = [list, retrieve, ...]`"]
    );
}

#[test]
fn permission_trees() {
    let permissions = |args: TokenStream| {
        let v = checked(quote!(serializer = S, permissions = #args), model_viewset());
        tree(&v.permissions.unwrap())
    };
    assert_eq!(permissions(quote!(A & (B | !C))), "and(A,or(B,not(C)))");
    assert_eq!(permissions(quote!(A | B & C)), "or(A,and(B,C))");
    assert_eq!(permissions(quote!([A, B, C])), "all(A,B,C)");
    assert_eq!(permissions(quote!([])), "all()");
    assert_eq!(
        permissions(quote!(HasScope::new("read") & Owner { field: "user_id" })),
        "and(HasScope::new(\"read\"),Owner{field:\"user_id\"})"
    );
    // Every bad part is its own error.
    assert_eq!(
        errors(
            quote!(serializer = S, permissions = (A + B) & [C, 5]),
            model_viewset()
        ),
        [
            "permissions combine with `&`, `|` and `!`",
            "expected a permission class, or `A & B`, `A | B`, `!A`, `[A, B]`",
        ]
    );
    assert_eq!(
        errors(
            quote!(serializer = S, permissions = "IsAuthenticated"),
            model_viewset()
        ),
        ["expected a permission class, or `A & B`, `A | B`, `!A`, `[A, B]`"]
    );
}

#[test]
fn pagination_kinds() {
    let pagination = |args: TokenStream| {
        checked(quote!(serializer = S, pagination = #args), model_viewset())
            .pagination
            .unwrap()
    };
    assert!(matches!(pagination(quote!(None)), Pagination::Off));
    assert!(
        matches!(pagination(quote!(pagination::PageNumberPagination)), Pagination::Type(path) if text(&path) == "pagination::PageNumberPagination")
    );
    assert!(
        matches!(pagination(quote!(crate::PAGINATOR)), Pagination::Value(expr) if text(&expr) == "crate::PAGINATOR")
    );
    assert!(matches!(
        pagination(quote!(CursorPagination::new("-created_at"))),
        Pagination::Value(_)
    ));
    assert!(matches!(
        pagination(quote!(LimitOffsetPagination {
            default_limit: 2,
            ..LimitOffsetPagination::default()
        })),
        Pagination::Value(_)
    ));
    // A number is a value: the compiler says it is no paginator.
    assert!(matches!(pagination(quote!(25)), Pagination::Value(_)));
}

#[test]
fn lookup_rules() {
    let v = checked(
        quote!(serializer = S, lookup_field = "name"),
        model_viewset(),
    );
    assert_eq!(v.lookup_field.unwrap().column.to_string(), "name");
    assert_eq!(
        errors(
            quote!(serializer = S, lookup_field = "", lookup_url_kwarg = ""),
            model_viewset()
        ),
        [
            "expected a column name: `lookup_field = \"slug\"`",
            "expected the path parameter's name: `lookup_url_kwarg = \"slug\"`",
        ]
    );
    assert_eq!(
        errors(
            quote!(serializer = S, lookup_field = "user.name"),
            model_viewset()
        ),
        ["expected a column name: `lookup_field = \"slug\"`"]
    );
    assert_eq!(
        errors(quote!(serializer = S, lookup_field = slug), model_viewset()),
        ["expected a column name: `lookup_field = \"slug\"`"]
    );
}

#[test]
fn value_shapes() {
    assert_eq!(
        errors(
            quote!(
                serializer = "PostSerializer",
                authentication = JwtAuthentication,
                throttle_classes = AnonRateThrottle::new(),
                throttle_scope = uploads,
            ),
            model_viewset()
        ),
        [
            "expected a type: `serializer = SomeType`",
            "expected a list of authentication classes: `[JwtAuthentication]`",
            "expected a list of throttles: `[AnonRateThrottle::new()]` (`[]` for none)",
            "expected a string: `throttle_scope = \"uploads\"`",
        ]
    );
    assert_eq!(
        errors(quote!(serializer), model_viewset()),
        ["expected a type: `serializer = SomeType`"]
    );
}

#[test]
fn queryset_is_static_unless_overridden() {
    let overrides_queryset = checked(
        quote!(serializer = S),
        syn::parse_quote!(impl ModelViewSet for PostViewSet {
            fn get_queryset(&self, ctx: &RequestContext) -> Select<post::Entity> {
                post::Entity::find()
            }
        }),
    );
    assert!(!overrides_queryset.queryset_is_static);
    let sets_constant = checked(
        quote!(serializer = S),
        syn::parse_quote!(impl ModelViewSet for PostViewSet {
            const QUERYSET_IS_STATIC: bool = false;
        }),
    );
    assert!(!sets_constant.queryset_is_static);
    let other_hook = checked(
        quote!(serializer = S),
        syn::parse_quote!(impl ModelViewSet for PostViewSet {
            async fn perform_create(&self) {}
        }),
    );
    assert!(other_hook.queryset_is_static);
    // The hooks stay in the block.
    assert_eq!(other_hook.item.items.len(), 1);
}

#[test]
fn actions() {
    let v = checked(
        quote!(serializer = S),
        syn::parse_quote!(impl ModelViewSet for PostViewSet {
            #[action(detail = false)]
            async fn recent_posts(&self, ctx: &RequestContext) -> ApiResult<Response> { todo!() }

            /// Kept docs.
            #[action(
                detail = true,
                methods = [get, post],
                url_path = "all-comments",
                url_name = "comments",
                name = "The comments",
                serializer = CommentSerializer,
                permissions = IsAuthenticated | ReadOnly,
            )]
            async fn comments(&self, ctx: &RequestContext) -> ApiResult<Response> { todo!() }

            fn get_queryset(&self, ctx: &RequestContext) -> Select<post::Entity> { todo!() }
        }),
    );
    // The unknown-option error lists every option.
    let every: syn::Attribute = syn::parse_quote!(#[action(
        detail = true, methods = [get], url_path = "p", url_name = "n", name = "N",
        serializer = S, permissions = P,
    )]);
    assert!(ActionArgs::parse(&every).is_ok());
    for name in ACTION_OPTIONS {
        assert!(text(&every).contains(&format!("{name}=")), "{name}");
    }
    // Actions leave the trait's block; hooks stay.
    assert_eq!(v.item.items.len(), 1);
    assert!(!v.queryset_is_static);
    let recent = action(&v, "recent_posts");
    assert!(!recent.detail);
    let methods: Vec<String> = recent.methods.iter().map(ToString::to_string).collect();
    assert_eq!(methods, ["get"]);
    assert_eq!(recent.url_path, "recent_posts");
    assert_eq!(recent.url_name, "recent-posts");
    assert_eq!(recent.name, "Recent Posts");
    assert!(recent.serializer.is_none() && recent.permissions.is_none());
    let comments = action(&v, "comments");
    assert!(comments.detail);
    let methods: Vec<String> = comments.methods.iter().map(ToString::to_string).collect();
    assert_eq!(methods, ["get", "post"]);
    assert_eq!(
        (
            comments.url_path.as_str(),
            comments.url_name.as_str(),
            comments.name.as_str()
        ),
        ("all-comments", "comments", "The comments")
    );
    assert_eq!(
        text(comments.serializer.as_ref().unwrap()),
        "CommentSerializer"
    );
    assert_eq!(
        tree(comments.permissions.as_ref().unwrap()),
        "or(IsAuthenticated,ReadOnly)"
    );
    // Only `#[action]` leaves the method's attributes.
    assert_eq!(comments.method.attrs.len(), 1);
    assert!(comments.method.attrs[0].path().is_ident("doc"));
}

#[test]
fn action_rules() {
    let found = errors(
        quote!(serializer = S),
        syn::parse_quote!(impl ModelViewSet for PostViewSet {
            #[action]
            async fn bare(&self) {}
            #[action(detail = yes, methods = [get, fetch, get])]
            async fn bad_values(&self) {}
            #[action(detail = true, url = "x", methods = [post])]
            async fn unknown(&self) {}
            #[action(detail = true)]
            #[action(methods = [post])]
            async fn twice(&self) {}
            #[action(detail = false, methods = get, name = 5)]
            async fn shapes(&self) {}
        }),
    );
    assert_eq!(
        found,
        [
            "an action needs `detail = true` (on `/prefix/{id}/...`) or `detail = false`",
            "expected `detail = true` or `detail = false`",
            "expected one of `get`, `post`, `put`, `patch`, `delete`",
            "`get` is listed twice",
            "unknown action option `url`; expected one of `detail`, `methods`, `url_path`, `url_name`, `name`, `serializer`, `permissions`",
            "a method has one `#[action(...)]`: merge the options",
            "expected `methods = [get, post]`",
            "expected a string: `name = \"Recent\"`",
        ]
    );
    let methods = errors(
        quote!(serializer = S),
        syn::parse_quote!(impl ModelViewSet for PostViewSet {
            #[action(detail = true, methods = [get, fetch, get, "put"])]
            async fn bad_methods(&self) {}
        }),
    );
    assert_eq!(
        methods,
        [
            "expected one of `get`, `post`, `put`, `patch`, `delete`",
            "`get` is listed twice",
            "expected one of `get`, `post`, `put`, `patch`, `delete`",
        ]
    );
}

#[test]
fn unknown_option_names_the_known_ones() {
    assert_eq!(
        errors(
            quote!(serializer = S, permisions = AllowAny, paginate_by = 10),
            model_viewset()
        ),
        [
            "unknown viewset option `permisions` (did you mean `permissions`?); expected one of `serializer`, `list_serializer`, `model`, `permissions`, `authentication`, `pagination`, `mixins`, `throttle_classes`, `throttle_scope`, `lookup_field`, `lookup_url_kwarg`",
            "unknown viewset option `paginate_by`; expected one of `serializer`, `list_serializer`, `model`, `permissions`, `authentication`, `pagination`, `mixins`, `throttle_classes`, `throttle_scope`, `lookup_field`, `lookup_url_kwarg`",
        ]
    );
}

#[test]
fn repeated_options_hide_no_other_mistake() {
    assert_eq!(
        errors(
            quote!(
                serializer = "S",
                serializer = T,
                "x",
                authentication = Jwt,
                detail = yes
            ),
            model_viewset()
        ),
        [
            "`serializer` is given twice",
            "expected an option: `name = value`",
            "unknown viewset option `detail`; expected one of `serializer`, `list_serializer`, `model`, `permissions`, `authentication`, `pagination`, `mixins`, `throttle_classes`, `throttle_scope`, `lookup_field`, `lookup_url_kwarg`",
            "expected a type: `serializer = SomeType`",
            "expected a list of authentication classes: `[JwtAuthentication]`",
        ]
    );
    assert_eq!(
        errors(
            quote!(serializer = S),
            syn::parse_quote!(impl ModelViewSet for PostViewSet {
                #[action(detail = true, detail = false, methods = [fetch])]
                async fn recent(&self) {}
                #[action = "x"]
                async fn other(&self) {}
            }),
        ),
        [
            "`detail` is given twice",
            "expected one of `get`, `post`, `put`, `patch`, `delete`",
            "expected `#[action(detail = ...)]`",
        ]
    );
}

#[test]
fn two_mistakes_give_two_errors() {
    assert_eq!(
        errors(
            quote!(serializer = S, mixins = [list, delete]),
            syn::parse_quote!(impl GenericViewSet for PostViewSet {
                #[action(methods = [get])]
                async fn recent(&self) {}
            }),
        ),
        // In written order: the arguments, then the actions.
        [
            UNKNOWN_MIXIN,
            "an action needs `detail = true` (on `/prefix/{id}/...`) or `detail = false`",
        ]
    );
    // Arguments darling cannot read still leave the block's and the actions' rules.
    assert_eq!(
        errors(
            quote!(serializer = S, throttle_scope = uploads),
            syn::parse_quote!(impl ListViewSet for PostViewSet {
                #[action(methods = [get])]
                async fn recent(&self) {}
            }),
        ),
        [
            "expected a string: `throttle_scope = \"uploads\"`",
            "#[viewset] goes on `impl ModelViewSet for ...`, `impl ReadOnlyModelViewSet for ...` or `impl GenericViewSet for ...`",
            "an action needs `detail = true` (on `/prefix/{id}/...`) or `detail = false`",
        ]
    );
    // Arguments that are no list of options still leave the block's rules.
    let unreadable = errors(
        quote!(serializer =),
        syn::parse_quote!(impl ListViewSet for PostViewSet {}),
    );
    assert_eq!(unreadable.len(), 2, "{unreadable:?}");
    assert!(unreadable[1].starts_with("#[viewset] goes on"));
    // Within the arguments, too.
    assert_eq!(
        errors(
            quote!(list_serializer = S, mixins = [list]),
            model_viewset()
        ),
        [
            "a viewset needs `serializer = SomeSerializer`",
            "`mixins` only goes with `impl GenericViewSet for ...`",
        ]
    );
    // A misspelt `serializer` is one mistake (not also a missing `serializer`); so is a
    // misspelt `detail`.
    assert_eq!(
        errors(quote!(serialiser = S), model_viewset()),
        [
            "unknown viewset option `serialiser` (did you mean `serializer`?); expected one of `serializer`, `list_serializer`, `model`, `permissions`, `authentication`, `pagination`, `mixins`, `throttle_classes`, `throttle_scope`, `lookup_field`, `lookup_url_kwarg`"
        ]
    );
    assert_eq!(
        errors(
            quote!(serializer = S),
            syn::parse_quote!(impl ModelViewSet for PostViewSet {
                #[action(detial = true)]
                async fn recent(&self) {}
            }),
        ),
        [
            "unknown action option `detial` (did you mean `detail`?); expected one of `detail`, `methods`, `url_path`, `url_name`, `name`, `serializer`, `permissions`"
        ]
    );
    // A value that cannot be read, an unknown option and a broken rule: three errors.
    assert_eq!(
        errors(
            quote!(
                serializer = S,
                throttle_scope = uploads,
                permission = AllowAny
            ),
            syn::parse_quote!(impl GenericViewSet for PostViewSet {}),
        ),
        [
            "unknown viewset option `permission` (did you mean `permissions`?); expected one of `serializer`, `list_serializer`, `model`, `permissions`, `authentication`, `pagination`, `mixins`, `throttle_classes`, `throttle_scope`, `lookup_field`, `lookup_url_kwarg`",
            "a `GenericViewSet` needs `mixins = [list, retrieve, ...]`",
            "expected a string: `throttle_scope = \"uploads\"`",
        ]
    );
}

/// The cases of `framework/tests/ui` that this crate rejects (`viewset_*`, `unknown_mixin`,
/// `generic_viewset_without_mixins`, `action_without_detail`, `throttle_*`): the errors
/// their `.stderr` files expect.
#[test]
fn ui_cases() {
    let generic: syn::ItemImpl = syn::parse_quote!(
        impl rest_framework::viewsets::GenericViewSet for PostViewSet {}
    );
    let model: syn::ItemImpl = syn::parse_quote!(
        impl rest_framework::viewsets::ModelViewSet for PostViewSet {}
    );
    let cases: [(TokenStream, &syn::ItemImpl, &[&str]); 5] = [
        (
            quote!(serializer = PostSerializer),
            &generic,
            &["a `GenericViewSet` needs `mixins = [list, retrieve, ...]`"],
        ),
        (
            quote!(serializer = PostSerializer, mixins = [list, delete]),
            &generic,
            &[UNKNOWN_MIXIN],
        ),
        (
            quote!(
                serializer = PostSerializer,
                throttle_classes = rest_framework::throttling::AnonRateThrottle::new()
            ),
            &model,
            &["expected a list of throttles: `[AnonRateThrottle::new()]` (`[]` for none)"],
        ),
        (
            quote!(serializer = PostSerializer, throttle_scope = uploads),
            &model,
            &["expected a string: `throttle_scope = \"uploads\"`"],
        ),
        (
            quote!(
                serializer = PostSerializer,
                permisions = rest_framework::permissions::AllowAny
            ),
            &model,
            &[
                "unknown viewset option `permisions` (did you mean `permissions`?); expected one of `serializer`, `list_serializer`, `model`, `permissions`, `authentication`, `pagination`, `mixins`, `throttle_classes`, `throttle_scope`, `lookup_field`, `lookup_url_kwarg`",
            ],
        ),
    ];
    for (args, item, expected) in cases {
        assert_eq!(errors(args, item.clone()), expected);
    }
    // The cases the compiler rejects check here.
    checked(
        quote!(serializer = PostSerializer, pagination = 25),
        model.clone(),
    );
    checked(
        quote!(serializer = PostSerializer, lookup_field = "slug"),
        model.clone(),
    );
    checked(
        quote!(serializer = PostSerializer, throttle_classes = ["5/min"]),
        model,
    );
}
