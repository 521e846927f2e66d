//! The `example_blog` binary's command line (`serve`, `migrate`, `createsuperuser`), run as a
//! real process in its own temporary working directory (see `support/mod.rs`).

mod support;

use integration_tests::{Value, jwt_parts};
use support::*;

/// `POST /api/token/` on a running server: `(status, body)`.
async fn obtain_token(base: &str, email: &str, password: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/token/"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .expect("POST /api/token/ failed");
    let status = r.status().as_u16();
    let text = r.text().await.expect("token body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("token response is not JSON ({e}): {text}"));
    (status, body)
}

/// Checks what a superuser's token and the serving process prove: the token verifies with
/// `SECRET_KEY`, and the token is accepted by the server for a write.
async fn assert_superuser_can_work(base: &str, password: &str) {
    let (status, body) = obtain_token(base, EMAIL, password).await;
    assert_eq!(status, 200, "POST /api/token/ for the superuser: {body}");
    let access = body["access"].as_str().expect("access token").to_string();
    // Signed with the SECRET_KEY of the environment, not the development key.
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_exp = true;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(
        &access,
        &jsonwebtoken::DecodingKey::from_secret(SECRET_KEY.as_bytes()),
        &validation,
    )
    .unwrap_or_else(|e| panic!("the access token is not signed with SECRET_KEY: {e}"));
    let (_, payload) = jwt_parts(&access);
    assert_eq!(payload["token_type"], "access", "{payload}");

    let r = reqwest::Client::new()
        .post(format!("{base}/api/articles/"))
        .bearer_auth(&access)
        .json(&serde_json::json!({"title": "From the CLI test", "content": "Hello"}))
        .send()
        .await
        .expect("POST /api/articles/ failed");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    assert_eq!(
        status, 201,
        "the superuser cannot create an article: {text}"
    );
}

// ---------------------------------------------------------------------------------------------

#[test]
fn help_lists_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = blog(dir.path());
    cmd.arg("--help");
    let out = run(cmd);
    assert_success(&out);
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "serve",
        "migrate",
        "createsuperuser",
        "DATABASE_URL",
        "SECRET_KEY",
    ] {
        assert!(
            help.contains(word),
            "--help does not mention {word}:\n{help}"
        );
    }
    // `help` must not touch the working directory.
    assert!(!dir.path().join("db.sqlite3").exists());

    let mut cmd = blog(dir.path());
    cmd.arg("no-such-command");
    let out = run(cmd);
    assert!(
        !out.status.success(),
        "an unknown subcommand must fail\n{}",
        describe(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_creates_db_sqlite3_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = blog(dir.path());
    cmd.arg("migrate");
    let out = run(cmd);
    assert_success(&out);
    let db = dir.path().join("db.sqlite3");
    assert!(
        db.is_file(),
        "migrate did not create {}\n{}",
        db.display(),
        describe(&out)
    );

    // The tables exist.
    let conn = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", db.display()))
        .await
        .expect("open the migrated database");
    use sea_orm::ConnectionTrait;
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT name FROM sqlite_master WHERE type = 'table'",
        ))
        .await
        .expect("list tables");
    let tables: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "name").expect("name"))
        .collect();
    for table in ["accounts_user", "blog_article", "blog_comment", "blog_tag"] {
        assert!(
            tables.iter().any(|t| t == table),
            "no {table} table after migrate: {tables:?}"
        );
    }
    conn.close().await.ok();

    // A second run is a no-op that succeeds.
    let mut cmd = blog(dir.path());
    cmd.arg("migrate");
    assert_success(&run(cmd));
}

#[test]
fn database_url_environment_and_flag_choose_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = blog(dir.path());
    cmd.arg("migrate")
        .env("DATABASE_URL", "sqlite://from-env.sqlite3?mode=rwc");
    assert_success(&run(cmd));
    assert!(dir.path().join("from-env.sqlite3").is_file());
    assert!(!dir.path().join("db.sqlite3").exists());

    // --database-url wins over DATABASE_URL.
    let mut cmd = blog(dir.path());
    cmd.args([
        "--database-url",
        "sqlite://from-flag.sqlite3?mode=rwc",
        "migrate",
    ])
    .env("DATABASE_URL", "sqlite://not-this.sqlite3?mode=rwc");
    assert_success(&run(cmd));
    assert!(dir.path().join("from-flag.sqlite3").is_file());
    assert!(!dir.path().join("not-this.sqlite3").exists());
}

#[test]
fn createsuperuser_no_input_creates_then_resets_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = create_superuser(dir.path(), "first-Passw0rd");
    assert_success(&out);
    assert!(
        dir.path().join("db.sqlite3").is_file(),
        "createsuperuser migrates the default database first"
    );
    let first = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(
        first.contains("created"),
        "the first run reports a creation:\n{}",
        describe(&out)
    );

    let out = create_superuser(dir.path(), "second-Passw0rd");
    assert_success(&out);
    let second = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(
        second.contains("reset") || second.contains("already"),
        "the second run reports a password reset, not a new user:\n{}",
        describe(&out)
    );
}

#[test]
fn createsuperuser_no_input_requires_the_password_variable() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = blog(dir.path());
    cmd.args(["createsuperuser", "--no-input", "--email", EMAIL]);
    let out = run(cmd);
    assert!(
        !out.status.success(),
        "createsuperuser --no-input without SUPERUSER_PASSWORD must fail\n{}",
        describe(&out)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SUPERUSER_PASSWORD"),
        "the error must name SUPERUSER_PASSWORD:\n{}",
        describe(&out)
    );
    assert!(
        !stderr.contains("panicked"),
        "an error message, not a panic:\n{stderr}"
    );

    // An empty password is refused too.
    let out = create_superuser(dir.path(), "");
    assert!(
        !out.status.success(),
        "an empty SUPERUSER_PASSWORD must fail\n{}",
        describe(&out)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("SUPERUSER_PASSWORD"));

    // --no-input without an e-mail.
    let mut cmd = blog(dir.path());
    cmd.args(["createsuperuser", "--no-input"])
        .env("SUPERUSER_PASSWORD", "x-Passw0rd");
    let out = run(cmd);
    assert!(
        !out.status.success(),
        "--no-input without --email must fail\n{}",
        describe(&out)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--email"));

    // An invalid e-mail.
    let mut cmd = blog(dir.path());
    cmd.args(["createsuperuser", "--no-input", "--email", "not-an-email"])
        .env("SUPERUSER_PASSWORD", "x-Passw0rd");
    let out = run(cmd);
    assert!(
        !out.status.success(),
        "an invalid e-mail must fail\n{}",
        describe(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_uses_the_superuser_of_createsuperuser_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    assert_success(&create_superuser(dir.path(), "first-Passw0rd"));
    assert_success(&create_superuser(dir.path(), "second-Passw0rd"));

    let addr = format!("127.0.0.1:{}", free_port());
    let server = Server::start(dir.path(), &["serve", "--bind", &addr], &addr).await;
    // The reset password works, the old one does not.
    assert_superuser_can_work(&server.base, "second-Passw0rd").await;
    let (status, body) = obtain_token(&server.base, EMAIL, "first-Passw0rd").await;
    assert_eq!(status, 401, "the old password must be refused: {body}");

    let status = server.terminate().await;
    assert_eq!(
        status.code(),
        Some(0),
        "serve must exit 0 after SIGTERM (graceful shutdown), got {status}"
    );
    // The port is free again.
    std::net::TcpListener::bind(&addr).expect("the port is still taken after the exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_subcommand_serves_on_127_0_0_1_8000() {
    if std::net::TcpListener::bind("127.0.0.1:8000").is_err() {
        eprintln!(
            "SKIPPED no_subcommand_serves_on_127_0_0_1_8000: 127.0.0.1:8000 is in use on this machine"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    assert_success(&create_superuser(dir.path(), "default-Passw0rd"));
    let server = Server::start(dir.path(), &[], "127.0.0.1:8000").await;
    // This very process answers: the superuser of this directory's database logs in.
    assert_superuser_can_work(&server.base, "default-Passw0rd").await;
    let status = server.terminate().await;
    assert_eq!(status.code(), Some(0), "exit after SIGTERM: {status}");
}

/// A database migrated by `example_blog migrate` is served by `serve` (the API root answers with
/// absolute URLs built from the request's host).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_the_api_root_with_absolute_urls() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = blog(dir.path());
    cmd.arg("migrate");
    assert_success(&run(cmd));
    let addr = format!("127.0.0.1:{}", free_port());
    let server = Server::start(dir.path(), &["serve", "--bind", &addr], &addr).await;
    let body: Value = reqwest::get(format!("{}/api/", server.base))
        .await
        .expect("GET /api/")
        .json()
        .await
        .expect("JSON root");
    assert_eq!(
        body["articles"],
        format!("{}/api/articles/", server.base),
        "{body}"
    );
    let status = server.terminate().await;
    assert_eq!(status.code(), Some(0), "exit after SIGTERM: {status}");
}

/// With `TEST_PG_URL` (the PostgreSQL pass), `migrate` and `createsuperuser` work on an empty
/// PostgreSQL database named by `DATABASE_URL`, and `migrate` is idempotent there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_and_createsuperuser_on_postgres() {
    let Some(server) = rest_framework::test::db::postgres_url() else {
        return;
    };
    let database = rest_framework::test::db::TestDatabase::create(&server)
        .await
        .expect("a PostgreSQL test database");
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let mut cmd = blog(dir.path());
        cmd.env("DATABASE_URL", &database.url).arg("migrate");
        assert_success(&run(cmd));
    }
    let mut cmd = blog(dir.path());
    cmd.env("DATABASE_URL", &database.url)
        .env("SUPERUSER_PASSWORD", "password")
        .args(["createsuperuser", "--no-input", "--email", EMAIL]);
    assert_success(&run(cmd));
    assert!(!dir.path().join("db.sqlite3").exists());

    use sea_orm::ConnectionTrait;
    let conn = sea_orm::Database::connect(&database.url)
        .await
        .expect("connect");
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT is_superuser, is_staff FROM accounts_user WHERE email = '{EMAIL}'"),
        ))
        .await
        .expect("query")
        .expect("the superuser's row");
    assert!(row.try_get_by_index::<bool>(0).unwrap(), "is_superuser");
    assert!(row.try_get_by_index::<bool>(1).unwrap(), "is_staff");
    conn.close().await.expect("close");
}
