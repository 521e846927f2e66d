//! Database connections: DRF's `DATABASES` setting, for SQLite and PostgreSQL.

use crate::migration::Migrator;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// The database used when `DATABASE_URL` is not set: the SQLite file `db.sqlite3` in the
/// working directory, created if missing (as Django's default `DATABASES`).
pub const DEFAULT_DATABASE_URL: &str = "sqlite://db.sqlite3?mode=rwc";

/// How long a SQLite connection waits for another connection's write lock before it fails
/// with "database is locked" (Django's default `timeout` is 5 s as well).
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in a SQLite file's pool. sqlx runs each SQLite connection on its own thread,
/// so a small pool is faster than a large one (`shared/notes/dependency-facts.md`, section 4:
/// 2 beat 4 on one core), and each connection has its own page cache.
pub const SQLITE_MAX_CONNECTIONS: u32 = 2;

/// Each SQLite connection's page cache (`PRAGMA cache_size`), in KiB: SQLite's default size.
/// With the indexes of the migrations a request reads a few pages, and pages missing from the
/// cache come from the operating system's file cache; a large cache per connection mostly
/// raises the process's memory (64 MiB per connection: ~140 MiB RSS under random reads of a
/// 38 MB database, 4 MiB: ~39 MiB, at the same throughput).
pub const SQLITE_CACHE_KIB: u32 = 2048;

/// Connections in a PostgreSQL pool.
pub const POSTGRES_MAX_CONNECTIONS: u32 = 10;

/// How long a request waits for a pool connection (or a new connection to PostgreSQL) before
/// it is answered 503: a database that is down makes requests fail fast, not hang for
/// sqlx's default 30 s.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Statements slower than this are logged at `WARN` (target `sqlx::query`).
pub const SLOW_STATEMENT_THRESHOLD: Duration = Duration::from_secs(1);

/// Is `url` a SQLite URL (`sqlite:...`)?
pub fn is_sqlite_url(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Is `url` an in-memory SQLite database (`sqlite::memory:` or `mode=memory`)?
fn is_sqlite_memory_url(url: &str) -> bool {
    let (database, query) = url.split_once('?').unwrap_or((url, ""));
    database.ends_with(":memory:") || query.split('&').any(|param| param == "mode=memory")
}

/// Does the SQLite URL say how to open the file (`mode=ro|rw|rwc|memory`)?
fn has_sqlite_mode(url: &str) -> bool {
    url.split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|param| param.starts_with("mode=")))
}

/// The file of a SQLite URL (`sqlite://db.sqlite3?mode=rwc` -> `db.sqlite3`); `None` for
/// other databases and in-memory ones.
pub fn sqlite_file_path(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr;
    if !is_sqlite_url(url) || is_sqlite_memory_url(url) {
        return None;
    }
    let options = sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

/// Opens a connection pool to `url`.
///
/// * **SQLite** (`sqlite://path/to/file.sqlite3`, `sqlite::memory:`): the file is created if
///   it is missing and the URL has no `mode=` of its own; every connection runs with
///   `foreign_keys = ON` (the cascades of the schema need it), `journal_mode = WAL`,
///   `synchronous = NORMAL` (safe with WAL), `cache_size` [`SQLITE_CACHE_KIB`] and a
///   [`SQLITE_BUSY_TIMEOUT`], and SQLite's query planner stability guarantee
///   ([`rest_framework::db::sqlite_stable_query_plans`]: cached statements are not planned
///   again per request). The pool holds 1 to [`SQLITE_MAX_CONNECTIONS`] connections and
///   does not ping a connection before handing it out (a ping is one more round trip to the
///   connection's thread). An in-memory database lives only as long as its connections, and
///   its connections share one cache with table-level locks, so it gets exactly one
///   connection that is never closed.
/// * **PostgreSQL** (`postgres://user:password@host/db`): a pool of up to
///   [`POSTGRES_MAX_CONNECTIONS`] connections.
///
/// Either way a request waits at most [`ACQUIRE_TIMEOUT`] for a connection, then gets a
/// 503; the pool replaces lost connections by itself once the database is back.
///
/// SQL statements are logged at `DEBUG` under the target `sqlx::query`
/// (`RUST_LOG=sqlx::query=debug`), statements slower than [`SLOW_STATEMENT_THRESHOLD`] at
/// `WARN`.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .sqlx_slow_statements_logging_settings(log::LevelFilter::Warn, SLOW_STATEMENT_THRESHOLD);

    if is_sqlite_url(url) {
        let in_memory = is_sqlite_memory_url(url);
        let create_if_missing = !has_sqlite_mode(url);
        if in_memory {
            options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        } else {
            options
                .max_connections(SQLITE_MAX_CONNECTIONS)
                .min_connections(1);
        }
        options
            .test_before_acquire(false)
            .map_sqlx_sqlite_pool_opts(rest_framework::db::sqlite_stable_query_plans)
            .map_sqlx_sqlite_opts(move |opts| {
                let opts = opts
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
                let opts = if in_memory {
                    opts
                } else {
                    opts.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                };
                if create_if_missing {
                    opts.create_if_missing(true)
                } else {
                    opts
                }
            });
    } else {
        options
            .max_connections(POSTGRES_MAX_CONNECTIONS)
            .min_connections(1);
    }
    Database::connect(options).await
}

/// Applies every pending migration of [`Migrator`] (Django's `manage.py migrate`).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Statement};

    async fn pragma(db: &DatabaseConnection, name: &str) -> String {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT * FROM pragma_{name}"),
            ))
            .await
            .expect("pragma query")
            .expect("a row");
        row.try_get_by_index::<String>(0)
            .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
            .expect("pragma value")
    }

    #[tokio::test]
    async fn sqlite_file_is_created_and_tuned() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("blog.sqlite3");
        let url = format!("sqlite://{}", path.display());
        let db = connect(&url).await.expect("connect");
        assert!(path.exists());
        assert_eq!(pragma(&db, "journal_mode").await, "wal");
        assert_eq!(pragma(&db, "foreign_keys").await, "1");
        assert_eq!(
            pragma(&db, "cache_size").await,
            format!("-{SQLITE_CACHE_KIB}")
        );
        assert_eq!(pragma(&db, "busy_timeout").await, "5000");
        migrate(&db).await.expect("migrate");
        db.close().await.expect("close");

        // An explicit mode is respected: `rw` does not create a missing file.
        let missing = dir.path().join("missing.sqlite3");
        assert!(
            connect(&format!("sqlite://{}?mode=rw", missing.display()))
                .await
                .is_err()
        );
        assert!(!missing.exists());
    }

    #[test]
    fn recognises_urls() {
        assert!(is_sqlite_url(DEFAULT_DATABASE_URL));
        assert!(!is_sqlite_url("postgres://localhost/blog"));
        assert!(is_sqlite_memory_url("sqlite::memory:"));
        assert!(is_sqlite_memory_url("sqlite://blog?mode=memory"));
        assert_eq!(
            sqlite_file_path("sqlite://db.sqlite3?mode=rwc").as_deref(),
            Some(std::path::Path::new("db.sqlite3"))
        );
        assert_eq!(
            sqlite_file_path("sqlite:///tmp/blog/db.sqlite3").as_deref(),
            Some(std::path::Path::new("/tmp/blog/db.sqlite3"))
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://u@h/db"), None);
        assert!(!is_sqlite_memory_url(DEFAULT_DATABASE_URL));
        assert!(has_sqlite_mode(DEFAULT_DATABASE_URL));
        assert!(!has_sqlite_mode("sqlite://db.sqlite3"));
    }
}
