//! Code generation for `#[viewset]`: the impl block completed with the associated types and
//! configuration methods of `GenericViewSet` (the user's hook overrides kept), the marker
//! trait, one view per extra action, and `ViewSet` so that routers can register it. The
//! runtime helpers are reached through `rest_framework::__private::viewsets`.

use super::model::{Action, Actions, Pagination, Permission, Trait, Viewset};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// `::rest_framework::__private::viewsets`: the helpers generated code calls.
fn private() -> TokenStream {
    quote!(::rest_framework::__private::viewsets)
}

pub fn expand(v: &Viewset) -> TokenStream {
    let rf = quote!(::rest_framework);
    let private = private();
    let mut item = v.item.clone();
    let original_trait = item.trait_.as_ref().map(|(_, path, _)| path.clone());
    if let Some((_, path, _)) = item.trait_.as_mut() {
        *path = syn::parse_quote!(#rf::viewsets::GenericViewSet);
    }
    let self_ty = &item.self_ty;
    let serializer = &v.serializer;
    let list_serializer = v.list_serializer.as_ref().unwrap_or(serializer);
    let model = match &v.model {
        Some(model) => quote!(#model),
        None => quote!(<#serializer as #rf::serializers::ModelSerializer>::Entity),
    };
    let actions = actions(&v.actions);
    let permissions = match &v.permissions {
        Some(permission) => permission_tokens(permission),
        None => quote!(#rf::permissions::AllowAny),
    };
    let mut generated: Vec<syn::ImplItem> = vec![
        syn::parse_quote!(const ACTIONS: #rf::viewsets::Actions = #actions;),
        syn::parse_quote!(type Entity = #model;),
        syn::parse_quote!(type Serializer = #serializer;),
        syn::parse_quote!(type ListSerializer = #list_serializer;),
        syn::parse_quote! {
            fn permissions(&self) -> impl #rf::permissions::Permission<#rf::viewsets::ModelOf<Self>> {
                #permissions
            }
        },
    ];
    if let Some(classes) = &v.authentication {
        let items = classes.iter().map(|item| {
            quote_spanned!(item.span()=> ::std::sync::Arc::new(#item) as ::std::sync::Arc<dyn #rf::authentication::Authentication>)
        });
        generated.push(syn::parse_quote! {
            fn authentication_classes(&self) -> ::core::option::Option<::std::vec::Vec<::std::sync::Arc<dyn #rf::authentication::Authentication>>> {
                ::core::option::Option::Some(::std::vec![#(#items),*])
            }
        });
    }
    if v.queryset_is_static {
        generated.push(syn::parse_quote!(
            const QUERYSET_IS_STATIC: bool = true;
        ));
    }
    let mut inherent = Vec::new();
    if let Some(lookup) = &v.lookup_field {
        let name = &lookup.name;
        let column = &lookup.column;
        generated.push(syn::parse_quote!(const LOOKUP_FIELD: &'static str = #name;));
        // Checked at compile time: the model must have the column (a field of its rows).
        inherent.push(quote! {
            #[doc(hidden)]
            #[allow(dead_code)]
            fn __lookup_field_is_a_column(
                __row: &<#model as #rf::sea_orm::EntityTrait>::Model,
            ) {
                let _ = &__row.#column;
            }
        });
    }
    if let Some(kwarg) = &v.lookup_url_kwarg {
        generated.push(syn::parse_quote!(
            const LOOKUP_URL_KWARG: ::core::option::Option<&'static str> = ::core::option::Option::Some(#kwarg);
        ));
    }
    if let Some(throttles) = &v.throttle_classes {
        let items = throttles.iter().map(|item| {
            quote_spanned!(item.span()=> ::std::sync::Arc::new(#item) as ::std::sync::Arc<dyn #rf::throttling::Throttle>)
        });
        generated.push(syn::parse_quote! {
            fn throttle_classes(&self) -> ::core::option::Option<::std::vec::Vec<::std::sync::Arc<dyn #rf::throttling::Throttle>>> {
                ::core::option::Option::Some(::std::vec![#(#items),*])
            }
        });
    }
    if let Some(scope) = &v.throttle_scope {
        generated.push(syn::parse_quote! {
            fn throttle_scope(&self) -> ::core::option::Option<::std::string::String> {
                ::core::option::Option::Some(::std::string::String::from(#scope))
            }
        });
    }
    if let Some(pagination) = &v.pagination {
        let value = match pagination {
            Pagination::Off => quote!(::core::option::Option::None),
            Pagination::Type(path) => quote!(::core::option::Option::Some(
                ::std::sync::Arc::new(<#path as ::core::default::Default>::default())
                    as ::std::sync::Arc<dyn #rf::pagination::Pagination>
            )),
            Pagination::Value(expr) => quote_spanned!(expr.span()=> ::core::option::Option::Some(
                ::std::sync::Arc::new(#expr)
                    as ::std::sync::Arc<dyn #rf::pagination::Pagination>
            )),
        };
        generated.push(syn::parse_quote! {
            fn pagination_class(&self) -> ::core::option::Option<::core::option::Option<::std::sync::Arc<dyn #rf::pagination::Pagination>>> {
                ::core::option::Option::Some(#value)
            }
        });
    }
    generated.append(&mut item.items);
    item.items = generated;

    let (action_items, action_routes): (Vec<_>, Vec<_>) = v
        .extra_actions
        .iter()
        .map(|action| expand_action(self_ty, action, serializer))
        .unzip();
    let action_methods = v.extra_actions.iter().map(|a| &a.method);
    // `ModelViewSet` and `ReadOnlyModelViewSet` are markers over `GenericViewSet`.
    let marker = match (v.implements, &original_trait) {
        (Trait::Model | Trait::ReadOnly, Some(path)) => {
            quote!(impl #path for #self_ty {})
        }
        _ => TokenStream::new(),
    };
    quote! {
        #item

        #marker

        impl #self_ty {
            #(#action_methods)*
            #(#inherent)*
        }

        #(#action_items)*

        impl #rf::viewsets::ViewSet for #self_ty {
            fn routes(self: ::std::sync::Arc<Self>) -> ::std::vec::Vec<#rf::viewsets::ViewSetRoute> {
                let mut routes = #private::viewset_routes(self.clone());
                routes.extend([#(#action_routes),*]);
                routes
            }
            fn basename(&self) -> ::std::string::String {
                <<Self as #rf::viewsets::GenericViewSet>::Entity as #rf::models::ModelMeta>::NAME.to_lowercase()
            }
        }
    }
}

/// The `ACTIONS` constant.
fn actions(actions: &Actions) -> TokenStream {
    let path = quote!(::rest_framework::viewsets::Actions);
    match actions {
        Actions::All => quote!(#path::ALL),
        Actions::ReadOnly => quote!(#path::READ_ONLY),
        Actions::Mixins(mixins) => quote!(#path { #(#mixins: true,)* ..#path::NONE }),
    }
}

/// `A & (B | !C)` -> `And(A, Or(B, Not(C)))`; `[A, B]` -> `And(A, B)` (DRF's list: all).
fn permission_tokens(permission: &Permission) -> TokenStream {
    let p = quote!(::rest_framework::permissions);
    match permission {
        Permission::Class(expr) => quote!(#expr),
        Permission::And(left, right) => {
            let (left, right) = (permission_tokens(left), permission_tokens(right));
            quote!(#p::And(#left, #right))
        }
        Permission::Or(left, right) => {
            let (left, right) = (permission_tokens(left), permission_tokens(right));
            quote!(#p::Or(#left, #right))
        }
        Permission::Not(inner) => {
            let inner = permission_tokens(inner);
            quote!(#p::Not(#inner))
        }
        Permission::All(items) => {
            let mut items: Vec<TokenStream> = items.iter().map(permission_tokens).collect();
            let Some(mut combined) = items.pop() else {
                return quote!(#p::AllowAny);
            };
            while let Some(previous) = items.pop() {
                combined = quote!(#p::And(#previous, #combined));
            }
            combined
        }
    }
}

/// The view and route of one action.
fn expand_action(
    self_ty: &syn::Type,
    action: &Action,
    default_serializer: &syn::Type,
) -> (TokenStream, TokenStream) {
    let rf = quote!(::rest_framework);
    let private = private();
    let fn_ident = &action.method.sig.ident;
    let view = format_ident!("__{}Action", fn_ident);
    let methods: Vec<TokenStream> = action
        .methods
        .iter()
        .map(|m| {
            let upper = syn::Ident::new(&m.to_string().to_uppercase(), m.span());
            quote!(#rf::poem::http::Method::#upper)
        })
        .collect();
    let serializer = action.serializer.as_ref().unwrap_or(default_serializer);
    let (check, permission_of_schema) = match &action.permissions {
        Some(permission) => {
            let permission = permission_tokens(permission);
            (
                quote!(#private::check_permission::<#rf::viewsets::ModelOf<#self_ty>>(&#permission, ctx)),
                permission,
            )
        }
        None => (
            quote!(#private::check_permissions(&*self.0, ctx)),
            quote!(#rf::viewsets::GenericViewSet::permissions(&*self.0)),
        ),
    };
    let name = &action.name;
    let url_path = &action.url_path;
    let suffix = if action.detail {
        quote!(#private::detail_suffix::<#self_ty>(#url_path))
    } else {
        let suffix = format!("{url_path}/");
        quote!(#suffix.into())
    };
    let lookup = if action.detail {
        quote!(::core::option::Option::Some(#private::lookup_param::<#self_ty> as fn() -> _))
    } else {
        quote!(::core::option::Option::None)
    };
    let url_name = &action.url_name;
    let item = quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        pub struct #view(::std::sync::Arc<#self_ty>);

        #[#rf::async_trait]
        impl #rf::views::ApiView for #view {
            fn methods(&self) -> ::std::vec::Vec<#rf::poem::http::Method> {
                ::std::vec![#(#methods),*]
            }
            fn authentication_classes(&self) -> ::core::option::Option<::std::vec::Vec<::std::sync::Arc<dyn #rf::authentication::Authentication>>> {
                #rf::viewsets::GenericViewSet::authentication_classes(&*self.0)
            }
            fn check_permissions(&self, ctx: &#rf::request::RequestContext) -> #rf::exceptions::ApiResult<()> {
                #check
            }
            fn openapi_allows_anonymous(&self, method: &#rf::poem::http::Method) -> bool {
                #rf::permissions::Permission::<#rf::viewsets::ModelOf<#self_ty>>::openapi_allows_anonymous(&#permission_of_schema, method)
            }
            fn throttle_classes(&self) -> ::core::option::Option<::std::vec::Vec<::std::sync::Arc<dyn #rf::throttling::Throttle>>> {
                #rf::viewsets::GenericViewSet::throttle_classes(&*self.0)
            }
            fn throttle_scope(&self) -> ::core::option::Option<::std::string::String> {
                #rf::viewsets::GenericViewSet::throttle_scope(&*self.0)
            }
            async fn handle(&self, ctx: &mut #rf::request::RequestContext) -> #rf::exceptions::ApiResult<#rf::response::Response> {
                self.0.#fn_ident(ctx).await
            }
            fn name(&self) -> ::std::string::String {
                #name.into()
            }
            async fn metadata_actions(&self, ctx: &#rf::request::RequestContext) -> ::core::option::Option<#rf::serde_json::Value> {
                #private::metadata_actions_for::<#serializer, _, _>(ctx, &self.methods(), |ctx| async move {
                    let ctx = &ctx;
                    (|| -> #rf::exceptions::ApiResult<()> { #check })().is_ok()
                })
                .await
            }
            fn openapi_operations(&self, path: &str, registry: &mut #rf::poem_openapi::registry::Registry) -> ::std::vec::Vec<#rf::poem_openapi::registry::MetaOperation> {
                #private::action_operations::<#serializer>(path, #url_path, #lookup, &self.methods(), registry)
            }
        }
    };
    let route = quote! {
        #rf::viewsets::ViewSetRoute {
            suffix: #suffix,
            view: ::std::sync::Arc::new(#view(self.clone())),
            name: #url_name.into(),
        }
    };
    (item, route)
}
