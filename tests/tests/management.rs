//! The blog's management commands over the real binary, each in its own temporary working
//! directory (and so its own `db.sqlite3`): `changepassword`, `seed`, `dumpdata`, `loaddata`,
//! `openapi`; production mode, the JWT lifetimes from the environment, the access log and the
//! graceful shutdown of `serve`.

mod support;

use integration_tests::{Value, jwt_parts};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;
use support::*;

/// The fixture written by the DRF reference app: `manage.py seed_blog --users 3 --articles 4
/// --comments 6 --tags 3`, a token for alice, one comment's `created_at` set to
/// `2026-11-23 10:00:00.123456`, then `manage.py dumpdata accounts.user blog authtoken
/// --indent 2`.
fn reference_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drf_reference_dumpdata.json")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `example_blog ARGS` in `dir`.
fn blog_run(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = blog(dir);
    cmd.args(args);
    run(cmd)
}

/// Runs `example_blog ARGS` in `dir` with `input` on stdin (a pipe, not a terminal).
fn blog_with_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut cmd = blog(dir);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("cannot start example_blog");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    println!("{args:?} -> {}", describe(&out));
    out
}

fn assert_failure_without_panic(out: &Output) {
    assert!(
        !out.status.success(),
        "expected a failure\n{}",
        describe(out)
    );
    assert!(
        !stderr(out).contains("panicked"),
        "an error message, not a panic:\n{}",
        describe(out)
    );
}

/// `dumpdata ARGS --indent 2` in `dir`.
fn dump(dir: &Path, labels: &[&str]) -> String {
    let mut args = vec!["dumpdata"];
    args.extend_from_slice(labels);
    args.extend_from_slice(&["--indent", "2"]);
    let out = blog_run(dir, &args);
    assert_success(&out);
    stdout(&out)
}

fn parse(fixture: &str) -> Vec<Value> {
    serde_json::from_str::<Vec<Value>>(fixture)
        .unwrap_or_else(|e| panic!("dumpdata wrote invalid JSON ({e}):\n{fixture}"))
}

/// The password hash stored for `email` in `dir`'s database.
async fn stored_password(dir: &Path, email: &str) -> String {
    use sea_orm::ConnectionTrait;
    let url = format!("sqlite://{}?mode=ro", dir.join("db.sqlite3").display());
    let db = sea_orm::Database::connect(&url).await.expect("open db");
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT password FROM accounts_user WHERE email = ?",
            [email.into()],
        ))
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no user {email}"));
    let password: String = row.try_get("", "password").expect("password");
    db.close().await.ok();
    password
}

async fn password_is(dir: &Path, email: &str, password: &str) -> bool {
    let hash = stored_password(dir, email).await;
    rest_framework::contrib::auth::hashers::check_password(password.to_owned(), hash).await
}

// --- help ------------------------------------------------------------------------------------

#[test]
fn help_describes_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = blog_run(dir.path(), &["--help"]);
    assert_success(&out);
    let help = stdout(&out);
    for word in [
        "changepassword",
        "seed",
        "dumpdata",
        "loaddata",
        "openapi",
        "PRODUCTION",
        "ACCESS_TOKEN_LIFETIME",
    ] {
        assert!(
            help.contains(word),
            "--help does not mention {word}:\n{help}"
        );
    }
    let expectations: [(&str, &[&str]); 6] = [
        (
            "seed",
            &[
                "--users",
                "--articles",
                "--comments",
                "--tags",
                "--seed",
                "--flush",
                "[default: 42]",
                "admin@example.com",
                "userpass123",
            ],
        ),
        (
            "dumpdata",
            &[
                "--output",
                "--indent",
                "accounts.user",
                "blog.article",
                "authtoken.token",
            ],
        ),
        ("loaddata", &["FILE", "transaction", "dependency order"]),
        ("changepassword", &["EMAIL", "twice", "8"]),
        (
            "openapi",
            &["--output", "--format", "yaml", "json", "/api/schema/"],
        ),
        ("serve", &["--bind", "--production", "SECRET_KEY"]),
    ];
    for (command, words) in expectations {
        let out = blog_run(dir.path(), &[command, "--help"]);
        assert_success(&out);
        let help = stdout(&out);
        for word in words {
            assert!(
                help.contains(word),
                "`{command} --help` does not mention {word}:\n{help}"
            );
        }
    }
    assert!(
        !dir.path().join("db.sqlite3").exists(),
        "--help must not open the database"
    );

    // Bad arguments are usage errors, not panics.
    for args in [
        &["seed", "--users", "-3"][..],
        &["seed", "--users", "many"],
        &["seed", "--now", "yesterday"],
        &["openapi", "--format", "xml"],
        &["loaddata"],
        &["dumpdata", "--indent", "x"],
    ] {
        let out = blog_run(dir.path(), args);
        assert_failure_without_panic(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "clap's usage error for {args:?}"
        );
    }
}

// --- changepassword --------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changepassword_reads_stdin_validates_and_hashes() {
    let dir = tempfile::tempdir().unwrap();
    assert_success(&create_superuser(dir.path(), "first-Passw0rd"));

    let out = blog_with_stdin(
        dir.path(),
        &["changepassword", EMAIL],
        "new-Passw0rd\nnew-Passw0rd\n",
    );
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!(
            "Changing password for user '{EMAIL}'\nPassword changed successfully for user '{EMAIL}'\n"
        )
    );
    assert!(password_is(dir.path(), EMAIL, "new-Passw0rd").await);
    assert!(!password_is(dir.path(), EMAIL, "first-Passw0rd").await);
    assert!(
        stored_password(dir.path(), EMAIL)
            .await
            .starts_with("argon2$argon2id$")
    );

    // A mismatch, then a too-short password, then a good one: the third attempt succeeds.
    let out = blog_with_stdin(
        dir.path(),
        &["changepassword", EMAIL],
        "one-Passw0rd\ntwo-Passw0rd\nshort\nshort\nthird-Passw0rd\nthird-Passw0rd\n",
    );
    assert_success(&out);
    assert!(
        stdout(&out).contains("Passwords do not match. Please try again."),
        "{}",
        describe(&out)
    );
    assert!(
        stderr(&out).contains("This password is too short. It must contain at least 8 characters."),
        "{}",
        describe(&out)
    );
    assert!(password_is(dir.path(), EMAIL, "third-Passw0rd").await);

    // Three failures abort, and the password stays.
    let out = blog_with_stdin(
        dir.path(),
        &["changepassword", EMAIL],
        "a-Passw0rd\nb-Passw0rd\n1\n1\nx\ny\n",
    );
    assert_failure_without_panic(&out);
    assert!(
        stderr(&out).contains(&format!(
            "Aborting password change for user '{EMAIL}' after 3 attempts"
        )),
        "{}",
        describe(&out)
    );
    assert!(password_is(dir.path(), EMAIL, "third-Passw0rd").await);

    // End of input, an unknown user, no user at all: clear errors.
    let out = blog_with_stdin(dir.path(), &["changepassword", EMAIL], "only-one-line\n");
    assert_failure_without_panic(&out);
    assert!(stderr(&out).contains("end of input"), "{}", describe(&out));
    let out = blog_with_stdin(
        dir.path(),
        &["changepassword", "nobody@example.com"],
        "x\nx\n",
    );
    assert_failure_without_panic(&out);
    assert!(
        stderr(&out).contains("user 'nobody@example.com' does not exist"),
        "{}",
        describe(&out)
    );
    let out = blog_with_stdin(dir.path(), &["changepassword"], "");
    assert_failure_without_panic(&out);
    assert!(stderr(&out).contains("EMAIL"), "{}", describe(&out));
}

// --- seed ------------------------------------------------------------------------------------

const SEED_ARGS: [&str; 11] = [
    "seed",
    "--users",
    "12",
    "--articles",
    "30",
    "--comments",
    "80",
    "--tags",
    "5",
    "--now",
    "2026-06-01T12:00:00Z",
];

/// The user objects of a fixture without their password hashes (salted, so never equal).
fn without_passwords(objects: &[Value]) -> Vec<Value> {
    objects
        .iter()
        .cloned()
        .map(|mut o| {
            if let Some(fields) = o["fields"].as_object_mut() {
                fields.remove("password");
            }
            o
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_is_deterministic_and_mirrors_seed_blog() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for dir in [&first, &second] {
        let mut args = SEED_ARGS.to_vec();
        args.extend(["--seed", "7"]);
        let out = blog_run(dir.path(), &args);
        assert_success(&out);
        assert_eq!(
            stdout(&out).split(" in ").next().unwrap_or_default(),
            "seeded 12 users (+ admin id=1, alice id=2), 5 tags, 30 articles, 80 comments",
            "{}",
            describe(&out)
        );
    }
    // Same seed, same data: the blog byte for byte, the users but for the salted hashes.
    let blog_dump = dump(first.path(), &["blog"]);
    assert_eq!(blog_dump, dump(second.path(), &["blog"]));
    let users = parse(&dump(first.path(), &["accounts"]));
    assert_eq!(
        without_passwords(&users),
        without_passwords(&parse(&dump(second.path(), &["accounts"])))
    );

    // What seed_blog makes.
    assert_eq!(users.len(), 14);
    assert_eq!(users[0]["fields"]["email"], "admin@example.com");
    assert_eq!(users[0]["fields"]["is_staff"], true);
    assert_eq!(users[0]["fields"]["is_superuser"], true);
    assert_eq!(users[1]["fields"]["email"], "alice@example.com");
    assert_eq!(users[1]["fields"]["is_staff"], false);
    assert_eq!(users[2]["fields"]["email"], "seed-user-00001@example.com");
    assert_eq!(users[13]["fields"]["email"], "seed-user-00012@example.com");
    assert!(
        users[2]["fields"]["first_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    // One shared hash for the seeded users.
    assert_eq!(
        users[2]["fields"]["password"],
        users[13]["fields"]["password"]
    );
    assert!(password_is(first.path(), "admin@example.com", "adminpass123").await);
    assert!(password_is(first.path(), "alice@example.com", "alicepass123").await);
    assert!(password_is(first.path(), "seed-user-00005@example.com", "userpass123").await);

    let blog = parse(&blog_dump);
    let of = |model: &str| {
        blog.iter()
            .filter(|o| o["model"] == model)
            .cloned()
            .collect::<Vec<_>>()
    };
    let (tags, articles, comments) = (of("blog.tag"), of("blog.article"), of("blog.comment"));
    assert_eq!((tags.len(), articles.len(), comments.len()), (5, 30, 80));
    assert_eq!(tags[0]["fields"]["name"], "tag-001");
    // One article a minute, the newest a minute before --now.
    assert_eq!(articles[29]["fields"]["created_at"], "2026-06-01T11:59:00Z");
    assert_eq!(articles[0]["fields"]["created_at"], "2026-06-01T11:30:00Z");
    assert!(
        articles
            .iter()
            .all(|a| a["fields"]["tags"].as_array().is_some_and(|t| t.len() <= 3))
    );
    assert!(
        articles
            .iter()
            .any(|a| !a["fields"]["tags"].as_array().unwrap().is_empty())
    );
    assert!(articles.iter().all(|a| {
        a["fields"]["title"]
            .as_str()
            .unwrap()
            .starts_with("Article ")
    }));
    // Authors are alice and the seeded users, never the admin.
    assert!(
        articles
            .iter()
            .chain(&comments)
            .all(|o| o["fields"]["user"] != 1)
    );
    // Comments come after their article, never after --now.
    for c in &comments {
        let article = &articles[(c["fields"]["article"].as_i64().unwrap() - 1) as usize];
        let at = c["fields"]["created_at"].as_str().unwrap();
        assert!(
            at > article["fields"]["created_at"].as_str().unwrap() && at <= "2026-06-01T12:00:00Z",
            "{c}"
        );
    }

    // Another seed, other data.
    let third = tempfile::tempdir().unwrap();
    let mut args = SEED_ARGS.to_vec();
    args.extend(["--seed", "8"]);
    assert_success(&blog_run(third.path(), &args));
    assert_ne!(blog_dump, dump(third.path(), &["blog"]));

    // Seeding again adds articles and comments but reuses users and tags; --flush starts over.
    let mut args = SEED_ARGS.to_vec();
    args.extend(["--seed", "7"]);
    assert_success(&blog_run(first.path(), &args));
    let again = parse(&dump(first.path(), &[]));
    let count = |model: &str| again.iter().filter(|o| o["model"] == model).count();
    assert_eq!(
        (
            count("accounts.user"),
            count("blog.tag"),
            count("blog.article"),
            count("blog.comment")
        ),
        (14, 5, 60, 160)
    );
    args.push("--flush");
    assert_success(&blog_run(first.path(), &args));
    assert_eq!(dump(first.path(), &["blog"]), blog_dump);
}

// --- dumpdata / loaddata ---------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixture_of_the_django_reference_loads_and_dumps_back_identically() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = reference_fixture();
    let out = blog_run(dir.path(), &["loaddata", fixture.to_str().unwrap()]);
    assert_success(&out);
    assert_eq!(stdout(&out), "Installed 19 object(s) from 1 fixture(s)\n");
    // Same objects, same order, same bytes as Django's own dumpdata.
    let expected = std::fs::read_to_string(&fixture).unwrap();
    assert_eq!(
        dump(dir.path(), &["accounts.user", "blog", "authtoken"]),
        expected
    );
    // Django's argon2 hashes are kept as they are, and verify.
    assert!(password_is(dir.path(), "alice@example.com", "alicepass123").await);

    // Loading again updates the same pks instead of adding rows.
    assert_success(&blog_run(
        dir.path(),
        &["loaddata", fixture.to_str().unwrap()],
    ));
    assert_eq!(
        dump(dir.path(), &["accounts.user", "blog", "authtoken"]),
        expected
    );

    // Without --indent: Python's separators, all on one line.
    let out = blog_run(dir.path(), &["dumpdata", "blog.tag"]);
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "[{\"model\": \"blog.tag\", \"pk\": 1, \"fields\": {\"name\": \"tag-001\"}}, \
         {\"model\": \"blog.tag\", \"pk\": 2, \"fields\": {\"name\": \"tag-002\"}}, \
         {\"model\": \"blog.tag\", \"pk\": 3, \"fields\": {\"name\": \"tag-003\"}}]\n"
    );
    // --output writes the file (and nothing on stdout).
    let out = blog_run(
        dir.path(),
        &[
            "dumpdata",
            "blog.tag",
            "--output",
            "tags.json",
            "--indent",
            "4",
        ],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "");
    let written = std::fs::read_to_string(dir.path().join("tags.json")).unwrap();
    assert!(
        written.starts_with("[\n{\n    \"model\": \"blog.tag\",\n"),
        "{written}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loaddata_orders_by_dependency_and_updates_existing_pks() {
    let dir = tempfile::tempdir().unwrap();
    let mut objects = parse(&std::fs::read_to_string(reference_fixture()).unwrap());
    // Comments and tokens first, users last: loaddata sorts them out.
    objects.reverse();
    // Change a tag and an article's tags to see the update.
    for o in &mut objects {
        if o["model"] == "blog.tag" && o["pk"] == 2 {
            o["fields"]["name"] = "renamed".into();
        }
        if o["model"] == "blog.article" && o["pk"] == 1 {
            o["fields"]["tags"] = serde_json::json!([3]);
        }
    }
    std::fs::write(
        dir.path().join("reversed.json"),
        serde_json::to_string(&objects).unwrap(),
    )
    .unwrap();
    let out = blog_run(dir.path(), &["loaddata", "reversed.json"]);
    assert_success(&out);
    let dumped = parse(&dump(dir.path(), &["blog"]));
    let tag2 = dumped
        .iter()
        .find(|o| o["model"] == "blog.tag" && o["pk"] == 2)
        .unwrap();
    assert_eq!(tag2["fields"]["name"], "renamed");
    let article1 = dumped
        .iter()
        .find(|o| o["model"] == "blog.article" && o["pk"] == 1)
        .unwrap();
    assert_eq!(article1["fields"]["tags"], serde_json::json!([3]));

    // The original fixture updates those rows back, adding none.
    let fixture = reference_fixture();
    assert_success(&blog_run(
        dir.path(),
        &["loaddata", fixture.to_str().unwrap()],
    ));
    assert_eq!(
        dump(dir.path(), &["accounts.user", "blog", "authtoken"]),
        std::fs::read_to_string(&fixture).unwrap()
    );

    // New rows after a load get fresh ids (the sequences moved past the loaded pks).
    let out = blog_run(
        dir.path(),
        &[
            "seed",
            "--users",
            "0",
            "--articles",
            "1",
            "--comments",
            "1",
            "--tags",
            "0",
        ],
    );
    assert_success(&out);
    let dumped = parse(&dump(dir.path(), &["blog.article"]));
    assert_eq!(dumped.last().unwrap()["pk"], 5);
}

#[test]
fn loaddata_refuses_bad_fixtures_without_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    assert_success(&blog_run(
        dir.path(),
        &["loaddata", reference_fixture().to_str().unwrap()],
    ));
    let before = dump(dir.path(), &[]);
    let tag = |pk: i64, name: &str| serde_json::json!({"model": "blog.tag", "pk": pk, "fields": {"name": name}});
    let cases: Vec<(&str, String, &str)> = vec![
        ("not json", "[{".into(), "not a Django JSON fixture"),
        ("not a list", "{}".into(), "not a Django JSON fixture"),
        ("unknown model", serde_json::json!([tag(50, "new"), {"model": "blog.nope", "pk": 1, "fields": {}}]).to_string(), "Invalid model identifier: 'blog.nope'"),
        ("unknown field", serde_json::json!([tag(50, "new"), {"model": "blog.tag", "pk": 51, "fields": {"name": "x", "colour": "red"}}]).to_string(), "has no field named 'colour'"),
        ("missing field", serde_json::json!([tag(50, "new"), {"model": "blog.tag", "pk": 51, "fields": {}}]).to_string(), "field 'name': is required"),
        ("too long", serde_json::json!([tag(50, &"x".repeat(51))]).to_string(), "more than 50 characters"),
        ("bad datetime", serde_json::json!([tag(50, "new"), {"model": "blog.comment", "pk": 9, "fields": {"article": 1, "user": 1, "content": "x", "created_at": "yesterday", "updated_at": "yesterday"}}]).to_string(), "not a valid datetime"),
        ("dangling foreign key", serde_json::json!([tag(50, "new"), {"model": "blog.article", "pk": 9, "fields": {"title": "t", "content": "c", "user": 999, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "tags": [1]}}]).to_string(), "could not load blog.article"),
        ("groups", serde_json::json!([tag(50, "new"), {"model": "accounts.user", "pk": 1, "fields": {"email": "a@b.c", "groups": [1]}}]).to_string(), "groups"),
    ];
    for (what, text, message) in cases {
        std::fs::write(dir.path().join("bad.json"), &text).unwrap();
        let out = blog_run(dir.path(), &["loaddata", "bad.json"]);
        assert_failure_without_panic(&out);
        assert!(
            stderr(&out).contains("Problem installing fixture 'bad.json'"),
            "{what}: {}",
            describe(&out)
        );
        assert!(
            stderr(&out).contains(message),
            "{what}: expected {message:?}\n{}",
            describe(&out)
        );
        assert_eq!(
            dump(dir.path(), &[]),
            before,
            "{what}: the failed load changed the data"
        );
    }
    let out = blog_run(dir.path(), &["loaddata", "missing.json"]);
    assert_failure_without_panic(&out);
    assert!(stderr(&out).contains("missing.json"), "{}", describe(&out));
    let out = blog_run(dir.path(), &["dumpdata", "blog.nope"]);
    assert_failure_without_panic(&out);
    assert!(
        stderr(&out).contains("Unknown model: blog.nope"),
        "{}",
        describe(&out)
    );
    let out = blog_run(dir.path(), &["dumpdata", "shop"]);
    assert_failure_without_panic(&out);
    assert!(
        stderr(&out).contains("No installed app with label 'shop'."),
        "{}",
        describe(&out)
    );
}

/// Every list and detail the API serves, with the server's own address replaced.
async fn api_snapshot(base: &str, token: &str) -> Vec<(String, String)> {
    let client = reqwest::Client::new();
    let mut paths = vec![
        "/api/articles/".to_owned(),
        "/api/articles/?page=2".to_owned(),
        "/api/articles/?tags__name=tag-002".to_owned(),
        "/api/comments/".to_owned(),
        "/api/comments/?page=3".to_owned(),
        "/api/tags/".to_owned(),
        "/api/users/".to_owned(),
    ];
    paths.extend((1..=5).map(|id| format!("/api/articles/{id}/")));
    paths.extend((1..=5).map(|id| format!("/api/users/{id}/")));
    let mut snapshot = Vec::new();
    for path in paths {
        let r = client
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = r.status().as_u16();
        let body = r
            .text()
            .await
            .unwrap_or_default()
            .replace(base, "http://BASE");
        snapshot.push((path, format!("{status} {body}")));
    }
    snapshot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dumpdata_then_loaddata_into_an_empty_database_serves_the_same_api() {
    let source = tempfile::tempdir().unwrap();
    let target = tempfile::tempdir().unwrap();
    let mut args = SEED_ARGS.to_vec();
    args.extend(["--seed", "3"]);
    assert_success(&blog_run(source.path(), &args));
    // A token and a last login: the tables and nullable columns round-trip too.
    let addr = format!("127.0.0.1:{}", free_port());
    let server = Server::start(source.path(), &["serve", "--bind", &addr], &addr).await;
    let r = reqwest::Client::new()
        .post(format!("{}/api/api-token-auth/", server.base))
        .json(&serde_json::json!({"username": "alice@example.com", "password": "alicepass123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (_, pair) = obtain(&server.base, "alice@example.com", "alicepass123").await;
    let before = api_snapshot(&server.base, &pair).await;
    assert_eq!(server.terminate().await.code(), Some(0));

    let out = blog_run(source.path(), &["dumpdata", "--output", "everything.json"]);
    assert_success(&out);
    let fixture = source.path().join("everything.json");
    let out = blog_run(target.path(), &["loaddata", fixture.to_str().unwrap()]);
    assert_success(&out);
    assert!(stdout(&out).starts_with("Installed "), "{}", describe(&out));
    assert_eq!(dump(target.path(), &[]), dump(source.path(), &[]));

    let addr = format!("127.0.0.1:{}", free_port());
    let server = Server::start(target.path(), &["serve", "--bind", &addr], &addr).await;
    let (_, pair) = obtain(&server.base, "alice@example.com", "alicepass123").await;
    let after = api_snapshot(&server.base, &pair).await;
    assert_eq!(server.terminate().await.code(), Some(0));
    assert_eq!(before.len(), after.len());
    for ((path, a), (_, b)) in before.iter().zip(&after) {
        assert!(a.starts_with("200 "), "GET {path} before: {a}");
        assert_eq!(a, b, "GET {path} differs after the round trip");
    }
}

/// `POST /api/token/`: (refresh, access).
async fn obtain(base: &str, email: &str, password: &str) -> (String, String) {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/token/"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .expect("POST /api/token/");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.expect("token JSON");
    (
        body["refresh"].as_str().unwrap().to_owned(),
        body["access"].as_str().unwrap().to_owned(),
    )
}

/// When the DRF reference app and its virtualenv are on this machine, a fixture written by
/// this blog's `dumpdata` loads into Django (`manage.py loaddata`) and Django dumps it back
/// byte for byte. Skipped (with a message) elsewhere.
#[test]
fn a_fixture_of_this_blog_loads_into_the_django_reference() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = std::env::var_os("DRF_REFERENCE_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            manifest.join("../../shared/reference/drf_blog"),
            manifest.join("../../../shared/reference/drf_blog"),
        ])
        .find(|dir| dir.join("manage.sh").is_file());
    let home = std::env::var_os("DRF_REF_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/itest/drfref"));
    let (Some(reference), true) = (reference, home.join("venv/bin/python").is_file()) else {
        eprintln!(
            "SKIPPED a_fixture_of_this_blog_loads_into_the_django_reference: no DRF reference app or venv"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut args = SEED_ARGS.to_vec();
    args.extend(["--seed", "5"]);
    assert_success(&blog_run(dir.path(), &args));
    let ours = dump(dir.path(), &["accounts.user", "blog"]);
    std::fs::write(dir.path().join("ours.json"), &ours).unwrap();

    let django_db = dir.path().join("django.sqlite3");
    let manage = |args: &[&str]| {
        let mut cmd = std::process::Command::new("bash");
        cmd.arg(reference.join("manage.sh"))
            .arg("0")
            .args(args)
            .env("DRF_REF_HOME", &home)
            .env("BLOG_DB_PATH", &django_db)
            .stdin(Stdio::null());
        run(cmd)
    };
    assert_success(&manage(&["migrate", "-v", "0"]));
    let out = manage(&["loaddata", dir.path().join("ours.json").to_str().unwrap()]);
    assert_success(&out);
    let out = manage(&["dumpdata", "accounts.user", "blog", "--indent", "2"]);
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        ours,
        "Django's dumpdata of our fixture differs from ours"
    );
}

// --- openapi ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_writes_the_served_schema_and_serve_logs_each_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = blog_run(dir.path(), &["openapi"]);
    assert_success(&out);
    let yaml = stdout(&out);
    assert!(yaml.starts_with("openapi: 3.0.3\n"), "{yaml}");
    let out = blog_run(
        dir.path(),
        &["openapi", "--format", "json", "--output", "schema.json"],
    );
    assert_success(&out);
    let json = std::fs::read_to_string(dir.path().join("schema.json")).unwrap();
    let document: Value = serde_json::from_str(&json).expect("JSON schema");
    assert!(
        document["paths"]["/api/articles/"].is_object(),
        "{document}"
    );
    assert!(
        !dir.path().join("db.sqlite3").exists(),
        "openapi needs no database file"
    );

    let addr = format!("127.0.0.1:{}", free_port());
    let server = Server::start(dir.path(), &["serve", "--bind", &addr], &addr).await;
    let served_yaml = reqwest::get(format!("{}/api/schema/", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let served_json = reqwest::get(format!("{}/api/schema/?format=json", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let missing = reqwest::get(format!("{}/api/nothing-here/", server.base))
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let log = server.log_text();
    assert_eq!(server.terminate().await.code(), Some(0));
    assert_eq!(yaml, served_yaml);
    assert_eq!(json, served_json);
    // One access-log line per request: method, path, status, duration.
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("example_blog::access"))
        .collect();
    let has = |needle: &str| {
        lines
            .iter()
            .any(|l| l.contains(needle) && l.trim_end().ends_with("ms"))
    };
    assert!(has("GET /api/schema/ 200 "), "{log}");
    assert!(has("GET /api/nothing-here/ 404 "), "{log}");
}

// --- configuration ---------------------------------------------------------------------------

#[test]
fn production_mode_refuses_development_settings() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("prod.sqlite3").display()
    );
    let allowed_hosts = std::cell::Cell::new(false);
    let serve = |production_env: bool, secret: Option<&str>, database_url: Option<&str>| {
        let mut cmd = blog(dir.path());
        cmd.arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{}", free_port()));
        if allowed_hosts.get() {
            cmd.env("ALLOWED_HOSTS", "127.0.0.1");
        }
        if production_env {
            cmd.env("PRODUCTION", "1");
        } else {
            cmd.arg("--production");
        }
        match secret {
            Some(secret) => cmd.env("SECRET_KEY", secret),
            None => cmd.env_remove("SECRET_KEY"),
        };
        if let Some(url) = database_url {
            cmd.env("DATABASE_URL", url);
        }
        run(cmd)
    };
    for production_env in [false, true] {
        let out = serve(production_env, None, Some(&url));
        assert_failure_without_panic(&out);
        assert!(
            stderr(&out).contains("refuses to start without SECRET_KEY"),
            "{}",
            describe(&out)
        );
    }
    let out = serve(
        false,
        Some("drf-blog-reference-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz"),
        Some(&url),
    );
    assert_failure_without_panic(&out);
    assert!(
        stderr(&out).contains("development SECRET_KEY"),
        "{}",
        describe(&out)
    );
    let out = serve(false, Some("short-key"), Some(&url));
    assert_failure_without_panic(&out);
    assert!(
        stderr(&out).contains("weak SECRET_KEY"),
        "{}",
        describe(&out)
    );
    // Every check below passes ALLOWED_HOSTS but the first.
    let out = serve(true, Some(SECRET_KEY), Some(&url));
    assert_failure_without_panic(&out);
    assert!(stderr(&out).contains("ALLOWED_HOSTS"), "{}", describe(&out));
    allowed_hosts.set(true);
    let out = serve(true, Some(SECRET_KEY), None);
    assert_failure_without_panic(&out);
    assert!(stderr(&out).contains("DATABASE_URL"), "{}", describe(&out));
    assert!(
        !dir.path().join("db.sqlite3").exists(),
        "no implicit database in production"
    );
    // Production does not migrate by itself.
    let out = serve(true, Some(SECRET_KEY), Some(&url));
    assert_failure_without_panic(&out);
    assert!(
        stderr(&out).contains("example_blog migrate"),
        "{}",
        describe(&out)
    );
    // PRODUCTION=0 is development mode: the dev key is used with a warning. (Checked by
    // starting `migrate`, which does not need a key, and an invalid lifetime, which stops
    // `serve` before it listens.)
    let mut cmd = blog(dir.path());
    cmd.args(["serve", "--bind", "127.0.0.1:1"])
        .env("PRODUCTION", "0")
        .env("ACCESS_TOKEN_LIFETIME", "soon");
    let out = run(cmd);
    assert_failure_without_panic(&out);
    assert!(
        stderr(&out).contains("ACCESS_TOKEN_LIFETIME must be a whole number of seconds"),
        "{}",
        describe(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_mode_serves_a_migrated_database_with_lifetimes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("prod.sqlite3").display()
    );
    let mut cmd = blog(dir.path());
    cmd.args(["createsuperuser", "--no-input", "--email", EMAIL])
        .env("SUPERUSER_PASSWORD", "prod-Passw0rd")
        .env("DATABASE_URL", &url);
    assert_success(&run(cmd));

    let addr = format!("127.0.0.1:{}", free_port());
    let server = Server::start_with_env(
        dir.path(),
        &["serve", "--production", "--bind", &addr],
        &addr,
        &[
            ("DATABASE_URL", url.as_str()),
            ("ALLOWED_HOSTS", "127.0.0.1,localhost"),
            ("ACCESS_TOKEN_LIFETIME", "120"),
            ("REFRESH_TOKEN_LIFETIME", "3600"),
        ],
    )
    .await;
    let (refresh, access) = obtain(&server.base, EMAIL, "prod-Passw0rd").await;
    let (_, access_claims) = jwt_parts(&access);
    let (_, refresh_claims) = jwt_parts(&refresh);
    let lifetime =
        |claims: &Value| claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime(&access_claims), 120, "{access_claims}");
    assert_eq!(lifetime(&refresh_claims), 3600, "{refresh_claims}");
    let log = server.log_text();
    assert!(
        !log.contains("INSECURE"),
        "no development-key warning in production:\n{log}"
    );
    assert_eq!(server.terminate().await.code(), Some(0));
}

// --- graceful shutdown -----------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_in_flight_finish_then_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    assert_success(&create_superuser(dir.path(), "slow-Passw0rd"));
    let addr = format!("127.0.0.1:{}", free_port());
    let mut server = Server::start(dir.path(), &["serve", "--bind", &addr], &addr).await;

    // A request whose body is still arriving when SIGTERM comes.
    let body = serde_json::json!({"email": EMAIL, "password": "slow-Passw0rd"}).to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /api/token/ HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let pid = nix::unistd::Pid::from_raw(server.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("kill -TERM");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        matches!(server.child.try_wait(), Ok(None)),
        "the server exited with a request in flight:\n{}",
        server.log_text()
    );
    // New connections are refused while the old request finishes.
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "still accepting after SIGTERM"
    );

    stream.write_all(tail.as_bytes()).unwrap();
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"access\""), "{response}");

    let status = server.wait_exit().await;
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM: {status}"
    );
}
