//! Pagination (DRF's `rest_framework.pagination`): the [`Pagination`] trait and DRF's three
//! paginators, with DRF's bodies and absolute `next` / `previous` links:
//!
//! - [`PageNumberPagination`]: `?page=N`, body `{"count", "next", "previous", "results"}`;
//! - [`LimitOffsetPagination`]: `?limit=N&offset=M`, the same body;
//! - [`CursorPagination`]: an opaque `?cursor=` (base64 of `o=..&r=..&p=..`) over a fixed
//!   ordering, body `{"next", "previous", "results"}`; stable when rows are inserted between
//!   two requests.
//!
//! The default paginator is [`crate::settings::Settings::default_pagination`]; a viewset
//! chooses its own with `#[viewset(pagination = LimitOffsetPagination)]` (or any expression
//! building a paginator, or `None`).
//!
//! Paginators see the queryset through [`PageQuery`] (count, fetch a window, read a field of
//! a fetched row), so one object-safe trait serves every entity.

use crate::exceptions::{ApiError, ApiResult};
use crate::fields::{PyInt, Repr, Representation, parse_py_int};
use crate::filters::BoxFuture;
use crate::prepared::PreparedStatement;
use crate::relations::{Preloaded, fetch_related, read_related_rows};
use crate::request::RequestContext;
use crate::rows::Fetched;
use crate::serializers::{ModelOf, ModelSerializer};
use poem_openapi::registry::{MetaOperationParam, MetaParamIn, MetaSchema, MetaSchemaRef};
use poem_openapi::types::Type;
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, ModelTrait, Order, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, Statement,
};
use serde::Serialize;
use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;

/// DRF's `PageNumberPagination`: `?page=N` (or `last`) and `?page_size=N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageNumberPagination {
    /// Items per page (`PAGE_SIZE`).
    pub page_size: u64,
    /// The query parameter of the page number.
    pub page_query_param: &'static str,
    /// The query parameter letting the client set the page size (`None`: fixed size).
    pub page_size_query_param: Option<&'static str>,
    /// The largest page size a client may ask for.
    pub max_page_size: Option<u64>,
}

impl Default for PageNumberPagination {
    /// 10 per page, `?page_size=` up to 100.
    fn default() -> Self {
        PageNumberPagination {
            page_size: 10,
            page_query_param: "page",
            page_size_query_param: Some("page_size"),
            max_page_size: Some(100),
        }
    }
}

/// One page of rows and its links.
pub struct Page<M> {
    /// Total number of rows.
    pub count: u64,
    /// This page's rows.
    pub items: Vec<M>,
    /// Absolute URL of the next page.
    pub next: Option<String>,
    /// Absolute URL of the previous page.
    pub previous: Option<String>,
}

impl<M> Page<M> {
    /// Replaces the rows (e.g. by their representations), keeping count and links.
    pub fn with_items<T>(self, items: Vec<T>) -> Page<T> {
        Page {
            count: self.count,
            items,
            next: self.next,
            previous: self.previous,
        }
    }
}

/// The body of a paginated response, in DRF's key order.
#[derive(Serialize)]
pub struct PaginatedBody<'a, T: Representation> {
    count: u64,
    next: &'a Option<String>,
    previous: &'a Option<String>,
    #[serde(serialize_with = "serialize_results")]
    results: &'a [T],
}

fn serialize_results<T: Representation, S: serde::Serializer>(
    items: &&[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(items.iter().map(Repr))
}

impl<T: Representation> Page<T> {
    /// The JSON body of this page.
    pub fn body(&self) -> PaginatedBody<'_, T> {
        PaginatedBody {
            count: self.count,
            next: &self.next,
            previous: &self.previous,
            results: &self.items,
        }
    }
}

/// The 404 for a page that does not exist.
fn invalid_page() -> ApiError {
    ApiError::NotFound("Invalid page.".into())
}

impl PageNumberPagination {
    /// The page size for this request: the client's, if valid and allowed, else the default.
    pub fn get_page_size(&self, ctx: &RequestContext) -> u64 {
        self.page_size_query_param
            .and_then(|param| ctx.query_param(param))
            // DRF's `_positive_int(strict=True, cutoff=max_page_size)`: a huge number is the cap.
            .and_then(|value| positive_int(value, true, self.max_page_size))
            .unwrap_or(self.page_size)
    }

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

/// What a paginator tells the response besides the rows: DRF's `count` (absent for cursor
/// pagination) and the links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// Total number of rows (`None`: the body has no `count`).
    pub count: Option<u64>,
    /// Absolute URL of the next page.
    pub next: Option<String>,
    /// Absolute URL of the previous page.
    pub previous: Option<String>,
}

/// The body of a paginated response: `count` (when known), `next`, `previous`, `results`.
#[derive(Serialize)]
pub struct LinksBody<'a, T: Representation> {
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
    next: &'a Option<String>,
    previous: &'a Option<String>,
    #[serde(serialize_with = "serialize_results")]
    results: &'a [T],
}

impl<T: Representation> Representation for LinksBody<'_, T> {
    fn represent<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize(serializer)
    }

    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        out.push(b'{');
        if let Some(count) = self.count {
            out.extend_from_slice(b"\"count\":");
            count.write_json(out)?;
            out.push(b',');
        }
        out.extend_from_slice(b"\"next\":");
        self.next.as_deref().write_json(out)?;
        out.extend_from_slice(b",\"previous\":");
        self.previous.as_deref().write_json(out)?;
        out.extend_from_slice(b",\"results\":");
        self.results.write_json(out)?;
        out.push(b'}');
        Ok(())
    }
}

impl PageLinks {
    /// The JSON body of a page of `results`, in DRF's key order.
    pub fn body<'a, T: Representation>(&'a self, results: &'a [T]) -> LinksBody<'a, T> {
        LinksBody {
            count: self.count,
            next: &self.next,
            previous: &self.previous,
            results,
        }
    }
}

/// The ordering and window a paginator asks of the queryset.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to fetch at most.
    pub limit: u64,
    /// Replaces the queryset's ordering: `(field, descending)` terms.
    pub ordering: Option<Vec<(String, bool)>>,
    /// Keeps only rows strictly after (`greater`) or before a position of a field, as
    /// `field__gt=position` / `field__lt=position`.
    pub position: Option<PositionFilter>,
}

/// `field > position` or `field < position` (DRF's cursor filter).
#[derive(Debug, Clone)]
pub struct PositionFilter {
    /// The model field.
    pub field: String,
    /// The position, as Python's `str()` of the field's value.
    pub position: String,
    /// `>` when true, `<` otherwise.
    pub greater: bool,
}

/// A queryset as paginators see it (object-safe, so paginators are `dyn`).
#[async_trait::async_trait]
pub trait PageQuery: Send {
    /// The number of rows (DRF's `queryset.count()`).
    async fn count(&mut self, ctx: &RequestContext) -> ApiResult<u64>;
    /// Fetches the rows of `window`, replacing any fetched before.
    async fn fetch(&mut self, ctx: &RequestContext, window: Window) -> ApiResult<()>;
    /// The number of fetched rows.
    fn len(&self) -> usize;
    /// True when no row was fetched.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Python's `str()` of `field` of fetched row `index` (DRF's cursor positions).
    fn position(&self, index: usize, field: &str) -> ApiResult<String>;
    /// Keeps the first `len` fetched rows.
    fn truncate(&mut self, len: usize);
    /// Reverses the fetched rows.
    fn reverse(&mut self);
}

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
    /// serializer reads it ([`crate::rows::fetch`]).
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
    /// its own columns ([`crate::rows`]), unless the paginator reads positions off the rows.
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
        return Box::pin(crate::rows::fetch::<S>(select, db));
    }
    let select = S::defer_unread(select, keep);
    Box::pin(async move {
        let (models, preloaded) = fetch_related::<S>(select, db).await?;
        Ok(Fetched::Models(models, preloaded))
    })
}

/// A list page's statements rendered once ([`crate::prepared`]), for a queryset that is the
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

/// A paginator (DRF's `BasePagination`): chooses the rows of the page, builds the links, and
/// describes itself in the OpenAPI document.
///
/// `Any` (every `'static` type is): a list route recognizes DRF's [`PageNumberPagination`] and
/// pages with it without boxing a future per statement.
#[async_trait::async_trait]
pub trait Pagination: std::any::Any + Send + Sync {
    /// Fetches this request's page into `query` and returns the count and links.
    async fn paginate(
        &self,
        query: &mut dyn PageQuery,
        ctx: &RequestContext,
    ) -> ApiResult<PageLinks>;

    /// The query parameters of the list operation (drf-spectacular's
    /// `get_schema_operation_parameters`).
    fn schema_parameters(&self) -> Vec<MetaOperationParam>;

    /// The paginated response object around `results` (`get_paginated_response_schema`).
    fn response_schema(&self, results: MetaSchemaRef) -> MetaSchema;

    /// True when every [`Window`] this paginator asks for is an offset and a limit (no
    /// `ordering`, no `position`): its pages can then come from statements rendered once
    /// ([`PreparedPage`]). False unless a paginator says so.
    fn windows_by_offset(&self) -> bool {
        false
    }
}

fn integer_param(name: &str, description: &str) -> MetaOperationParam {
    schema_param(name, <i64 as Type>::schema_ref(), description)
}

fn schema_param(name: &str, schema: MetaSchemaRef, description: &str) -> MetaOperationParam {
    MetaOperationParam {
        name: name.to_string(),
        schema,
        in_type: MetaParamIn::Query,
        description: Some(description.to_string()),
        required: false,
        deprecated: false,
        explode: true,
        style: None,
    }
}

/// DRF's paginated response schema: `count` (if any), `next`, `previous` (URIs with DRF's
/// examples), `results`.
fn links_schema(
    count: bool,
    next_example: &'static str,
    previous_example: &'static str,
    results: MetaSchemaRef,
) -> MetaSchema {
    // Built whole: poem-openapi's `merge` drops `format`.
    let uri = |example: &'static str| {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("uri"),
            nullable: true,
            example: Some(example.into()),
            ..MetaSchema::new("string")
        }))
    };
    let mut properties = Vec::new();
    if count {
        properties.push((
            "count",
            <i64 as Type>::schema_ref().merge(MetaSchema {
                example: Some(123.into()),
                ..MetaSchema::ANY
            }),
        ));
    }
    properties.push(("next", uri(next_example)));
    properties.push(("previous", uri(previous_example)));
    properties.push((
        "results",
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(results)),
            ..MetaSchema::new("array")
        })),
    ));
    MetaSchema {
        required: if count {
            vec!["count", "results"]
        } else {
            vec!["results"]
        },
        properties,
        ..MetaSchema::new("object")
    }
}

/// What [`PageNumberPagination`] asks of a page query: a [`PageQuery`] (`dyn`, its futures
/// boxed), or a [`QuerysetPage`] itself, whose futures then become part of the caller's.
trait WindowQuery {
    async fn count(&mut self, ctx: &RequestContext) -> ApiResult<u64>;
    async fn fetch(&mut self, ctx: &RequestContext, window: Window) -> ApiResult<()>;
}

impl WindowQuery for dyn PageQuery + '_ {
    async fn count(&mut self, ctx: &RequestContext) -> ApiResult<u64> {
        PageQuery::count(self, ctx).await
    }
    async fn fetch(&mut self, ctx: &RequestContext, window: Window) -> ApiResult<()> {
        PageQuery::fetch(self, ctx, window).await
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

impl PageNumberPagination {
    /// [`Pagination::paginate`] of any [`WindowQuery`].
    async fn paginate_window<Q: WindowQuery + ?Sized>(
        &self,
        query: &mut Q,
        ctx: &RequestContext,
    ) -> ApiResult<PageLinks> {
        let size = self.get_page_size(ctx);
        // `None`: the last page, known only after counting.
        let requested = match ctx.query_param(self.page_query_param) {
            // DRF: `request.query_params.get(self.page_query_param) or 1`.
            None | Some("") => Some(1),
            Some("last") => None,
            // Django's `Paginator.validate_number`: Python's `int()`.
            Some(raw) => match parse_py_int(raw) {
                PyInt::Int(number) if number >= 1 => Some(number as u64),
                _ => return Err(invalid_page()),
            },
        };
        // Counted first, as Django's Paginator does, even for page 1, where fetching first
        // could tell the count of a short list without a COUNT(*). Fetching first costs ~5%
        // of req/s on long lists (bench/RESULTS.md, "Count, then fetch"), most likely because
        // the COUNT(*) walks an index between fetching the rows and writing them.
        let count = query.count(ctx).await?;
        // Django's Paginator: an empty list still has one (empty) page.
        let pages = count.div_ceil(size).max(1);
        let number = requested.unwrap_or(pages);
        if number < 1 || number > pages {
            return Err(invalid_page());
        }
        if count > 0 {
            let window = Window {
                offset: (number - 1) * size,
                limit: size,
                ..Window::default()
            };
            query.fetch(ctx, window).await?;
        }
        let url = ctx.absolute_url();
        let next = (number < pages)
            .then(|| replace_query_param(&url, self.page_query_param, &(number + 1).to_string()));
        let previous = (number > 1).then(|| {
            if number == 2 {
                remove_query_param(&url, self.page_query_param)
            } else {
                replace_query_param(&url, self.page_query_param, &(number - 1).to_string())
            }
        });
        Ok(PageLinks {
            count: Some(count),
            next,
            previous,
        })
    }
}

#[async_trait::async_trait]
impl Pagination for PageNumberPagination {
    async fn paginate(
        &self,
        query: &mut dyn PageQuery,
        ctx: &RequestContext,
    ) -> ApiResult<PageLinks> {
        self.paginate_window(query, ctx).await
    }

    fn windows_by_offset(&self) -> bool {
        true
    }

    fn schema_parameters(&self) -> Vec<MetaOperationParam> {
        let mut params = vec![integer_param(
            self.page_query_param,
            "A page number within the paginated result set.",
        )];
        if let Some(param) = self.page_size_query_param {
            params.push(integer_param(
                param,
                "Number of results to return per page.",
            ));
        }
        params
    }

    fn response_schema(&self, results: MetaSchemaRef) -> MetaSchema {
        links_schema(
            true,
            "http://api.example.org/accounts/?page=4",
            "http://api.example.org/accounts/?page=2",
            results,
        )
    }
}

/// DRF's `_positive_int`: Python's `int()`, refusing negatives (and zero when `strict`),
/// capped at `cutoff`.
fn positive_int(text: &str, strict: bool, cutoff: Option<u64>) -> Option<u64> {
    let value = match parse_py_int(text) {
        PyInt::Int(value) if value > 0 || (value == 0 && !strict) => value as u64,
        PyInt::OutOfRange if !text.trim().starts_with('-') => u64::MAX,
        _ => return None,
    };
    Some(cutoff.map_or(value, |cutoff| value.min(cutoff)))
}

/// DRF's `LimitOffsetPagination`: `?limit=N&offset=M`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitOffsetPagination {
    /// The limit when the client gives none (`PAGE_SIZE`).
    pub default_limit: u64,
    /// The query parameter of the limit.
    pub limit_query_param: &'static str,
    /// The query parameter of the offset.
    pub offset_query_param: &'static str,
    /// The largest limit a client may ask for (`None`: any).
    pub max_limit: Option<u64>,
}

impl Default for LimitOffsetPagination {
    /// DRF's defaults with a `PAGE_SIZE` of 10.
    fn default() -> Self {
        LimitOffsetPagination {
            default_limit: 10,
            limit_query_param: "limit",
            offset_query_param: "offset",
            max_limit: None,
        }
    }
}

impl LimitOffsetPagination {
    /// DRF's `get_limit`: a positive `?limit=` (capped at `max_limit`), else the default.
    pub fn get_limit(&self, ctx: &RequestContext) -> u64 {
        ctx.query_param(self.limit_query_param)
            .and_then(|raw| positive_int(raw, true, self.max_limit))
            .unwrap_or(self.default_limit)
    }

    /// DRF's `get_offset`: a non-negative `?offset=`, else 0.
    pub fn get_offset(&self, ctx: &RequestContext) -> u64 {
        ctx.query_param(self.offset_query_param)
            .and_then(|raw| positive_int(raw, false, None))
            .unwrap_or(0)
    }
}

#[async_trait::async_trait]
impl Pagination for LimitOffsetPagination {
    async fn paginate(
        &self,
        query: &mut dyn PageQuery,
        ctx: &RequestContext,
    ) -> ApiResult<PageLinks> {
        let limit = self.get_limit(ctx);
        let offset = self.get_offset(ctx);
        // Counted first, as DRF does (see `PageNumberPagination::paginate_window`).
        let count = query.count(ctx).await?;
        if count > offset {
            let window = Window {
                offset,
                limit,
                ..Window::default()
            };
            query.fetch(ctx, window).await?;
        }
        let url = replace_query_param(
            &ctx.absolute_url(),
            self.limit_query_param,
            &limit.to_string(),
        );
        let next = (offset.saturating_add(limit) < count).then(|| {
            replace_query_param(&url, self.offset_query_param, &(offset + limit).to_string())
        });
        let previous = (offset > 0).then(|| {
            if offset <= limit {
                remove_query_param(&url, self.offset_query_param)
            } else {
                replace_query_param(&url, self.offset_query_param, &(offset - limit).to_string())
            }
        });
        Ok(PageLinks {
            count: Some(count),
            next,
            previous,
        })
    }

    fn windows_by_offset(&self) -> bool {
        true
    }

    fn schema_parameters(&self) -> Vec<MetaOperationParam> {
        vec![
            integer_param(
                self.limit_query_param,
                "Number of results to return per page.",
            ),
            integer_param(
                self.offset_query_param,
                "The initial index from which to return the results.",
            ),
        ]
    }

    fn response_schema(&self, results: MetaSchemaRef) -> MetaSchema {
        links_schema(
            true,
            "http://api.example.org/accounts/?offset=400&limit=100",
            "http://api.example.org/accounts/?offset=200&limit=100",
            results,
        )
    }
}

/// DRF's `CursorPagination`: pages over a fixed `ordering` addressed by an opaque cursor, so
/// rows inserted between two requests neither repeat nor skip rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorPagination {
    /// Rows per page (`PAGE_SIZE`).
    pub page_size: u64,
    /// The query parameter of the cursor.
    pub cursor_query_param: &'static str,
    /// The ordering: a model field, `-` for descending (DRF's default `-created`). The
    /// field should be unique or nearly so (a creation timestamp).
    pub ordering: &'static str,
    /// The query parameter letting the client set the page size (`None`: fixed size).
    pub page_size_query_param: Option<&'static str>,
    /// The largest page size a client may ask for.
    pub max_page_size: Option<u64>,
    /// The largest offset a cursor may carry (DRF's `offset_cutoff`).
    pub offset_cutoff: u64,
}

impl Default for CursorPagination {
    /// DRF's defaults (`ordering = "-created"`) with a `PAGE_SIZE` of 10.
    fn default() -> Self {
        CursorPagination {
            page_size: 10,
            cursor_query_param: "cursor",
            ordering: "-created",
            page_size_query_param: None,
            max_page_size: None,
            offset_cutoff: 1000,
        }
    }
}

/// DRF's `Cursor`: rows to skip at the position, direction, position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Rows to skip past the position (rows sharing the position value).
    pub offset: u64,
    /// True for a cursor to the previous page.
    pub reverse: bool,
    /// `str()` of the ordering field of the boundary row.
    pub position: Option<String>,
}

/// The 404 of a cursor that does not decode (DRF's text has no final period).
fn invalid_cursor() -> ApiError {
    ApiError::NotFound("Invalid cursor".into())
}

impl CursorPagination {
    /// Cursor pagination over `ordering` (`"-created_at"`), other settings DRF's defaults.
    pub fn new(ordering: &'static str) -> Self {
        CursorPagination {
            ordering,
            ..Self::default()
        }
    }

    fn get_page_size(&self, ctx: &RequestContext) -> u64 {
        self.page_size_query_param
            .and_then(|param| ctx.query_param(param))
            .and_then(|raw| positive_int(raw, true, self.max_page_size))
            .unwrap_or(self.page_size)
    }

    fn ordering_field(&self) -> (&str, bool) {
        match self.ordering.strip_prefix('-') {
            Some(field) => (field, true),
            None => (self.ordering, false),
        }
    }

    /// DRF's `decode_cursor`: base64 of a query string `o=..&r=..&p=..`.
    pub fn decode_cursor(&self, encoded: &str) -> ApiResult<Cursor> {
        use base64::Engine;
        // Python's b64decode drops characters outside the alphabet before decoding.
        let cleaned: String = encoded
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(cleaned)
            .map_err(|_| invalid_cursor())?;
        if !bytes.is_ascii() {
            return Err(invalid_cursor());
        }
        let tokens: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
        let first = |key: &str| {
            tokens
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let offset = positive_int(first("o").unwrap_or("0"), false, Some(self.offset_cutoff))
            .ok_or_else(invalid_cursor)?;
        let reverse = match parse_py_int(first("r").unwrap_or("0")) {
            PyInt::Int(value) => value != 0,
            PyInt::OutOfRange => true,
            PyInt::Invalid => return Err(invalid_cursor()),
        };
        Ok(Cursor {
            offset,
            reverse,
            position: first("p").map(str::to_string),
        })
    }

    /// DRF's `encode_cursor`: the request URL with `cursor=` set.
    pub fn encode_cursor(&self, ctx: &RequestContext, cursor: &Cursor) -> String {
        use base64::Engine;
        let mut tokens = form_urlencoded::Serializer::new(String::new());
        if cursor.offset != 0 {
            tokens.append_pair("o", &cursor.offset.to_string());
        }
        if cursor.reverse {
            tokens.append_pair("r", "1");
        }
        if let Some(position) = &cursor.position {
            tokens.append_pair("p", position);
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(tokens.finish());
        replace_query_param(&ctx.absolute_url(), self.cursor_query_param, &encoded)
    }
}

/// The state DRF's `CursorPagination` keeps between `paginate_queryset` and the links.
struct CursorPage<'a> {
    query: &'a dyn PageQuery,
    field: &'a str,
    page_size: u64,
    cursor: Option<Cursor>,
    has_next: bool,
    has_previous: bool,
    next_position: Option<String>,
    previous_position: Option<String>,
}

impl CursorPage<'_> {
    fn position(&self, index: usize) -> ApiResult<Option<String>> {
        self.query.position(index, self.field).map(Some)
    }

    /// DRF's `get_next_link` (`forward`) and `get_previous_link`, which mirror each other.
    fn link(&self, forward: bool) -> ApiResult<Option<Cursor>> {
        let (has, other_has, own_position) = if forward {
            (self.has_next, self.has_previous, &self.next_position)
        } else {
            (self.has_previous, self.has_next, &self.previous_position)
        };
        if !has {
            return Ok(None);
        }
        let other_position = if forward {
            &self.previous_position
        } else {
            &self.next_position
        };
        let len = self.query.len();
        let cursor_reverse = self.cursor.as_ref().is_some_and(|c| c.reverse);
        let cursor_offset = self.cursor.as_ref().map_or(0, |c| c.offset);
        // Walk the page from its far end (the last row going forward, the first going back).
        let index_at = |step: usize| if forward { len - 1 - step } else { step };
        // Reversing direction with an offset cursor: the first position found is no marker.
        let reversing = self.cursor.is_some() && cursor_reverse == forward && cursor_offset != 0;
        let mut compare = if len > 0 && reversing {
            self.position(index_at(0))?
        } else {
            own_position.clone()
        };
        let mut offset = 0;
        let mut position = None;
        let mut unique = false;
        for step in 0..len {
            let current = self.position(index_at(step))?;
            if current != compare {
                position = current;
                unique = true;
                break;
            }
            compare = current;
            offset += 1;
        }
        if len > 0 && !unique {
            if !other_has {
                offset = self.page_size;
                position = None;
            } else if cursor_reverse != forward {
                offset = cursor_offset + self.page_size;
                position = other_position.clone();
            } else {
                offset = 0;
                position = other_position.clone();
            }
        }
        if len == 0 {
            position = own_position.clone();
        }
        Ok(Some(Cursor {
            offset,
            reverse: !forward,
            position,
        }))
    }
}

#[async_trait::async_trait]
impl Pagination for CursorPagination {
    async fn paginate(
        &self,
        query: &mut dyn PageQuery,
        ctx: &RequestContext,
    ) -> ApiResult<PageLinks> {
        let page_size = self.get_page_size(ctx);
        let cursor = match ctx.query_param(self.cursor_query_param) {
            Some(encoded) => Some(self.decode_cursor(encoded)?),
            None => None,
        };
        let (offset, reverse, current_position) = match &cursor {
            Some(cursor) => (cursor.offset, cursor.reverse, cursor.position.clone()),
            None => (0, false, None),
        };
        let (field, descending) = self.ordering_field();
        // Going back reads the ordering backwards, then flips the page.
        let ordering = vec![(field.to_string(), descending != reverse)];
        let position = current_position.as_ref().map(|position| PositionFilter {
            field: field.to_string(),
            position: position.clone(),
            greater: reverse == descending,
        });
        query
            .fetch(
                ctx,
                Window {
                    offset,
                    limit: page_size + 1,
                    ordering: Some(ordering),
                    position,
                },
            )
            .await?;
        let fetched = query.len();
        let following_position = if fetched as u64 > page_size {
            Some(query.position(fetched - 1, field)?)
        } else {
            None
        };
        query.truncate(page_size as usize);
        let has_following = following_position.is_some();
        let moved = current_position.is_some() || offset > 0;
        let current_position = current_position.filter(|_| moved);
        if reverse {
            // Read backwards: show the page in the ordering's order.
            query.reverse();
        }
        let (has_next, has_previous, next_position, previous_position) = if reverse {
            (moved, has_following, current_position, following_position)
        } else {
            (has_following, moved, following_position, current_position)
        };
        let page = CursorPage {
            query: &*query,
            field,
            page_size,
            cursor,
            has_next,
            has_previous,
            next_position,
            previous_position,
        };
        let next = page.link(true)?;
        let previous = page.link(false)?;
        Ok(PageLinks {
            count: None,
            next: next.map(|c| self.encode_cursor(ctx, &c)),
            previous: previous.map(|c| self.encode_cursor(ctx, &c)),
        })
    }

    fn schema_parameters(&self) -> Vec<MetaOperationParam> {
        let mut params = vec![schema_param(
            self.cursor_query_param,
            <String as Type>::schema_ref(),
            "The pagination cursor value.",
        )];
        if let Some(param) = self.page_size_query_param {
            params.push(integer_param(
                param,
                "Number of results to return per page.",
            ));
        }
        params
    }

    fn response_schema(&self, results: MetaSchemaRef) -> MetaSchema {
        links_schema(
            false,
            "http://api.example.org/accounts/?cursor=cD00ODY%3D\"",
            "http://api.example.org/accounts/?cursor=cj0xJnA9NDg3",
            results,
        )
    }
}

/// DRF's `replace_query_param`: sets `key`, keeps the other parameters, sorts them by name.
pub fn replace_query_param(url: &str, key: &str, value: &str) -> String {
    rebuild_url(url, key, Some(value))
}

/// DRF's `remove_query_param`.
pub fn remove_query_param(url: &str, key: &str) -> String {
    rebuild_url(url, key, None)
}

fn rebuild_url(url: &str, key: &str, value: Option<&str>) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    // Borrowed where the query needs no decoding: a link is built on every page.
    let mut params: Vec<(Cow<'_, str>, Cow<'_, str>)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != key)
        .collect();
    if let Some(value) = value {
        params.push((Cow::Borrowed(key), Cow::Borrowed(value)));
    }
    // Python's sorted() on (key, [values]) items: stable by key, values keep their order.
    params.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::with_capacity(url.len() + key.len() + 8);
    out.push_str(base);
    for (i, (k, v)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        quote_plus_into(&mut out, k);
        out.push('=');
        quote_plus_into(&mut out, v);
    }
    out
}

/// Python's `urllib.parse.quote_plus`, appended to `out`.
fn quote_plus_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => {
                out.push('%');
                out.push(HEX[usize::from(other >> 4)] as char);
                out.push(HEX[usize::from(other & 0xf)] as char);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_sort_params_and_drop_page_one() {
        assert_eq!(
            replace_query_param("http://h/api/a/?user=45&search=a&page=2", "page", "3"),
            "http://h/api/a/?page=3&search=a&user=45"
        );
        assert_eq!(
            remove_query_param("http://h/api/a/?page=2", "page"),
            "http://h/api/a/"
        );
        assert_eq!(
            replace_query_param("http://h/a/?tags=9&tags=8&q=a b", "page", "2"),
            "http://h/a/?page=2&q=a+b&tags=9&tags=8"
        );
        // Percent-decoded, then quoted again as Python's quote_plus does.
        assert_eq!(
            replace_query_param("http://h/a/?q=%C3%A9t%C3%A9+x%2B1&a=~/", "page", "2"),
            "http://h/a/?a=~%2F&page=2&q=%C3%A9t%C3%A9+x%2B1"
        );
        assert_eq!(remove_query_param("http://h/a/?", "page"), "http://h/a/");
    }
}
