//! A list's page as the database gives it: the queryset a paginator windows ([`QuerysetPage`],
//! the [`PageQuery`] paginators see), its count and its rows, or the same statements rendered
//! once for a route ([`PreparedPage`]).

use super::prepared::PreparedStatement;
use super::related::{Preloaded, fetch_related, read_related_rows};
use super::rows::Fetched;
use crate::exceptions::{ApiError, ApiResult};
use crate::fields::{PyInt, parse_py_int};
use crate::filters::BoxFuture;
use crate::pagination::{
    Page, PageLinks, PageNumberPagination, PageQuery, Pagination, Window, WindowQuery,
    invalid_cursor,
};
use crate::request::RequestContext;
use crate::serializers::{ModelOf, ModelSerializer};
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, ModelTrait, Order, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, Statement,
};
use std::str::FromStr;
use std::sync::Arc;

/// [`PageQuery`] over a sea-orm `Select`.
pub struct QuerysetPage<E: EntityTrait> {
    source: PageSource<E>,
    fetched: Fetched<E::Model>,
}

/// Where a [`QuerysetPage`]'s statements come from.
// One per list request, moved once: boxing the queryset would cost an allocation instead.
#[allow(clippy::large_enum_variant)]
enum PageSource<E: EntityTrait> {
    /// Built from the queryset for this request; `FetchRows` fetches it alone, or as a
    /// serializer reads it ([`crate::query::rows::fetch`]).
    Queryset(Select<E>, FetchRows<E>),
    /// Rendered once ([`PreparedPage`]); `ReadRows` reads the fetched rows into models when
    /// the serializer does not read rows itself.
    Prepared(Arc<PreparedPage>, ReadRows<E>),
}

/// Reads the rows of a [`PreparedPage`] statement into models (and what came with them).
type ReadRows<E> = fn(&[QueryResult]) -> ApiResult<(Vec<<E as EntityTrait>::Model>, Preloaded)>;

/// Fetches the rows of a windowed queryset (and what comes with them).
/// `keep`: the columns the paginator reads off the rows (its ordering), never deferred.
type FetchRows<E> = for<'a> fn(
    Select<E>,
    &'a DatabaseConnection,
    &[&str],
) -> BoxFuture<'a, ApiResult<Fetched<<E as EntityTrait>::Model>>>;

impl<E: EntityTrait> QuerysetPage<E> {
    /// Wraps a queryset; nothing is fetched yet.
    pub fn new(select: Select<E>) -> Self {
        fn rows_only<'a, E: EntityTrait>(
            select: Select<E>,
            db: &'a DatabaseConnection,
            _keep: &[&str],
        ) -> BoxFuture<'a, ApiResult<Fetched<E::Model>>> {
            Box::pin(
                async move { Ok(Fetched::Models(select.all(db).await?, Preloaded::default())) },
            )
        }
        Self::with_source(PageSource::Queryset(select, rows_only::<E>))
    }

    /// Wraps a queryset whose page is fetched with what serializer `S` can fetch in the same
    /// statement (its nested forward relations, its counts): fewer queries per page. The
    /// rows are only serialized, so the text columns `S` does not show are not read
    /// ([`ModelSerializer::defer_unread`]); a serializer that reads rows itself selects only
    /// its own columns ([`crate::query::rows`]), unless the paginator reads positions off the rows.
    pub fn for_serializer<S: ModelSerializer<Entity = E>>(select: Select<E>) -> Self {
        // Deferred up front: the page and its count each copy the statement, and the
        // rendered select list is one expression where the model's columns are one each.
        Self::with_source(PageSource::Queryset(
            S::defer_unread(select, &[]),
            with_related::<S>,
        ))
    }

    /// The page of serializer `S` whose statements were rendered once ([`PreparedPage`]);
    /// only paginators that ask for an offset and a limit can fetch it
    /// ([`Pagination::windows_by_offset`]).
    pub fn prepared<S: ModelSerializer<Entity = E>>(page: Arc<PreparedPage>) -> Self {
        Self::with_source(PageSource::Prepared(page, read_related_rows::<S>))
    }

    /// Nothing fetched yet from `source`.
    fn with_source(source: PageSource<E>) -> Self {
        QuerysetPage {
            source,
            fetched: Fetched::default(),
        }
    }

    /// The fetched models (of a page made with [`Self::new`]: those of
    /// [`Self::for_serializer`] and [`Self::prepared`] may be rows, see [`Self::into_fetched`]).
    pub fn into_rows(self) -> Vec<E::Model> {
        match self.fetched {
            Fetched::Models(models, _) => models,
            Fetched::Rows(_) => Vec::new(),
        }
    }

    /// The fetched rows, as models or rows (see [`Self::for_serializer`]).
    pub fn into_fetched(self) -> Fetched<E::Model> {
        self.fetched
    }
}

/// [`QuerysetPage::for_serializer`]'s fetch: the rows with what `S` fetches in the same statement.
fn with_related<'a, S: ModelSerializer>(
    select: Select<S::Entity>,
    db: &'a DatabaseConnection,
    keep: &[&str],
) -> BoxFuture<'a, ApiResult<Fetched<ModelOf<S>>>> {
    // The queryset was deferred when the page was made; only a paginator's ordering
    // fields (`keep`, a cursor page's) change what is read, and its positions are read off
    // models.
    if keep.is_empty() {
        return Box::pin(crate::query::rows::fetch::<S>(select, db));
    }
    let select = S::defer_unread(select, keep);
    Box::pin(async move {
        let (models, preloaded) = fetch_related::<S>(select, db).await?;
        Ok(Fetched::Models(models, preloaded))
    })
}

/// A list page's statements rendered once ([`crate::query::prepared`]), for a queryset that is the
/// same on every request (see [`crate::generics::list_in_route`]): each request binds its own
/// limit and offset into a copy.
#[derive(Debug)]
pub struct PreparedPage {
    count: Statement,
    page: PreparedStatement,
    /// The page statement is the serializer's [`ModelSerializer::select_row`]: its rows are
    /// kept as rows.
    reads_rows: bool,
}

/// The limit and offset the page statement is rendered with, then found among its values.
const LIMIT_MARK: u64 = u64::MAX - 0x5eed;
const OFFSET_MARK: u64 = u64::MAX - 0x5eee;

impl PreparedPage {
    /// Renders for `backend` what [`QuerysetPage::for_serializer`] runs for `queryset` under a
    /// paginator that asks for an offset and a limit. `None` when the window's values cannot be
    /// told apart in the statement (the page is then built per request, as usual).
    pub fn render<S: ModelSerializer>(
        queryset: Select<S::Entity>,
        backend: DbBackend,
    ) -> Option<Self> {
        let deferred = S::defer_unread(queryset, &[]);
        let count = backend.build(&count_statement(QueryTrait::as_query(&deferred)));
        let windowed = deferred.offset(OFFSET_MARK).limit(LIMIT_MARK);
        let (page, reads_rows) = match S::READS_ROWS
            .then(|| S::select_row(windowed.clone()))
            .flatten()
        {
            Some(rows) => (rows, true),
            None => (S::select_related(windowed), false),
        };
        let page = backend.build(&QueryTrait::into_query(page));
        let page = PreparedStatement::new(page, &[LIMIT_MARK.into(), OFFSET_MARK.into()])?;
        Some(PreparedPage {
            count,
            page,
            reads_rows,
        })
    }

    /// The statement of the rows of `window` (its offset and limit; nothing else of it).
    pub fn page_statement(&self, window: &Window) -> Statement {
        self.page.bind([window.limit.into(), window.offset.into()])
    }

    /// The statement counting the rows (`SELECT COUNT(*) FROM (...)`).
    pub fn count_statement(&self) -> &Statement {
        &self.count
    }
}

/// `SELECT COUNT(*) FROM (query)` without `query`'s ordering (see [`count_rows`]).
fn count_statement(query: &SelectStatement) -> SelectStatement {
    let mut unordered = query.clone();
    unordered.clear_order_by();
    let mut count = SelectStatement::new();
    count
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(unordered, "sub_query");
    count
}

/// The number a `COUNT(*)` statement returned.
fn counted(row: Option<QueryResult>) -> ApiResult<u64> {
    let number: i64 = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(u64::try_from(number).unwrap_or(0))
}

/// The number of rows of `query` (DRF's `queryset.count()`): `SELECT COUNT(*) FROM (query)`,
/// as sea-orm's `PaginatorTrait::count`, which copies the statement three times where this
/// copies it once. The order of the rows does not change their number: counted without
/// `ORDER BY`.
async fn count_rows(query: &SelectStatement, db: &DatabaseConnection) -> ApiResult<u64> {
    let statement = db.get_database_backend().build(&count_statement(query));
    counted(crate::db::query_one(db, statement).await?)
}

fn column_of<E: EntityTrait>(field: &str) -> ApiResult<E::Column> {
    E::Column::from_str(field).map_err(|_| {
        ApiError::Internal(format!(
            "pagination ordering field `{field}` is not a column"
        ))
    })
}

// The statements: a list route's page-number pages run them without a boxed future per
// statement; the `dyn` [`PageQuery`] runs them boxed.
impl<E: EntityTrait> WindowQuery for QuerysetPage<E>
where
    E::Model: Send + Sync,
{
    async fn count(&mut self, ctx: &RequestContext) -> ApiResult<u64> {
        match &self.source {
            PageSource::Queryset(select, _) => {
                count_rows(QueryTrait::as_query(select), ctx.db()).await
            }
            PageSource::Prepared(page, _) => {
                counted(crate::db::query_one(ctx.db(), page.count.clone()).await?)
            }
        }
    }

    async fn fetch(&mut self, ctx: &RequestContext, window: Window) -> ApiResult<()> {
        let (select, fetch) = match &self.source {
            PageSource::Queryset(select, fetch) => (select, *fetch),
            PageSource::Prepared(page, read) => {
                if window.ordering.is_some() || window.position.is_some() {
                    return Err(ApiError::Internal(
                        "a page rendered once can only be windowed by offset and limit".into(),
                    ));
                }
                let rows = crate::db::query_all(ctx.db(), page.page_statement(&window)).await?;
                self.fetched = if page.reads_rows {
                    Fetched::Rows(rows)
                } else {
                    let (models, preloaded) = read(&rows)?;
                    Fetched::Models(models, preloaded)
                };
                return Ok(());
            }
        };
        let mut select = select.clone();
        if let Some(ordering) = &window.ordering {
            QueryTrait::query(&mut select).clear_order_by();
            for (field, descending) in ordering {
                let order = if *descending { Order::Desc } else { Order::Asc };
                select = select.order_by(column_of::<E>(field)?, order);
            }
        }
        if let Some(filter) = &window.position {
            let column = column_of::<E>(&filter.field)?;
            let value = parse_position(column.def().get_column_type(), &filter.position)
                .ok_or_else(invalid_cursor)?;
            select = select.filter(if filter.greater {
                column.gt(value)
            } else {
                column.lt(value)
            });
        }
        let select = select.offset(window.offset).limit(window.limit);
        // The paginator reads its ordering fields off the rows (cursor positions).
        let keep: Vec<&str> = window
            .ordering
            .iter()
            .flatten()
            .map(|(field, _)| field.as_str())
            .chain(window.position.as_ref().map(|filter| filter.field.as_str()))
            .collect();
        self.fetched = fetch(select, ctx.db(), &keep).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl<E: EntityTrait> PageQuery for QuerysetPage<E>
where
    E::Model: Send + Sync,
{
    async fn count(&mut self, ctx: &RequestContext) -> ApiResult<u64> {
        WindowQuery::count(self, ctx).await
    }

    async fn fetch(&mut self, ctx: &RequestContext, window: Window) -> ApiResult<()> {
        WindowQuery::fetch(self, ctx, window).await
    }

    fn len(&self) -> usize {
        self.fetched.len()
    }

    fn position(&self, index: usize, field: &str) -> ApiResult<String> {
        let column = column_of::<E>(field)?;
        // Rows are only kept as rows when the paginator names no field to read off them.
        let Fetched::Models(models, _) = &self.fetched else {
            return Err(ApiError::Internal(
                "pagination: positions are read off models".into(),
            ));
        };
        let row = models
            .get(index)
            .ok_or_else(|| ApiError::Internal("pagination: no such row".into()))?;
        Ok(python_str(&row.get(column)))
    }

    fn truncate(&mut self, len: usize) {
        self.fetched.truncate(len);
    }

    fn reverse(&mut self) {
        self.fetched.reverse();
    }
}

/// Python's `str()` of a field value, as Django returns it (aware datetimes in UTC:
/// `2024-01-02 03:04:05.123456+00:00`, microseconds only when non-zero).
fn python_str(value: &sea_orm::Value) -> String {
    use sea_orm::Value;
    fn datetime(naive: chrono::NaiveDateTime, offset: &str) -> String {
        let micros = naive.and_utc().timestamp_subsec_micros();
        let base = naive.format("%Y-%m-%d %H:%M:%S");
        if micros == 0 {
            format!("{base}{offset}")
        } else {
            format!("{base}.{micros:06}{offset}")
        }
    }
    match value {
        Value::TinyInt(Some(v)) => v.to_string(),
        Value::SmallInt(Some(v)) => v.to_string(),
        Value::Int(Some(v)) => v.to_string(),
        Value::BigInt(Some(v)) => v.to_string(),
        Value::TinyUnsigned(Some(v)) => v.to_string(),
        Value::SmallUnsigned(Some(v)) => v.to_string(),
        Value::Unsigned(Some(v)) => v.to_string(),
        Value::BigUnsigned(Some(v)) => v.to_string(),
        Value::String(Some(v)) => v.to_string(),
        Value::ChronoDateTimeUtc(Some(v)) => datetime(v.naive_utc(), "+00:00"),
        Value::ChronoDateTimeWithTimeZone(Some(v)) => datetime(v.naive_utc(), "+00:00"),
        Value::ChronoDateTime(Some(v)) => datetime(*v, ""),
        Value::ChronoDate(Some(v)) => v.format("%Y-%m-%d").to_string(),
        _ => "None".to_string(),
    }
}

/// The typed value of a cursor position for a column (`None`: not a valid position).
fn parse_position(column_type: &sea_orm::ColumnType, position: &str) -> Option<sea_orm::Value> {
    use sea_orm::ColumnType as T;
    match column_type {
        T::TinyInteger
        | T::SmallInteger
        | T::Integer
        | T::BigInteger
        | T::TinyUnsigned
        | T::SmallUnsigned
        | T::Unsigned
        | T::BigUnsigned => match parse_py_int(position) {
            PyInt::Int(value) => Some(value.into()),
            _ => None,
        },
        T::Char(_) | T::String(_) | T::Text => Some(position.to_string().into()),
        T::TimestampWithTimeZone => {
            let parsed =
                chrono::DateTime::parse_from_str(position, "%Y-%m-%d %H:%M:%S%.f%:z").ok()?;
            Some(parsed.with_timezone(&chrono::Utc).into())
        }
        T::DateTime | T::Timestamp => {
            chrono::NaiveDateTime::parse_from_str(position, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(Into::into)
        }
        T::Date => chrono::NaiveDate::parse_from_str(position, "%Y-%m-%d")
            .ok()
            .map(Into::into),
        _ => None,
    }
}

impl PageNumberPagination {
    /// Counts the rows, selects the requested page and builds the links (two queries).
    pub async fn paginate_queryset<E: EntityTrait>(
        &self,
        select: Select<E>,
        ctx: &RequestContext,
    ) -> ApiResult<Page<E::Model>>
    where
        E::Model: Send + Sync,
    {
        let mut query = QuerysetPage::new(select);
        let links = self.paginate(&mut query, ctx).await?;
        Ok(Page {
            count: links.count.unwrap_or_default(),
            items: query.into_rows(),
            next: links.next,
            previous: links.previous,
        })
    }
}

/// `pagination`'s page of `query` and its links: [`Pagination::paginate`], except that DRF's
/// [`PageNumberPagination`] (the default) pages the concrete query, without a boxed future for
/// the paginator and for each of its two statements.
pub(crate) async fn paginate_queryset_page<E: EntityTrait>(
    pagination: &dyn Pagination,
    query: &mut QuerysetPage<E>,
    ctx: &RequestContext,
) -> ApiResult<PageLinks>
where
    E::Model: Send + Sync,
{
    let any: &dyn std::any::Any = pagination;
    match any.downcast_ref::<PageNumberPagination>() {
        Some(page_number) => page_number.paginate_window(query, ctx).await,
        None => pagination.paginate(query, ctx).await,
    }
}
