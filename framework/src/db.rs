//! The database layer under the framework:
//! - connection tuning that a DRF app gets from Django's database layer and a Rust app has to
//!   ask for: settings of the SQLite connections in a sqlx pool ([`sqlite_stable_query_plans`]);
//! - running a statement on the request path through sea-orm's driver ([`query_all`],
//!   [`query_one`]), which costs less than through its `ConnectionTrait` there;
//! - lists of any length from a request (the ids of a to-many field) in statements whose
//!   bound values the databases limit ([`existing_pks`], [`is_in_integers`],
//!   [`MAX_BOUND_VALUES`]): SQLite takes 32,766 values a statement, PostgreSQL 65,535.

use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::sqlx::{Error, Sqlite};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseConnectionType, DbErr, QueryResult, Statement,
};
use std::collections::HashSet;
use std::os::raw::c_int;

/// The most values the framework binds in one statement for a list of any length: lookups
/// run in chunks of this many, multi-row inserts insert this many values at a time.
pub const MAX_BOUND_VALUES: usize = 500;

/// The primary keys among `ids` that exist in `T`, one query per [`MAX_BOUND_VALUES`] ids.
pub async fn existing_pks<T: crate::models::ModelMeta>(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashSet<i64>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let column = crate::models::pk_column::<T>();
    let mut found = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_BOUND_VALUES) {
        let rows = T::find()
            .select_only()
            .column(column)
            .filter(column.is_in(chunk.iter().copied()))
            .into_tuple::<i64>()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// `expr IN (ids)` for a list of any length in one statement: up to [`MAX_BOUND_VALUES`] ids
/// bound as values (the statement text stays the same for SQLite's statement cache), more
/// written as integer literals, which no database limits.
pub fn is_in_integers(
    expr: impl Into<sea_orm::sea_query::Expr>,
    ids: &[i64],
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let expr: Expr = expr.into();
    if ids.len() <= MAX_BOUND_VALUES {
        expr.is_in(ids.iter().copied())
    } else {
        expr.is_in(ids.iter().map(|id| Expr::cust(id.to_string())))
    }
}

/// The rows of `stmt`: sea-orm's `ConnectionTrait::query_all_raw`, minus the boxed future
/// around it.
///
/// Why: sea-orm's `DatabaseConnection` method returns a boxed future that holds the futures of
/// every backend compiled in, 9 KiB with SQLite and PostgreSQL. Each call allocated that box
/// and copied the 9 KiB into it: on a list page more first-level cache misses than the
/// serializer's (`bench/RESULTS.md`, "Measured choices in the code"). Here the method of sea-orm's
/// driver that it calls is called directly, so the statement runs as before: on the same pool,
/// logged by sqlx, seen by a metric callback, with the same errors. Other connections (a mock,
/// a proxy) go through `ConnectionTrait`.
pub async fn query_all(
    db: &DatabaseConnection,
    stmt: Statement,
) -> Result<Vec<QueryResult>, DbErr> {
    match &db.inner {
        DatabaseConnectionType::SqlxSqlitePoolConnection(conn) => conn.query_all(stmt).await,
        // Boxed: PostgreSQL's future (its connect) would set the size of every caller's.
        DatabaseConnectionType::SqlxPostgresPoolConnection(conn) => {
            Box::pin(conn.query_all(stmt)).await
        }
        _ => db.query_all_raw(stmt).await,
    }
}

/// The first row of `stmt`, if any: sea-orm's `ConnectionTrait::query_one_raw`, called as
/// [`query_all`] calls its method (and for the same reason).
pub async fn query_one(
    db: &DatabaseConnection,
    stmt: Statement,
) -> Result<Option<QueryResult>, DbErr> {
    match &db.inner {
        DatabaseConnectionType::SqlxSqlitePoolConnection(conn) => conn.query_one(stmt).await,
        DatabaseConnectionType::SqlxPostgresPoolConnection(conn) => {
            Box::pin(conn.query_one(stmt)).await
        }
        _ => db.query_one_raw(stmt).await,
    }
}

/// Turns on SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) on
/// every connection the pool opens.
///
/// Why: the bundled SQLite (3.51) reads the value bound to `LIMIT ?` (and `OFFSET ?`)
/// while it plans, and marks the prepared statement to be planned again whenever that
/// parameter is bound anew. sea-orm binds every `LIMIT` (a detail's `.one()`, every page of a
/// list), so without this each such statement is parsed and planned again on every request
/// even though sqlx caches it: on the blog, a re-prepare per request and a tenth of a detail
/// request's CPU (`bench/RESULTS.md`, "Measured choices in the code"). With the guarantee the cached plan is reused; the plans of the
/// framework's queries do not depend on the values bound, so nothing is lost.
///
/// Use it with sea-orm's `ConnectOptions::map_sqlx_sqlite_pool_opts`:
///
/// ```
/// # use sea_orm::ConnectOptions;
/// let mut options = ConnectOptions::new("sqlite::memory:");
/// options.map_sqlx_sqlite_pool_opts(rest_framework::db::sqlite_stable_query_plans);
/// ```
pub fn sqlite_stable_query_plans(pool: PoolOptions<Sqlite>) -> PoolOptions<Sqlite> {
    pool.after_connect(|connection, _meta| {
        Box::pin(async move {
            let mut handle = connection.lock_handle().await?;
            let db = handle.as_raw_handle();
            // SAFETY: `db` is this connection's open handle, held locked for the call;
            // `SQLITE_DBCONFIG_ENABLE_QPSG` takes an int (1: on) and an `int*` that may be
            // null (no read-back).
            let rc = unsafe {
                libsqlite3_sys::sqlite3_db_config(
                    db.as_ptr(),
                    libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                    1 as c_int,
                    std::ptr::null_mut::<c_int>(),
                )
            };
            if rc == libsqlite3_sys::SQLITE_OK {
                Ok(())
            } else {
                Err(Error::Protocol(format!(
                    "sqlite3_db_config(SQLITE_DBCONFIG_ENABLE_QPSG) failed with code {rc}"
                )))
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sqlx::sqlite::SqliteConnectOptions;
    use std::str::FromStr;

    /// Reads the connection's `SQLITE_DBCONFIG_ENABLE_QPSG` flag back (`-1`: don't change).
    async fn qpsg(pool: &sea_orm::sqlx::SqlitePool) -> c_int {
        let mut connection = pool.acquire().await.expect("a connection");
        let mut handle = connection.lock_handle().await.expect("its handle");
        let mut value: c_int = -1;
        // SAFETY: an open, locked handle; the out pointer lives across the call.
        let rc = unsafe {
            libsqlite3_sys::sqlite3_db_config(
                handle.as_raw_handle().as_ptr(),
                libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                -1 as c_int,
                &mut value as *mut c_int,
            )
        };
        assert_eq!(rc, libsqlite3_sys::SQLITE_OK);
        value
    }

    /// The workspace's `.cargo/config.toml` builds the bundled SQLite without the global
    /// page-cache mutex (`SQLITE_ENABLE_MEMORY_MANAGEMENT`) and without memory statistics,
    /// whose mutex every `sqlite3_malloc` took (docs/databases.md).
    #[test]
    fn the_workspace_builds_sqlite_without_its_global_mutexes() {
        let used = |option: &std::ffi::CStr| {
            // SAFETY: a NUL-terminated option name; the function only reads it.
            unsafe { libsqlite3_sys::sqlite3_compileoption_used(option.as_ptr()) }
        };
        assert_eq!(used(c"ENABLE_MEMORY_MANAGEMENT"), 0);
        assert_eq!(used(c"DEFAULT_MEMSTATUS=0"), 1);
    }

    /// One in-memory SQLite database (one connection: each has its own memory database).
    async fn memory_db() -> DatabaseConnection {
        let mut options = sea_orm::ConnectOptions::new("sqlite::memory:");
        options.max_connections(1).min_connections(1);
        sea_orm::Database::connect(options)
            .await
            .expect("memory db")
    }

    fn sqlite(sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(sea_orm::DbBackend::Sqlite, sql, values)
    }

    #[tokio::test]
    async fn statements_on_the_pool_give_what_sea_orm_gives() {
        let db = memory_db().await;
        let both = "SELECT ? AS n UNION ALL SELECT ? ORDER BY n";
        let values = || vec![2i64.into(), 1i64.into()];
        let ours = query_all(&db, sqlite(both, values())).await.expect("ours");
        let theirs = db
            .query_all_raw(sqlite(both, values()))
            .await
            .expect("sea-orm's");
        let numbers = |rows: &[QueryResult]| {
            rows.iter()
                .map(|row| row.try_get_by_index::<i64>(0).expect("n"))
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(&ours), vec![1, 2]);
        assert_eq!(numbers(&ours), numbers(&theirs));

        let first = query_one(&db, sqlite(both, values())).await.expect("one");
        assert_eq!(
            first.map(|row| row.try_get_by_index::<i64>(0).ok()),
            Some(Some(1))
        );
        let none = query_one(&db, sqlite("SELECT 1 WHERE 0", vec![])).await;
        assert!(matches!(none, Ok(None)), "{none:?}");
    }

    #[tokio::test]
    async fn their_errors_are_sea_orms() {
        let db = memory_db().await;
        let bad = query_all(&db, sqlite("SELECT * FROM no_such_table", vec![])).await;
        assert!(
            matches!(bad, Err(DbErr::Query(sea_orm::RuntimeErr::SqlxError(_)))),
            "{bad:?}"
        );
        db.close_by_ref().await.expect("close");
        let closed = query_one(&db, sqlite("SELECT 1", vec![])).await;
        assert!(
            matches!(
                closed,
                Err(DbErr::ConnectionAcquire(
                    sea_orm::ConnAcquireErr::ConnectionClosed
                ))
            ),
            "{closed:?}"
        );
    }

    #[tokio::test]
    async fn every_connection_gets_the_stability_guarantee() {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("url");
        let plain = PoolOptions::<Sqlite>::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .expect("plain pool");
        assert_eq!(qpsg(&plain).await, 0, "SQLite's default is off");
        let tuned = sqlite_stable_query_plans(PoolOptions::<Sqlite>::new().max_connections(1))
            .connect_with(options)
            .await
            .expect("tuned pool");
        assert_eq!(qpsg(&tuned).await, 1);
    }
}
