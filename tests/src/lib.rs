//! Test harness for the workspace-level HTTP tests.
//!
//! [`TestServer::start`] creates a fresh SQLite database in a temporary directory, migrates it,
//! builds the example blog's application and serves it over real TCP on `127.0.0.1:<random port>`
//! in a background task. Every test gets its own server and database, so tests run in parallel.
//!
//! Requests go through [`TestServer::get`] / [`TestServer::post`] / ... (JSON bodies, optional
//! bearer token) or the builder [`TestServer::request`] (any method, headers, raw bodies). They
//! return a [`Response`] that keeps the request it answers, so every assertion failure prints the
//! request, the status, the headers and the raw body.
//!
//! Reference mode: with `BLOG_TESTS_REFERENCE=<path to shared/reference/drf_blog>` (its venv set
//! up with `setup_venv.sh`; `DRF_REF_HOME` is honoured), every test runs against a fresh DRF
//! reference server (`serve.sh`) instead of the Rust blog, to check the tests themselves. The
//! direct database helpers then use Django's schema, and users are created with `manage.py`.
//!
//! Bodies are compared on the wire: [`Response::assert_json`] checks the status, that the body is
//! compact JSON (as DRF sends it), that the values are equal and that every object's keys come in
//! the expected order.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rest_framework::test::db::TestDatabase;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

pub use serde_json::{Value, json};

/// Texts of the contract (`shared/api/OBSERVED.md`) used by several test files.
pub mod msg {
    pub const NOT_AUTHENTICATED: &str = "Authentication credentials were not provided.";
    pub const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";
    pub const NO_ARTICLE: &str = "No Article matches the given query.";
    pub const NOT_FOUND: &str = "Not found.";
    pub const INVALID_PAGE: &str = "Invalid page.";
    pub const REQUIRED: &str = "This field is required.";
    pub const BLANK: &str = "This field may not be blank.";
    pub const NULL: &str = "This field may not be null.";
    pub const NOT_A_STRING: &str = "Not a valid string.";
    pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"api\"";
    pub const ALLOW_LIST: &str = "GET, POST, HEAD, OPTIONS";
    pub const ALLOW_DETAIL: &str = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";
}

/// The DRF reference's default `SECRET_KEY` (also its JWT signing key).
const REFERENCE_SECRET_KEY: &str =
    "drf-blog-reference-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz";

/// Builds an application for [`TestServer::start_blog_app`] from the database and the test
/// config.
pub type AppBuilder = fn(
    DatabaseConnection,
    &example_blog::config::Config,
) -> rest_framework::poem::endpoint::BoxEndpoint<'static>;

/// Small applications built only with the framework's public API, for the features the blog
/// does not use.
pub mod apps;

enum Backend {
    /// The Rust blog, served in a background task.
    Rust(tokio::task::JoinHandle<()>),
    /// A DRF reference server (`serve.sh`), see the module docs.
    Reference {
        child: std::process::Child,
        drf_dir: PathBuf,
        db_path: PathBuf,
    },
}

/// A running blog server with its own database.
pub struct TestServer {
    /// A connection to the server's database, for direct setup and checks.
    pub db: DatabaseConnection,
    /// The key that signs the server's JWTs (the app's `secret_key`).
    pub secret_key: String,
    port: u16,
    client: reqwest::Client,
    backend: Backend,
    /// Counts the SQL statements of the server's connection ([`TestServer::start_counting`]).
    statements: Option<StatementCounter>,
    _dir: tempfile::TempDir,
    /// The test's PostgreSQL database (`TEST_PG_URL`), dropped after the server stops.
    _postgres: Option<TestDatabase>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        match &mut self.backend {
            Backend::Rust(server) => server.abort(),
            Backend::Reference { child, .. } => {
                // serve.sh execs gunicorn: TERM stops the master and its workers.
                let _ = std::process::Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status();
                let _ = child.wait();
            }
        }
    }
}

impl TestServer {
    /// Starts the blog on a fresh, migrated SQLite database and a random local port (or a DRF
    /// reference server, see the module docs).
    pub async fn start() -> TestServer {
        Self::start_with(false).await
    }

    /// [`TestServer::start`], with every SQL statement of the database connection (the server's
    /// and the test's own, [`TestServer::db`]) recorded: see [`TestServer::statements`]. Not
    /// available in reference mode (the counter stays empty; check [`TestServer::is_reference`]).
    pub async fn start_counting() -> TestServer {
        Self::start_with(true).await
    }

    async fn start_with(count_statements: bool) -> TestServer {
        if let Some(drf_dir) = std::env::var_os("BLOG_TESTS_REFERENCE") {
            return Self::start_reference_at(Path::new(&drf_dir)).await;
        }
        Self::start_rust(count_statements).await
    }

    async fn start_rust(count_statements: bool) -> TestServer {
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let path = dir.path().join("db.sqlite3");
        let client = http_client();
        let (database_url, postgres) = test_database(&path).await;
        let mut config = example_blog::config::Config::for_tests(&database_url);
        config.email_file_path = Some(dir.path().join("mail"));
        let mut db = example_blog::db::connect(&database_url)
            .await
            .unwrap_or_else(|e| panic!("example_blog::db::connect({database_url}) failed: {e}"));
        if postgres.is_none() {
            example_blog::db::migrate(&db)
                .await
                .unwrap_or_else(|e| panic!("example_blog::db::migrate failed: {e}"));
        }
        // Before `build_app`: the app's clones of the connection share the callback.
        let statements = count_statements.then(StatementCounter::default);
        if let Some(counter) = &statements {
            let counter = counter.clone();
            db.set_metric_callback(move |info| counter.record(&info.statement.sql));
        }
        let app = example_blog::api::build_app(db.clone(), &config)
            .await
            .unwrap_or_else(|e| panic!("example_blog::api::build_app failed: {e}"));
        let (port, server) = serve(app).await;

        TestServer {
            db,
            secret_key: config.secret_key.to_string(),
            port,
            client,
            backend: Backend::Rust(server),
            statements,
            _dir: dir,
            _postgres: postgres,
        }
    }

    /// A server for an application other than the blog (framework features the blog does not
    /// mount): a fresh migrated blog database, served by the endpoint that `build` makes from
    /// the connection and the test configuration. Not available in reference mode.
    pub async fn start_blog_app<F>(build: F) -> TestServer
    where
        F: FnOnce(
            DatabaseConnection,
            &example_blog::config::Config,
        ) -> rest_framework::poem::endpoint::BoxEndpoint<'static>,
    {
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let (database_url, postgres) = test_database(&dir.path().join("db.sqlite3")).await;
        let config = example_blog::config::Config::for_tests(&database_url);
        let db = example_blog::db::connect(&database_url)
            .await
            .unwrap_or_else(|e| panic!("example_blog::db::connect({database_url}) failed: {e}"));
        if postgres.is_none() {
            example_blog::db::migrate(&db)
                .await
                .unwrap_or_else(|e| panic!("example_blog::db::migrate failed: {e}"));
        }
        let (port, server) = serve(build(db.clone(), &config)).await;
        TestServer {
            db,
            secret_key: config.secret_key.to_string(),
            port,
            client: http_client(),
            backend: Backend::Rust(server),
            statements: None,
            _dir: dir,
            _postgres: postgres,
        }
    }
}

impl TestServer {
    async fn start_reference(
        drf_dir: PathBuf,
        dir: tempfile::TempDir,
        db_path: PathBuf,
        client: reqwest::Client,
    ) -> TestServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("cannot find a free port")
            .port();
        let log = std::fs::File::create(dir.path().join("server.log")).expect("server log");
        let mut child = std::process::Command::new("bash")
            .arg(drf_dir.join("serve.sh"))
            .args([port.to_string(), "1".to_string()])
            .env("BLOG_DB_PATH", &db_path)
            .stdout(log.try_clone().expect("server log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}/serve.sh: {e}", drf_dir.display()));
        let root = format!("http://127.0.0.1:{port}/api/");
        let mut ready = false;
        for _ in 0..240 {
            if client.get(&root).send().await.is_ok() {
                ready = true;
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the reference server exited ({status}):\n{}",
                    std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        if !ready {
            let _ = child.kill();
            panic!("the reference server did not answer {root} within 60 s");
        }
        let url = format!("sqlite://{}?mode=rw", db_path.display());
        let db = sea_orm::Database::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open the reference database {url}: {e}"));
        TestServer {
            db,
            secret_key: std::env::var("DJANGO_SECRET_KEY")
                .unwrap_or_else(|_| REFERENCE_SECRET_KEY.to_string()),
            port,
            client,
            backend: Backend::Reference {
                child,
                drf_dir,
                db_path,
            },
            statements: None,
            _dir: dir,
            _postgres: None,
        }
    }

    /// Starts a fresh DRF reference server from `drf_dir` (`shared/reference/drf_blog`) whatever
    /// `BLOG_TESTS_REFERENCE` says, on a free port and a new database.
    pub async fn start_reference_at(drf_dir: &Path) -> TestServer {
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let path = dir.path().join("db.sqlite3");
        Self::start_reference(drf_dir.to_path_buf(), dir, path, http_client()).await
    }

    /// Starts the Rust blog on a fresh, migrated SQLite database whatever
    /// `BLOG_TESTS_REFERENCE` says.
    pub async fn start_blog() -> TestServer {
        Self::start_rust(false).await
    }

    /// The statement counter of a server started with [`TestServer::start_counting`]; panics
    /// otherwise.
    pub fn statements(&self) -> &StatementCounter {
        self.statements
            .as_ref()
            .expect("SQL statements are only recorded by TestServer::start_counting (Rust blog)")
    }

    /// Whether the server is the DRF reference (see the module docs).
    pub fn is_reference(&self) -> bool {
        matches!(self.backend, Backend::Reference { .. })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    /// A request builder for any method.
    pub fn request(&self, method: &str, path: &str) -> Req<'_> {
        Req {
            server: self,
            method: method.to_string(),
            path: path.to_string(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request("GET", path).bearer_opt(token).send().await
    }

    pub async fn head(&self, path: &str, token: Option<&str>) -> Response {
        self.request("HEAD", path).bearer_opt(token).send().await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request("POST", path)
            .bearer_opt(token)
            .json(body)
            .send()
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request("PUT", path)
            .bearer_opt(token)
            .json(body)
            .send()
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request("PATCH", path)
            .bearer_opt(token)
            .json(body)
            .send()
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request("DELETE", path).bearer_opt(token).send().await
    }

    /// Creates an active, non-staff user directly in the database; returns its id.
    pub async fn create_user(&self, email: &str, password: &str) -> i64 {
        self.create_user_with(email, password, false).await
    }

    /// Creates an active staff user directly in the database; returns its id.
    pub async fn create_staff_user(&self, email: &str, password: &str) -> i64 {
        self.create_user_with(email, password, true).await
    }

    async fn create_user_with(&self, email: &str, password: &str, is_staff: bool) -> i64 {
        if let Backend::Reference {
            drf_dir, db_path, ..
        } = &self.backend
        {
            let code = format!(
                "from accounts.models import User; print(User.objects.create_user(email={}, \
                 password={}, is_staff={}).id)",
                py_str(email),
                py_str(password),
                if is_staff { "True" } else { "False" }
            );
            let out = manage_py(drf_dir, db_path, &["shell", "-c", &code]).await;
            // The last line (Django's shell may print a banner first).
            return out
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default()
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("manage.py shell printed {out:?}, not a user id"));
        }
        example_blog::accounts::create_user(&self.db, email, password, is_staff)
            .await
            .unwrap_or_else(|e| panic!("create_user({email}, staff={is_staff}) failed: {e}"))
            .id
    }

    /// `POST /api/token/` and returns `(refresh, access)`; panics unless it answers 200.
    pub async fn token_pair(&self, email: &str, password: &str) -> (String, String) {
        let r = self
            .post(
                "/api/token/",
                None,
                &json!({"email": email, "password": password}),
            )
            .await;
        r.assert_status(200);
        let body = r.json();
        let get = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .unwrap_or_else(|| {
                    panic!("no string {k:?} in the token response\n{}", r.describe())
                })
                .to_string()
        };
        (get("refresh"), get("access"))
    }

    /// `POST /api/token/` and returns the access token.
    pub async fn token(&self, email: &str, password: &str) -> String {
        self.token_pair(email, password).await.1
    }

    /// Creates a user with the password `password123!` and returns `(id, access token)`.
    pub async fn user_with_token(&self, email: &str) -> (i64, String) {
        let id = self.create_user(email, "password123!").await;
        let token = self.token(email, "password123!").await;
        (id, token)
    }

    /// Inserts a tag row directly; returns its id.
    pub async fn create_tag(&self, name: &str) -> i64 {
        if self.is_reference() {
            return self
                .sql_insert(&format!(
                    "INSERT INTO blog_tag (name) VALUES ({})",
                    sql_str(name)
                ))
                .await;
        }
        example_blog::entities::tag::ActiveModel {
            name: Set(name.to_string()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap_or_else(|e| panic!("inserting tag {name:?} failed: {e}"))
        .id
    }

    /// Inserts a comment row directly with the given timestamps (RFC 3339); returns its id.
    pub async fn create_comment(
        &self,
        article_id: i64,
        user_id: i64,
        content: &str,
        created_at: &str,
        updated_at: &str,
    ) -> i64 {
        let (created, updated) = (parse_datetime(created_at), parse_datetime(updated_at));
        if self.is_reference() {
            return self
                .sql_insert(&format!(
                    "INSERT INTO blog_comment (content, created_at, updated_at, article_id, \
                     user_id) VALUES ({}, {}, {}, {article_id}, {user_id})",
                    sql_str(content),
                    django_datetime(created),
                    django_datetime(updated)
                ))
                .await;
        }
        example_blog::entities::comment::ActiveModel {
            article_id: Set(article_id),
            user_id: Set(user_id),
            content: Set(content.to_string()),
            created_at: Set(created),
            updated_at: Set(updated),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap_or_else(|e| panic!("inserting comment {content:?} failed: {e}"))
        .id
    }

    /// Sets an article's `created_at` directly in the database.
    pub async fn set_article_created_at(&self, article_id: i64, created_at: &str) {
        let at = parse_datetime(created_at);
        if self.is_reference() {
            self.sql_exec(&format!(
                "UPDATE blog_article SET created_at = {} WHERE id = {article_id}",
                django_datetime(at)
            ))
            .await;
            return;
        }
        example_blog::entities::article::ActiveModel {
            id: Set(article_id),
            created_at: Set(at),
            ..Default::default()
        }
        .update(&self.db)
        .await
        .unwrap_or_else(|e| panic!("updating article {article_id}: {e}"));
    }

    /// The number of articles in the database.
    pub async fn count_articles(&self) -> u64 {
        if self.is_reference() {
            return self
                .sql_count("SELECT COUNT(*) AS n FROM blog_article")
                .await;
        }
        example_blog::entities::article::Entity::find()
            .count(&self.db)
            .await
            .expect("counting articles")
    }

    /// The number of comments in the database (of one article, or all of them).
    pub async fn count_comments(&self, article_id: Option<i64>) -> u64 {
        if self.is_reference() {
            let filter = article_id
                .map(|id| format!(" WHERE article_id = {id}"))
                .unwrap_or_default();
            return self
                .sql_count(&format!("SELECT COUNT(*) AS n FROM blog_comment{filter}"))
                .await;
        }
        use example_blog::entities::comment;
        let mut q = comment::Entity::find();
        if let Some(id) = article_id {
            q = q.filter(comment::Column::ArticleId.eq(id));
        }
        q.count(&self.db).await.expect("counting comments")
    }

    /// Creates an article over HTTP (`POST /api/articles/`), asserts 201, returns the body.
    pub async fn create_article(
        &self,
        token: &str,
        title: &str,
        content: &str,
        tags: &[i64],
    ) -> Value {
        let r = self
            .post(
                "/api/articles/",
                Some(token),
                &json!({"title": title, "content": content, "tags": tags}),
            )
            .await;
        r.assert_status(201);
        r.json()
    }

    /// Signs arbitrary JWT claims with the app's secret key (HS256).
    pub fn sign_token(&self, claims: &Value) -> String {
        sign_token(claims, self.secret_key.as_bytes())
    }

    async fn sql_exec(&self, sql: &str) -> sea_orm::ExecResult {
        self.db
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("SQL failed: {sql}\n{e}"))
    }

    async fn sql_insert(&self, sql: &str) -> i64 {
        self.sql_exec(sql).await.last_insert_id() as i64
    }

    async fn sql_count(&self, sql: &str) -> u64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap_or_else(|e| panic!("SQL failed: {sql}\n{e}"))
            .expect("COUNT returned no row");
        row.try_get::<i64>("", "n").expect("COUNT column") as u64
    }

    /// The number of rows in a table (same SQL on the blog and the reference).
    pub async fn count_rows(&self, table: &str) -> u64 {
        self.sql_count(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .await
    }
}

impl TestServer {
    /// Serves an application other than the blog (built with the framework's public API by
    /// `build` from a connection to a fresh, empty SQLite database) over real HTTP. Always the
    /// Rust code, also in reference mode.
    pub async fn start_app(
        build: impl AsyncFnOnce(DatabaseConnection) -> AppEndpoint,
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let path = dir.path().join("db.sqlite3");
        Self::start_app_at(&format!("sqlite://{}?mode=rwc", path.display()), dir, build).await
    }

    /// Another server of an application on this server's database, through a connection
    /// pool of its own: a second process of the same app. Keep `self` alive while it runs.
    pub async fn start_app_sharing_database(
        &self,
        build: impl AsyncFnOnce(DatabaseConnection) -> AppEndpoint,
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            self._dir.path().join("db.sqlite3").display()
        );
        Self::start_app_at(&url, dir, build).await
    }

    async fn start_app_at(
        database_url: &str,
        dir: tempfile::TempDir,
        build: impl AsyncFnOnce(DatabaseConnection) -> AppEndpoint,
    ) -> TestServer {
        let db = example_blog::db::connect(database_url)
            .await
            .unwrap_or_else(|e| panic!("connecting to {database_url} failed: {e}"));
        let (port, server) = serve(build(db.clone()).await).await;
        TestServer {
            db,
            secret_key: example_blog::config::DEV_SECRET_KEY.to_string(),
            port,
            client: http_client(),
            backend: Backend::Rust(server),
            statements: None,
            _dir: dir,
            _postgres: None,
        }
    }
}

/// A poem application served by [`TestServer::start_app`].
pub type AppEndpoint = rest_framework::poem::endpoint::BoxEndpoint<'static>;

/// Serves `app` on `127.0.0.1:<random port>` in a background task, with the framework's
/// server (`rest_framework::server`) and its default settings.
async fn serve(app: AppEndpoint) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("cannot bind 127.0.0.1:0");
    let port = listener
        .local_addr()
        .expect("the listener has no address")
        .port();
    let server = tokio::spawn(async move {
        let settings = rest_framework::server::ServerSettings::default();
        if let Err(e) =
            rest_framework::server::serve(listener, app, &settings, std::future::pending()).await
        {
            eprintln!("test server stopped: {e}");
        }
    });
    (port, server)
}

/// The harness's HTTP client: no redirects followed, a 60 s timeout.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("cannot build the HTTP client")
}

/// The SQL statements run on a database connection, recorded by sea-orm's metric callback
/// (one entry per statement executed or queried; transaction control is not included).
#[derive(Clone, Default)]
pub struct StatementCounter {
    statements: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl StatementCounter {
    fn record(&self, sql: &str) {
        self.lock().push(sql.to_string());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.statements
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets the statements recorded so far.
    pub fn reset(&self) {
        self.lock().clear();
    }

    /// The number of statements recorded since the last reset.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// The SQL texts recorded since the last reset, in order.
    pub fn statements(&self) -> Vec<String> {
        self.lock().clone()
    }

    /// Empties the record and returns what it held.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lock())
    }
}

/// Runs `manage.py ARGS` of the reference (via `manage.sh`) on its database; returns stdout.
async fn manage_py(drf_dir: &Path, db_path: &Path, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(drf_dir.join("manage.sh"))
        .arg("0")
        .args(args)
        .env("BLOG_DB_PATH", db_path);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("manage.py task")
        .expect("cannot run manage.sh");
    if !out.status.success() {
        panic!(
            "manage.py {args:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn py_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// How Django stores a datetime in SQLite (naive UTC, `str(datetime)`).
fn django_datetime(at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    if at.nanosecond() / 1000 == 0 {
        format!("'{}'", at.format("%Y-%m-%d %H:%M:%S"))
    } else {
        format!("'{}'", at.format("%Y-%m-%d %H:%M:%S%.6f"))
    }
}

/// Signs arbitrary JWT claims with HS256 and the given key.
pub fn sign_token(claims: &Value, key: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(key),
    )
    .expect("cannot sign a JWT")
}

/// A request being built; see [`TestServer::request`].
pub struct Req<'a> {
    server: &'a TestServer,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Req<'_> {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn bearer_opt(self, token: Option<&str>) -> Self {
        match token {
            Some(t) => self.bearer(t),
            None => self,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(self, body: &Value) -> Self {
        self.raw_body(
            "application/json",
            serde_json::to_vec(body).expect("cannot serialize the request body"),
        )
    }

    /// A raw body with the given content type.
    pub fn raw_body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.headers
            .push(("Content-Type".to_string(), content_type.to_string()));
        self.body = Some(body.into());
        self
    }

    pub async fn send(self) -> Response {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).expect("bad method");
        let mut rb = self
            .server
            .client
            .request(method, self.server.url(&self.path));
        for (k, v) in &self.headers {
            rb = rb.header(k, v);
        }
        let request_body = self
            .body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned());
        if let Some(b) = self.body {
            rb = rb.body(b);
        }
        let request = format!(
            "{} {}{}{}",
            self.method,
            self.path,
            self.headers
                .iter()
                .map(|(k, v)| format!("\n  {k}: {v}"))
                .collect::<String>(),
            request_body
                .map(|b| format!("\n  body: {b}"))
                .unwrap_or_default()
        );
        let resp = rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed (did the server panic?): {request}\n{e:?}"));
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("reading the response body failed: {request}\n{e:?}"));
        Response {
            request,
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            raw_len: bytes.len(),
        }
    }
}

/// A response with the request it answers (for failure messages).
pub struct Response {
    /// A description of the request: method, path, headers, body.
    pub request: String,
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// The body as text (lossy UTF-8).
    pub text: String,
    /// The body's length in bytes.
    pub raw_len: usize,
}

impl Response {
    /// Request, status, headers and body, for failure messages.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "--- request ---\n{}\n--- response ---\nstatus {}\n",
            self.request, self.status
        );
        for (k, v) in &self.headers {
            let _ = writeln!(s, "{k}: {}", v.to_str().unwrap_or("<non-ascii>"));
        }
        let _ = write!(s, "body ({} bytes): {}", self.raw_len, self.text);
        s
    }

    /// The body parsed as JSON; panics with the whole response if it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("the response body is not JSON ({e})\n{}", self.describe()))
    }

    /// The keys of the top-level JSON object, in wire order.
    pub fn keys(&self) -> Vec<String> {
        match self.json() {
            Value::Object(m) => m.keys().cloned().collect(),
            _ => panic!(
                "the response body is not a JSON object\n{}",
                self.describe()
            ),
        }
    }

    /// The value of a header (all values joined with `, ` if it is repeated).
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(", "))
        }
    }

    /// Every value of a repeated header (such as `Set-Cookie`), in order.
    pub fn header_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }

    pub fn assert_status(&self, expected: u16) -> &Self {
        if self.status != expected {
            panic!(
                "expected status {expected}, got {}\n{}",
                self.status,
                self.describe()
            );
        }
        self
    }

    /// Status, and the body equal to `expected` on the wire: same values, same key order in
    /// every object, compact JSON.
    pub fn assert_json(&self, status: u16, expected: &Value) -> &Self {
        let actual: Value = match serde_json::from_str(&self.text) {
            Ok(v) => v,
            Err(e) => panic!(
                "expected status {status} and body\n{}\nbut the body is not JSON ({e})\n{}",
                compact(expected),
                self.describe()
            ),
        };
        let mut problems = Vec::new();
        if self.status != status {
            problems.push(format!("status: expected {status}, got {}", self.status));
        }
        if let Some(diff) = json_diff(&actual, expected, "$") {
            problems.push(format!("body differs: {diff}"));
        } else if self.text != compact(&actual) {
            problems.push(
                "body has the right content but is not compact JSON with raw UTF-8 (DRF sends \
                 `{\"a\":1,\"b\":[1,2]}`)"
                    .to_string(),
            );
        }
        if !problems.is_empty() {
            panic!(
                "{}\nexpected body: {}\n  actual body: {}\n{}",
                problems.join("\n"),
                compact(expected),
                self.text,
                self.describe()
            );
        }
        self
    }

    /// `{"detail": <detail>}` with the given status.
    pub fn assert_detail(&self, status: u16, detail: &str) -> &Self {
        self.assert_json(status, &json!({ "detail": detail }))
    }

    pub fn assert_header(&self, name: &str, expected: &str) -> &Self {
        match self.header(name) {
            Some(v) if v == expected => self,
            Some(v) => panic!(
                "header {name}: expected {expected:?}, got {v:?}\n{}",
                self.describe()
            ),
            None => panic!(
                "header {name}: expected {expected:?}, but it is missing\n{}",
                self.describe()
            ),
        }
    }

    pub fn assert_no_header(&self, name: &str) -> &Self {
        if let Some(v) = self.header(name) {
            panic!(
                "header {name} must be absent, got {v:?}\n{}",
                self.describe()
            );
        }
        self
    }

    /// `Content-Type: application/json` exactly (no charset parameter).
    pub fn assert_json_content_type(&self) -> &Self {
        self.assert_header("content-type", "application/json")
    }

    /// 401 `Authentication credentials were not provided.` with `WWW-Authenticate`.
    pub fn assert_not_authenticated(&self) -> &Self {
        self.assert_detail(401, msg::NOT_AUTHENTICATED)
            .assert_header("www-authenticate", msg::WWW_AUTHENTICATE)
    }

    /// 403 `You do not have permission to perform this action.` without `WWW-Authenticate`.
    pub fn assert_permission_denied(&self) -> &Self {
        self.assert_detail(403, msg::PERMISSION_DENIED)
            .assert_no_header("www-authenticate")
    }
}

/// Compact serialization (what DRF puts on the wire).
pub fn compact(v: &Value) -> String {
    serde_json::to_string(v).expect("cannot serialize JSON")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The first difference between two JSON values, key order included; `None` if identical.
pub fn json_diff(actual: &Value, expected: &Value, path: &str) -> Option<String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let ak: Vec<&String> = a.keys().collect();
            let ek: Vec<&String> = e.keys().collect();
            if ak != ek {
                let missing: Vec<&&String> = ek.iter().filter(|k| !a.contains_key(**k)).collect();
                let extra: Vec<&&String> = ak.iter().filter(|k| !e.contains_key(**k)).collect();
                return Some(if missing.is_empty() && extra.is_empty() {
                    format!("at {path}: keys in the wrong order: expected {ek:?}, got {ak:?}")
                } else {
                    format!(
                        "at {path}: keys expected {ek:?}, got {ak:?} (missing {missing:?}, unexpected {extra:?})"
                    )
                });
            }
            for (k, ev) in e {
                if let Some(d) = json_diff(&a[k], ev, &format!("{path}.{k}")) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                return Some(format!(
                    "at {path}: expected an array of {} items, got {}: expected {}, got {}",
                    e.len(),
                    a.len(),
                    compact(expected),
                    compact(actual)
                ));
            }
            a.iter()
                .zip(e)
                .enumerate()
                .find_map(|(i, (av, ev))| json_diff(av, ev, &format!("{path}[{i}]")))
        }
        _ if actual == expected => None,
        _ if type_name(actual) != type_name(expected) => Some(format!(
            "at {path}: expected {} {}, got {} {}",
            type_name(expected),
            compact(expected),
            type_name(actual),
            compact(actual)
        )),
        _ => Some(format!(
            "at {path}: expected {}, got {}",
            compact(expected),
            compact(actual)
        )),
    }
}

/// Checks that `v` is a DRF datetime (`2026-11-23T00:29:22.552575Z`: UTC, `Z`, six fraction
/// digits or none when the fraction is zero) and returns it. `what` names it in the failure.
pub fn drf_datetime(v: &Value, what: &str) -> String {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("{what}: expected a datetime string, got {v}"));
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let head_ok = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    let tail = &s[19.min(s.len())..];
    let tail_ok = tail == "Z"
        || (tail.len() == 8
            && tail.starts_with('.')
            && tail.ends_with('Z')
            && tail[1..7].bytes().all(|c| c.is_ascii_digit())
            && &tail[1..7] != "000000");
    if !(head_ok && tail_ok) {
        panic!(
            "{what}: {s:?} is not a DRF datetime (expected `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC with \
             `Z`, six fraction digits, fraction omitted when zero)"
        );
    }
    s.to_string()
}

/// Parses an RFC 3339 datetime (`...Z` accepted) into UTC.
pub fn parse_datetime(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s:?} is not an RFC 3339 datetime: {e}"))
        .with_timezone(&chrono::Utc)
}

/// The `i64` at `v`, or a panic naming `what`.
pub fn as_id(v: &Value, what: &str) -> i64 {
    v.as_i64()
        .unwrap_or_else(|| panic!("{what}: expected an integer id, got {v}"))
}

/// Decodes one base64url (no padding) segment of a JWT.
pub fn base64url_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("{s:?} is not base64url (no padding)"),
        }
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        acc = (acc << 6) | val(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The header and payload of a JWT, as JSON (key order preserved).
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(
        parts.len(),
        3,
        "{token:?} is not a JWT (three dot-separated parts)"
    );
    let decode = |p: &str, what: &str| -> Value {
        serde_json::from_slice(&base64url_decode(p))
            .unwrap_or_else(|e| panic!("JWT {what} of {token:?} is not JSON: {e}"))
    };
    (decode(parts[0], "header"), decode(parts[1], "payload"))
}

/// Django sessions and CSRF (OBSERVED.md 3.1, 3.2): session rows written straight into the
/// server's database in Django's format, by the framework's `sessions::login`.
impl TestServer {
    /// The framework state over the server's database, with its secret key.
    fn session_state(&self) -> rest_framework::settings::AppState {
        let settings = rest_framework::settings::Settings::new(self.secret_key.as_bytes().to_vec());
        rest_framework::settings::AppState::new::<example_blog::entities::user::Entity>(
            self.db.clone(),
            settings,
        )
    }

    /// Logs `user_id` in with `rest_framework::contrib::sessions::login` (as a login view does) and
    /// returns the cookies it sets: `(csrftoken secret, sessionid key)`. Django reads the row too.
    pub async fn session_login(&self, user_id: i64) -> (String, String) {
        let state = self.session_state();
        let user = state
            .user_by_id(user_id)
            .await
            .expect("user query")
            .unwrap_or_else(|| panic!("no user {user_id}"));
        let ctx = rest_framework::request::RequestContext::new(
            state.clone(),
            rest_framework::poem::http::Method::POST,
            "/login/".parse().expect("uri"),
            Default::default(),
            Vec::new(),
        );
        let cookies = rest_framework::contrib::sessions::login(&state, &ctx, &user)
            .await
            .unwrap_or_else(|e| panic!("sessions::login({user_id}) failed: {e}"));
        let value = |name: &str| {
            cookies
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.value.clone())
                .unwrap_or_else(|| panic!("login set no {name} cookie: {cookies:?}"))
        };
        (value("csrftoken"), value("sessionid"))
    }

    /// A session of `user_id` (Django's three `_auth_user_*` keys) that expires at `expire`;
    /// returns its key.
    pub async fn session_expiring(
        &self,
        user_id: i64,
        expire: chrono::DateTime<chrono::Utc>,
    ) -> String {
        use rest_framework::contrib::sessions::{self, SessionData};
        let state = self.session_state();
        let hash = state
            .users
            .password_hash_by_id(&state.db, user_id)
            .await
            .expect("user query")
            .unwrap_or_else(|| panic!("no user {user_id}"));
        let mut data = SessionData::new();
        data.insert(sessions::SESSION_KEY.into(), json!(user_id.to_string()));
        data.insert(
            sessions::BACKEND_SESSION_KEY.into(),
            json!(sessions::MODEL_BACKEND),
        );
        data.insert(
            sessions::HASH_SESSION_KEY.into(),
            json!(sessions::session_auth_hash(
                self.secret_key.as_bytes(),
                &hash
            )),
        );
        sessions::create_expiring(&state, &data, expire)
            .await
            .unwrap_or_else(|e| panic!("cannot store a session: {e}"))
    }
}

impl Req<'_> {
    /// `Cookie: name=value; ...`.
    pub fn cookies(self, cookies: &[(&str, &str)]) -> Self {
        let header = cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        self.header("Cookie", &header)
    }
}

/// E-mail sent by the server under test (the blog writes it to a file backend in the test's
/// temporary directory).
impl TestServer {
    /// The messages sent so far, oldest first, as written (MIME headers, blank line, body),
    /// with quoted-printable bodies decoded. Empty in reference mode (the reference prints
    /// mail to its log).
    pub fn sent_mail(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self._dir.path().join("mail")) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort_by_key(|path| {
            // `<date>-<time>-<pid>-<number>.log`: order by the backend's counter.
            path.file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.rsplit('-').next())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or_default()
        });
        files
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                if text.contains("Content-Transfer-Encoding: quoted-printable") {
                    rest_framework::contrib::mail::decode_quoted_printable(&text)
                } else {
                    text
                }
            })
            .collect()
    }
}

/// The `DATABASE_URL` of a new test server: a fresh SQLite file at `sqlite_path`, or, when
/// `TEST_PG_URL` names a PostgreSQL server, a copy of the migrated template database (see
/// `rest_framework::test::db`), already migrated.
async fn test_database(sqlite_path: &Path) -> (String, Option<TestDatabase>) {
    let Some(server) = rest_framework::test::db::postgres_url() else {
        return (format!("sqlite://{}?mode=rwc", sqlite_path.display()), None);
    };
    let database = TestDatabase::from_template(&server, "example_blog", |url| async move {
        let db = example_blog::db::connect(&url).await?;
        example_blog::db::migrate(&db).await?;
        db.close().await
    })
    .await
    .unwrap_or_else(|e| panic!("cannot create a test database on {server} (TEST_PG_URL): {e}"));
    (database.url.clone(), Some(database))
}
