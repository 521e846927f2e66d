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
use crate::request::RequestContext;
use poem_openapi::registry::{MetaOperationParam, MetaParamIn, MetaSchema, MetaSchemaRef};
use poem_openapi::types::Type;
use serde::Serialize;
use std::borrow::Cow;

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
/// boxed), or a `QuerysetPage` itself, whose futures then become part of the caller's.
pub(crate) trait WindowQuery {
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

impl PageNumberPagination {
    /// [`Pagination::paginate`] of any [`WindowQuery`].
    pub(crate) async fn paginate_window<Q: WindowQuery + ?Sized>(
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
        // could tell the count of a short list without a COUNT(*). Fetching first is slower on
        // long lists (bench/RESULTS.md, "Count, then fetch"), most likely because the
        // COUNT(*) walks an index between fetching the rows and writing them.
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
pub(crate) fn invalid_cursor() -> ApiError {
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
