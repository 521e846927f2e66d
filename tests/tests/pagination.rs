//! Page-number pagination of `/api/articles/`: OBSERVED.md sections 2 and 4.2.

use integration_tests::{Response, TestServer, Value, as_id, json, msg};

/// Creates `n` articles over HTTP, in order; returns their ids in creation order.
async fn make_articles(s: &TestServer, n: usize) -> (i64, Vec<i64>) {
    let (user, token) = s.user_with_token("pager@example.com").await;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let body = s
            .create_article(&token, &format!("Article {i}"), "body", &[])
            .await;
        ids.push(as_id(&body["id"], "article id"));
    }
    (user, ids)
}

/// The ids of a page's results, in order.
fn result_ids(r: &Response) -> Vec<i64> {
    let body = r.json();
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results array\n{}", r.describe()))
        .iter()
        .map(|item| as_id(&item["id"], "result id"))
        .collect()
}

/// Newest first: `ids` in creation order, reversed, then `[from..to]`.
fn newest_first(ids: &[i64], from: usize, to: usize) -> Vec<i64> {
    let rev: Vec<i64> = ids.iter().rev().copied().collect();
    rev[from..to.min(rev.len())].to_vec()
}

/// Asserts status 200, the envelope's key order, `count`, the links and the result ids.
fn assert_page(
    s: &TestServer,
    r: &Response,
    count: usize,
    next: Option<&str>,
    previous: Option<&str>,
    ids: &[i64],
) {
    r.assert_status(200).assert_json_content_type();
    assert_eq!(
        r.keys(),
        ["count", "next", "previous", "results"],
        "pagination envelope keys\n{}",
        r.describe()
    );
    let body = r.json();
    let link = |q: Option<&str>| match q {
        Some(q) => json!(s.url(&format!("/api/articles/{q}"))),
        None => Value::Null,
    };
    assert_eq!(body["count"], json!(count), "count\n{}", r.describe());
    assert_eq!(body["next"], link(next), "next link\n{}", r.describe());
    assert_eq!(
        body["previous"],
        link(previous),
        "previous link\n{}",
        r.describe()
    );
    assert_eq!(
        result_ids(r),
        ids,
        "result ids (newest first)\n{}",
        r.describe()
    );
}

async fn page(s: &TestServer, query: &str) -> Response {
    s.get(&format!("/api/articles/{query}"), None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_ten_with_absolute_links() {
    let s = TestServer::start().await;
    let (_, ids) = make_articles(&s, 12).await;

    let first = newest_first(&ids, 0, 10);
    assert_page(&s, &page(&s, "").await, 12, Some("?page=2"), None, &first);
    assert_page(
        &s,
        &page(&s, "?page=1").await,
        12,
        Some("?page=2"),
        None,
        &first,
    );
    // Page 2's previous link has no `page` parameter at all.
    assert_page(
        &s,
        &page(&s, "?page=2").await,
        12,
        None,
        Some(""),
        &newest_first(&ids, 10, 12),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_size_and_links_keep_parameters_sorted_by_name() {
    let s = TestServer::start().await;
    let (_, ids) = make_articles(&s, 12).await;

    assert_page(
        &s,
        &page(&s, "?page_size=5").await,
        12,
        Some("?page=2&page_size=5"),
        None,
        &newest_first(&ids, 0, 5),
    );
    assert_page(
        &s,
        &page(&s, "?page_size=5&page=2").await,
        12,
        Some("?page=3&page_size=5"),
        Some("?page_size=5"),
        &newest_first(&ids, 5, 10),
    );
    assert_page(
        &s,
        &page(&s, "?page=3&page_size=5").await,
        12,
        None,
        Some("?page=2&page_size=5"),
        &newest_first(&ids, 10, 12),
    );
    // Unknown parameters are kept too, and everything is sorted by name.
    assert_page(
        &s,
        &page(&s, "?zeta=z&page=2&page_size=5&alpha=a").await,
        12,
        Some("?alpha=a&page=3&page_size=5&zeta=z"),
        Some("?alpha=a&page_size=5&zeta=z"),
        &newest_first(&ids, 5, 10),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_size_is_capped_at_100() {
    let s = TestServer::start().await;
    let (_, ids) = make_articles(&s, 101).await;

    assert_page(
        &s,
        &page(&s, "?page_size=1000").await,
        101,
        Some("?page=2&page_size=1000"),
        None,
        &newest_first(&ids, 0, 100),
    );
    assert_page(
        &s,
        &page(&s, "?page_size=1000&page=2").await,
        101,
        None,
        Some("?page_size=1000"),
        &newest_first(&ids, 100, 101),
    );
    assert_page(
        &s,
        &page(&s, "?page_size=100").await,
        101,
        Some("?page=2&page_size=100"),
        None,
        &newest_first(&ids, 0, 100),
    );
    // Python's `int()` has no overflow: a number past any integer type is capped too.
    let huge = "55555555555555555555555";
    assert_page(
        &s,
        &page(&s, &format!("?page_size={huge}")).await,
        101,
        Some(&format!("?page=2&page_size={huge}")),
        None,
        &newest_first(&ids, 0, 100),
    );
    // ...and it reads `+`, surrounding spaces and digit underscores as Python does, for the
    // page size and for Django's page number alike.
    assert_page(
        &s,
        &page(&s, "?page_size=%2B1_0&page=%202").await,
        101,
        Some("?page=3&page_size=%2B1_0"),
        Some("?page_size=%2B1_0"),
        &newest_first(&ids, 10, 20),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_page_size_is_ignored_but_kept_in_links() {
    let s = TestServer::start().await;
    let (_, ids) = make_articles(&s, 12).await;

    for size in ["abc", "0", "-3"] {
        assert_page(
            &s,
            &page(&s, &format!("?page_size={size}")).await,
            12,
            Some(&format!("?page=2&page_size={size}")),
            None,
            &newest_first(&ids, 0, 10),
        );
        assert_page(
            &s,
            &page(&s, &format!("?page=2&page_size={size}")).await,
            12,
            None,
            Some(&format!("?page_size={size}")),
            &newest_first(&ids, 10, 12),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_last_selects_the_last_page() {
    let s = TestServer::start().await;
    let (_, ids) = make_articles(&s, 12).await;

    assert_page(
        &s,
        &page(&s, "?page=last").await,
        12,
        None,
        Some(""),
        &newest_first(&ids, 10, 12),
    );
    assert_page(
        &s,
        &page(&s, "?page=last&page_size=5").await,
        12,
        None,
        Some("?page=2&page_size=5"),
        &newest_first(&ids, 10, 12),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_pages_are_404() {
    let s = TestServer::start().await;
    make_articles(&s, 12).await;

    for q in [
        "?page=3",
        "?page=99",
        "?page=0",
        "?page=-1",
        "?page=abc",
        "?page=4&page_size=5",
    ] {
        page(&s, q)
            .await
            .assert_detail(404, msg::INVALID_PAGE)
            .assert_json_content_type();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_list_first_page_is_fine_second_is_404() {
    let s = TestServer::start().await;
    let empty = json!({"count": 0, "next": null, "previous": null, "results": []});
    page(&s, "").await.assert_json(200, &empty);
    page(&s, "?page=1").await.assert_json(200, &empty);
    page(&s, "?page=last").await.assert_json(200, &empty);
    page(&s, "?page=2")
        .await
        .assert_detail(404, msg::INVALID_PAGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_order_is_newest_created_at_first_then_highest_id() {
    let s = TestServer::start().await;
    let (_, ids) = make_articles(&s, 3).await;
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    // a: the newest by created_at although it has the smallest id; b and c tie on created_at,
    // so the higher id (c) comes first.
    s.set_article_created_at(a, "2031-01-01T00:00:00Z").await;
    s.set_article_created_at(b, "2030-01-01T00:00:00Z").await;
    s.set_article_created_at(c, "2030-01-01T00:00:00Z").await;

    let r = page(&s, "").await;
    assert_page(&s, &r, 3, None, None, &[a, c, b]);
    let body = r.json();
    let created: Vec<&Value> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|item| &item["created_at"])
        .collect();
    assert_eq!(
        created,
        [
            &json!("2031-01-01T00:00:00Z"),
            &json!("2030-01-01T00:00:00Z"),
            &json!("2030-01-01T00:00:00Z")
        ],
        "created_at of the results\n{}",
        r.describe()
    );
}
