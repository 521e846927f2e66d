//! Procedural macros of `rest_framework`. Use them through `rest_framework`, which re-exports
//! them: `#[derive(ModelSerializer)]` and `#[viewset(...)]`.
//!
//! Each macro is split as serde_derive is: parse the attributes (with darling), check them
//! (every misuse is a compile error spanned on the offending option, and all of them are
//! reported at once), then generate code that calls small runtime functions of
//! `rest_framework`, through its `__private` module.

mod serializer;
mod viewset;

use proc_macro::TokenStream;

/// Derives `rest_framework::serializers::ModelSerializer` for a struct whose fields name
/// columns and relations of a sea-orm entity. See the `rest_framework::serializers` docs.
#[proc_macro_derive(ModelSerializer, attributes(serializer, field))]
pub fn derive_model_serializer(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    serializer::expand(input)
        .unwrap_or_else(|err| err.write_errors())
        .into()
}

/// DRF's `HyperlinkedModelSerializer`: the same derive as `ModelSerializer`, except that the
/// `url` field is required (a compile error without it); declare the `url` field with `#[field(hyperlinked_identity, view_name = "user-detail")]` and related
/// objects with `#[field(hyperlinked, view_name = "...")]`.
#[proc_macro_derive(HyperlinkedModelSerializer, attributes(serializer, field))]
pub fn derive_hyperlinked_model_serializer(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    serializer::expand_hyperlinked(input)
        .unwrap_or_else(|err| err.write_errors())
        .into()
}

/// Derives `rest_framework::serializers::Serializer`: DRF's plain `Serializer` (no model),
/// e.g. a login or password-change body, validated into the struct with the same field
/// options and error texts as `ModelSerializer`.
#[proc_macro_derive(Serializer, attributes(serializer, field))]
pub fn derive_serializer(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    serializer::expand_plain(input)
        .unwrap_or_else(|err| err.write_errors())
        .into()
}

/// Implements a DRF-style viewset on an `impl ModelViewSet for MyViewSet { ... }` block (or
/// `impl ReadOnlyModelViewSet for ...`, or `impl GenericViewSet for ...` with `mixins`): the
/// associated types and configuration of `rest_framework::viewsets::GenericViewSet`, the
/// marker trait, and `ViewSet` for routers. The block's own items are hooks that override the
/// defaults (`get_queryset`, `perform_create`, ...).
///
/// The options (only `serializer` is required):
///
/// - `serializer = ArticleSerializer`, `list_serializer = ArticleListSerializer` (the list
///   action's), `model = article::Entity` (when it is not the serializer's entity);
/// - `permissions = A & (B | !C)` or `[A, B]` (all of them); default: `AllowAny`;
/// - `authentication = [JwtAuthentication, ...]`, `throttle_classes = [AnonRateThrottle::new(), ...]`,
///   `throttle_scope = "uploads"`; default: the settings';
/// - `pagination = LimitOffsetPagination` (a type: its defaults), an expression building a
///   paginator (`CursorPagination::new("-created_at")`, a `CONSTANT`), or `None`;
/// - `mixins = [list, create, retrieve, update, destroy]` (with `GenericViewSet` only);
/// - `lookup_field = "slug"` (a column, checked at compile time), `lookup_url_kwarg = "tag"`.
///
/// A method of the block with `#[action(detail = true, methods = [get, post], url_path = "...",
/// url_name = "...", name = "...", serializer = ..., permissions = ...)]` is an extra action
/// (DRF's `@action`; `detail` is required) on `{id}/<url_path>/` or `<url_path>/`.
///
/// Every mistake in the options and actions is reported at once, each on what is wrong.
#[proc_macro_attribute]
pub fn viewset(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemImpl);
    viewset::expand(args.into(), item)
        .unwrap_or_else(|err| err.write_errors())
        .into()
}
