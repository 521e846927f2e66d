//! Code generation for `#[derive(ModelSerializer)]`. The generated code is glue: the work is
//! done by `rest_framework::{fields, relations, serializers, openapi}`.

use super::model::{Field, Kind, RelatedValue, Serializer};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// `#[derive(ModelSerializer)]`; `model` is the checked `model = ...`.
pub fn expand(s: &Serializer, model: &syn::Path) -> TokenStream {
    let rf = quote!(::rest_framework);
    let ident = &s.ident;
    let vis = &s.vis;
    let name = &s.name;
    let relations_ident = format_ident!("__{}Relations", ident);
    let keys: Vec<String> = s.fields.iter().map(Field::key).collect();

    let serialize = expand_serialize(s);
    // Counts last: a count over the rows of a nested list is that list's length.
    let nested_lists: Vec<_> = nested_lists(s)
        .map(|(f, serializer)| (loaded(f), serializer))
        .collect();
    let is_count = |f: &&Field| matches!(f.kind, Kind::Count { .. });
    let loads = s
        .fields
        .iter()
        .filter(|f| !is_count(f))
        .map(|f| load_statement(f, model))
        .chain(
            s.fields
                .iter()
                .filter(is_count)
                .map(|f| count_statement(f, model, &nested_lists)),
        );
    let values = s.fields.iter().map(field_value);
    let field_idents = s.fields.iter().map(|f| &f.ident);
    let parse = s
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.writable())
        .map(|(i, f)| parse_statement(f, i, model));
    // The writable to-many fields, read as lists from HTML forms.
    let form_lists: Vec<String> = s
        .fields
        .iter()
        .filter(|f| {
            f.writable() && matches!(f.kind, Kind::PkMany { .. } | Kind::ManyRelated { .. })
        })
        .map(Field::key)
        .collect();
    let held: Vec<_> = s
        .fields
        .iter()
        .filter_map(|f| held_relation(f, model).map(|held| (&f.ident, held)))
        .collect();
    let relation_fields = held
        .iter()
        .map(|(id, (ty, _))| quote!(pub #id: ::core::option::Option<#ty>,));
    let save_relations = held.iter().map(|(id, (_, write))| {
        quote! {
            if let ::core::option::Option::Some(value) = &relations.#id {
                #write.await?;
            }
        }
    });
    let description = expand_description(s);
    let schemas = expand_schemas(s, true);
    let metadata = expand_metadata(quote!(model_serializer_info));
    let object_checks = object_checks(s, model);
    let select_related = expand_select_related(s, model);
    let defer_unread = expand_defer_unread(s, model);
    let read_row = expand_read_row(s, model);

    quote! {
        #serialize

        #description

        #[doc(hidden)]
        #[derive(Default)]
        #vis struct #relations_ident {
            #(#relation_fields)*
        }

        impl #rf::serializers::ModelSerializer for #ident {
            type Entity = #model;
            type Relations = #relations_ident;
            const NAME: &'static str = #name;
            const FIELDS: &'static [&'static str] = &[#(#keys),*];

            fn validate(
                data: &#rf::serde_json::Map<::std::string::String, #rf::serde_json::Value>,
                instance: ::core::option::Option<&#rf::serializers::ModelOf<Self>>,
                partial: bool,
                ctx: &#rf::serializers::SerializerContext<'_>,
            ) -> impl ::core::future::Future<Output = #rf::exceptions::ApiResult<#rf::serializers::Save<Self>>> + Send {
                async move {
                    let __form = #rf::__private::parsers::html_form_data(data, &[#(#form_lists),*], partial, ctx.html_input);
                    let data = &*__form;
                    let _ = data;
                    let mut __errors = #rf::exceptions::ValidationErrors::default();
                    let mut __model: #rf::serializers::ActiveModelOf<Self> = match instance {
                        ::core::option::Option::Some(__i) => #rf::sea_orm::IntoActiveModel::into_active_model(::core::clone::Clone::clone(__i)),
                        ::core::option::Option::None => <#rf::serializers::ActiveModelOf<Self> as #rf::sea_orm::ActiveModelTrait>::default(),
                    };
                    #[allow(unused_mut)]
                    let mut __relations = #relations_ident::default();
                    #(#parse)*
                    __errors.sort_by_fields(<Self as #rf::serializers::ModelSerializer>::FIELDS);
                    #object_checks
                    __errors.into_result()?;
                    ::core::result::Result::Ok(#rf::serializers::Save { model: __model, relations: __relations })
                }
            }

            fn save_relations(
                relations: &Self::Relations,
                pk: i64,
                created: bool,
                txn: &#rf::sea_orm::DatabaseTransaction,
            ) -> impl ::core::future::Future<Output = #rf::exceptions::ApiResult<()>> + Send {
                async move {
                    let _ = (relations, pk, created, txn);
                    #(#save_relations)*
                    ::core::result::Result::Ok(())
                }
            }

            #schemas

            #metadata
        }

        impl #rf::__private::query::Reads for #ident {
            fn build(
                models: &[#rf::serializers::ModelOf<Self>],
                preloaded: &#rf::__private::query::Preloaded,
                ctx: &#rf::serializers::SerializerContext<'_>,
            ) -> impl ::core::future::Future<Output = #rf::exceptions::ApiResult<::std::vec::Vec<Self>>> + Send {
                async move {
                    let _ = preloaded;
                    #(#loads)*
                    let mut __out = ::std::vec::Vec::with_capacity(models.len());
                    for __m in models {
                        __out.push(Self { #(#field_idents: #values,)* });
                    }
                    ::core::result::Result::Ok(__out)
                }
            }

            #select_related

            #defer_unread

            #read_row
        }
    }
}

/// The nested list fields (`many = true`) with their serializers.
fn nested_lists(s: &Serializer) -> impl Iterator<Item = (&Field, &syn::Type)> {
    s.fields.iter().filter_map(|f| match &f.kind {
        Kind::Nested {
            serializer,
            many: true,
            ..
        } => Some((f, serializer)),
        _ => None,
    })
}

/// `select_related` / `read_related`: the nested forward relations joined in, the counts and
/// the to-many primary keys as subqueries (nothing when there are none: the trait's defaults).
fn expand_select_related(s: &Serializer, model: &syn::Path) -> TokenStream {
    let rf = quote!(::rest_framework);
    // The joins go into every statement; the columns and subqueries they add are rendered to
    // SQL once per serializer and reused (building them is most of a detail's statement).
    let mut joins = Vec::new();
    let mut columns = Vec::new();
    let mut reads = Vec::new();
    // The entities of the nested lists: a count of their rows is the list's length.
    let listed: Vec<TokenStream> = nested_lists(s)
        .map(|(_, serializer)| {
            quote! {
                ::std::any::TypeId::of::<<#serializer as #rf::serializers::ModelSerializer>::Entity>()
            }
        })
        .collect();
    for field in &s.fields {
        let key = field.key();
        match &field.kind {
            Kind::Nested {
                serializer,
                many: false,
                optional,
                ..
            } => {
                let entity = quote!(<#serializer as #rf::serializers::ModelSerializer>::Entity);
                joins.push(quote! {
                    let select = #rf::__private::relations::join_forward_table::<#model, #entity>(select, #key);
                });
                if *optional {
                    // A null foreign key joins no row: read into an optional model.
                    columns.push(quote! {
                        let select = #rf::__private::relations::join_forward_columns::<#model, #entity>(select, #key);
                    });
                    reads.push(quote! {
                        #rf::__private::relations::read_joined_table::<#entity>(row, #key, ::core::concat!("__", #key, "__"), preloaded)?;
                    });
                } else {
                    columns.push(quote! {
                        let select = #rf::__private::rows::join_columns::<#model, #serializer>(select, #key);
                    });
                    reads.push(quote! {
                        #rf::__private::rows::read_joined_columns::<#serializer>(row, #key, ::core::concat!("__", #key, "__"), preloaded)?;
                    });
                }
            }
            Kind::PkMany { related } | Kind::HyperlinkMany { related, .. } => {
                let span = field.span();
                columns.push(quote_spanned! {span=>
                    let select = #rf::__private::relations::annotate_pks_many::<#model, #related>(select, #key);
                });
                reads.push(quote! {
                    #rf::__private::relations::read_pks_many(row, #key, ::core::concat!("__", #key, "__"), preloaded)?;
                });
            }
            Kind::Count { related } => {
                // Spanned at the field: a count over something that is no relation is
                // reported there.
                let span = field.span();
                let listed = quote!(#rf::__private::relations::counted_by_lists::<#related>(&[#(#listed),*]));
                columns.push(quote_spanned! {span=>
                    let select = if #listed {
                        select
                    } else {
                        #rf::__private::relations::annotate_count::<#model, #related>(select, #key)
                    };
                });
                reads.push(quote! {
                    if !#listed {
                        #rf::__private::relations::read_count(row, #key, ::core::concat!("__", #key, "__"), preloaded)?;
                    }
                });
            }
            _ => {}
        }
    }
    if columns.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn select_related(
            select: #rf::sea_orm::Select<#model>,
        ) -> #rf::sea_orm::Select<#model> {
            fn __columns(
                select: #rf::sea_orm::Select<#model>,
            ) -> #rf::sea_orm::Select<#model> {
                #(#columns)*
                select
            }
            static __COLUMNS_SQL: ::std::sync::OnceLock<::core::option::Option<::std::string::String>> =
                ::std::sync::OnceLock::new();
            let __sql = __COLUMNS_SQL.get_or_init(|| {
                #rf::__private::relations::render_select_list(__columns(#rf::__private::relations::select_list_start::<#model>()))
            });
            #(#joins)*
            #rf::__private::relations::with_select_list(select, __sql.as_deref(), __columns)
        }

        fn read_related(
            row: &#rf::sea_orm::QueryResult,
            preloaded: &mut #rf::__private::query::Preloaded,
        ) -> #rf::exceptions::ApiResult<()> {
            #(#reads)*
            ::core::result::Result::Ok(())
        }
    }
}

/// `defer_unread`: the model fields the fields read and the forward relations they follow,
/// for `__private::relations::defer_text_columns` (nothing, so the whole row is read, when a `method`
/// field may read any column).
fn expand_defer_unread(s: &Serializer, model: &syn::Path) -> TokenStream {
    let rf = quote!(::rest_framework);
    let mut reads = Vec::new();
    let mut forward = Vec::new();
    for field in s.fields.iter().filter(|f| !f.write_only) {
        match &field.kind {
            Kind::Method { .. } => return TokenStream::new(),
            Kind::Column { column }
            | Kind::ForeignKeyPk { column, .. }
            | Kind::HyperlinkForeignKey { column, .. }
            | Kind::ForwardRelated {
                fk_column: column, ..
            }
            | Kind::HyperlinkIdentity {
                lookup_field: Some(column),
                ..
            } => reads.push(column.to_string()),
            Kind::Nested {
                serializer,
                many: false,
                ..
            } => {
                let entity = quote!(<#serializer as #rf::serializers::ModelSerializer>::Entity);
                forward.push(quote!(<#model as #rf::sea_orm::Related<#entity>>::to));
            }
            _ => {}
        }
    }
    quote! {
        fn defer_unread(
            select: #rf::sea_orm::Select<#model>,
            keep: &[&str],
        ) -> #rf::sea_orm::Select<#model> {
            static __DEFERRED_SQL: ::std::sync::OnceLock<::core::option::Option<::std::string::String>> =
                ::std::sync::OnceLock::new();
            #rf::__private::relations::defer_text_columns::<#model>(
                select,
                &[#(#reads),*],
                &[#(#forward),*],
                keep,
                &__DEFERRED_SQL,
            )
        }
    }
}

/// `select_row` / `read_row`, for serializers whose shown fields are all columns, primary-key
/// relations and counts: each selected in field order and read by position
/// (`rest_framework::query::rows`). Nothing (the trait's defaults: pages read into models) when a
/// field needs more.
fn expand_read_row(s: &Serializer, model: &syn::Path) -> TokenStream {
    let rf = quote!(::rest_framework);
    let mut selects = Vec::new();
    let mut values = Vec::new();
    // The model columns of the fields, for `COLUMNS` when there is nothing else.
    let mut plain_columns = Vec::new();
    let mut only_columns = true;
    for field in &s.fields {
        let id = &field.ident;
        if field.write_only {
            values.push(quote!(#id: ::core::default::Default::default()));
            continue;
        }
        let at = selects.len();
        let key = field.key();
        let span = field.span();
        let ty = &field.ty;
        match &field.kind {
            Kind::Column { column } | Kind::ForeignKeyPk { column, .. } => {
                let name = column.to_string();
                selects.push(quote!(.column(#name)));
                values.push(
                    quote_spanned!(ty.span()=> #id: #rf::__private::rows::column::<#ty>(row, columns, #at)?),
                );
                plain_columns.push(name);
            }
            Kind::PkMany { related } => {
                selects.push(quote_spanned!(span=> .pks_many::<#related>(#key)));
                values.push(quote!(#id: #rf::__private::rows::pks_many(row, columns, #at, #key)?));
                only_columns = false;
            }
            Kind::Count { related } => {
                selects.push(quote_spanned!(span=> .count::<#related>(#key)));
                values.push(quote!(#id: #rf::__private::rows::count(row, columns, #at)?));
                only_columns = false;
            }
            _ => return TokenStream::new(),
        }
    }
    if selects.is_empty() {
        // Nothing shown: a statement needs at least one column; models it is.
        return TokenStream::new();
    }
    if !only_columns {
        plain_columns.clear();
    }
    quote! {
        const READS_ROWS: bool = true;

        fn select_row(
            select: #rf::sea_orm::Select<#model>,
        ) -> ::core::option::Option<#rf::sea_orm::Select<#model>> {
            #rf::__private::rows::select::<#model>(select) #(#selects)* .finish()
        }

        const COLUMNS: &'static [&'static str] = &[#(#plain_columns),*];

        fn read_row(
            row: &#rf::sea_orm::QueryResult,
            columns: #rf::__private::query::Columns<'_>,
        ) -> #rf::exceptions::ApiResult<Self> {
            ::core::result::Result::Ok(Self { #(#values,)* })
        }
    }
}

/// A write held in the `Relations` struct until the row has a primary key: the held value's
/// type and the call that writes it (`value`, `pk`, `created`, `txn` in scope).
fn held_relation(field: &Field, model: &syn::Path) -> Option<(TokenStream, TokenStream)> {
    let rf = quote!(::rest_framework);
    if !field.writable() {
        return None;
    }
    match &field.kind {
        Kind::PkMany { related } | Kind::ManyRelated { related, .. } => Some((
            quote!(::std::vec::Vec<i64>),
            quote!(#rf::__private::relations::set_many_to_many::<#model, #related>(txn, pk, value, created)),
        )),
        Kind::Nested {
            serializer,
            writable: true,
            ..
        } => Some((
            quote!(::std::vec::Vec<#rf::serializers::Save<#serializer>>),
            quote!(#rf::__private::relations::save_nested::<#model, #serializer>(txn, pk, value, created)),
        )),
        _ => None,
    }
}

/// `#[derive(Serializer)]`: a plain serializer (no model), validated into the struct itself.
pub fn expand_plain(s: &Serializer) -> TokenStream {
    let rf = quote!(::rest_framework);
    let ident = &s.ident;
    let name = &s.name;
    let keys: Vec<String> = s.fields.iter().map(Field::key).collect();
    let serialize = expand_serialize(s);
    let description = expand_description(s);
    let schemas = expand_schemas(s, false);
    let metadata = expand_metadata(quote!(serializer_info));
    let slot = |f: &Field| format_ident!("__field_{}", f.ident);
    let reads = s.fields.iter().enumerate().map(|(i, f)| {
        let var = slot(f);
        let ty = &f.ty;
        let read = if f.writable() {
            column_statement(
                f,
                i,
                TokenStream::new(),
                quote!(#var = ::core::option::Option::Some(__v);),
            )
        } else {
            TokenStream::new()
        };
        quote! {
            #[allow(unused_mut)]
            let mut #var: ::core::option::Option<#ty> = ::core::option::Option::None;
            #read
        }
    });
    let builds = s.fields.iter().map(|f| {
        let var = slot(f);
        let id = &f.ident;
        let ty = &f.ty;
        let fallback = match &f.default {
            Some(default) => quote_spanned!(default.span()=> ::core::convert::Into::<#ty>::into(#default)),
            None => quote!(::core::default::Default::default()),
        };
        quote!(#id: match #var { ::core::option::Option::Some(__v) => __v, ::core::option::Option::None => #fallback })
    });
    let hook = s
        .validate_with
        .as_ref()
        .map(|hook| quote_spanned!(hook.span()=> #rf::__private::serializers::hook_errors(#hook(&__value))?;));
    quote! {
        #serialize

        #description

        impl #rf::serializers::Serializer for #ident {
            const NAME: &'static str = #name;
            const FIELDS: &'static [&'static str] = &[#(#keys),*];

            fn from_data(
                data: &#rf::serde_json::Map<::std::string::String, #rf::serde_json::Value>,
                partial: bool,
            ) -> ::core::result::Result<Self, #rf::exceptions::ValidationErrors> {
                let (__value, __errors) = <Self as #rf::serializers::Serializer>::read_fields(data, partial);
                if !__errors.is_empty() {
                    return ::core::result::Result::Err(__errors);
                }
                #hook
                ::core::result::Result::Ok(__value)
            }

            fn read_fields(
                data: &#rf::serde_json::Map<::std::string::String, #rf::serde_json::Value>,
                partial: bool,
            ) -> (Self, #rf::exceptions::ValidationErrors) {
                let mut __errors = #rf::exceptions::ValidationErrors::default();
                #(#reads)*
                __errors.sort_by_fields(<Self as #rf::serializers::Serializer>::FIELDS);
                (Self { #(#builds,)* }, __errors)
            }

            #schemas

            #metadata
        }
    }
}

fn expand_serialize(s: &Serializer) -> TokenStream {
    let rf = quote!(::rest_framework);
    let ident = &s.ident;
    let readable: Vec<&Field> = s.fields.iter().filter(|f| !f.write_only).collect();
    let count = readable.len();
    let entries = readable.iter().map(|f| {
        let key = f.key();
        let id = &f.ident;
        quote!(#rf::serde::ser::SerializeMap::serialize_entry(&mut __map, #key, &#rf::fields::Repr(&self.#id))?;)
    });
    let writes = readable.iter().enumerate().map(|(i, f)| {
        let prefix =
            syn::LitByteStr::new(json_key_prefix(i == 0, &f.key()).as_bytes(), f.ident.span());
        let id = &f.ident;
        quote! {
            __out.extend_from_slice(#prefix);
            #rf::fields::Representation::write_json(&self.#id, __out)?;
        }
    });
    // With no field, `{` is written alone.
    let writes = if readable.is_empty() {
        vec![quote!(__out.push(b'{');)]
    } else {
        writes.collect()
    };
    quote! {
        impl #rf::serde::Serialize for #ident {
            fn serialize<__S: #rf::serde::Serializer>(&self, __serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                let mut __map = #rf::serde::Serializer::serialize_map(__serializer, ::core::option::Option::Some(#count))?;
                #(#entries)*
                #rf::serde::ser::SerializeMap::end(__map)
            }
        }

        impl #rf::fields::Representation for #ident {
            fn represent<__S: #rf::serde::Serializer>(&self, __serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                #rf::serde::Serialize::serialize(self, __serializer)
            }

            fn write_json(&self, __out: &mut ::std::vec::Vec<u8>) -> ::core::result::Result<(), #rf::serde_json::Error> {
                #(#writes)*
                __out.push(b'}');
                ::core::result::Result::Ok(())
            }
        }
    }
}

/// What `serde_json` writes before a field's value: `{` or `,`, the key as a JSON string, and
/// `:`. Keys are Rust identifiers, which hold nothing JSON escapes.
fn json_key_prefix(first: bool, key: &str) -> String {
    format!("{}\"{key}\":", if first { '{' } else { ',' })
}

fn loaded(field: &Field) -> syn::Ident {
    format_ident!("__loaded_{}", field.ident)
}

/// Batch loads of relation fields, run once per page before the rows are built.
fn load_statement(field: &Field, model: &syn::Path) -> TokenStream {
    let rf = quote!(::rest_framework);
    let var = loaded(field);
    let load = match &field.kind {
        Kind::Column { .. }
        | Kind::ForeignKeyPk { .. }
        | Kind::Method { .. }
        | Kind::HyperlinkIdentity { .. }
        | Kind::HyperlinkForeignKey { .. } => return TokenStream::new(),
        Kind::ForwardRelated { related, value, .. } => {
            let pick = related_value(related, value, Some(&field.ty));
            quote!(#rf::__private::relations::load_forward::<#model, #related, _>(models, ctx, #pick))
        }
        Kind::ManyRelated { related, value } => {
            let pick = related_value(related, value, None);
            quote!(#rf::__private::relations::load_many_values::<#model, #related, _>(models, ctx, #pick))
        }
        Kind::PkMany { related } | Kind::HyperlinkMany { related, .. } => {
            let key = field.key();
            quote!(#rf::__private::relations::load_pks_many::<#model, #related>(models, #key, preloaded, ctx))
        }
        Kind::Count { related } => {
            quote!(#rf::__private::relations::load_counts::<#model, #related>(models, ctx))
        }
        Kind::Nested {
            serializer,
            many: true,
            ..
        } => {
            quote!(#rf::__private::relations::load_nested_many::<#model, #serializer>(models, ctx))
        }
        Kind::Nested {
            serializer,
            optional: true,
            ..
        } => {
            let key = field.key();
            quote!(#rf::__private::relations::load_nested_one::<#model, #serializer>(models, #key, preloaded, ctx))
        }
        Kind::Nested { serializer, .. } => {
            let key = field.key();
            quote!(#rf::__private::relations::load_nested_required::<#model, #serializer>(models, #key, preloaded, ctx))
        }
    };
    let span = field.span();
    quote_spanned!(span=> let mut #var = #load.await?.into_iter();)
}

/// The load of a `count = Entity` field: the counts fetched with the rows (a subquery), else
/// the lengths of an already loaded nested list of the same entity (no query), else one
/// grouped `COUNT`.
fn count_statement(
    field: &Field,
    model: &syn::Path,
    nested_lists: &[(syn::Ident, &syn::Type)],
) -> TokenStream {
    let rf = quote!(::rest_framework);
    let Kind::Count { related } = &field.kind else {
        return load_statement(field, model);
    };
    let var = loaded(field);
    let reuse = nested_lists.iter().map(|(list, serializer)| {
        quote! {
            if let ::core::option::Option::Some(__counts) =
                #rf::__private::relations::lengths_if_rows_of::<#related, #serializer>(#list.as_slice())
            {
                __counts
            } else
        }
    });
    let key = field.key();
    let span = field.span();
    quote_spanned! {span=>
        let mut #var = if let ::core::option::Option::Some(__counts) =
            #rf::__private::relations::preloaded_counts(preloaded, #key, models.len())
        {
            __counts
        } else #(#reuse)* {
            #rf::__private::relations::load_counts::<#model, #related>(models, ctx).await?
        }
        .into_iter();
    }
}

/// The closure that picks what a related-row field shows of a related row. With `target`
/// (a forward relation), the value is converted into the field's type (`String` into
/// `Option<String>` for a nullable foreign key).
fn related_value(
    related: &syn::Path,
    value: &RelatedValue,
    target: Option<&syn::Type>,
) -> TokenStream {
    let rf = quote!(::rest_framework);
    let picked = match value {
        RelatedValue::Slug { attr, .. } | RelatedValue::Attr(attr) => {
            quote_spanned!(attr.span()=> ::core::clone::Clone::clone(&__r.#attr))
        }
        RelatedValue::Display => quote!(::std::string::ToString::to_string(__r)),
    };
    let converted = match target.and_then(|ty| super::model::inner_type(ty, "Option").map(|_| ty)) {
        Some(ty) => quote!(::core::convert::Into::<#ty>::into(#picked)),
        None => picked,
    };
    quote!(|__r: &<#related as #rf::sea_orm::EntityTrait>::Model| #converted)
}

/// The value of one field for the row `__m`.
fn field_value(field: &Field) -> TokenStream {
    let rf = quote!(::rest_framework);
    let span = field.span();
    let var = loaded(field);
    match &field.kind {
        _ if field.write_only => quote!(::core::default::Default::default()),
        Kind::Column { column } | Kind::ForeignKeyPk { column, .. } => {
            quote_spanned!(column.span()=> ::core::clone::Clone::clone(&__m.#column))
        }
        Kind::Method { path } => quote_spanned!(path.span()=> #path(__m, ctx)),
        Kind::ForwardRelated { .. } if field.optional() => {
            quote_spanned!(span=> #var.next().flatten().unwrap_or_default())
        }
        Kind::ForwardRelated { .. } => {
            let key = field.key();
            quote_spanned!(span=> #rf::__private::relations::required_related(#var.next().flatten(), #key)?)
        }
        Kind::HyperlinkIdentity {
            view_name,
            lookup_field: Some(column),
        } => quote_spanned! {column.span()=>
            ctx.hyperlink_lookup(#view_name, &::std::string::ToString::to_string(&__m.#column))?
        },
        Kind::HyperlinkIdentity { view_name, .. } => quote_spanned! {span=>
            ctx.hyperlink(#view_name, ::rest_framework::models::pk_of::<<Self as ::rest_framework::serializers::ModelSerializer>::Entity>(__m))?
        },
        Kind::HyperlinkForeignKey { column, view_name } => {
            quote_spanned!(column.span()=> ctx.hyperlink(#view_name, __m.#column)?)
        }
        Kind::HyperlinkMany { view_name, .. } => quote_spanned! {span=>
            #var.next()
                .unwrap_or_default()
                .into_iter()
                .map(|__pk| ctx.hyperlink(#view_name, __pk))
                .collect::<::rest_framework::exceptions::ApiResult<_>>()?
        },
        Kind::Nested { optional: true, .. } => quote_spanned!(span=> #var.next().flatten()),
        Kind::Nested { many: false, .. } => quote_spanned! {span=>
            match #var.next() {
                ::core::option::Option::Some(__v) => __v,
                ::core::option::Option::None => {
                    return ::core::result::Result::Err(::rest_framework::exceptions::ApiError::Internal("nested row missing".into()))
                }
            }
        },
        _ => quote_spanned!(span=> #var.next().unwrap_or_default()),
    }
}

fn lit_f64(lit: &Option<syn::Lit>) -> TokenStream {
    match lit {
        Some(lit) => quote!(::core::option::Option::Some(#lit as f64)),
        None => quote!(::core::option::Option::None),
    }
}

fn opt_lit(lit: &Option<syn::Lit>) -> TokenStream {
    match lit {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    }
}

fn opt_usize(value: Option<usize>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// Reading and validating one writable field into the active model (or the relations).
fn parse_statement(field: &Field, index: usize, model: &syn::Path) -> TokenStream {
    let rf = quote!(::rest_framework);
    let key = field.key();
    let id = &field.ident;
    let required = field.required;
    let allow_null = field.allow_null;
    match &field.kind {
        Kind::PkMany { related } => quote! {
            __relations.#id = #rf::__private::relations::parse_pks_many::<#related>(data, #key, #required && !partial, ctx.db, &mut __errors).await?;
        },
        Kind::ManyRelated {
            related,
            value: RelatedValue::Slug { column, name, .. },
        } => quote! {
            __relations.#id = #rf::__private::relations::parse_slugs_many::<#related>(data, #key, #required && !partial, #column, #name, ctx.db, &mut __errors).await?;
        },
        Kind::Nested {
            serializer,
            many,
            allow_empty,
            writable: true,
            ..
        } => quote! {
            __relations.#id = #rf::__private::relations::parse_nested::<#serializer>(data, #key, #many, #required && !partial, #allow_null, #allow_empty, ctx, &mut __errors).await?;
        },
        Kind::ForeignKeyPk {
            column,
            related: Some(related),
        } => foreign_key_statement(
            field,
            column,
            quote!(#rf::__private::relations::parse_pk::<#related>(data, #key, #required && !partial, #allow_null, ctx.db, &mut __errors).await?),
        ),
        Kind::ForwardRelated {
            related,
            fk_column,
            value: RelatedValue::Slug { column, name, .. },
        } => foreign_key_statement(
            field,
            fk_column,
            quote!(#rf::__private::relations::parse_slug::<#related>(data, #key, #required && !partial, #allow_null, #column, #name, ctx.db, &mut __errors).await?),
        ),
        Kind::Column { column } => {
            let unique = field.unique.as_ref().map(|column| {
                let label = key.replace('_', " ");
                quote! {
                    if __valid {
                        __valid = #rf::__private::relations::check_unique::<#model, _>(
                            ctx.db, #column, &__v, instance, #key, #label, &mut __errors,
                        ).await?;
                    }
                }
            });
            let assign = quote_spanned!(column.span()=> __model.#column = #rf::sea_orm::ActiveValue::Set(__v););
            let read = column_statement(field, index, unique.unwrap_or_default(), assign);
            let default = default_statement(field, column);
            quote!(#read #default)
        }
        // Checked in `model`: other kinds are read-only.
        _ => TokenStream::new(),
    }
}

/// A writable foreign key: `read` yields `Option<Option<i64>>` (given and valid; null).
fn foreign_key_statement(field: &Field, column: &syn::Ident, read: TokenStream) -> TokenStream {
    let rf = quote!(::rest_framework);
    let default = default_statement(field, column);
    quote! {
        if let ::core::option::Option::Some(__v) = #read {
            __model.#column = #rf::sea_orm::ActiveValue::Set(#rf::__private::relations::ForeignKeyValue::from_pk(__v));
        }
        #default
    }
}

/// `default = expr`: the column's value when the key is absent on create / full update
/// (DRF skips defaults on partial updates).
fn default_statement(field: &Field, column: &syn::Ident) -> TokenStream {
    let Some(default) = &field.default else {
        return TokenStream::new();
    };
    let key = field.key();
    let ty = &field.ty;
    quote_spanned! {default.span()=>
        if !partial && !data.contains_key(#key) {
            __model.#column = ::rest_framework::sea_orm::ActiveValue::Set(::core::convert::Into::<#ty>::into(#default));
        }
    }
}

/// Reads one plain field (the serializer's `index`th) with DRF's rules and the options of its
/// description, runs its validators, `extra` checks (unique) and the `validate_with` hook,
/// then runs `accept` with the value in `__v`.
fn column_statement(
    field: &Field,
    index: usize,
    extra: TokenStream,
    accept: TokenStream,
) -> TokenStream {
    let d = quote!(::rest_framework::__private::description);
    let key = field.key();
    let ty = &field.ty;
    let validators = validator_calls(field);
    let accept = match &field.validate_with {
        Some(hook) => quote_spanned! {hook.span()=>
            match #hook(__v) {
                ::core::result::Result::Ok(__v) => { #accept }
                ::core::result::Result::Err(__message) => __errors.add(#key, __message),
            }
        },
        None => accept,
    };
    // An e-mail field is read as DRF's `EmailField` (its validator runs inside).
    let read = if field.validators.email {
        quote!(#d::parse_email_with)
    } else {
        quote!(::rest_framework::__private::fields::parse_field_with::<#ty>)
    };
    quote! {
        {
            let __field: &'static #d::FieldDescription = &<Self as #d::Described>::DESCRIPTION[#index];
            if let ::core::option::Option::Some(__v) = #read(data, __field.key, &__field.options, __field.required && !partial, __field.allow_null, &mut __errors) {
                #[allow(unused_mut)]
                let mut __valid = true;
                #validators
                #extra
                if __valid {
                    #accept
                }
            }
        }
    }
}

/// unique-together checks and the object-level `validate_with` hook, run once every field
/// is valid (DRF's `run_validators`, then `validate`).
fn object_checks(s: &Serializer, model: &syn::Path) -> TokenStream {
    let rf = quote!(::rest_framework);
    let unique = s.unique_together.iter().map(|(keys, columns)| {
        quote! {
            if __errors.is_empty() {
                #rf::__private::relations::check_unique_together::<#model>(ctx.db, &__model, &[#(#columns),*], &[#(#keys),*], instance, &mut __errors).await?;
            }
        }
    });
    let hook = s.validate_with.as_ref().map(|hook| {
        quote_spanned! {hook.span()=>
            if __errors.is_empty() {
                if let ::core::result::Result::Err(__e) = #rf::__private::serializers::hook_errors(#hook(&mut __model, instance)) {
                    __errors = __e;
                }
            }
        }
    });
    quote!(#(#unique)* #hook)
}

fn validator_calls(field: &Field) -> TokenStream {
    let rf = quote!(::rest_framework::fields::validators);
    let key = field.key();
    let rules = &field.validators;
    // `email` runs while the field is read (`parse_email_with`).
    let mut calls = Vec::new();
    if rules.url {
        calls.push(quote!(#rf::url(&__v)));
    }
    if rules.slug {
        calls.push(quote!(#rf::slug(&__v)));
    }
    if let Some(pattern) = &rules.regex {
        calls.push(quote! {{
            static __PATTERN: #rf::Pattern = #rf::Pattern::new(#pattern);
            __PATTERN.check(&__v)
        }});
    }
    if let Some(bounds) = &rules.length {
        let min = bounds
            .min
            .as_ref()
            .map(|m| quote!(Some(#m as u64)))
            .unwrap_or(quote!(None));
        let max = bounds
            .max
            .as_ref()
            .map(|m| quote!(Some(#m as u64)))
            .unwrap_or(quote!(None));
        calls.push(quote!(#rf::length(&__v, #min, #max)));
    }
    if let Some(bounds) = &rules.range {
        let min = opt_lit(&bounds.min);
        let max = opt_lit(&bounds.max);
        calls.push(quote!(#rf::range(__v, #min, #max)));
    }
    if let Some(needle) = &rules.contains {
        calls.push(quote!(#rf::contains(&__v, #needle)));
    }
    for custom in &rules.custom {
        calls.push(quote!(#custom(&__v)));
    }
    quote! {
        #(
            if let ::core::result::Result::Err(__message) = #calls {
                __errors.add(#key, __message);
                __valid = false;
            }
        )*
    }
}

/// The serializer's one description: a `FieldDescription` per field, in order, which
/// validation, OPTIONS and the OpenAPI schema all read.
fn expand_description(s: &Serializer) -> TokenStream {
    let d = quote!(::rest_framework::__private::description);
    let ident = &s.ident;
    let fields = s.fields.iter().map(|f| {
        let key = f.key();
        let label = &f.label;
        let read_only = f.read_only;
        let write_only = f.write_only;
        // DRF: read-only fields are never required.
        let required = !f.read_only && f.required;
        // Read-only `Option`s and optional nested objects may be written as `null`.
        let allow_null = f.allow_null
            || (f.optional() && (f.read_only || matches!(f.kind, Kind::Nested { .. })));
        let max_length = opt_usize(f.max_length);
        let min_length = opt_usize(f.min_length);
        let min_value = lit_f64(&f.min_value);
        let max_value = lit_f64(&f.max_value);
        let allow_blank = f.allow_blank;
        let email = f.validators.email;
        let url = f.validators.url;
        let pattern = match (&f.validators.regex, f.validators.slug) {
            (Some(regex), _) => {
                quote!(::core::option::Option::Some(#d::TextPattern::Regex(#regex)))
            }
            (None, true) => quote!(::core::option::Option::Some(#d::TextPattern::Slug)),
            (None, false) => quote!(::core::option::Option::None),
        };
        let ty = &f.ty;
        let kind = match &f.kind {
            Kind::Column { .. } | Kind::Count { .. } => quote! {
                #d::FieldKind::Value {
                    type_name: {
                        #[allow(unused_imports)]
                        use #d::TypeNameFallback as _;
                        #d::TypeNameOf::<#ty>::NAME
                    },
                }
            },
            Kind::Nested {
                serializer,
                many: false,
                ..
            } => quote!(#d::FieldKind::NestedOne(#d::fields_of::<#serializer>)),
            Kind::Nested { serializer, .. } => {
                quote!(#d::FieldKind::NestedMany(#d::fields_of::<#serializer>))
            }
            _ => quote!(#d::FieldKind::Relation),
        };
        let schema = match &f.kind {
            Kind::Nested {
                serializer,
                many: false,
                ..
            } => quote!(#d::nested_schema::<#serializer>),
            Kind::Nested { serializer, .. } => quote!(#d::nested_many_schema::<#serializer>),
            Kind::HyperlinkIdentity { .. } | Kind::HyperlinkForeignKey { .. } => {
                quote!(#d::hyperlink_schema)
            }
            Kind::HyperlinkMany { .. } => quote!(#d::hyperlinks_schema),
            Kind::Method { .. } => quote_spanned!(ty.span()=> #d::registered_type_schema::<#ty>),
            _ => quote_spanned!(ty.span()=> #d::type_schema::<#ty>),
        };
        let default = match &f.default {
            Some(default) => quote_spanned! {default.span()=>
                ::core::option::Option::Some(|| #d::default_value(::core::convert::Into::<#ty>::into(#default)))
            },
            None => quote!(::core::option::Option::None),
        };
        quote! {
            #d::FieldDescription {
                key: #key,
                label: #label,
                read_only: #read_only,
                write_only: #write_only,
                required: #required,
                allow_null: #allow_null,
                options: #d::FieldOptions {
                    max_length: #max_length,
                    min_length: #min_length,
                    allow_blank: #allow_blank,
                    trim_whitespace: true,
                    min_value: #min_value,
                    max_value: #max_value,
                },
                email: #email,
                url: #url,
                pattern: #pattern,
                kind: #kind,
                schema: #schema,
                default: #default,
            }
        }
    });
    quote! {
        impl #d::Described for #ident {
            const DESCRIPTION: &'static [#d::FieldDescription] = &[#(#fields),*];
        }
    }
}

/// `register_schemas`: the components of the description (`Patched<Name>` too with
/// `patched`).
fn expand_schemas(s: &Serializer, patched: bool) -> TokenStream {
    let d = quote!(::rest_framework::__private::description);
    let name = &s.name;
    let description = match &s.description {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        fn register_schemas(registry: &mut ::rest_framework::poem_openapi::registry::Registry) {
            #d::register_serializer(registry, #name, #description, <Self as #d::Described>::DESCRIPTION, #patched);
        }
    }
}

/// `metadata`: the description through `info` (a function of `metadata`).
fn expand_metadata(info: TokenStream) -> TokenStream {
    let d = quote!(::rest_framework::__private::description);
    quote! {
        fn metadata() -> ::std::vec::Vec<(&'static str, ::rest_framework::metadata::FieldInfo)> {
            #d::#info(<Self as #d::Described>::DESCRIPTION)
        }
    }
}

#[cfg(test)]
mod tests;
