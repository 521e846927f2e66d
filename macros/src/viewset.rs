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
            _ => {
                return Err(syn::Error::new(
                    pair.path.span(),
                    "unknown viewset option; expected one of `serializer`, `list_serializer`, `model`, `permissions`, `authentication`, `pagination`",
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

pub fn expand(args: TokenStream, mut item: syn::ItemImpl) -> syn::Result<TokenStream> {
    let args = parse_args(args)?;
    let trait_ok = item
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .is_some_and(|segment| segment.ident == "ModelViewSet");
    if !trait_ok {
        return Err(syn::Error::new(
            item.impl_token.span(),
            "#[viewset] goes on `impl ModelViewSet for YourViewSet { ... }`",
        ));
    }
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
    if let Some(expr) = &args.pagination {
        let value = match expr {
            Expr::Path(path) if path.path.is_ident("None") => quote!(::core::option::Option::None),
            Expr::Path(path) if path.path.is_ident("PageNumberPagination") => {
                quote!(::core::option::Option::Some(
                    ::core::default::Default::default()
                ))
            }
            other => quote!(::core::option::Option::Some(#other)),
        };
        generated.push(syn::parse_quote! {
            fn pagination(&self, _ctx: &::rest_framework::request::RequestContext) -> ::core::option::Option<::rest_framework::pagination::PageNumberPagination> {
                #value
            }
        });
    }
    generated.append(&mut item.items);
    item.items = generated;
    Ok(quote! {
        #item

        impl ::rest_framework::viewsets::ViewSet for #self_ty {
            fn routes(self: ::std::sync::Arc<Self>) -> ::std::vec::Vec<::rest_framework::viewsets::ViewSetRoute> {
                ::rest_framework::viewsets::model_viewset_routes(self)
            }
            fn basename(&self) -> ::std::string::String {
                <<Self as ::rest_framework::viewsets::ModelViewSet>::Entity as ::rest_framework::models::ModelMeta>::NAME.to_lowercase()
            }
        }
    })
}
