//! Filters, search and ordering of `/api/articles/`: OBSERVED.md sections 2, 4.2 (List) and 8.

use integration_tests::{Response, TestServer, Value, as_id, json, msg};

const INVALID_USER: &str =
    "Select a valid choice. That choice is not one of the available choices.";

fn invalid_tag(value: &str) -> String {
    format!("Select a valid choice. {value} is not one of the available choices.")
}

/// `“abc” is not a valid value.` (curly quotes U+201C / U+201D).
fn not_a_valid_value(value: &str) -> String {
    format!("\u{201c}{value}\u{201d} is not a valid value.")
}

/// An article as the test knows it, to build expected list items.
#[derive(Clone)]
struct Art {
    id: i64,
    title: String,
    user: i64,
    /// Tag ids ordered by tag name.
    tags: Vec<i64>,
    comment_count: usize,
    created_at: String,
}

impl Art {
    fn item(&self) -> Value {
        json!({
            "id": self.id,
            "title": self.title,
            "user": self.user,
            "tags": self.tags,
            "comment_count": self.comment_count,
            "created_at": self.created_at,
        })
    }
}

/// Creates an article over HTTP and sets its `created_at`.
async fn make(
    s: &TestServer,
    token: &str,
    user: i64,
    title: &str,
    content: &str,
    tags: &[i64],
    created_at: &str,
) -> Art {
    let id = as_id(
        &s.create_article(token, title, content, tags).await["id"],
        "article id",
    );
    s.set_article_created_at(id, created_at).await;
    Art {
        id,
        title: title.to_string(),
        user,
        tags: tags.to_vec(),
        comment_count: 0,
        created_at: created_at.to_string(),
    }
}

/// Adds `n` comments (by `user`) to an article.
async fn add_comments(s: &TestServer, art: &mut Art, user: i64, n: usize) {
    for i in 0..n {
        let at = format!("2031-01-01T00:00:{i:02}Z");
        s.create_comment(art.id, user, &format!("c{i}"), &at, &at)
            .await;
    }
    art.comment_count += n;
}

fn page(count: usize, next: Option<String>, previous: Option<String>, arts: &[&Art]) -> Value {
    let results: Vec<Value> = arts.iter().map(|a| a.item()).collect();
    json!({"count": count, "next": next, "previous": previous, "results": results})
}

/// The whole (single-page) list of `arts`, in that order.
fn all(arts: &[&Art]) -> Value {
    page(arts.len(), None, None, arts)
}

async fn list(s: &TestServer, query: &str) -> Response {
    s.get(&format!("/api/articles/{query}"), None).await
}

/// Two authors, three tags (`blue` on no article) and four articles:
///
/// | article | author | tags | created_at |
/// | --- | --- | --- | --- |
/// | a1 | alice | green, red | 2030-01-01 |
/// | a2 | bob | green | 2030-01-02 |
/// | a3 | alice | | 2030-01-03 |
/// | a4 | bob | red | 2030-01-04 |
struct Data {
    alice: i64,
    bob: i64,
    carol: i64,
    red: i64,
    green: i64,
    blue: i64,
    a1: Art,
    a2: Art,
    a3: Art,
    a4: Art,
}

async fn data(s: &TestServer, prefix: &str) -> Data {
    let (alice, alice_token) = s
        .user_with_token(&format!("{prefix}-alice@example.com"))
        .await;
    let (bob, bob_token) = s
        .user_with_token(&format!("{prefix}-bob@example.com"))
        .await;
    let carol = s
        .create_user(&format!("{prefix}-carol@example.com"), "password123!")
        .await;
    let red = s.create_tag("red").await;
    let green = s.create_tag("green").await;
    let blue = s.create_tag("blue").await;
    // Tags are sent out of name order; they render ordered by name.
    let mut a1 = make(
        s,
        &alice_token,
        alice,
        "First",
        "x",
        &[red, green],
        "2030-01-01T00:00:00Z",
    )
    .await;
    a1.tags = vec![green, red];
    let a2 = make(
        s,
        &bob_token,
        bob,
        "Second",
        "x",
        &[green],
        "2030-01-02T00:00:00Z",
    )
    .await;
    let a3 = make(
        s,
        &alice_token,
        alice,
        "Third",
        "x",
        &[],
        "2030-01-03T00:00:00Z",
    )
    .await;
    let a4 = make(
        s,
        &bob_token,
        bob,
        "Fourth",
        "x",
        &[red],
        "2030-01-04T00:00:00Z",
    )
    .await;
    Data {
        alice,
        bob,
        carol,
        red,
        green,
        blue,
        a1,
        a2,
        a3,
        a4,
    }
}

// ---------------------------------------------------------------------------------------------
// ?user= and ?tags=

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_filter_keeps_that_authors_articles() {
    let s = TestServer::start().await;
    let d = data(&s, "user-filter").await;
    list(&s, &format!("?user={}", d.alice))
        .await
        .assert_json(200, &all(&[&d.a3, &d.a1]))
        .assert_json_content_type()
        .assert_header("allow", msg::ALLOW_LIST);
    list(&s, &format!("?user={}", d.bob))
        .await
        .assert_json(200, &all(&[&d.a4, &d.a2]));
    // A user without articles is a valid choice.
    list(&s, &format!("?user={}", d.carol))
        .await
        .assert_json(200, &all(&[]));
    // An empty value does not filter.
    list(&s, "?user=")
        .await
        .assert_json(200, &all(&[&d.a4, &d.a3, &d.a2, &d.a1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_filter_is_an_or_without_duplicates() {
    let s = TestServer::start().await;
    let d = data(&s, "tags-filter").await;
    list(&s, &format!("?tags={}", d.red))
        .await
        .assert_json(200, &all(&[&d.a4, &d.a1]));
    list(&s, &format!("?tags={}", d.green))
        .await
        .assert_json(200, &all(&[&d.a2, &d.a1]));
    // a1 has both tags and appears once; `count` agrees.
    list(&s, &format!("?tags={}&tags={}", d.red, d.green))
        .await
        .assert_json(200, &all(&[&d.a4, &d.a2, &d.a1]));
    list(
        &s,
        &format!("?tags={}&tags={}&tags={}", d.green, d.red, d.green),
    )
    .await
    .assert_json(200, &all(&[&d.a4, &d.a2, &d.a1]));
    // A tag on no article is a valid choice.
    list(&s, &format!("?tags={}", d.blue))
        .await
        .assert_json(200, &all(&[]));
    list(&s, &format!("?tags={}&tags={}", d.blue, d.red))
        .await
        .assert_json(200, &all(&[&d.a4, &d.a1]));
    // Unlike `?user=`, an empty `?tags=` is not "no filter": it is an invalid value.
    list(&s, "?tags=")
        .await
        .assert_json(400, &json!({"tags": [not_a_valid_value("")]}));
    list(&s, &format!("?tags={}&tags=", d.red))
        .await
        .assert_json(400, &json!({"tags": [not_a_valid_value("")]}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_filter_without_duplicates_across_pages() {
    let s = TestServer::start().await;
    let (user, token) = s.user_with_token("tags-pages@example.com").await;
    let red = s.create_tag("red").await;
    let green = s.create_tag("green").await;
    let mut arts = Vec::new();
    for i in 0..5 {
        arts.push(
            make(
                &s,
                &token,
                user,
                &format!("A{i}"),
                "x",
                &[red, green],
                &format!("2030-01-0{}T00:00:00Z", i + 1),
            )
            .await,
        );
    }
    for a in &mut arts {
        a.tags = vec![green, red];
    }
    let base = s.url("/api/articles/");
    list(&s, &format!("?tags={red}&tags={green}&page_size=2&page=2"))
        .await
        .assert_json(
            200,
            &page(
                5,
                Some(format!("{base}?page=3&page_size=2&tags={red}&tags={green}")),
                Some(format!("{base}?page_size=2&tags={red}&tags={green}")),
                &[&arts[2], &arts[1]],
            ),
        );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_parameters_combine_with_and() {
    let s = TestServer::start().await;
    let d = data(&s, "and-filter").await;
    list(&s, &format!("?user={}&tags={}", d.alice, d.green))
        .await
        .assert_json(200, &all(&[&d.a1]));
    list(&s, &format!("?tags={}&user={}", d.red, d.bob))
        .await
        .assert_json(200, &all(&[&d.a4]));
    list(
        &s,
        &format!("?user={}&tags={}&tags={}", d.bob, d.red, d.green),
    )
    .await
    .assert_json(200, &all(&[&d.a4, &d.a2]));
    list(&s, &format!("?user={}&tags={}", d.alice, d.blue))
        .await
        .assert_json(200, &all(&[]));
    // With search and ordering too.
    list(
        &s,
        &format!(
            "?user={}&tags={}&tags={}&search=t&ordering=title",
            d.alice, d.red, d.green
        ),
    )
    .await
    .assert_json(200, &all(&[&d.a1]));
    list(&s, &format!("?tags={}&search=o&ordering=title", d.green))
        .await
        .assert_json(200, &all(&[&d.a2]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_filter_values_are_400() {
    let s = TestServer::start().await;
    let d = data(&s, "bad-filter").await;
    let user_err = json!({"user": [INVALID_USER]});
    for q in ["?user=999999", "?user=abc", "?user=-1", "?user=1.5"] {
        list(&s, q)
            .await
            .assert_json(400, &user_err)
            .assert_json_content_type()
            .assert_header("allow", msg::ALLOW_LIST);
    }
    list(&s, "?tags=999999")
        .await
        .assert_json(400, &json!({"tags": [invalid_tag("999999")]}))
        .assert_header("allow", msg::ALLOW_LIST);
    list(&s, "?tags=abc")
        .await
        .assert_json(400, &json!({"tags": [not_a_valid_value("abc")]}))
        .assert_header("allow", msg::ALLOW_LIST);
    // One bad value among good ones is named. (With several bad values Django names the first
    // of a frozenset: not a stable order, so not tested.)
    list(&s, &format!("?tags={}&tags=999999", d.red))
        .await
        .assert_json(400, &json!({"tags": [invalid_tag("999999")]}));
    // Both parameters bad: both errors, `user` first (the filter set's field order).
    list(&s, "?tags=abc&user=abc").await.assert_json(
        400,
        &json!({"user": [INVALID_USER], "tags": [not_a_valid_value("abc")]}),
    );
    // A bad filter is a 400 whatever the page.
    list(&s, "?user=abc&page=99")
        .await
        .assert_json(400, &user_err);
    // A good filter with a bad one of the other parameter is still a 400.
    list(&s, &format!("?user={}&tags=999999", d.alice))
        .await
        .assert_json(400, &json!({"tags": [invalid_tag("999999")]}));
}

// ---------------------------------------------------------------------------------------------
// ?search=

/// `Apple pie` (cinnamon), `Cherry tart` (cherries and APPLE in the content), `Banana bread`.
async fn bakery(s: &TestServer) -> (Art, Art, Art) {
    let (user, token) = s.user_with_token("bakery@example.com").await;
    let pie = make(
        s,
        &token,
        user,
        "Apple pie",
        "Sweet, with cinnamon.",
        &[],
        "2030-01-01T00:00:00Z",
    )
    .await;
    let tart = make(
        s,
        &token,
        user,
        "Cherry tart",
        "Cherries and thin APPLE slices.",
        &[],
        "2030-01-02T00:00:00Z",
    )
    .await;
    let bread = make(
        s,
        &token,
        user,
        "Banana bread",
        "Moist and sweet.",
        &[],
        "2030-01-03T00:00:00Z",
    )
    .await;
    (pie, tart, bread)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_one_term_in_title_or_content_case_insensitive() {
    let s = TestServer::start().await;
    let (pie, tart, bread) = bakery(&s).await;
    // In pie's title and tart's content (as "APPLE").
    list(&s, "?search=apple")
        .await
        .assert_json(200, &all(&[&tart, &pie]))
        .assert_header("allow", msg::ALLOW_LIST);
    list(&s, "?search=APPLE")
        .await
        .assert_json(200, &all(&[&tart, &pie]));
    // Substrings match.
    list(&s, "?search=ppl")
        .await
        .assert_json(200, &all(&[&tart, &pie]));
    list(&s, "?search=Sweet")
        .await
        .assert_json(200, &all(&[&bread, &pie]));
    list(&s, "?search=cinnamon")
        .await
        .assert_json(200, &all(&[&pie]));
    list(&s, "?search=nothing-like-this")
        .await
        .assert_json(200, &all(&[]));
    // An empty or blank search does not filter.
    for q in ["?search=", "?search=%20%20", "?search=,"] {
        list(&s, q)
            .await
            .assert_json(200, &all(&[&bread, &tart, &pie]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_several_terms_are_and_across_terms_or_across_fields() {
    let s = TestServer::start().await;
    let (pie, tart, bread) = bakery(&s).await;
    // `apple` in pie's title, `cinnamon` in its content.
    for q in [
        "?search=apple%20cinnamon",
        "?search=apple+cinnamon",
        "?search=Cinnamon%20APPLE",
        "?search=apple,cinnamon",
        "?search=apple%2Ccinnamon",
        "?search=%20apple%20%20%20cinnamon%20",
        "?search=apple,%20cinnamon",
    ] {
        list(&s, q).await.assert_json(200, &all(&[&pie]));
    }
    // Both terms in the tart: `cherry` in its title, `apple` in its content.
    list(&s, "?search=cherry%20apple")
        .await
        .assert_json(200, &all(&[&tart]));
    // Every term must match: nothing has both `banana` and `apple`.
    list(&s, "?search=banana%20apple")
        .await
        .assert_json(200, &all(&[]));
    list(&s, "?search=sweet%20moist")
        .await
        .assert_json(200, &all(&[&bread]));
    // The same term twice.
    list(&s, "?search=apple%20apple")
        .await
        .assert_json(200, &all(&[&tart, &pie]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_quoted_phrase_is_one_term() {
    let s = TestServer::start().await;
    let (pie, _tart, _bread) = bakery(&s).await;
    // `"with cinnamon"` is one term (DRF's smart split); unquoted it is two.
    list(&s, "?search=%22with%20cinnamon%22")
        .await
        .assert_json(200, &all(&[&pie]));
    list(&s, "?search=%22pie%20sweet%22")
        .await
        .assert_json(200, &all(&[]));
    list(&s, "?search=pie%20sweet")
        .await
        .assert_json(200, &all(&[&pie]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_matches_like_wildcards_literally() {
    let s = TestServer::start().await;
    let (user, token) = s.user_with_token("wildcards@example.com").await;
    let percent = make(
        &s,
        &token,
        user,
        "Save 50% now",
        "x",
        &[],
        "2030-01-01T00:00:00Z",
    )
    .await;
    let five_hundred = make(
        &s,
        &token,
        user,
        "500 reasons",
        "x",
        &[],
        "2030-01-02T00:00:00Z",
    )
    .await;
    let underscore = make(
        &s,
        &token,
        user,
        "snake_case",
        "x",
        &[],
        "2030-01-03T00:00:00Z",
    )
    .await;
    // `e c` would match an unescaped `e_c`.
    make(
        &s,
        &token,
        user,
        "see clearly",
        "x",
        &[],
        "2030-01-04T00:00:00Z",
    )
    .await;
    // An unescaped `50%` would match `500 reasons`.
    list(&s, "?search=50%25")
        .await
        .assert_json(200, &all(&[&percent]));
    list(&s, "?search=e_c")
        .await
        .assert_json(200, &all(&[&underscore]));
    list(&s, "?search=0%25")
        .await
        .assert_json(200, &all(&[&percent]));
    list(&s, "?search=50")
        .await
        .assert_json(200, &all(&[&five_hundred, &percent]));
}

// ---------------------------------------------------------------------------------------------
// ?ordering=

/// Four articles whose orders by created_at, title, comment_count and id all differ:
///
/// | article | title | comments | created_at |
/// | --- | --- | --- | --- |
/// | x | Mango | 2 | 2030-01-02 |
/// | y | Apple | 0 | 2030-01-04 |
/// | z | Zebra | 3 | 2030-01-01 |
/// | w | Kiwi  | 1 | 2030-01-03 |
async fn orchard(s: &TestServer) -> (Art, Art, Art, Art) {
    let (user, token) = s.user_with_token("orchard@example.com").await;
    let mut x = make(s, &token, user, "Mango", "c", &[], "2030-01-02T00:00:00Z").await;
    let y = make(s, &token, user, "Apple", "c", &[], "2030-01-04T00:00:00Z").await;
    let mut z = make(s, &token, user, "Zebra", "c", &[], "2030-01-01T00:00:00Z").await;
    let mut w = make(s, &token, user, "Kiwi", "c", &[], "2030-01-03T00:00:00Z").await;
    add_comments(s, &mut x, user, 2).await;
    add_comments(s, &mut z, user, 3).await;
    add_comments(s, &mut w, user, 1).await;
    (x, y, z, w)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_by_each_allowed_field_both_ways() {
    let s = TestServer::start().await;
    let (x, y, z, w) = orchard(&s).await;
    let cases: [(&str, [&Art; 4]); 6] = [
        ("title", [&y, &w, &x, &z]),
        ("-title", [&z, &x, &w, &y]),
        ("created_at", [&z, &x, &w, &y]),
        ("-created_at", [&y, &w, &x, &z]),
        ("comment_count", [&y, &w, &x, &z]),
        ("-comment_count", [&z, &x, &w, &y]),
    ];
    for (ordering, expected) in cases {
        list(&s, &format!("?ordering={ordering}"))
            .await
            .assert_json(200, &all(&expected))
            .assert_header("allow", msg::ALLOW_LIST);
    }
    // Default: newest first.
    list(&s, "").await.assert_json(200, &all(&[&y, &w, &x, &z]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_by_several_fields() {
    let s = TestServer::start().await;
    let (user, token) = s.user_with_token("several@example.com").await;
    // Two pairs tied on comment_count; titles and created_at break the ties differently.
    let mut a = make(&s, &token, user, "b", "c", &[], "2030-01-01T00:00:00Z").await;
    let mut b = make(&s, &token, user, "a", "c", &[], "2030-01-02T00:00:00Z").await;
    let c = make(&s, &token, user, "d", "c", &[], "2030-01-03T00:00:00Z").await;
    let d = make(&s, &token, user, "c", "c", &[], "2030-01-04T00:00:00Z").await;
    add_comments(&s, &mut a, user, 1).await;
    add_comments(&s, &mut b, user, 1).await;
    let cases: [(&str, [&Art; 4]); 5] = [
        ("comment_count,title", [&d, &c, &b, &a]),
        ("comment_count,-title", [&c, &d, &a, &b]),
        ("-comment_count,created_at", [&a, &b, &c, &d]),
        ("-comment_count,-created_at", [&b, &a, &d, &c]),
        ("-comment_count,title,created_at", [&b, &a, &d, &c]),
    ];
    for (ordering, expected) in cases {
        list(&s, &format!("?ordering={ordering}"))
            .await
            .assert_json(200, &all(&expected));
    }
    // Spaces around the fields are ignored.
    list(&s, "?ordering=%20comment_count%20,%20-title")
        .await
        .assert_json(200, &all(&[&c, &d, &a, &b]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_drops_unknown_fields() {
    let s = TestServer::start().await;
    let (x, y, z, w) = orchard(&s).await;
    for q in [
        "bogus,title",
        "title,bogus",
        "content,title",
        "-id,title",
        "user,title,-bogus",
        "title,",
        ",title",
    ] {
        list(&s, &format!("?ordering={q}"))
            .await
            .assert_json(200, &all(&[&y, &w, &x, &z]));
    }
    list(&s, "?ordering=content,-comment_count")
        .await
        .assert_json(200, &all(&[&z, &x, &w, &y]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_with_nothing_valid_is_the_default_order() {
    let s = TestServer::start().await;
    let (user, token) = s.user_with_token("default-order@example.com").await;
    // Default: -created_at, then -id. `tie_low` and `tie_high` share a created_at.
    let tie_low = make(&s, &token, user, "B", "c", &[], "2030-01-02T00:00:00Z").await;
    let newest = make(&s, &token, user, "C", "c", &[], "2030-01-03T00:00:00Z").await;
    let oldest = make(&s, &token, user, "A", "c", &[], "2030-01-01T00:00:00Z").await;
    let tie_high = make(&s, &token, user, "D", "c", &[], "2030-01-02T00:00:00Z").await;
    let expected = all(&[&newest, &tie_high, &tie_low, &oldest]);
    for q in [
        "?ordering=bogus",
        "?ordering=content",
        "?ordering=-bogus,id,user",
        "?ordering=",
        "?ordering=,",
        "?ordering=-",
        "?ordering=Title",
        "?ordering=created_at%20desc",
    ] {
        list(&s, q).await.assert_json(200, &expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_by_title_is_binary_on_sqlite() {
    let s = TestServer::start().await;
    let (user, token) = s.user_with_token("binary-order@example.com").await;
    let lower = make(&s, &token, user, "apple", "c", &[], "2030-01-01T00:00:00Z").await;
    let upper = make(&s, &token, user, "Zebra", "c", &[], "2030-01-02T00:00:00Z").await;
    let mid = make(&s, &token, user, "Mango", "c", &[], "2030-01-03T00:00:00Z").await;
    // Upper-case letters sort before lower-case ones (SQLite's BINARY collation, which
    // Django's plain ORDER BY uses).
    list(&s, "?ordering=title")
        .await
        .assert_json(200, &all(&[&mid, &upper, &lower]));
}

// ---------------------------------------------------------------------------------------------
// Repeated single-valued parameters

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_single_valued_parameters_use_the_last_value() {
    let s = TestServer::start().await;
    let d = data(&s, "repeated").await;
    // Django's QueryDict.get answers the last value.
    list(&s, "?ordering=title&ordering=-title")
        .await
        .assert_json(200, &all(&[&d.a3, &d.a2, &d.a4, &d.a1]));
    list(&s, "?search=zzz&search=Fourth")
        .await
        .assert_json(200, &all(&[&d.a4]));
    list(&s, &format!("?user={}&user={}", d.bob, d.alice))
        .await
        .assert_json(200, &all(&[&d.a3, &d.a1]));
}

// ---------------------------------------------------------------------------------------------
// With pagination

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_keep_every_parameter_sorted_by_name() {
    let s = TestServer::start().await;
    let (user, token) = s.user_with_token("links@example.com").await;
    let tag = s.create_tag("t").await;
    let mut arts = Vec::new();
    for (i, title) in ["aa", "ab", "ba", "ac", "ad"].iter().enumerate() {
        arts.push(
            make(
                &s,
                &token,
                user,
                title,
                "x",
                &[tag],
                &format!("2030-01-0{}T00:00:00Z", i + 1),
            )
            .await,
        );
    }
    let base = s.url("/api/articles/");
    // `search=a` matches all five; by title: aa, ab, ac, ad, ba.
    let by_title = [&arts[0], &arts[1], &arts[3], &arts[4], &arts[2]];

    list(
        &s,
        &format!("?user={user}&search=a&ordering=title&page_size=1&page=2"),
    )
    .await
    .assert_json(
        200,
        &page(
            5,
            Some(format!(
                "{base}?ordering=title&page=3&page_size=1&search=a&user={user}"
            )),
            Some(format!(
                "{base}?ordering=title&page_size=1&search=a&user={user}"
            )),
            &[by_title[1]],
        ),
    );
    // First page: no previous; last page: no next.
    list(&s, &format!("?tags={tag}&ordering=title&page_size=2"))
        .await
        .assert_json(
            200,
            &page(
                5,
                Some(format!(
                    "{base}?ordering=title&page=2&page_size=2&tags={tag}"
                )),
                None,
                &by_title[..2],
            ),
        );
    list(
        &s,
        &format!("?tags={tag}&ordering=title&page_size=2&page=last"),
    )
    .await
    .assert_json(
        200,
        &page(
            5,
            None,
            Some(format!(
                "{base}?ordering=title&page=2&page_size=2&tags={tag}"
            )),
            &by_title[4..],
        ),
    );
    // Past the end of a filtered list.
    list(&s, &format!("?user={user}&search=a&page=2"))
        .await
        .assert_detail(404, msg::INVALID_PAGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_reencode_parameter_values() {
    let s = TestServer::start().await;
    let (user, token) = s.user_with_token("encode@example.com").await;
    let mut arts = Vec::new();
    for i in 0..3 {
        arts.push(
            make(
                &s,
                &token,
                user,
                &format!("apple pie {i}"),
                "x",
                &[],
                &format!("2030-01-0{}T00:00:00Z", i + 1),
            )
            .await,
        );
    }
    let base = s.url("/api/articles/");
    // A space is sent back as `+`, a comma as `%2C` (Python's urlencode).
    let expected = page(
        3,
        Some(format!(
            "{base}?ordering=-title%2Ccreated_at&page=3&page_size=1&search=apple+pie"
        )),
        Some(format!(
            "{base}?ordering=-title%2Ccreated_at&page_size=1&search=apple+pie"
        )),
        &[&arts[1]],
    );
    for q in [
        "?search=apple%20pie&ordering=-title,created_at&page_size=1&page=2",
        "?page=2&page_size=1&ordering=-title%2Ccreated_at&search=apple+pie",
    ] {
        list(&s, q).await.assert_json(200, &expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Other parameters, other routes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_parameters_are_ignored() {
    let s = TestServer::start().await;
    let d = data(&s, "unknown-params").await;
    list(
        &s,
        &format!(
            "?title=First&comment_count=0&id={}&content=x&foo=bar&author={}",
            d.a1.id, d.bob
        ),
    )
    .await
    .assert_json(200, &all(&[&d.a4, &d.a3, &d.a2, &d.a1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_routes_apply_the_list_filters() {
    let s = TestServer::start().await;
    let d = data(&s, "detail-filters").await;
    let a1 = d.a1.id;
    // DRF's get_object() looks the article up in the filtered queryset.
    s.get(&format!("/api/articles/{a1}/?user={}", d.alice), None)
        .await
        .assert_status(200);
    s.get(&format!("/api/articles/{a1}/?user={}", d.bob), None)
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    s.get(&format!("/api/articles/{a1}/?user=abc"), None)
        .await
        .assert_json(400, &json!({"user": [INVALID_USER]}))
        .assert_header("allow", msg::ALLOW_DETAIL);
    s.get(&format!("/api/articles/{a1}/?tags={}", d.blue), None)
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    s.get(&format!("/api/articles/{a1}/?search=zzz"), None)
        .await
        .assert_detail(404, msg::NO_ARTICLE);
    s.get(&format!("/api/articles/{a1}/?search=first"), None)
        .await
        .assert_status(200);
    s.get(&format!("/api/articles/{a1}/?ordering=bogus"), None)
        .await
        .assert_status(200);
    // The comments action looks its article up the same way.
    s.get(
        &format!("/api/articles/{a1}/comments/?user={}", d.alice),
        None,
    )
    .await
    .assert_status(200);
    s.get(
        &format!("/api/articles/{a1}/comments/?user={}", d.bob),
        None,
    )
    .await
    .assert_detail(404, msg::NO_ARTICLE);
    s.get(&format!("/api/articles/{a1}/comments/?tags=abc"), None)
        .await
        .assert_json(400, &json!({"tags": [not_a_valid_value("abc")]}))
        .assert_header("allow", msg::ALLOW_LIST);
    s.get(&format!("/api/articles/{a1}/comments/?search=zzz"), None)
        .await
        .assert_detail(404, msg::NO_ARTICLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_values_are_parsed_like_django() {
    let s = TestServer::start().await;
    let d = data(&s, "value-forms").await;
    let (alice, red) = (d.alice, d.red);
    // `user` (ModelChoiceField) looks the value up as an integer: Python's int() accepts these.
    for q in [
        format!("0{alice}"),
        format!("%20{alice}"),
        format!("{alice}%20"),
        format!("%2B{alice}"),
    ] {
        list(&s, &format!("?user={q}"))
            .await
            .assert_json(200, &all(&[&d.a3, &d.a1]));
    }
    // `tags` (ModelMultipleChoiceField) compares the values as text with the ids found.
    for (q, shown) in [
        (format!("0{red}"), format!("0{red}")),
        (format!("%20{red}"), format!(" {red}")),
        (format!("%2B{red}"), format!("+{red}")),
    ] {
        list(&s, &format!("?tags={q}"))
            .await
            .assert_json(400, &json!({"tags": [invalid_tag(&shown)]}));
    }
    for (q, shown) in [
        (format!("{red},{}", d.green), format!("{red},{}", d.green)),
        (format!("{red}.0"), format!("{red}.0")),
    ] {
        list(&s, &format!("?tags={q}"))
            .await
            .assert_json(400, &json!({"tags": [not_a_valid_value(&shown)]}));
    }
    // NUL characters.
    for p in ["user", "tags"] {
        list(&s, &format!("?{p}=%00"))
            .await
            .assert_json(400, &json!({ p: ["Null characters are not allowed."] }));
    }
    list(&s, "?ordering=%00")
        .await
        .assert_json(200, &all(&[&d.a4, &d.a3, &d.a2, &d.a1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_null_character_is_400_with_a_bare_list() {
    let s = TestServer::start().await;
    bakery(&s).await;
    list(&s, "?search=%00")
        .await
        .assert_json(400, &json!(["Null characters are not allowed."]))
        .assert_header("allow", msg::ALLOW_LIST);
    list(&s, "?search=apple%00")
        .await
        .assert_json(400, &json!(["Null characters are not allowed."]));
}
