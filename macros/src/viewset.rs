//! `#[viewset(...)]` on `impl ModelViewSet for MyViewSet { ... }`: parse the arguments, check
//! them, and complete the impl block with the associated types and configuration methods,
//! keeping the user's hook overrides; then implement `ViewSet` so routers can register it.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, MetaNameValue, Token};

struct Args {
    serializer: syn::Type,
    list_serializer: Option<syn::Type>,
    model: Option<syn::Type>,
    permissions: Option<Expr>,
    authentication: Option<Expr>,
    pagination: Option<Expr>,
    mixins: Option<Expr>,
    throttle_classes: Option<Expr>,
    throttle_scope: Option<Expr>,
    lookup_field: Option<syn::LitStr>,
    lookup_url_kwarg: Option<syn::LitStr>,
}

/// `lookup_field = "name"`: a string literal.
fn lit_str(expr: &Expr, option: &str) -> syn::Result<syn::LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(value),
            ..
        }) if !value.value().is_empty() => Ok(value.clone()),
        other => Err(syn::Error::new(
            other.span(),
            format!("expected a column name: `{option} = \"name\"`"),
        )),
    }
}

fn expr_type(expr: &Expr) -> syn::Result<syn::Type> {
    match expr {
        Expr::Path(path) => Ok(syn::Type::Path(syn::TypePath {
            qself: None,
            path: path.path.clone(),
        })),
        other => Err(syn::Error::new(other.span(), "expected a type path")),
    }
}

fn parse_args(args: TokenStream) -> syn::Result<Args> {
    let pairs = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(args.clone())?;
    let mut serializer = None;
    let mut list_serializer = None;
    let mut model = None;
    let mut permissions = None;
    let mut authentication = None;
    let mut pagination = None;
    let mut mixins = None;
    let mut throttle_classes = None;
    let mut throttle_scope = None;
    let mut lookup_field = None;
    let mut lookup_url_kwarg = None;
    for pair in pairs {
        let key = pair
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match key.as_str() {
            "serializer" => serializer = Some(expr_type(&pair.value)?),
            "list_serializer" => list_serializer = Some(expr_type(&pair.value)?),
            "model" => model = Some(expr_type(&pair.value)?),
            "permissions" => permissions = Some(pair.value),
            "authentication" => authentication = Some(pair.value),
            "pagination" => pagination = Some(pair.value),
            "mixins" => mixins = Some(pair.value),
            "throttle_classes" => throttle_classes = Some(pair.value),
            "throttle_scope" => throttle_scope = Some(pair.value),
            "lookup_field" => lookup_field = Some(lit_str(&pair.value, "lookup_field")?),
            "lookup_url_kwarg" => {
                lookup_url_kwarg = Some(lit_str(&pair.value, "lookup_url_kwarg")?)
            }
            _ => {
                return Err(syn::Error::new(
                    pair.path.span(),
                    "unknown viewset option; expected one of `serializer`, `list_serializer`, `model`, `permissions`, `authentication`, `pagination`, `mixins`, `throttle_classes`, `throttle_scope`, `lookup_field`, `lookup_url_kwarg`",
                ));
            }
        }
    }
    let serializer = serializer.ok_or_else(|| {
        syn::Error::new(args.span(), "a viewset needs `serializer = SomeSerializer`")
    })?;
    Ok(Args {
        serializer,
        list_serializer,
        model,
        permissions,
        authentication,
        pagination,
        mixins,
        throttle_classes,
        throttle_scope,
        lookup_field,
        lookup_url_kwarg,
    })
}

/// `A & (B | !C)` -> `And(A, Or(B, Not(C)))`; `[A, B]` -> `And(A, B)` (DRF's list: all).
fn permission_expr(expr: &Expr) -> syn::Result<TokenStream> {
    let p = quote!(::rest_framework::permissions);
    match expr {
        Expr::Binary(binary) => {
            let left = permission_expr(&binary.left)?;
            let right = permission_expr(&binary.right)?;
            match binary.op {
                syn::BinOp::BitAnd(_) => Ok(quote!(#p::And(#left, #right))),
                syn::BinOp::BitOr(_) => Ok(quote!(#p::Or(#left, #right))),
                other => Err(syn::Error::new(
                    other.span(),
                    "permissions combine with `&`, `|` and `!`",
                )),
            }
        }
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Not(_),
            expr,
            ..
        }) => {
            let inner = permission_expr(expr)?;
            Ok(quote!(#p::Not(#inner)))
        }
        Expr::Paren(paren) => permission_expr(&paren.expr),
        Expr::Array(array) => {
            let mut items = array
                .elems
                .iter()
                .map(permission_expr)
                .collect::<syn::Result<Vec<_>>>()?;
            let Some(mut combined) = items.pop() else {
                return Ok(quote!(#p::AllowAny));
            };
            while let Some(previous) = items.pop() {
                combined = quote!(#p::And(#previous, #combined));
            }
            Ok(combined)
        }
        Expr::Path(_) | Expr::Call(_) | Expr::Struct(_) | Expr::MethodCall(_) => Ok(quote!(#expr)),
        other => Err(syn::Error::new(
            other.span(),
            "expected a permission class, or `A & B`, `A | B`, `!A`, `[A, B]`",
        )),
    }
}

fn authentication_expr(expr: &Expr) -> syn::Result<TokenStream> {
    let Expr::Array(array) = expr else {
        return Err(syn::Error::new(
            expr.span(),
            "expected a list of authentication classes: `[JwtAuthentication]`",
        ));
    };
    let items = array.elems.iter().map(|item| {
        quote_spanned!(item.span()=> ::std::sync::Arc::new(#item) as ::std::sync::Arc<dyn ::rest_framework::authentication::Authentication>)
    });
    Ok(quote!(::core::option::Option::Some(
        ::std::vec![#(#items),*]
    )))
}

/// `throttle_classes = [AnonRateThrottle::new().rate("5/min"), ...]`: the viewset's throttles.
fn throttle_classes_expr(expr: &Expr) -> syn::Result<TokenStream> {
    let Expr::Array(array) = expr else {
        return Err(syn::Error::new(
            expr.span(),
            "expected a list of throttles: `[AnonRateThrottle::new()]` (`[]` for none)",
        ));
    };
    let items = array.elems.iter().map(|item| {
        quote_spanned!(item.span()=> ::std::sync::Arc::new(#item) as ::std::sync::Arc<dyn ::rest_framework::throttling::Throttle>)
    });
    Ok(quote!(::core::option::Option::Some(
        ::std::vec![#(#items),*]
    )))
}

/// `throttle_scope = "uploads"`.
fn throttle_scope_expr(expr: &Expr) -> syn::Result<TokenStream> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(scope),
            ..
        }) => Ok(quote!(::core::option::Option::Some(::std::string::String::from(#scope)))),
        other => Err(syn::Error::new(
            other.span(),
            "expected a string: `throttle_scope = \"uploads\"`",
        )),
    }
}

/// The action set of `mixins = [list, create, retrieve, update, destroy]`.
fn mixins_expr(expr: &Expr) -> syn::Result<TokenStream> {
    let Expr::Array(array) = expr else {
        return Err(syn::Error::new(
            expr.span(),
            "expected `mixins = [list, retrieve, ...]`",
        ));
    };
    let mut fields = Vec::new();
    for item in &array.elems {
        let name = match item {
            Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
            _ => None,
        };
        match name.as_deref() {
            Some(name @ ("list" | "create" | "retrieve" | "update" | "destroy")) => {
                let field = syn::Ident::new(name, item.span());
                fields.push(quote!(#field: true));
            }
            _ => {
                return Err(syn::Error::new(
                    item.span(),
                    "unknown mixin; expected `list`, `create`, `retrieve`, `update` or `destroy`",
                ));
            }
        }
    }
    Ok(
        quote!(::rest_framework::viewsets::Actions { #(#fields,)* ..::rest_framework::viewsets::Actions::NONE }),
    )
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

/// An `#[action(...)]` method: DRF's extra action.
struct Action {
    method: syn::ImplItemFn,
    detail: bool,
    methods: Vec<syn::Ident>,
    url_path: String,
    url_name: String,
    name: String,
    serializer: Option<syn::Type>,
    permissions: Option<Expr>,
}

fn parse_action(mut method: syn::ImplItemFn, attr: syn::Attribute) -> syn::Result<Action> {
    let fn_name = method.sig.ident.to_string();
    let pairs = attr.parse_args_with(Punctuated::<MetaNameValue, Token![,]>::parse_terminated)?;
    let mut detail = None;
    let mut methods = vec![syn::Ident::new("get", method.sig.ident.span())];
    let mut url_path = fn_name.clone();
    let mut url_name = fn_name.replace('_', "-");
    let mut name = fn_name
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut serializer = None;
    let mut permissions = None;
    let string = |expr: &Expr| match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s.value()),
        other => Err(syn::Error::new(other.span(), "expected a string")),
    };
    for pair in pairs {
        let key = pair
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match key.as_str() {
            "detail" => match &pair.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Bool(b),
                    ..
                }) => detail = Some(b.value),
                other => return Err(syn::Error::new(other.span(), "expected `true` or `false`")),
            },
            "methods" => {
                let Expr::Array(array) = &pair.value else {
                    return Err(syn::Error::new(
                        pair.value.span(),
                        "expected `methods = [get, post]`",
                    ));
                };
                methods = Vec::new();
                for item in &array.elems {
                    let ident = match item {
                        Expr::Path(path) => path.path.get_ident().cloned(),
                        _ => None,
                    };
                    match ident {
                        Some(ident)
                            if ["get", "post", "put", "patch", "delete"]
                                .contains(&ident.to_string().as_str()) =>
                        {
                            methods.push(ident)
                        }
                        _ => {
                            return Err(syn::Error::new(
                                item.span(),
                                "expected one of `get`, `post`, `put`, `patch`, `delete`",
                            ));
                        }
                    }
                }
            }
            "url_path" => url_path = string(&pair.value)?,
            "url_name" => url_name = string(&pair.value)?,
            "name" => name = string(&pair.value)?,
            "serializer" => serializer = Some(expr_type(&pair.value)?),
            "permissions" => permissions = Some(pair.value),
            _ => {
                return Err(syn::Error::new(
                    pair.path.span(),
                    "unknown action option; expected one of `detail`, `methods`, `url_path`, `url_name`, `name`, `serializer`, `permissions`",
                ));
            }
        }
    }
    let detail = detail.ok_or_else(|| {
        syn::Error::new_spanned(
            &attr,
            "an action needs `detail = true` (on `/prefix/{id}/...`) or `detail = false`",
        )
    })?;
    method.attrs.retain(|a| !a.path().is_ident("action"));
    Ok(Action {
        method,
        detail,
        methods,
        url_path,
        url_name,
        name,
        serializer,
        permissions,
    })
}

/// The view and route of one action.
fn expand_action(
    self_ty: &syn::Type,
    action: &Action,
    default_serializer: &syn::Type,
) -> syn::Result<(TokenStream, TokenStream)> {
    let fn_ident = &action.method.sig.ident;
    let view = quote::format_ident!("__{}Action", fn_ident);
    let methods = action.methods.iter().map(|m| {
        let upper = syn::Ident::new(&m.to_string().to_uppercase(), m.span());
        quote!(::rest_framework::poem::http::Method::#upper)
    });
    let methods: Vec<TokenStream> = methods.collect();
    let serializer = action.serializer.as_ref().unwrap_or(default_serializer);
    let check = match &action.permissions {
        Some(expr) => {
            let permission = permission_expr(expr)?;
            quote!(::rest_framework::viewsets::check_permission::<::rest_framework::viewsets::ModelOf<#self_ty>>(&#permission, ctx))
        }
        None => quote!(::rest_framework::viewsets::check_permissions(&*self.0, ctx)),
    };
    let permission_of_schema = match &action.permissions {
        Some(expr) => permission_expr(expr)?,
        None => quote!(::rest_framework::viewsets::GenericViewSet::permissions(
            &*self.0
        )),
    };
    let name = &action.name;
    let action_name = &action.url_path;
    let detail = action.detail;
    let url_path = &action.url_path;
    let suffix = if detail {
        quote!(::rest_framework::viewsets::detail_suffix::<#self_ty>(#url_path))
    } else {
        let suffix = format!("{url_path}/");
        quote!(#suffix.into())
    };
    let lookup = if detail {
        quote!(::core::option::Option::Some(::rest_framework::openapi::lookup_param::<#self_ty> as fn() -> _))
    } else {
        quote!(::core::option::Option::None)
    };
    let url_name = &action.url_name;
    let item = quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        pub struct #view(::std::sync::Arc<#self_ty>);

        #[::rest_framework::async_trait]
        impl ::rest_framework::views::ApiView for #view {
            fn methods(&self) -> ::std::vec::Vec<::rest_framework::poem::http::Method> {
                ::std::vec![#(#methods),*]
            }
            fn authentication_classes(&self) -> ::core::option::Option<::std::vec::Vec<::std::sync::Arc<dyn ::rest_framework::authentication::Authentication>>> {
                ::rest_framework::viewsets::GenericViewSet::authentication_classes(&*self.0)
            }
            fn check_permissions(&self, ctx: &::rest_framework::request::RequestContext) -> ::rest_framework::exceptions::ApiResult<()> {
                #check
            }
            fn openapi_allows_anonymous(&self, method: &::rest_framework::poem::http::Method) -> bool {
                ::rest_framework::permissions::Permission::<::rest_framework::viewsets::ModelOf<#self_ty>>::openapi_allows_anonymous(&#permission_of_schema, method)
            }
            fn throttle_classes(&self) -> ::core::option::Option<::std::vec::Vec<::std::sync::Arc<dyn ::rest_framework::throttling::Throttle>>> {
                ::rest_framework::viewsets::GenericViewSet::throttle_classes(&*self.0)
            }
            fn throttle_scope(&self) -> ::core::option::Option<::std::string::String> {
                ::rest_framework::viewsets::GenericViewSet::throttle_scope(&*self.0)
            }
            async fn handle(&self, ctx: &mut ::rest_framework::request::RequestContext) -> ::rest_framework::exceptions::ApiResult<::rest_framework::response::Response> {
                self.0.#fn_ident(ctx).await
            }
            fn name(&self) -> ::std::string::String {
                #name.into()
            }
            async fn metadata_actions(&self, ctx: &::rest_framework::request::RequestContext) -> ::core::option::Option<::rest_framework::serde_json::Value> {
                ::rest_framework::views::metadata_actions_for::<#serializer, _, _>(ctx, &self.methods(), |ctx| async move {
                    let ctx = &ctx;
                    (|| -> ::rest_framework::exceptions::ApiResult<()> { #check })().is_ok()
                })
                .await
            }
            fn openapi_operations(&self, path: &str, registry: &mut ::rest_framework::poem_openapi::registry::Registry) -> ::std::vec::Vec<::rest_framework::poem_openapi::registry::MetaOperation> {
                ::rest_framework::openapi::action_operations::<#serializer>(path, #action_name, #lookup, &self.methods(), registry)
            }
        }
    };
    let route = quote! {
        ::rest_framework::viewsets::ViewSetRoute {
            suffix: #suffix,
            view: ::std::sync::Arc::new(#view(self.clone())),
            name: #url_name.into(),
        }
    };
    Ok((item, route))
}

pub fn expand(args: TokenStream, mut item: syn::ItemImpl) -> syn::Result<TokenStream> {
    let args = parse_args(args)?;
    let Some((_, trait_path, _)) = item.trait_.as_mut() else {
        return Err(syn::Error::new(
            item.impl_token.span(),
            "#[viewset] goes on `impl ModelViewSet for YourViewSet { ... }` (or `ReadOnlyModelViewSet`, `GenericViewSet`)",
        ));
    };
    let original_trait = trait_path.clone();
    let kind = trait_path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let actions = match (kind.as_str(), &args.mixins) {
        ("ModelViewSet", None) => quote!(::rest_framework::viewsets::Actions::ALL),
        ("ReadOnlyModelViewSet", None) => quote!(::rest_framework::viewsets::Actions::READ_ONLY),
        ("GenericViewSet", Some(mixins)) => mixins_expr(mixins)?,
        ("GenericViewSet", None) => {
            return Err(syn::Error::new_spanned(
                &*trait_path,
                "a `GenericViewSet` needs `mixins = [list, retrieve, ...]`",
            ));
        }
        ("ModelViewSet" | "ReadOnlyModelViewSet", Some(mixins)) => {
            return Err(syn::Error::new_spanned(
                mixins,
                "`mixins` only goes with `impl GenericViewSet for ...`",
            ));
        }
        _ => {
            return Err(syn::Error::new(
                trait_path.span(),
                "#[viewset] goes on `impl ModelViewSet for ...`, `impl ReadOnlyModelViewSet for ...` or `impl GenericViewSet for ...`",
            ));
        }
    };
    *trait_path = syn::parse_quote!(::rest_framework::viewsets::GenericViewSet);
    // `#[action]` methods leave the trait impl for an inherent impl and get routes of their own.
    let mut actions_found = Vec::new();
    let mut kept = Vec::new();
    for impl_item in std::mem::take(&mut item.items) {
        match impl_item {
            syn::ImplItem::Fn(method) => {
                match method
                    .attrs
                    .iter()
                    .find(|a| a.path().is_ident("action"))
                    .cloned()
                {
                    Some(attr) => actions_found.push(parse_action(method, attr)?),
                    None => kept.push(syn::ImplItem::Fn(method)),
                }
            }
            other => kept.push(other),
        }
    }
    item.items = kept;
    let self_ty = &item.self_ty;
    let serializer = &args.serializer;
    let list_serializer = args.list_serializer.as_ref().unwrap_or(serializer);
    let model = match &args.model {
        Some(model) => quote!(#model),
        None => quote!(<#serializer as ::rest_framework::serializers::ModelSerializer>::Entity),
    };
    let permissions = match &args.permissions {
        Some(expr) => permission_expr(expr)?,
        None => quote!(::rest_framework::permissions::AllowAny),
    };
    let mut generated: Vec<syn::ImplItem> = vec![
        syn::parse_quote!(const ACTIONS: ::rest_framework::viewsets::Actions = #actions;),
        syn::parse_quote!(type Entity = #model;),
        syn::parse_quote!(type Serializer = #serializer;),
        syn::parse_quote!(type ListSerializer = #list_serializer;),
        syn::parse_quote! {
            fn permissions(&self) -> impl ::rest_framework::permissions::Permission<::rest_framework::viewsets::ModelOf<Self>> {
                #permissions
            }
        },
    ];
    if let Some(expr) = &args.authentication {
        let classes = authentication_expr(expr)?;
        generated.push(syn::parse_quote! {
            fn authentication_classes(&self) -> ::core::option::Option<::std::vec::Vec<::std::sync::Arc<dyn ::rest_framework::authentication::Authentication>>> {
                #classes
            }
        });
    }
    // The default `get_queryset` is the same statement on every request: list routes may then
    // render their pages' statements once. A block that overrides it (or sets the constant
    // itself) keeps the trait's conservative default.
    let overrides = |name: &str| {
        item.items.iter().any(|item| match item {
            syn::ImplItem::Fn(method) => method.sig.ident == name,
            syn::ImplItem::Const(constant) => constant.ident == name,
            _ => false,
        })
    };
    if !overrides("get_queryset") && !overrides("QUERYSET_IS_STATIC") {
        generated.push(syn::parse_quote!(
            const QUERYSET_IS_STATIC: bool = true;
        ));
    }
    let mut inherent = Vec::new();
    if let Some(field) = &args.lookup_field {
        // Checked at compile time: the model must have the column (a field of its rows).
        let mut ident = syn::parse_str::<syn::Ident>(&field.value())
            .map_err(|_| syn::Error::new(field.span(), "expected a column name"))?;
        ident.set_span(field.span());
        generated.push(syn::parse_quote!(const LOOKUP_FIELD: &'static str = #field;));
        inherent.push(quote! {
            #[doc(hidden)]
            #[allow(dead_code)]
            fn __lookup_field_is_a_column(
                __row: &<#model as ::rest_framework::sea_orm::EntityTrait>::Model,
            ) {
                let _ = &__row.#ident;
            }
        });
    }
    if let Some(kwarg) = &args.lookup_url_kwarg {
        generated.push(syn::parse_quote!(
            const LOOKUP_URL_KWARG: ::core::option::Option<&'static str> = ::core::option::Option::Some(#kwarg);
        ));
    }
    if let Some(expr) = &args.throttle_classes {
        let classes = throttle_classes_expr(expr)?;
        generated.push(syn::parse_quote! {
            fn throttle_classes(&self) -> ::core::option::Option<::std::vec::Vec<::std::sync::Arc<dyn ::rest_framework::throttling::Throttle>>> {
                #classes
            }
        });
    }
    if let Some(expr) = &args.throttle_scope {
        let scope = throttle_scope_expr(expr)?;
        generated.push(syn::parse_quote! {
            fn throttle_scope(&self) -> ::core::option::Option<::std::string::String> {
                #scope
            }
        });
    }
    if let Some(expr) = &args.pagination {
        let value = match expr {
            Expr::Path(path) if path.path.is_ident("None") => quote!(::core::option::Option::None),
            // A paginator type (`LimitOffsetPagination`): its defaults. (A `CONSTANT` is a
            // value, below.)
            Expr::Path(path) if !is_constant_name(&path.path) => {
                quote!(::core::option::Option::Some(
                    ::std::sync::Arc::new(<#path as ::core::default::Default>::default())
                        as ::std::sync::Arc<dyn ::rest_framework::pagination::Pagination>
                ))
            }
            // An expression building a paginator (`CursorPagination::new("-created_at")`).
            other => quote_spanned!(other.span()=> ::core::option::Option::Some(
                ::std::sync::Arc::new(#other)
                    as ::std::sync::Arc<dyn ::rest_framework::pagination::Pagination>
            )),
        };
        generated.push(syn::parse_quote! {
            fn pagination_class(&self) -> ::core::option::Option<::core::option::Option<::std::sync::Arc<dyn ::rest_framework::pagination::Pagination>>> {
                ::core::option::Option::Some(#value)
            }
        });
    }
    generated.append(&mut item.items);
    item.items = generated;
    let mut action_items = Vec::new();
    let mut action_routes = Vec::new();
    for action in &actions_found {
        let (view, route) = expand_action(self_ty, action, serializer)?;
        action_items.push(view);
        action_routes.push(route);
    }
    let action_methods = actions_found.iter().map(|a| &a.method);
    let marker = match kind.as_str() {
        "GenericViewSet" => TokenStream::new(),
        _ => quote!(impl #original_trait for #self_ty {}),
    };
    Ok(quote! {
        #item

        #marker

        impl #self_ty {
            #(#action_methods)*
            #(#inherent)*
        }

        #(#action_items)*

        impl ::rest_framework::viewsets::ViewSet for #self_ty {
            fn routes(self: ::std::sync::Arc<Self>) -> ::std::vec::Vec<::rest_framework::viewsets::ViewSetRoute> {
                let mut routes = ::rest_framework::viewsets::viewset_routes(self.clone());
                routes.extend([#(#action_routes),*]);
                routes
            }
            fn basename(&self) -> ::std::string::String {
                <<Self as ::rest_framework::viewsets::GenericViewSet>::Entity as ::rest_framework::models::ModelMeta>::NAME.to_lowercase()
            }
        }
    })
}
