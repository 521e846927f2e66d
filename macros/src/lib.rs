//! Procedural macros of `rest_framework`. Use them through `rest_framework`, which re-exports
//! them: `#[derive(ModelSerializer)]` and `#[viewset(...)]`.
//!
//! Each macro is split as serde_derive is: parse the attributes, check them (every misuse is
//! a `syn::Error` spanned on the offending attribute), then generate code that calls small
//! runtime functions of `rest_framework`.

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

/// Implements a DRF-style viewset on an `impl ModelViewSet for MyViewSet { ... }` block:
/// `#[viewset(serializer = ..., list_serializer = ..., permissions = A & B, authentication = [..])]`.
#[proc_macro_attribute]
pub fn viewset(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemImpl);
    viewset::expand(args.into(), item)
        .unwrap_or_else(|err| err.to_compile_error())
        .into()
}
