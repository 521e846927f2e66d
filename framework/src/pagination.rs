//! Pagination (DRF's `rest_framework.pagination`): `PageNumberPagination` with DRF's body
//! `{"count", "next", "previous", "results"}` and absolute `next` / `previous` links.

use crate::exceptions::{ApiError, ApiResult};
use crate::fields::{Repr, Representation};
use crate::request::RequestContext;
use sea_orm::{EntityTrait, PaginatorTrait, QuerySelect, QueryTrait, Select};
use serde::Serialize;

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
            .and_then(|value| value.trim().parse::<i64>().ok())
            .filter(|size| *size > 0)
            .map(|size| {
                let size = size as u64;
                self.max_page_size.map_or(size, |max| size.min(max))
            })
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
        let size = self.get_page_size(ctx);
        // The order of the rows does not change their number: count without ORDER BY.
        let mut unordered = select.clone();
        QueryTrait::query(&mut unordered).clear_order_by();
        let count = unordered.count(ctx.db()).await?;
        // Django's Paginator: an empty list still has one (empty) page.
        let pages = count.div_ceil(size).max(1);
        let number = match ctx.query_param(self.page_query_param) {
            None => 1,
            Some("last") => pages,
            Some(raw) => raw.trim().parse::<u64>().map_err(|_| invalid_page())?,
        };
        if number < 1 || number > pages {
            return Err(invalid_page());
        }
        let items = if count == 0 {
            Vec::new()
        } else {
            select
                .offset((number - 1) * size)
                .limit(size)
                .all(ctx.db())
                .await?
        };
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
        Ok(Page {
            count,
            items,
            next,
            previous,
        })
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
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != key)
        .collect();
    if let Some(value) = value {
        params.push((key.to_string(), value.to_string()));
    }
    // Python's sorted() on (key, [values]) items: stable by key, values keep their order.
    params.sort_by(|a, b| a.0.cmp(&b.0));
    if params.is_empty() {
        return base.to_string();
    }
    let encoded: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
        .collect();
    format!("{base}?{}", encoded.join("&"))
}

/// Python's `urllib.parse.quote_plus`.
fn quote_plus(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
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
    }
}
