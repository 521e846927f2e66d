//! `#[derive(ModelSerializer)]`: [`attrs`] parses, [`model`] checks and builds the field
//! model, [`expand`] generates code.

mod attrs;
mod expand;
mod model;

use darling::FromDeriveInput;

pub fn expand(input: syn::DeriveInput) -> darling::Result<proc_macro2::TokenStream> {
    let parsed = attrs::SerializerAttrs::from_derive_input(&input)?;
    let checked = model::Serializer::check(parsed)?;
    Ok(expand::expand(&checked))
}
