//! Serializers read straight from rows, without a model in between.
//!
//! Django builds a model instance per row and DRF's serializer reads its attributes. A derived
//! serializer whose fields are all columns, primary-key relations (one or many) and counts
//! does better on pages: it selects exactly the columns it shows, in field order
//! ([`ModelSerializer::select_row`]), and reads each one by its position
//! ([`ModelSerializer::read_row`]). No model is built, no column is looked up by name, and no
//! column is read only to be dropped (an article's `content` on the list). Generated code
//! calls the functions here; pages of any other serializer are read into models as before.
//!

use crate::exceptions::ApiResult;
use crate::models::{ModelMeta, column_named};
use crate::relations::{Preloaded, fetch_related, parse_joined_pks, pks_subquery};
use crate::serializers::{ModelOf, ModelSerializer, SerializerContext};
use sea_orm::sea_query::{Expr, QueryStatementBuilder};
use sea_orm::{
    ConnectionTrait, EntityTrait, QueryResult, QuerySelect, QueryTrait, Related, Select, TryGetable,
};

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

    /// To-many primary-key field `field` (as [`crate::relations::annotate_pks_many`]).
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
    /// [`crate::relations::annotate_count`]).
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

/// The value of column `at` of `row`.
pub fn column<T: TryGetable>(row: &QueryResult, at: usize) -> ApiResult<T> {
    Ok(row.try_get_by_index(at)?)
}

/// The primary keys of to-many field `field`, aggregated in column `at` by
/// [`RowSelect::pks_many`].
pub fn pks_many(row: &QueryResult, at: usize, field: &str) -> ApiResult<Vec<i64>> {
    let joined: Option<String> = row.try_get_by_index(at)?;
    parse_joined_pks(joined.as_deref(), field)
}

/// The count in column `at` (added by [`RowSelect::count`]).
pub fn count(row: &QueryResult, at: usize) -> ApiResult<i64> {
    Ok(row.try_get_by_index(at)?)
}

/// The rows of a page as fetched: read into models (with what their statement fetched
/// besides, see [`crate::relations::fetch_related`]), or kept as rows for a serializer that
/// reads them itself.
pub enum Fetched<M> {
    /// Models, and what came with them.
    Models(Vec<M>, Preloaded),
    /// Rows of a [`ModelSerializer::select_row`] statement.
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
pub async fn represent<S: ModelSerializer>(
    fetched: &Fetched<ModelOf<S>>,
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<S>> {
    match fetched {
        Fetched::Models(models, preloaded) => {
            S::from_models_preloaded(models, preloaded, ctx).await
        }
        Fetched::Rows(rows) => rows.iter().map(|row| S::read_row(row, ctx)).collect(),
    }
}

/// The rows of `select` for serializer `S`: by [`ModelSerializer::select_row`] when `S`
/// reads rows, else into models with what [`ModelSerializer::select_related`] adds.
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
