//! The database layer under the framework:
//! - connection tuning that a DRF app gets from Django's database layer and a Rust app has to
//!   ask for: settings of the SQLite connections in a sqlx pool ([`sqlite_stable_query_plans`]);
//! - running a statement on the request path straight on sqlx's pool ([`query_all`],
//!   [`query_one`]), which costs less than sea-orm's `ConnectionTrait` there.

use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::sqlx::{Error, Sqlite};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseConnectionType, DbErr, QueryResult, RuntimeErr,
    Statement,
};
use sea_query_sqlx::SqlxValues;
use std::os::raw::c_int;

/// The rows of `stmt`: sea-orm's `ConnectionTrait::query_all_raw`, run straight on the sqlx
/// pool of `db`.
///
/// Why: sea-orm's method returns a boxed future that holds the futures of every backend
/// compiled in, 9 KiB with SQLite and PostgreSQL. Each call allocated that box and copied the
/// 9 KiB into it: on a list page, two statements, about 300 first-level cache misses, more
/// than the serializer's (bench/RESULTS.md). This future holds sqlx's acquire and a boxed
/// fetch. It is the same statement on the same pool, logged by sqlx (`sqlx::query`) as
/// before, with sea-orm's errors: [`DbErr::ConnectionAcquire`] when the pool has no
/// connection to give, [`DbErr::Query`] when the statement fails. A sea-orm metric callback
/// does not see it. Connections other than a sqlx pool (a mock, a proxy) go through sea-orm.
pub async fn query_all(
    db: &DatabaseConnection,
    stmt: Statement,
) -> Result<Vec<QueryResult>, DbErr> {
    match &db.inner {
        DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
            let mut conn = db
                .get_sqlite_connection_pool()
                .acquire()
                .await
                .map_err(acquire_error)?;
            let rows = bind(stmt)
                .fetch_all(&mut *conn)
                .await
                .map_err(query_error)?;
            Ok(rows.into_iter().map(QueryResult::from).collect())
        }
        DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
            let mut conn = db
                .get_postgres_connection_pool()
                .acquire()
                .await
                .map_err(acquire_error)?;
            let rows = bind(stmt)
                .fetch_all(&mut *conn)
                .await
                .map_err(query_error)?;
            Ok(rows.into_iter().map(QueryResult::from).collect())
        }
        _ => db.query_all_raw(stmt).await,
    }
}

/// The first row of `stmt`, if any: sea-orm's `ConnectionTrait::query_one_raw`, run as
/// [`query_all`] runs its statement (and for the same reason).
pub async fn query_one(
    db: &DatabaseConnection,
    stmt: Statement,
) -> Result<Option<QueryResult>, DbErr> {
    match &db.inner {
        DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
            let mut conn = db
                .get_sqlite_connection_pool()
                .acquire()
                .await
                .map_err(acquire_error)?;
            let row = bind(stmt)
                .fetch_optional(&mut *conn)
                .await
                .map_err(query_error)?;
            Ok(row.map(QueryResult::from))
        }
        DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
            let mut conn = db
                .get_postgres_connection_pool()
                .acquire()
                .await
                .map_err(acquire_error)?;
            let row = bind(stmt)
                .fetch_optional(&mut *conn)
                .await
                .map_err(query_error)?;
            Ok(row.map(QueryResult::from))
        }
        _ => db.query_one_raw(stmt).await,
    }
}

/// `stmt` as a sqlx query, its values bound as sea-orm binds them (moved, not copied).
fn bind<DB: sea_orm::sqlx::Database>(
    stmt: Statement,
) -> sea_orm::sqlx::query::Query<'static, DB, SqlxValues>
where
    SqlxValues: for<'q> sea_orm::sqlx::IntoArguments<DB>,
{
    let values = SqlxValues(stmt.values.unwrap_or_else(|| sea_orm::Values(Vec::new())));
    sea_orm::sqlx::query_with(sea_orm::sqlx::AssertSqlSafe(stmt.sql), values)
}

/// sea-orm's `sqlx_conn_acquire_err`.
fn acquire_error(error: Error) -> DbErr {
    match error {
        Error::PoolTimedOut => DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout),
        Error::PoolClosed => DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed),
        other => DbErr::Conn(RuntimeErr::SqlxError(other.into())),
    }
}

/// sea-orm's `sqlx_error_to_query_err`.
fn query_error(error: Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(error.into()))
}

/// Turns on SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) on
/// every connection the pool opens.
///
/// Why: the bundled SQLite (3.51) reads the value bound to `LIMIT ?` (and `OFFSET ?`)
/// while it plans, and marks the prepared statement to be planned again whenever that
/// parameter is bound anew. sea-orm binds every `LIMIT` (a detail's `.one()`, every page of a
/// list), so without this each such statement is parsed and planned again on every request
/// even though sqlx caches it: measured on the blog, one re-prepare per request and about 13%
/// of a detail request's CPU. With the guarantee the cached plan is reused; the plans of the
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
