//! `#[viewset(...)]` on `impl ModelViewSet for MyViewSet { ... }`: [`attrs`] parses the
//! arguments and the block's `#[action(...)]` methods, [`model`] checks them, [`expand`]
//! completes the impl block and implements `ViewSet` so that routers can register it.

mod attrs;
mod expand;
mod model;
#[cfg(test)]
mod tests;

/// `#[viewset(args)] item`.
pub fn expand(
    args: proc_macro2::TokenStream,
    item: syn::ItemImpl,
) -> darling::Result<proc_macro2::TokenStream> {
    let args = attrs::ViewsetArgs::parse(args);
    let block = attrs::ImplBlock::parse(item);
    let checked = model::Viewset::check(args, block)?;
    Ok(expand::expand(&checked))
}
