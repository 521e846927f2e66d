//! Serializers read straight from rows, without a model in between.
//!
//! Django builds a model instance per row and DRF's serializer reads its attributes. A derived
//! serializer whose fields are all columns, primary-key relations (one or many) and counts
//! does better on pages: it selects exactly the columns it shows, in field order
//! ([`Reads::select_row`](crate::query::Reads::select_row)), and reads each one by its position
//! ([`ModelSerializer::read_row`]). No model is built, no column is looked up by name, and no
//! column is read only to be dropped (an article's `content` on the list). Generated code
//! calls the functions here; pages of any other serializer are read into models as before.
//!
//! A nested serializer that shows only columns (an article's `author`) is read the same way
//! off its parent's row, where its columns are joined by name ([`join_columns`]).

use super::related::{
    Preloaded, fetch_related, join_forward_columns, joined_alias, joined_prefix, parse_joined_pks,
    pks_subquery,
};
use crate::exceptions::ApiResult;
use crate::models::{ModelMeta, column_named};
use crate::serializers::{ModelOf, ModelSerializer, SerializerContext};
use sea_orm::sea_query::{Alias, Expr, QueryStatementBuilder};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, QueryResult, QuerySelect, QueryTrait,
    Related, Select, TryGetable,
};
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, RwLock};

/// A select list being built field by field for [`crate::serializers::ModelSerializer::read_row`].
/// Each call adds one column; a field that cannot be selected so (a column name the entity
/// does not know, a relation over a composite key) makes the whole list unavailable, and the
/// page is then read into models.
pub struct RowSelect<E: EntityTrait> {
    select: Select<E>,
    complete: bool,
}

/// Starts the select list of `select` afresh (its filters, joins, ordering and window stay).
pub fn select<E: EntityTrait>(select: Select<E>) -> RowSelect<E> {
    RowSelect {
        select: select.select_only(),
        complete: true,
    }
}

impl<E: EntityTrait> RowSelect<E> {
    /// The model column named `name` (the model's field name).
    pub fn column(mut self, name: &str) -> Self {
        match column_named::<E>(name) {
            Some(column) => self.select = self.select.column(column),
            None => self.complete = false,
        }
        self
    }

    /// To-many primary-key field `field` (as [`crate::query::related::annotate_pks_many`]).
    pub fn pks_many<T: ModelMeta>(mut self, field: &str) -> Self
    where
        E: Related<T>,
    {
        match pks_subquery::<E, T>() {
            Some(subquery) => {
                self.select = self.select.expr_as(
                    Expr::SubQuery(None, Box::new(subquery.into_sub_query_statement())),
                    format!("__{field}__"),
                )
            }
            None => self.complete = false,
        }
        self
    }

    /// Count field `field`: the number of related `T` rows (as
    /// [`crate::query::related::annotate_count`]).
    pub fn count<T: EntityTrait>(mut self, field: &str) -> Self
    where
        E: Related<T>,
    {
        let relation = <E as Related<T>>::via().unwrap_or_else(<E as Related<T>>::to);
        match crate::filters::count_subquery::<E>(relation) {
            Ok(subquery) => {
                self.select = self.select.expr_as(
                    Expr::SubQuery(None, Box::new((*subquery).into_sub_query_statement())),
                    format!("__{field}__"),
                )
            }
            Err(_) => self.complete = false,
        }
        self
    }

    /// The select, or `None` when a field could not be added.
    pub fn finish(self) -> Option<Select<E>> {
        self.complete.then_some(self.select)
    }
}

/// Where a serializer's columns are in a row, in field order.
#[derive(Clone, Copy, Debug)]
pub enum Columns<'a> {
    /// The row's columns from this position on (a row of [`Reads::select_row`](crate::query::Reads::select_row)).
    From(usize),
    /// These names (a nested serializer's columns joined into its parent's row, see
    /// [`join_columns`]).
    Named(&'a [String]),
}

impl Columns<'_> {
    /// The value of the serializer's column number `at`.
    fn get<T: TryGetable>(self, row: &QueryResult, at: usize) -> Result<T, sea_orm::DbErr> {
        match self {
            Columns::From(first) => row.try_get_by_index(first + at),
            Columns::Named(names) => match names.get(at) {
                Some(name) => row.try_get("", name),
                None => Err(sea_orm::DbErr::Custom(format!("no joined column {at}"))),
            },
        }
    }
}

/// The value of the serializer's column `at` in `row`.
pub fn column<T: TryGetable>(row: &QueryResult, columns: Columns<'_>, at: usize) -> ApiResult<T> {
    Ok(columns.get(row, at)?)
}

/// The primary keys of to-many field `field`, aggregated in the serializer's column `at` by
/// `RowSelect::pks_many`.
pub fn pks_many(
    row: &QueryResult,
    columns: Columns<'_>,
    at: usize,
    field: &str,
) -> ApiResult<Vec<i64>> {
    let joined: Option<String> = columns.get(row, at)?;
    parse_joined_pks(joined.as_deref(), field)
}

/// The count in the serializer's column `at` (added by `RowSelect::count`).
pub fn count(row: &QueryResult, columns: Columns<'_>, at: usize) -> ApiResult<i64> {
    Ok(columns.get(row, at)?)
}

/// The names under which [`join_columns`] selects the columns of nested serializer `S` for
/// `field` (`__author__email`), made once per serializer and field. `None` when `S` shows
/// anything but columns ([`ModelSerializer::COLUMNS`] is empty) or names a column its
/// entity does not have: the whole joined row is then read into a model.
fn joined_names<S: ModelSerializer>(field: &'static str) -> Option<&'static [String]> {
    type Names = HashMap<(TypeId, &'static str), Option<&'static [String]>>;
    static NAMES: LazyLock<RwLock<Names>> = LazyLock::new(Default::default);
    let key = (TypeId::of::<S>(), field);
    if let Some(names) = NAMES.read().ok()?.get(&key) {
        return *names;
    }
    let names = (!S::COLUMNS.is_empty())
        .then(|| {
            let prefix = joined_prefix(field);
            S::COLUMNS
                .iter()
                .map(|name| {
                    column_named::<S::Entity>(name).map(|c| format!("{prefix}{}", c.as_str()))
                })
                .collect::<Option<Vec<String>>>()
        })
        .flatten()
        .map(|names| &*Box::leak(names.into_boxed_slice()));
    *NAMES.write().ok()?.entry(key).or_insert(names)
}

/// Adds to `select` the columns of the row nested field `field` joins
/// ([`crate::query::related::join_forward_table`]): only those serializer `S` shows when it shows
/// only columns (read back by [`read_joined_columns`] straight into `S`), else all of them (read into
/// a model). For a non-nullable foreign key: the joined row is always there.
pub fn join_columns<P, S>(select: Select<P>, field: &'static str) -> Select<P>
where
    P: EntityTrait + Related<S::Entity>,
    S: ModelSerializer,
{
    let Some(names) = joined_names::<S>(field) else {
        return join_forward_columns::<P, S::Entity>(select, field);
    };
    let alias = joined_alias(field);
    let mut select = select;
    for (name, joined) in S::COLUMNS.iter().zip(names) {
        if let Some(column) = column_named::<S::Entity>(name) {
            select = select.column_as(
                column.select_as(Expr::col((alias.clone(), Alias::new(column.as_str())))),
                joined.as_str(),
            );
        }
    }
    select
}

/// Reads what [`join_columns`] added for `field` off a parent's row, for
/// [`crate::query::related::load_nested_required`].
pub fn read_joined_columns<S: ModelSerializer>(
    row: &QueryResult,
    field: &'static str,
    prefix: &'static str,
    preloaded: &mut Preloaded,
) -> ApiResult<()>
where
    ModelOf<S>: Sync,
{
    match joined_names::<S>(field) {
        Some(names) => {
            let nested = S::read_row(row, Columns::Named(names))?;
            preloaded.push(field, Joined(Mutex::new(Some(nested))));
            Ok(())
        }
        None => {
            crate::query::related::read_joined_table::<S::Entity>(row, field, prefix, preloaded)
        }
    }
}

/// A nested serializer read off its parent's row, handed over once to the parent.
pub(crate) struct Joined<S>(Mutex<Option<S>>);

impl<S> Joined<S> {
    /// The serializer (`None` once taken).
    pub(crate) fn take(&self) -> Option<S> {
        self.0.lock().ok()?.take()
    }
}

/// The rows of a page as fetched: read into models (with what their statement fetched
/// besides, see [`crate::query::related::fetch_related`]), or kept as rows for a serializer that
/// reads them itself.
pub enum Fetched<M> {
    /// Models, and what came with them.
    Models(Vec<M>, Preloaded),
    /// Rows of a [`Reads::select_row`](crate::query::Reads::select_row) statement.
    Rows(Vec<QueryResult>),
}

impl<M> Default for Fetched<M> {
    fn default() -> Self {
        Fetched::Models(Vec::new(), Preloaded::default())
    }
}

impl<M> Fetched<M> {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Fetched::Models(models, _) => models.len(),
            Fetched::Rows(rows) => rows.len(),
        }
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps the first `len` rows.
    pub fn truncate(&mut self, len: usize) {
        match self {
            Fetched::Models(models, preloaded) => {
                models.truncate(len);
                preloaded.truncate(len);
            }
            Fetched::Rows(rows) => rows.truncate(len),
        }
    }

    /// Reverses the rows.
    pub fn reverse(&mut self) {
        match self {
            Fetched::Models(models, preloaded) => {
                models.reverse();
                preloaded.reverse();
            }
            Fetched::Rows(rows) => rows.reverse(),
        }
    }
}

/// Serializer `S`'s representations of `fetched`, in order.
///
/// Takes the rows: each is dropped right after it is read, while its values are still in the
/// cache. Dropped together after the page, they were read from memory a second time
/// (`bench/RESULTS.md`, "Measured choices in the code").
pub async fn represent<S: ModelSerializer>(
    fetched: Fetched<ModelOf<S>>,
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<S>> {
    match fetched {
        Fetched::Models(models, preloaded) => S::build(&models, &preloaded, ctx).await,
        Fetched::Rows(rows) => rows
            .into_iter()
            .map(|row| S::read_row(&row, Columns::From(0)))
            .collect(),
    }
}

/// The rows of `select` for serializer `S`: by [`Reads::select_row`](crate::query::Reads::select_row) when `S`
/// reads rows, else into models with what [`Reads::select_related`](crate::query::Reads::select_related) adds.
pub async fn fetch<S: ModelSerializer>(
    select: Select<S::Entity>,
    db: &impl ConnectionTrait,
) -> ApiResult<Fetched<ModelOf<S>>> {
    if S::READS_ROWS
        && let Some(rows) = S::select_row(select.clone())
    {
        return Ok(Fetched::Rows(
            db.query_all(&QueryTrait::into_query(rows)).await?,
        ));
    }
    let (models, preloaded) = fetch_related::<S>(select, db).await?;
    Ok(Fetched::Models(models, preloaded))
}
