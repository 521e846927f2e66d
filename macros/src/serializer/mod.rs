//! `#[derive(ModelSerializer)]` and `#[derive(Serializer)]`: [`attrs`] parses, [`model`] checks and builds the field
//! model, [`expand`] generates code.

mod attrs;
mod expand;
mod model;

use darling::FromDeriveInput;

/// `#[derive(ModelSerializer)]` and `#[derive(HyperlinkedModelSerializer)]`.
pub fn expand(input: syn::DeriveInput) -> darling::Result<proc_macro2::TokenStream> {
    let parsed = attrs::SerializerAttrs::from_derive_input(&input)?;
    let checked = model::Serializer::check(parsed, true)?;
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
    let checked = model::Serializer::check(parsed, true)?;
    let has_url = checked
        .fields
        .iter()
        .any(|f| matches!(f.kind, model::Kind::HyperlinkIdentity { .. }));
    if !has_url {
        return Err(darling::Error::custom(
            "a HyperlinkedModelSerializer identifies objects by `url` instead of `id`: add `#[field(hyperlinked_identity, view_name = \"user-detail\")] pub url: String`",
        )
        .with_span(&checked.ident));
    }
    let model = checked
        .model
        .clone()
        .ok_or_else(|| darling::Error::custom("a ModelSerializer needs `model = ...`"))?;
    Ok(expand::expand(&checked, &model))
}

/// `#[derive(Serializer)]`: no model.
pub fn expand_plain(input: syn::DeriveInput) -> darling::Result<proc_macro2::TokenStream> {
    let parsed = attrs::SerializerAttrs::from_derive_input(&input)?;
    let checked = model::Serializer::check(parsed, false)?;
    Ok(expand::expand_plain(&checked))
}
