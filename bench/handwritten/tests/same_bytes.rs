//! The hand-written server sends the blog's bytes: both serve the same seeded SQLite file and
//! every body of the benchmarked list and detail requests must be identical.

use chrono::{DateTime, TimeZone, Utc};
use example_blog::management::seed::{SeedOptions, seed};
use poem::IntoEndpoint;
use poem::listener::{Acceptor, Listener, TcpListener};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

/// Serves `app` on a random local port in a background task; returns the port.
async fn serve<E>(app: E) -> u16
where
    E: IntoEndpoint + Send + 'static,
    E::Endpoint: 'static,
{
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind 127.0.0.1:0");
    let port = acceptor
        .local_addr()
        .iter()
        .find_map(|addr| addr.as_socket_addr().map(|a| a.port()))
        .expect("a TCP port");
    tokio::spawn(async move {
        if let Err(err) = poem::Server::new_with_acceptor(acceptor).run(app).await {
            eprintln!("test server stopped: {err}");
        }
    });
    port
}

async fn execute(db: &DatabaseConnection, sql: &str, values: Vec<Value>) {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        values,
    ))
    .await
    .unwrap_or_else(|err| panic!("{sql}: {err}"));
}

/// An article whose strings need escaping and whose datetimes have microseconds, with tags
/// whose names sort differently from their ids, and two comments with the same `created_at`.
async fn add_tricky_article(db: &DatabaseConnection) -> i64 {
    let at: DateTime<Utc> = Utc
        .with_ymd_and_hms(2030, 1, 2, 3, 4, 5)
        .single()
        .expect("a valid datetime")
        + chrono::Duration::microseconds(123_456);
    let later = at + chrono::Duration::microseconds(7);
    execute(
        db,
        "INSERT INTO blog_tag (name) VALUES ('a-first'), ('zz-last')",
        vec![],
    )
    .await;
    execute(
        db,
        "INSERT INTO blog_article (title, content, created_at, updated_at, user_id) \
         VALUES (?, ?, ?, ?, 2)",
        vec![
            "\"Quoted\" \\ ünïcödé ✓ <tag> & 'apostrophe'".into(),
            "line one\nline two\ttab \u{1} control \u{2028} separator / slash".into(),
            at.into(),
            later.into(),
        ],
    )
    .await;
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT MAX(id) FROM blog_article",
        ))
        .await
        .expect("select the new id")
        .expect("a row");
    let id: i64 = row.try_get_by_index(0).expect("the new id");
    execute(
        db,
        "INSERT INTO blog_article_tags (article_id, tag_id) \
         SELECT ?, id FROM blog_tag WHERE name IN ('zz-last', 'a-first', 'tag-002')",
        vec![id.into()],
    )
    .await;
    for content in ["second by id", "first by id \"é\""] {
        execute(
            db,
            "INSERT INTO blog_comment (content, created_at, updated_at, article_id, user_id) \
             VALUES (?, ?, ?, ?, 3)",
            vec![content.into(), at.into(), later.into(), id.into()],
        )
        .await;
    }
    id
}

#[tokio::test]
async fn handwritten_bodies_are_the_blogs() {
    if std::env::var_os("TEST_PG_URL").is_some() {
        eprintln!("skipped: the hand-written server reads SQLite only (TEST_PG_URL is set)");
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("blog.sqlite3").display());
    let blog_db = example_blog::db::connect(&url).await.expect("connect");
    example_blog::db::migrate(&blog_db).await.expect("migrate");
    let options = SeedOptions {
        users: 20,
        articles: 240,
        comments: 1200,
        tags: 12,
        seed: 7,
        flush: false,
        now: Some(
            Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
                .single()
                .expect("now"),
        ),
        progress: false,
    };
    seed(&blog_db, &options).await.expect("seed");
    let tricky = add_tricky_article(&blog_db).await;

    let mut config = example_blog::config::Config::for_tests(&url);
    // The links name this host (one that is not the server's own address).
    config.allowed_hosts =
        rest_framework::hosts::AllowedHosts::new(["testserver.local", "127.0.0.1"]);
    let blog = example_blog::api::build_app(blog_db.clone(), &config)
        .await
        .expect("build the blog");
    let blog_port = serve(blog).await;
    let handwritten_db = bench_handwritten::connect(&url).await.expect("connect");
    let handwritten_port = serve(bench_handwritten::app(handwritten_db)).await;

    let client = reqwest::Client::new();
    let host = "testserver.local:8000";
    let paths = [
        "/api/articles/".to_owned(),
        "/api/articles/?page=2".to_owned(),
        "/api/articles/?page=13".to_owned(),
        "/api/articles/?page=last".to_owned(),
        "/api/articles/?page_size=100".to_owned(),
        "/api/articles/?page=2&page_size=100".to_owned(),
        "/api/articles/?page_size=100&page=3&x=a+b%2A~".to_owned(),
        "/api/articles/?page=99".to_owned(),
        "/api/articles/1/".to_owned(),
        "/api/articles/120/".to_owned(),
        format!("/api/articles/{tricky}/"),
        "/api/articles/99999/".to_owned(),
    ];
    for path in &paths {
        let mut answers = Vec::new();
        for port in [blog_port, handwritten_port] {
            let response = client
                .get(format!("http://127.0.0.1:{port}{path}"))
                .header("host", host)
                .send()
                .await
                .unwrap_or_else(|err| panic!("GET {path} on port {port}: {err}"));
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response.text().await.expect("a body");
            answers.push((status, content_type, body));
        }
        let (blog, handwritten) = (&answers[0], &answers[1]);
        assert_eq!(
            blog, handwritten,
            "GET {path}: the blog (left) and the hand-written server (right) differ"
        );
        assert!(
            blog.2.contains("\"count\":") || blog.2.contains("\"id\":") || blog.0 == 404,
            "GET {path}: unexpected body {}",
            blog.2
        );
    }

    // The tricky article is on the first page (its created_at is the newest) and its detail
    // has the escaped strings, the microseconds and the tags in name order.
    let first_page = client
        .get(format!("http://127.0.0.1:{blog_port}/api/articles/"))
        .send()
        .await
        .expect("GET the first page")
        .text()
        .await
        .expect("a body");
    assert!(
        first_page.contains("2030-01-02T03:04:05.123456Z"),
        "{first_page}"
    );
    let detail = client
        .get(format!(
            "http://127.0.0.1:{handwritten_port}/api/articles/{tricky}/"
        ))
        .send()
        .await
        .expect("GET the tricky article")
        .text()
        .await
        .expect("a body");
    assert!(detail.contains("\\\"Quoted\\\" \\\\ ünïcödé"), "{detail}");
    assert!(
        detail.contains("\"updated_at\":\"2030-01-02T03:04:05.123463Z\""),
        "{detail}"
    );
    assert!(detail.contains("\"comment_count\":2"), "{detail}");
    // Tags in the order of their names: a-first (13), tag-002 (2), zz-last (14).
    assert!(detail.contains("\"tags\":[13,2,14]"), "{detail}");
}
