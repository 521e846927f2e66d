//! The benchmark's comparison point: the blog's article list (`GET /api/articles/?page=N&page_size=N`)
//! and article detail (`GET /api/articles/{id}/`) written by hand with plain poem + sea-orm, on the
//! blog's own SQLite database.
//!
//! There is no serializer, viewset, permission, authentication, content negotiation or
//! pagination layer: one handler per endpoint runs raw SQL and writes the JSON bytes itself. The
//! bodies are byte for byte those of the blog (`tests/same_bytes.rs` checks it), so the
//! benchmark's table shows what the framework's layers cost on top of the same work.
//!
//! Tuned as `shared/notes/dependency-facts.md` section 4 describes: a pool of two connections
//! that are not pinged before use (`test_before_acquire(false)`), a 64 MiB page cache, WAL, and
//! as few statements as the bodies allow:
//!
//! | endpoint | statements |
//! |---|---|
//! | list | `COUNT(*)`; the page, with `comment_count` and the tag ids as correlated subqueries |
//! | detail | the article with its author and tag ids; its comments |
//!
//! The indexes the queries use are the blog's own (`blog_article (created_at, id)`,
//! `blog_comment (article_id, created_at, id)`, `blog_article_tags (article_id, tag_id)`).

use chrono::{DateTime, Timelike, Utc};
use poem::http::{StatusCode, header};
use poem::web::{Data, Path};
use poem::{Endpoint, EndpointExt, Request, Response, Route, get, handler};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, QueryResult,
    Statement, Value,
};
use std::io::Write as _;
use std::time::Duration;

/// Connections in the pool: on one core two beat four (fewer sqlx worker threads to switch
/// between, less memory).
pub const MAX_CONNECTIONS: u32 = 2;

/// DRF's `PAGE_SIZE` of the blog's `StandardResultsSetPagination`.
const PAGE_SIZE: u64 = 10;
/// Its `max_page_size`.
const MAX_PAGE_SIZE: u64 = 100;

/// The blog's page query: the article columns of `ArticleListSerializer`, its comment count and
/// its tag ids in the order of the tags' names (a JSON array, exactly as the body writes it).
const PAGE_SQL: &str = "SELECT a.id, a.title, a.user_id, a.created_at, \
     (SELECT COUNT(*) FROM blog_comment c WHERE c.article_id = a.id), \
     (SELECT json_group_array(t.id ORDER BY t.name) FROM blog_article_tags at \
      JOIN blog_tag t ON t.id = at.tag_id WHERE at.article_id = a.id) \
     FROM blog_article a ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?";

/// One article with its author's e-mail and its tag ids.
const ARTICLE_SQL: &str = "SELECT a.id, a.title, a.content, a.user_id, u.email, a.created_at, \
     a.updated_at, \
     (SELECT json_group_array(t.id ORDER BY t.name) FROM blog_article_tags at \
      JOIN blog_tag t ON t.id = at.tag_id WHERE at.article_id = a.id) \
     FROM blog_article a JOIN accounts_user u ON u.id = a.user_id WHERE a.id = ?";

/// An article's comments, oldest first (the `Comment` model's ordering).
const COMMENTS_SQL: &str = "SELECT id, user_id, content, created_at, updated_at \
     FROM blog_comment WHERE article_id = ? ORDER BY created_at, id";

/// Opens a tuned pool on a SQLite database URL (`sqlite://path`); other databases are refused.
/// Statements are logged at `DEBUG` under `sqlx::query`, as the blog logs them, so the
/// benchmark counts both servers' statements the same way.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if !url.starts_with("sqlite:") {
        return Err(DbErr::Custom(format!(
            "the hand-written server reads SQLite only, not {url}"
        )));
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(MAX_CONNECTIONS)
        .min_connections(1)
        .test_before_acquire(false)
        // The same planner setting as the blog: cached statements with `LIMIT ?` are not
        // planned again per request (see `rest_framework::db`).
        .map_sqlx_sqlite_pool_opts(rest_framework::db::sqlite_stable_query_plans)
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .pragma("cache_size", "-65536")
        });
    Database::connect(options).await
}

/// The application: the two endpoints on `db`.
pub fn app(db: DatabaseConnection) -> impl Endpoint {
    Route::new()
        .at("/api/articles/", get(article_list))
        .at("/api/articles/:id/", get(article_detail))
        .data(db)
}

/// `GET /api/articles/`: a page of `ArticleListSerializer` bodies, newest first.
#[handler]
async fn article_list(request: &Request, Data(db): Data<&DatabaseConnection>) -> Response {
    let query: Vec<(String, String)> =
        form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let page_size = last_param(&query, "page_size")
        .and_then(parse_page_size)
        .unwrap_or(PAGE_SIZE);

    let count = match count_articles(db).await {
        Ok(count) => count,
        Err(err) => return server_error(err),
    };
    let pages = count.div_ceil(page_size).max(1);
    let number = match last_param(&query, "page") {
        None => 1,
        Some("last") => pages,
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(number) if (1..=pages).contains(&number) => number,
            _ => return not_found(b"{\"detail\":\"Invalid page.\"}", ALLOW_LIST),
        },
    };
    if number > pages {
        return not_found(b"{\"detail\":\"Invalid page.\"}", ALLOW_LIST);
    }
    let rows = if count > 0 {
        let values = [
            Value::from(page_size as i64),
            Value::from(((number - 1) * page_size) as i64),
        ];
        match db.query_all_raw(statement(PAGE_SQL, values)).await {
            Ok(rows) => rows,
            Err(err) => return server_error(err),
        }
    } else {
        Vec::new()
    };

    let base = format!(
        "http://{}{}",
        request
            .headers()
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .unwrap_or("localhost"),
        request.uri().path()
    );
    let mut body = Vec::with_capacity(256 + rows.len() * 160);
    let _ = write!(body, "{{\"count\":{count},\"next\":");
    if number < pages {
        json_str(&mut body, &page_url(&base, &query, Some(number + 1)));
    } else {
        body.extend_from_slice(b"null");
    }
    body.extend_from_slice(b",\"previous\":");
    if number > 1 {
        let previous = (number > 2).then_some(number - 1);
        json_str(&mut body, &page_url(&base, &query, previous));
    } else {
        body.extend_from_slice(b"null");
    }
    body.extend_from_slice(b",\"results\":[");
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        if let Err(err) = write_list_item(&mut body, row) {
            return server_error(err);
        }
    }
    body.extend_from_slice(b"]}");
    json_response(StatusCode::OK, body, ALLOW_LIST)
}

/// One `ArticleListSerializer` body from a [`PAGE_SQL`] row.
fn write_list_item(body: &mut Vec<u8>, row: &QueryResult) -> Result<(), DbErr> {
    let id: i64 = row.try_get_by_index(0)?;
    let title: String = row.try_get_by_index(1)?;
    let user: i64 = row.try_get_by_index(2)?;
    let created_at: DateTime<Utc> = row.try_get_by_index(3)?;
    let comment_count: i64 = row.try_get_by_index(4)?;
    let tags: String = row.try_get_by_index(5)?;
    let _ = write!(body, "{{\"id\":{id},\"title\":");
    json_str(body, &title);
    let _ = write!(
        body,
        ",\"user\":{user},\"tags\":{tags},\"comment_count\":{comment_count},\"created_at\":"
    );
    json_datetime(body, &created_at);
    body.push(b'}');
    Ok(())
}

/// `GET /api/articles/{id}/`: the `ArticleSerializer` body, with the author and the comments.
#[handler]
async fn article_detail(Path(id): Path<String>, Data(db): Data<&DatabaseConnection>) -> Response {
    const NO_ARTICLE: &[u8] = b"{\"detail\":\"No Article matches the given query.\"}";
    // DRF's get_object_or_404 turns the ValueError of a non-integer pk into a bare Http404.
    let Ok(id) = id.parse::<i64>() else {
        return not_found(b"{\"detail\":\"Not found.\"}", ALLOW_DETAIL);
    };
    let article = match db
        .query_one_raw(statement(ARTICLE_SQL, [Value::from(id)]))
        .await
    {
        Ok(Some(row)) => row,
        Ok(None) => return not_found(NO_ARTICLE, ALLOW_DETAIL),
        Err(err) => return server_error(err),
    };
    let comments = match db
        .query_all_raw(statement(COMMENTS_SQL, [Value::from(id)]))
        .await
    {
        Ok(rows) => rows,
        Err(err) => return server_error(err),
    };
    let mut body = Vec::with_capacity(1024 + comments.len() * 256);
    match write_detail(&mut body, id, &article, &comments) {
        Ok(()) => json_response(StatusCode::OK, body, ALLOW_DETAIL),
        Err(err) => server_error(err),
    }
}

/// The `ArticleSerializer` body from an [`ARTICLE_SQL`] row and its [`COMMENTS_SQL`] rows.
fn write_detail(
    body: &mut Vec<u8>,
    id: i64,
    article: &QueryResult,
    comments: &[QueryResult],
) -> Result<(), DbErr> {
    let title: String = article.try_get_by_index(1)?;
    let content: String = article.try_get_by_index(2)?;
    let user: i64 = article.try_get_by_index(3)?;
    let email: String = article.try_get_by_index(4)?;
    let created_at: DateTime<Utc> = article.try_get_by_index(5)?;
    let updated_at: DateTime<Utc> = article.try_get_by_index(6)?;
    let tags: String = article.try_get_by_index(7)?;

    let _ = write!(body, "{{\"id\":{id},\"title\":");
    json_str(body, &title);
    body.extend_from_slice(b",\"content\":");
    json_str(body, &content);
    let _ = write!(
        body,
        ",\"user\":{user},\"author\":{{\"id\":{user},\"email\":"
    );
    json_str(body, &email);
    let _ = write!(body, "}},\"tags\":{tags},\"comment_set\":[");
    for (i, comment) in comments.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let comment_id: i64 = comment.try_get_by_index(0)?;
        let comment_user: i64 = comment.try_get_by_index(1)?;
        let comment_content: String = comment.try_get_by_index(2)?;
        let comment_created: DateTime<Utc> = comment.try_get_by_index(3)?;
        let comment_updated: DateTime<Utc> = comment.try_get_by_index(4)?;
        let _ = write!(
            body,
            "{{\"id\":{comment_id},\"article\":{id},\"user\":{comment_user},\"content\":"
        );
        json_str(body, &comment_content);
        body.extend_from_slice(b",\"created_at\":");
        json_datetime(body, &comment_created);
        body.extend_from_slice(b",\"updated_at\":");
        json_datetime(body, &comment_updated);
        body.push(b'}');
    }
    let _ = write!(
        body,
        "],\"comment_count\":{},\"created_at\":",
        comments.len()
    );
    json_datetime(body, &created_at);
    body.extend_from_slice(b",\"updated_at\":");
    json_datetime(body, &updated_at);
    body.push(b'}');
    Ok(())
}

/// `SELECT COUNT(*) FROM blog_article` (Django's `Paginator.count`).
async fn count_articles(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let row = db
        .query_one_raw(statement("SELECT COUNT(*) FROM blog_article", []))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("COUNT(*) returned no row".to_owned()))?;
    let count: i64 = row.try_get_by_index(0)?;
    Ok(count.max(0) as u64)
}

fn statement<I: IntoIterator<Item = Value>>(sql: &str, values: I) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

/// DRF's `_positive_int(raw, strict=True, cutoff=max_page_size)`: `None` for zero, negatives
/// and non-numbers; larger numbers are capped.
fn parse_page_size(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    match raw.parse::<u64>() {
        Ok(0) => None,
        Ok(size) => Some(size.min(MAX_PAGE_SIZE)),
        Err(_) if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) => Some(MAX_PAGE_SIZE),
        Err(_) => None,
    }
}

/// The last value of `key` in the query string (Django's `QueryDict.get`).
fn last_param<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// DRF's `replace_query_param(url, "page", n)` (or `remove_query_param` for `None`): the other
/// parameters kept, sorted by name (stable), each `quote_plus`-encoded.
fn page_url(base: &str, query: &[(String, String)], page: Option<u64>) -> String {
    let mut params: Vec<(&str, String)> = query
        .iter()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    if let Some(page) = page {
        params.push(("page", page.to_string()));
    }
    params.sort_by(|a, b| a.0.cmp(b.0));
    let mut url = base.to_owned();
    for (i, (key, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        quote_plus(&mut url, key);
        url.push('=');
        quote_plus(&mut url, value);
    }
    url
}

/// Python's `urllib.parse.quote_plus`, appended to `out`.
fn quote_plus(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            _ => {
                let _ = std::fmt::Write::write_fmt(out, format_args!("%{byte:02X}"));
            }
        }
    }
}

/// A JSON string as DRF's renderer writes it (non-ASCII characters unescaped).
fn json_str(body: &mut Vec<u8>, text: &str) {
    let _ = serde_json::to_writer(&mut *body, text);
}

/// A datetime as DRF renders it: `2026-11-23T14:38:21Z`, with `.ffffff` when there are
/// microseconds.
fn json_datetime(body: &mut Vec<u8>, at: &DateTime<Utc>) {
    let _ = write!(body, "\"{}", at.format("%Y-%m-%dT%H:%M:%S"));
    let micros = at.nanosecond() % 1_000_000_000 / 1_000;
    if micros != 0 {
        let _ = write!(body, ".{micros:06}");
    }
    body.extend_from_slice(b"Z\"");
}

const ALLOW_LIST: &str = "GET, POST, HEAD, OPTIONS";
const ALLOW_DETAIL: &str = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";

/// A JSON response with the headers the blog sends on these endpoints (so both servers write
/// about as many bytes); U+2028 and U+2029 escaped as DRF's renderer escapes them.
fn json_response(status: StatusCode, mut body: Vec<u8>, allow: &'static str) -> Response {
    rest_framework::renderers::escape_line_separators(&mut body);
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ALLOW, allow)
        .header(header::VARY, "Accept, Cookie, origin")
        .header("x-frame-options", "DENY")
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "same-origin")
        .header("cross-origin-opener-policy", "same-origin")
        .body(body)
}

fn not_found(body: &'static [u8], allow: &'static str) -> Response {
    json_response(StatusCode::NOT_FOUND, body.to_vec(), allow)
}

fn server_error(err: DbErr) -> Response {
    log::error!("database error: {err}");
    json_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        b"{\"detail\":\"A server error occurred.\"}".to_vec(),
        ALLOW_LIST,
    )
}
