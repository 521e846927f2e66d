//! Test databases on PostgreSQL, as Django's test runner creates them: every test gets a
//! database of its own on the server named by [`TEST_PG_URL`], and the database is dropped
//! again when the test ends.
//!
//! Tests choose the engine from the environment: without `TEST_PG_URL` they use SQLite (a file
//! or `sqlite::memory:`, the caller's choice); with `TEST_PG_URL=postgres://user@host:port/db`
//! (a role allowed to `CREATE DATABASE`; `db` is only used to connect) they call
//! [`TestDatabase::create`] or, for a migrated schema, [`TestDatabase::from_template`]: the
//! schema is migrated once per test process into a template database and every test gets a
//! copy (`CREATE DATABASE ... TEMPLATE ...`), which is much faster than migrating each time.
//!
//! Database names are `rftest_<unix seconds>_<pid>_<n>`, so parallel tests and parallel test
//! processes never share one. A test process has no "at exit" to drop its template (or the
//! databases of tests it was killed in), so each process holds a session-level advisory lock
//! named after its `rftest_<unix seconds>_<pid>` prefix on a connection that lives as long
//! as the process; when a process creates its first template it drops the databases of every
//! prefix whose lock it can take, i.e. whose process is gone.

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, Statement};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that names the PostgreSQL server the tests use.
pub const TEST_PG_URL: &str = "TEST_PG_URL";

const PREFIX: &str = "rftest_";

/// `TEST_PG_URL`, if the tests run on PostgreSQL (unset or empty: SQLite).
pub fn postgres_url() -> Option<String> {
    std::env::var(TEST_PG_URL)
        .ok()
        .filter(|url| !url.is_empty())
}

/// A database of one test on the PostgreSQL server of [`TEST_PG_URL`]; dropped (with
/// `WITH (FORCE)`, which ends the connections still open to it) when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    /// The database's URL: the server URL with the database name replaced.
    pub url: String,
    /// The database's name.
    pub name: String,
    server_url: String,
}

impl TestDatabase {
    /// Creates an empty database on the server `server_url`.
    pub async fn create(server_url: &str) -> Result<TestDatabase, DbErr> {
        Self::create_from(server_url, None).await
    }

    /// Creates a copy of the template database `key` on the server `server_url`. The first
    /// call of the process for a `key` creates the template: an empty database that
    /// `migrate` receives the URL of (it must close its connections before it returns, a
    /// template with open connections cannot be copied).
    pub async fn from_template<F, Fut>(
        server_url: &str,
        key: &str,
        migrate: F,
    ) -> Result<TestDatabase, DbErr>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<(), DbErr>>,
    {
        let template = template(server_url, key, migrate).await?;
        Self::create_from(server_url, Some(&template)).await
    }

    /// Keeps the database after this value is gone and returns its URL: for tests that only
    /// keep a connection. The first test process that starts after this one has ended drops it.
    pub fn keep(self) -> String {
        let database = std::mem::ManuallyDrop::new(self);
        database.url.clone()
    }

    async fn create_from(server_url: &str, template: Option<&str>) -> Result<TestDatabase, DbErr> {
        claim_process_prefix(server_url).await?;
        let name = unique_name();
        let sql = match template {
            Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        let admin = connect_admin(server_url).await?;
        let result = admin.execute_unprepared(&sql).await;
        let _ = admin.close().await;
        result?;
        Ok(TestDatabase {
            url: database_url(server_url, &name),
            name,
            server_url: server_url.to_string(),
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs in async tests (inside a runtime) and during panics: a thread with its own
        // runtime does the work, and failures are only reported.
        let (server_url, name) = (self.server_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            runtime.block_on(drop_database(&server_url, &name))
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("cannot drop the test database {}: {e}", self.name);
        }
    }
}

/// The URL of a fresh, empty database for one test: `sqlite_url` on SQLite (without
/// [`TEST_PG_URL`]), or a new PostgreSQL database, kept until the test process ends
/// ([`TestDatabase::keep`]).
pub async fn fresh_database_url(sqlite_url: &str) -> Result<String, DbErr> {
    match postgres_url() {
        Some(server) => Ok(TestDatabase::create(&server).await?.keep()),
        None => Ok(sqlite_url.to_string()),
    }
}

/// One connection to the server's maintenance database (the database of `server_url`).
async fn connect_admin(server_url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(server_url);
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    Database::connect(options).await
}

async fn drop_database(server_url: &str, name: &str) -> Result<(), DbErr> {
    let admin = connect_admin(server_url).await?;
    let result = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await;
    let _ = admin.close().await;
    result.map(|_| ())
}

/// The template of `key` for `server_url`, created (and migrated) on first use.
async fn template<F, Fut>(server_url: &str, key: &str, migrate: F) -> Result<String, DbErr>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<(), DbErr>>,
{
    // Tests run on several runtimes (one per `#[tokio::test]`): a tokio mutex works across
    // them; the map itself is only touched under it.
    static CREATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    static TEMPLATES: OnceLock<Mutex<HashMap<(String, String), String>>> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(Default::default);
    let map_key = (server_url.to_string(), key.to_string());
    let known = |templates: &Mutex<HashMap<(String, String), String>>| {
        templates
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&map_key)
            .cloned()
    };
    if let Some(name) = known(templates) {
        return Ok(name);
    }
    let _creating = CREATING.lock().await;
    if let Some(name) = known(templates) {
        return Ok(name);
    }
    claim_process_prefix(server_url).await?;
    let name = unique_name();
    let admin = connect_admin(server_url).await?;
    let created = admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await;
    let _ = admin.close().await;
    created?;
    if let Err(e) = migrate(database_url(server_url, &name)).await {
        let _ = drop_database(server_url, &name).await;
        return Err(e);
    }
    templates
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(map_key, name.clone());
    Ok(name)
}

/// Once per process, before its first database: takes the advisory lock of this process's
/// prefix until the process exits, then drops the databases of processes that are gone.
async fn claim_process_prefix(server_url: &str) -> Result<(), DbErr> {
    static CLAIMED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    CLAIMED
        .get_or_try_init(|| async {
            hold_process_lock(server_url.to_string())?;
            let admin = connect_admin(server_url).await?;
            let result = drop_unlocked_databases(server_url, &admin).await;
            let _ = admin.close().await;
            result
        })
        .await
        .map(|_| ())
}

async fn drop_unlocked_databases(
    server_url: &str,
    admin: &DatabaseConnection,
) -> Result<(), DbErr> {
    let rows = admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'"),
        ))
        .await?;
    let mut by_process: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        if let Some((process, _)) = name.rsplit_once('_') {
            by_process
                .entry(process.to_string())
                .or_default()
                .push(name);
        }
    }
    by_process.remove(&process_prefix());
    for (process, names) in by_process {
        let lock = format!("hashtextextended('{process}', 0)");
        let gone = admin
            .query_one_raw(Statement::from_string(
                admin.get_database_backend(),
                format!("SELECT pg_try_advisory_lock({lock})"),
            ))
            .await?
            .map(|row| row.try_get_by_index::<bool>(0))
            .transpose()?
            .unwrap_or(false);
        if gone {
            for name in names {
                drop_database(server_url, &name).await?;
            }
            admin
                .execute_unprepared(&format!("SELECT pg_advisory_unlock({lock})"))
                .await?;
        }
    }
    Ok(())
}

/// Takes the advisory lock of [`process_prefix`] on a connection of its own thread, which
/// keeps it until the process exits.
fn hold_process_lock(server_url: String) -> Result<(), DbErr> {
    let (locked, lock_result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let hold = async {
            let mut options = ConnectOptions::new(server_url);
            options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .sqlx_logging(false);
            let db = Database::connect(options).await?;
            db.execute_unprepared(&format!(
                "SELECT pg_advisory_lock(hashtextextended('{}', 0))",
                process_prefix()
            ))
            .await?;
            Ok::<_, DbErr>(db)
        };
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(async {
                match hold.await {
                    Ok(_db) => {
                        let _ = locked.send(Ok(()));
                        std::future::pending::<()>().await;
                    }
                    Err(e) => {
                        let _ = locked.send(Err(e));
                    }
                }
            }),
            Err(e) => {
                let _ = locked.send(Err(DbErr::Custom(e.to_string())));
            }
        }
    });
    lock_result
        .recv()
        .unwrap_or_else(|_| Err(DbErr::Custom("the lock thread stopped".into())))
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `rftest_<process start, unix seconds>_<pid>`: the names of this process's databases.
fn process_prefix() -> String {
    static STARTED: OnceLock<u64> = OnceLock::new();
    let started = *STARTED.get_or_init(unix_seconds);
    format!("{PREFIX}{started}_{}", std::process::id())
}

/// `<process prefix>_<n>`.
fn unique_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}_{}",
        process_prefix(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// `server_url` with its database name replaced by `name` (the query string is kept).
pub fn database_url(server_url: &str, name: &str) -> String {
    let (scheme, rest) = server_url
        .split_once("://")
        .unwrap_or(("postgres", server_url));
    let (location, query) = match rest.split_once('?') {
        Some((location, query)) => (location, Some(query)),
        None => (rest, None),
    };
    let authority = location.split_once('/').map_or(location, |(a, _)| a);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            database_url("postgres://u:p@127.0.0.1:5432/postgres", "t1"),
            "postgres://u:p@127.0.0.1:5432/t1"
        );
        assert_eq!(
            database_url("postgres://u@localhost", "t1"),
            "postgres://u@localhost/t1"
        );
        assert_eq!(
            database_url("postgres:///postgres?host=/tmp/pg", "t1"),
            "postgres:///t1?host=/tmp/pg"
        );
    }

    #[test]
    fn names_are_unique_and_dated() {
        let (a, b) = (unique_name(), unique_name());
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX), "{a}");
        let started: u64 = a[PREFIX.len()..]
            .split('_')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(started <= unix_seconds());
    }

    /// Creates, copies and drops databases on the server of `TEST_PG_URL` (skipped on SQLite).
    #[tokio::test]
    async fn template_copies_are_independent_and_dropped() {
        let Some(server) = postgres_url() else {
            return;
        };
        let migrations = AtomicU64::new(0);
        let migrate = |url: String| {
            migrations.fetch_add(1, Ordering::SeqCst);
            async move {
                let db = Database::connect(&url).await?;
                db.execute_unprepared("CREATE TABLE t (id integer)").await?;
                db.close().await
            }
        };
        let a = TestDatabase::from_template(&server, "test_db", migrate)
            .await
            .unwrap();
        let b = TestDatabase::from_template(&server, "test_db", migrate)
            .await
            .unwrap();
        assert_eq!(migrations.load(Ordering::SeqCst), 1);
        let db_a = Database::connect(&a.url).await.unwrap();
        db_a.execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let db_b = Database::connect(&b.url).await.unwrap();
        let count = |db: DatabaseConnection| async move {
            db.query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT count(*) FROM t",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap()
        };
        assert_eq!(count(db_b).await, 0);
        let name = a.name.clone();
        drop(a); // with db_a still connected
        let admin = connect_admin(&server).await.unwrap();
        let left = admin
            .query_all_raw(Statement::from_string(
                admin.get_database_backend(),
                format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
            ))
            .await
            .unwrap();
        assert!(left.is_empty(), "{name} was not dropped");
        drop(db_a);
    }
}
