//! How a read reaches the database: one pass down for a list page or a detail.
//!
//! A list request goes [`crate::generics`] -> here -> the serializer -> the response. This
//! module keeps each route's [`Plan`] (its filter backends, and the statements rendered once
//! for the requests they leave unchanged), lets the paginator choose the window, fetches the
//! rows, and loads what the serializer shows of their relations a page at a time: for any
//! page size the same number of statements. A serializer that shows only columns, primary
//! keys and counts is read straight off its rows, without a model in between.
//!
//! Inside, one file per step: `plan` (the two reads a route serves: [`list`] and
//! [`fetch_one`]), `prepared` (statements rendered once), `page` (the queryset a paginator
//! windows), `rows` (serializers read off rows), `related` (relations loaded a page at a
//! time, and joined into the parents' statement where they can be).
//!
//! The derives implement [`Reads`], the serializer's side of this: what it selects and how
//! it reads a row. Of the rest an app calls [`fetch_list`] (or `generics::list_with`) in an
//! extra action's body; the helpers generated code calls are behind `__private`.

pub(crate) mod page;
mod plan;
pub(crate) mod prepared;
pub(crate) mod related;
pub(crate) mod rows;

pub use related::Preloaded;
pub use rows::{Columns, Fetched};

pub use plan::{
    DetailPlan, ListPlan, Listed, Plan, fetch_list, fetch_one, list, narrow_to_lookup,
    represent_one,
};

use crate::exceptions::{ApiError, ApiResult};
use crate::serializers::{ModelOf, ModelSerializer, SerializerContext};
use sea_orm::{QueryResult, Select};

/// The entity a [`Reads`] serializer reads.
type EntityOf<S> = <S as ModelSerializer>::Entity;

/// A serializer's side of a read: what its statement selects and how a fetched row becomes
/// its representation. `#[derive(ModelSerializer)]` implements it; the defaults read whole
/// models and load every relation with one query per page.
///
/// Kept apart from [`ModelSerializer`] (which represents, validates and describes a
/// resource) because only this module calls it.
pub trait Reads {
    /// Builds one representation per model, in order, with what the models' statement
    /// fetched besides them (`preloaded`, see [`related::fetch_related`]): what is not there
    /// is loaded with one query per relation for the whole page.
    fn build(
        models: &[ModelOf<Self>],
        preloaded: &Preloaded,
        ctx: &SerializerContext<'_>,
    ) -> impl Future<Output = ApiResult<Vec<Self>>> + Send
    where
        Self: ModelSerializer;

    /// Adds to `select` what the parents' own statement can fetch: the rows of the nested
    /// forward relations (joined, Django's `select_related`), the counts and the to-many
    /// primary keys (correlated subqueries); read back by [`Self::read_related`].
    fn select_related(select: Select<EntityOf<Self>>) -> Select<EntityOf<Self>>
    where
        Self: ModelSerializer,
    {
        select
    }

    /// Reads what [`Self::select_related`] added off a fetched row.
    fn read_related(row: &QueryResult, preloaded: &mut Preloaded) -> ApiResult<()> {
        let _ = (row, preloaded);
        Ok(())
    }

    /// Narrows `select` to the columns the fields read, for rows fetched only to be
    /// serialized (list pages): a text column no field shows (an article's `content` on the
    /// list) is replaced by an empty text, so its bytes are neither read nor copied, as
    /// Django's `defer()`. Columns named in `keep` (a paginator's ordering), the primary key,
    /// the model's ordering and non-text columns are always read. Serializers with a `method`
    /// field read the whole row (a method may look at any column).
    fn defer_unread(select: Select<EntityOf<Self>>, keep: &[&str]) -> Select<EntityOf<Self>>
    where
        Self: ModelSerializer,
    {
        let _ = keep;
        select
    }

    /// True when [`Self::select_row`] can give a statement (generated for serializers whose
    /// shown fields are all columns, primary-key relations and counts).
    const READS_ROWS: bool = false;

    /// Narrows `select` to exactly the columns [`Self::read_row`] reads, in field order, so a
    /// page is built straight from its rows without models (`rows`). `None` (the default)
    /// for serializers with a field that needs the model: anything but columns, primary-key
    /// relations and counts.
    fn select_row(select: Select<EntityOf<Self>>) -> Option<Select<EntityOf<Self>>>
    where
        Self: ModelSerializer,
    {
        let _ = select;
        None
    }

    /// The model columns of the fields, in field order, when the serializer shows nothing
    /// but columns (`&[]` otherwise): a nested serializer's columns are then joined into its
    /// parent's row by name and read straight into it ([`rows::join_columns`]).
    const COLUMNS: &'static [&'static str] = &[];

    /// Builds the representation of a row fetched with [`Self::select_row`]
    /// (`Columns::From(0)`) or joined into a parent's row ([`Columns::Named`]), reading its
    /// columns by position.
    fn read_row(row: &QueryResult, columns: Columns<'_>) -> ApiResult<Self>
    where
        Self: ModelSerializer,
    {
        let _ = (row, columns);
        Err(ApiError::Internal(format!(
            "{} does not read rows",
            Self::NAME
        )))
    }
}
