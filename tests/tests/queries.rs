//! SQL statements per request (design goal 3: relations of a page load in one query per relation
//! or in the page's own statement (joined forward relations, counts as subqueries), never one
//! query per object). Counted with sea-orm's metric
//! callback on the server's connection ([`TestServer::start_counting`]).
//!
//! Run with `cargo test -p integration_tests --test queries -- --nocapture` to see the numbers
//! and the statements.

use integration_tests::{Response, TestServer, as_id, json};

const PW: &str = "password123!";

struct Seeded {
    token: String,
    /// An article with 2 tags and 2 comments.
    small: i64,
    /// An article with 4 tags and 12 comments.
    big: i64,
}

/// 60 articles by 3 authors, each with 2 of 6 tags and 2 comments, plus one more with 4 tags
/// and 12 comments (61 in all).
async fn seed(s: &TestServer) -> Seeded {
    let mut users = Vec::new();
    let mut tokens = Vec::new();
    for i in 0..3 {
        let email = format!("queries-{i}@example.com");
        users.push(s.create_user(&email, PW).await);
        tokens.push(s.token(&email, PW).await);
    }
    let mut tags = Vec::new();
    for i in 0..6 {
        tags.push(s.create_tag(&format!("queries-tag-{i}")).await);
    }
    let mut articles = Vec::new();
    for i in 0..60usize {
        let body = s
            .create_article(
                &tokens[i % 3],
                &format!("Article {i}"),
                &format!("Content {i}"),
                &[tags[i % 6], tags[(i + 1) % 6]],
            )
            .await;
        let id = as_id(&body["id"], "article id");
        for c in 0..2usize {
            let at = format!("2026-01-01T00:{:02}:{:02}Z", i % 60, c);
            s.create_comment(
                id,
                users[(i + c + 1) % 3],
                &format!("Comment {c}"),
                &at,
                &at,
            )
            .await;
        }
        articles.push(id);
    }
    let big = as_id(
        &s.create_article(&tokens[0], "Big", "Many comments", &tags[..4])
            .await["id"],
        "article id",
    );
    for c in 0..12usize {
        let at = format!("2026-02-01T00:00:{c:02}Z");
        s.create_comment(big, users[c % 3], &format!("Big comment {c}"), &at, &at)
            .await;
    }
    Seeded {
        token: tokens[1].clone(),
        small: articles[0],
        big,
    }
}

/// Runs `GET path` and returns the response and the statements it ran (printed).
async fn measure(s: &TestServer, path: &str, token: Option<&str>) -> (Response, Vec<String>) {
    s.statements().reset();
    let r = s.get(path, token).await;
    let statements = s.statements().take();
    let who = if token.is_some() { "JWT" } else { "anonymous" };
    println!(
        "GET {path} ({who}) -> {}: {} SQL statements",
        r.status,
        statements.len()
    );
    for (i, sql) in statements.iter().enumerate() {
        println!("  {}. {sql}", i + 1);
    }
    r.assert_status(200);
    (r, statements)
}

fn results_len(r: &Response) -> usize {
    r.json()["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results list\n{}", r.describe()))
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_per_request_do_not_grow_with_page_size_or_relations() {
    let s = TestServer::start_counting().await;
    if s.is_reference() {
        eprintln!("skipped against the reference: statements are counted in the Rust blog only");
        return;
    }
    let seeded = seed(&s).await;

    // The counter sees the server's statements at all.
    let (r10, list10) = measure(&s, "/api/articles/?page_size=10", None).await;
    assert_eq!(results_len(&r10), 10);
    assert_eq!(r10.json()["count"], 61);
    assert!(
        list10.len() >= 2,
        "a paginated list needs at least a COUNT and a SELECT; recorded {list10:#?}"
    );
    // Every item really carries its relations (otherwise fewer queries prove nothing).
    let first = &r10.json()["results"][0];
    assert_eq!(first["tags"].as_array().map(Vec::len), Some(4), "{first}");
    assert_eq!(first["comment_count"], 12, "{first}");

    let (r50, list50) = measure(&s, "/api/articles/?page_size=50", None).await;
    assert_eq!(results_len(&r50), 50);
    let (r_page2, page2) = measure(&s, "/api/articles/?page=2&page_size=50", None).await;
    assert_eq!(results_len(&r_page2), 11);

    // A short first page: counted, then fetched, as a full one.
    let (r_short, short) = measure(&s, "/api/articles/?page_size=100", None).await;
    assert_eq!(results_len(&r_short), 61);
    assert_eq!(r_short.json()["count"], 61);
    assert_eq!(short.len(), list10.len(), "short page 1: {short:#?}");

    let (_, small) = measure(&s, &format!("/api/articles/{}/", seeded.small), None).await;
    let (big_r, big) = measure(&s, &format!("/api/articles/{}/", seeded.big), None).await;
    assert_eq!(
        big_r.json()["comment_set"].as_array().map(Vec::len),
        Some(12)
    );
    assert_eq!(big_r.json()["comment_count"], 12);
    assert_eq!(big_r.json()["author"]["email"], "queries-0@example.com");
    assert_eq!(big_r.json()["tags"].as_array().map(Vec::len), Some(4));

    let token = Some(seeded.token.as_str());
    let (_, auth10) = measure(&s, "/api/articles/?page_size=10", token).await;
    let (_, auth50) = measure(&s, "/api/articles/?page_size=50", token).await;
    let (_, auth_detail) = measure(&s, &format!("/api/articles/{}/", seeded.big), token).await;

    println!(
        "SUMMARY statements: list page_size=10: {}, page_size=50: {}, page 2 of 50: {}, \
         short page 1: {}, detail (2 comments): {}, detail (12 comments): {}, JWT list 10: {}, \
         JWT list 50: {}, JWT detail: {}",
        list10.len(),
        list50.len(),
        page2.len(),
        short.len(),
        small.len(),
        big.len(),
        auth10.len(),
        auth50.len(),
        auth_detail.len()
    );

    assert_eq!(
        list10.len(),
        list50.len(),
        "the list runs more statements for a bigger page (N+1?)\n10: {list10:#?}\n50: {list50:#?}"
    );
    assert_eq!(list10.len(), page2.len(), "page 2: {page2:#?}");
    assert!(
        list10.len() <= 2,
        "an anonymous list page needs at most 2 statements (count, the page with its comment \
         counts and tag ids as subqueries); got {}: {list10:#?}",
        list10.len()
    );
    assert_eq!(
        small.len(),
        big.len(),
        "the detail runs more statements for more comments/tags (N+1?)\n\
         small: {small:#?}\nbig: {big:#?}"
    );
    assert!(
        big.len() <= 2,
        "a detail needs at most 2 statements (the article joined with its author and its tag \
         ids as a subquery, comments; the comment count is their number); got {}: {big:#?}",
        big.len()
    );
    assert_eq!(
        auth10.len(),
        auth50.len(),
        "authenticated list: 10: {auth10:#?}\n50: {auth50:#?}"
    );
    assert!(
        auth10.len() <= list10.len() + 1,
        "JWT authentication adds at most the user lookup: anonymous {}, JWT {}: {auth10:#?}",
        list10.len(),
        auth10.len()
    );
    assert!(
        auth_detail.len() <= big.len() + 1,
        "JWT detail: anonymous {}, JWT {}: {auth_detail:#?}",
        big.len(),
        auth_detail.len()
    );
}

/// A list page reads only the text columns its serializer shows (Django's `defer()`): the
/// list does not copy every article's `content` out of the database, the detail does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_do_not_read_the_text_columns_they_do_not_show() {
    let s = TestServer::start_counting().await;
    if s.is_reference() {
        eprintln!("skipped against the reference: statements are recorded in the Rust blog only");
        return;
    }
    let seeded = seed(&s).await;
    let content = "\"blog_article\".\"content\"";
    let page_statement = |statements: &[String]| {
        statements
            .iter()
            .find(|sql| sql.contains("FROM \"blog_article\"") && sql.contains("LIMIT"))
            .cloned()
            .unwrap_or_else(|| panic!("no page statement in {statements:#?}"))
    };

    for path in ["/api/articles/", "/api/articles/?page=2&page_size=50"] {
        let (r, statements) = measure(&s, path, None).await;
        r.assert_status(200);
        let page = page_statement(&statements);
        assert!(!page.contains(content), "{path} reads content: {page}");
        assert!(page.contains("\"blog_article\".\"title\""), "{page}");
        assert!(r.json()["results"][0].get("content").is_none());
        assert!(r.json()["results"][0]["title"].is_string());
    }

    let (r, statements) = measure(&s, &format!("/api/articles/{}/", seeded.big), None).await;
    assert_eq!(r.json()["content"], "Many comments");
    assert!(
        statements.iter().any(|sql| sql.contains(content)),
        "the detail shows content and must read it: {statements:#?}"
    );
    // The nested comments show their own content.
    assert_eq!(r.json()["comment_set"][0]["content"], "Big comment 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_do_not_run_a_statement_per_tag() {
    let s = TestServer::start_counting().await;
    if s.is_reference() {
        eprintln!("skipped against the reference: statements are counted in the Rust blog only");
        return;
    }
    s.create_user("queries-writer@example.com", PW).await;
    let token = s.token("queries-writer@example.com", PW).await;
    let mut tags = Vec::new();
    for i in 0..12 {
        tags.push(s.create_tag(&format!("queries-write-{i}")).await);
    }
    let mut counts = Vec::new();
    for n in [1usize, 12] {
        s.statements().reset();
        let r = s
            .post(
                "/api/articles/",
                Some(&token),
                &json!({"title": format!("With {n} tags"), "content": "c", "tags": &tags[..n]}),
            )
            .await;
        let statements = s.statements().take();
        println!(
            "POST /api/articles/ with {n} tags -> {}: {} SQL statements",
            r.status,
            statements.len()
        );
        for (i, sql) in statements.iter().enumerate() {
            println!("  {}. {sql}", i + 1);
        }
        r.assert_status(201);
        assert_eq!(r.json()["tags"].as_array().map(Vec::len), Some(n));
        counts.push(statements);
    }
    assert_eq!(
        counts[0].len(),
        counts[1].len(),
        "creating an article with 12 tags runs more statements than with 1 (one per tag?)\n\
         1 tag: {:#?}\n12 tags: {:#?}",
        counts[0],
        counts[1]
    );
}

/// A list route renders the statements of its unfiltered pages once and then only binds each
/// request's limit and offset (`query::list`). Those requests must run the very
/// statements, and answer the very rows, of a request that builds them afresh: `search=` (an
/// empty search) takes the usual path, since the search backend has a parameter, but changes
/// nothing. A filtered request after them still filters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfiltered_pages_rendered_once_run_the_statements_built_per_request() {
    let s = TestServer::start_counting().await;
    if s.is_reference() {
        eprintln!("skipped against the reference: statements are counted in the Rust blog only");
        return;
    }
    seed(&s).await;
    for query in [
        "",
        "?page=2",
        "?page=4",
        "?page_size=7&page=3",
        "?page_size=100",
        "?page=last",
    ] {
        let separator = if query.is_empty() { "?" } else { "&" };
        // Twice: the first request of a shape may be the one that renders it.
        let (_, first) = measure(&s, &format!("/api/articles/{query}"), None).await;
        let (prepared, statements) = measure(&s, &format!("/api/articles/{query}"), None).await;
        let (built, built_statements) = measure(
            &s,
            &format!("/api/articles/{query}{separator}search="),
            None,
        )
        .await;
        assert_eq!(
            first, statements,
            "{query}: the second request ran other SQL"
        );
        assert_eq!(
            statements, built_statements,
            "{query}: the page rendered once runs other SQL than one built for the request"
        );
        assert_eq!(prepared.json()["count"], built.json()["count"], "{query}");
        assert_eq!(
            prepared.json()["results"],
            built.json()["results"],
            "{query}"
        );
    }
    let (page, _) = measure(&s, "/api/articles/?page=2", None).await;
    assert_eq!(results_len(&page), 10);
    assert_eq!(page.json()["count"], 61);
    assert_ne!(
        page.json()["results"][0],
        measure(&s, "/api/articles/", None).await.0.json()["results"][0],
        "page 2 starts with page 1's first article: the offset was not bound"
    );
    // Filters still apply after the unfiltered pages were rendered.
    let (searched, _) = measure(&s, "/api/articles/?search=Big", None).await;
    assert_eq!(searched.json()["count"], 1);
    let (searched_again, _) = measure(&s, "/api/articles/?search=Big&page_size=5", None).await;
    assert_eq!(searched_again.json()["count"], 1);
    let (all, _) = measure(&s, "/api/articles/?limit_unused=1", None).await;
    assert_eq!(all.json()["count"], 61);
}

/// The same for a detail route (`query::fetch_one`): the statement of the row and
/// its joined author is rendered once, and each request binds its own key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfiltered_details_rendered_once_run_the_statements_built_per_request() {
    let s = TestServer::start_counting().await;
    if s.is_reference() {
        eprintln!("skipped against the reference: statements are counted in the Rust blog only");
        return;
    }
    let seeded = seed(&s).await;
    for id in [seeded.small, seeded.big, seeded.small] {
        let path = format!("/api/articles/{id}/");
        let (prepared, statements) = measure(&s, &path, None).await;
        let (built, built_statements) = measure(&s, &format!("{path}?search="), None).await;
        assert_eq!(
            statements, built_statements,
            "article {id}: the statement rendered once is not the one built for the request"
        );
        assert_eq!(prepared.json(), built.json(), "article {id}");
        assert_eq!(prepared.json()["id"], id);
    }
    assert_ne!(
        measure(&s, &format!("/api/articles/{}/", seeded.big), None)
            .await
            .0
            .json()["title"],
        measure(&s, &format!("/api/articles/{}/", seeded.small), None)
            .await
            .0
            .json()["title"],
    );
    // Keys no row has, or the column cannot hold, are still Django's 404s.
    for (path, detail) in [
        (
            "/api/articles/999999/",
            "No Article matches the given query.",
        ),
        ("/api/articles/abc/", "Not found."),
        (
            "/api/articles/99999999999999999999999/",
            "No Article matches the given query.",
        ),
    ] {
        let r = s.get(path, None).await;
        r.assert_json(404, &json!({"detail": detail}));
    }
}
