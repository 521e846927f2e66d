//! `#[derive(ModelSerializer)]` and `#[derive(Serializer)]`: [`attrs`] parses, [`model`] checks and builds the field
//! model, [`expand`] generates code.

mod attrs;
mod expand;
mod model;

use darling::FromDeriveInput;

/// `#[derive(ModelSerializer)]` and `#[derive(HyperlinkedModelSerializer)]`.
pub fn expand(input: syn::DeriveInput) -> darling::Result<proc_macro2::TokenStream> {
    let parsed = attrs::SerializerAttrs::from_derive_input(&input)?;
    let checked = model::Serializer::check(parsed, model::Derive::Model)?;
    let model = checked
        .model
        .clone()
        .ok_or_else(|| darling::Error::custom("a ModelSerializer needs `model = ...`"))?;
    Ok(expand::expand(&checked, &model))
}

/// `#[derive(HyperlinkedModelSerializer)]`: a `ModelSerializer` that identifies its objects
/// by `url` (DRF's default field of `HyperlinkedModelSerializer`), which must be declared.
pub fn expand_hyperlinked(input: syn::DeriveInput) -> darling::Result<proc_macro2::TokenStream> {
    let parsed = attrs::SerializerAttrs::from_derive_input(&input)?;
    let checked = model::Serializer::check(parsed, model::Derive::Hyperlinked)?;
    let model = checked
        .model
        .clone()
        .ok_or_else(|| darling::Error::custom("a ModelSerializer needs `model = ...`"))?;
    Ok(expand::expand(&checked, &model))
}

/// `#[derive(Serializer)]`: no model.
pub fn expand_plain(input: syn::DeriveInput) -> darling::Result<proc_macro2::TokenStream> {
    let parsed = attrs::SerializerAttrs::from_derive_input(&input)?;
    let checked = model::Serializer::check(parsed, model::Derive::Plain)?;
    Ok(expand::expand_plain(&checked))
}
