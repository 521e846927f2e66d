//! Where throttles keep request histories (DRF's `cache`): in the process, or in a database
//! table shared by every server process.
//!
//! A store does the whole sliding-window step for one key atomically ([`ThrottleStore::hit`]),
//! unlike DRF's `cache.get` + `cache.set`, which lets concurrent requests slip past a limit.

use super::Rate;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement, TransactionTrait,
};
use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The window of one key after a [`ThrottleStore::hit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Whether the request was allowed (and recorded).
    pub allowed: bool,
    /// Requests in the window before this one (the history's length).
    pub count: u64,
    /// The oldest request still in the window (DRF's `history[-1]`).
    pub oldest: Option<f64>,
}

/// Request histories by cache key (DRF's cache, as `SimpleRateThrottle` uses it).
#[async_trait::async_trait]
pub trait ThrottleStore: Send + Sync + 'static {
    /// One step of DRF's `allow_request` for `key` at time `now` (seconds), atomically:
    /// forget the requests older than `rate.duration`; if fewer than `rate.num_requests`
    /// remain, record `now` and allow.
    async fn hit(&self, key: &str, now: f64, rate: Rate) -> Result<Window, DbErr>;
}

// ---------------------------------------------------------------------------------------------
// In the process

/// Histories in this process's memory (Django's `LocMemCache`, DRF's default): fast, but each
/// server process counts on its own. Memory is bounded: a history never holds more than its
/// rate's `num_requests` timestamps, a key expires `duration` after its last allowed request,
/// and at most `max_entries` keys are kept (expired keys go first, then those expiring
/// soonest).
pub struct LocMemThrottleStore {
    shards: Vec<Mutex<HashMap<String, History>>>,
    max_entries_per_shard: usize,
}

/// Newest first, as DRF's list.
struct History {
    timestamps: VecDeque<f64>,
    expires: f64,
}

/// Shards of the map, so concurrent requests for different keys rarely wait on one lock.
const SHARDS: usize = 16;

/// Keys kept by [`LocMemThrottleStore::default`].
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

impl Default for LocMemThrottleStore {
    fn default() -> Self {
        Self::with_max_entries(DEFAULT_MAX_ENTRIES)
    }
}

impl LocMemThrottleStore {
    /// A store keeping at most about `max_entries` keys.
    pub fn with_max_entries(max_entries: usize) -> Self {
        LocMemThrottleStore {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            max_entries_per_shard: max_entries.div_ceil(SHARDS).max(1),
        }
    }

    fn shard(&self, key: &str) -> MutexGuard<'_, HashMap<String, History>> {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let index = (hasher.finish() % SHARDS as u64) as usize;
        // A panic while holding the lock leaves at worst one history half-updated.
        self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The number of keys held (expired ones included until they are evicted).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn make_room(shard: &mut HashMap<String, History>, capacity: usize, now: f64) {
        if shard.len() < capacity {
            return;
        }
        shard.retain(|_, history| history.expires > now);
        while shard.len() >= capacity {
            let soonest = shard
                .iter()
                .min_by(|a, b| a.1.expires.total_cmp(&b.1.expires))
                .map(|(key, _)| key.clone());
            match soonest {
                Some(key) => shard.remove(&key),
                None => break,
            };
        }
    }
}

#[async_trait::async_trait]
impl ThrottleStore for LocMemThrottleStore {
    async fn hit(&self, key: &str, now: f64, rate: Rate) -> Result<Window, DbErr> {
        let mut shard = self.shard(key);
        if !shard.contains_key(key) {
            Self::make_room(&mut shard, self.max_entries_per_shard, now);
        }
        let history = match shard.entry(key.to_string()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(History {
                timestamps: VecDeque::new(),
                expires: now,
            }),
        };
        if history.expires <= now {
            // The cache entry expired (Django's cache timeout = the rate's duration).
            history.timestamps.clear();
        }
        let cutoff = now - rate.duration as f64;
        while history.timestamps.back().is_some_and(|&at| at <= cutoff) {
            history.timestamps.pop_back();
        }
        let count = history.timestamps.len() as u64;
        let oldest = history.timestamps.back().copied();
        if count >= rate.num_requests {
            return Ok(Window {
                allowed: false,
                count,
                oldest,
            });
        }
        history.timestamps.push_front(now);
        history.expires = now + rate.duration as f64;
        Ok(Window {
            allowed: true,
            count,
            oldest,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// In the database

/// The table of [`DatabaseThrottleStore`].
pub const THROTTLE_TABLE: &str = "throttle_history";

/// Histories in a database table, so every server process on the same database shares the
/// limits (the role Django's database cache or Redis plays for DRF).
///
/// The table, created by [`DatabaseThrottleStore::create_table`] (Django's
/// `createcachetable`), holds one row per allowed request:
///
/// ```sql
/// CREATE TABLE throttle_history (
///     cache_key VARCHAR(255) NOT NULL,   -- throttle_anon_127.0.0.1
///     at DOUBLE PRECISION NOT NULL,      -- the request's time, Unix seconds
///     expires DOUBLE PRECISION NOT NULL  -- at + the rate's duration
/// );  -- indexed on (cache_key, at) and (expires)
/// ```
///
/// A hit is one transaction: delete the key's rows that left the window, insert the new row
/// only if fewer than `num_requests` remain (one conditional `INSERT ... SELECT`), and read
/// the window back when refused. On PostgreSQL the transaction first takes an advisory lock
/// on the key, so concurrent requests of one client serialize; SQLite serializes writers
/// anyway. Rows of keys nobody uses any more are deleted by a sweep of expired rows, at most
/// once a minute per store.
pub struct DatabaseThrottleStore {
    db: DatabaseConnection,
    last_sweep: Mutex<f64>,
}

/// Seconds between two sweeps of expired rows.
const SWEEP_INTERVAL: f64 = 60.0;

impl DatabaseThrottleStore {
    /// A store on `db` (its table must exist: [`DatabaseThrottleStore::create_table`]).
    pub fn new(db: DatabaseConnection) -> Self {
        DatabaseThrottleStore {
            db,
            last_sweep: Mutex::new(f64::NEG_INFINITY),
        }
    }

    /// Creates the table and its indexes if they do not exist (SQLite and PostgreSQL).
    pub async fn create_table(&self) -> Result<(), DbErr> {
        for sql in [
            "CREATE TABLE IF NOT EXISTS throttle_history (cache_key VARCHAR(255) NOT NULL, \
             at DOUBLE PRECISION NOT NULL, expires DOUBLE PRECISION NOT NULL)",
            "CREATE INDEX IF NOT EXISTS throttle_history_cache_key_at \
             ON throttle_history (cache_key, at)",
            "CREATE INDEX IF NOT EXISTS throttle_history_expires ON throttle_history (expires)",
        ] {
            self.db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    /// Whether a sweep of expired rows is due (and claims it).
    fn sweep_due(&self, now: f64) -> bool {
        let mut last = self
            .last_sweep
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if now - *last >= SWEEP_INTERVAL {
            *last = now;
            true
        } else {
            false
        }
    }
}

/// A statement written with `?` placeholders, numbered `$1, $2, ...` for PostgreSQL.
fn statement(backend: DatabaseBackend, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let sql = match backend {
        DatabaseBackend::Postgres => {
            let mut numbered = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(ch);
                }
            }
            numbered
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

#[async_trait::async_trait]
impl ThrottleStore for DatabaseThrottleStore {
    async fn hit(&self, key: &str, now: f64, rate: Rate) -> Result<Window, DbErr> {
        let backend = self.db.get_database_backend();
        if self.sweep_due(now) {
            self.db
                .execute_raw(statement(
                    backend,
                    "DELETE FROM throttle_history WHERE expires <= ?",
                    vec![now.into()],
                ))
                .await?;
        }
        let txn = self.db.begin().await?;
        if backend == DatabaseBackend::Postgres {
            txn.execute_raw(statement(
                backend,
                "SELECT pg_advisory_xact_lock(hashtext(?))",
                vec![key.into()],
            ))
            .await?;
        }
        let cutoff = now - rate.duration as f64;
        txn.execute_raw(statement(
            backend,
            "DELETE FROM throttle_history WHERE cache_key = ? AND at <= ?",
            vec![key.into(), cutoff.into()],
        ))
        .await?;
        let limit = i64::try_from(rate.num_requests).unwrap_or(i64::MAX);
        let inserted = txn
            .execute_raw(statement(
                backend,
                "INSERT INTO throttle_history (cache_key, at, expires) SELECT ?, ?, ? \
                 WHERE (SELECT COUNT(*) FROM throttle_history WHERE cache_key = ?) < ?",
                vec![
                    key.into(),
                    now.into(),
                    (now + rate.duration as f64).into(),
                    key.into(),
                    limit.into(),
                ],
            ))
            .await?
            .rows_affected();
        let window = if inserted == 1 {
            Window {
                allowed: true,
                count: 0,
                oldest: None,
            }
        } else {
            let row = txn
                .query_one_raw(statement(
                    backend,
                    "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM throttle_history \
                     WHERE cache_key = ?",
                    vec![key.into()],
                ))
                .await?;
            let (count, oldest) = match row {
                Some(row) => (
                    row.try_get::<i64>("", "n")?,
                    row.try_get::<Option<f64>>("", "oldest")?,
                ),
                None => (0, None),
            };
            Window {
                allowed: false,
                count: u64::try_from(count).unwrap_or(0),
                oldest,
            }
        };
        txn.commit().await?;
        Ok(window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THREE_PER_MINUTE: Rate = Rate {
        num_requests: 3,
        duration: 60,
    };

    async fn sliding_window(store: &dyn ThrottleStore) {
        let key = "throttle_anon_1.2.3.4";
        for at in [1000.0, 1020.0, 1040.0] {
            assert!(store.hit(key, at, THREE_PER_MINUTE).await.unwrap().allowed);
        }
        let refused = store.hit(key, 1050.0, THREE_PER_MINUTE).await.unwrap();
        assert_eq!(
            refused,
            Window {
                allowed: false,
                count: 3,
                oldest: Some(1000.0)
            }
        );
        // 1000 leaves the window at 1060 (DRF drops `at <= now - duration`).
        assert!(
            store
                .hit(key, 1060.0, THREE_PER_MINUTE)
                .await
                .unwrap()
                .allowed
        );
        let refused = store.hit(key, 1061.0, THREE_PER_MINUTE).await.unwrap();
        assert_eq!(refused.oldest, Some(1020.0));
        // Another key has its own window.
        assert!(
            store
                .hit("throttle_anon_5.6.7.8", 1061.0, THREE_PER_MINUTE)
                .await
                .unwrap()
                .allowed
        );
    }

    #[tokio::test]
    async fn locmem_sliding_window() {
        sliding_window(&LocMemThrottleStore::default()).await;
    }

    /// A store on in-memory SQLite, or on a fresh PostgreSQL database when the tests run on
    /// PostgreSQL (`TEST_PG_URL`, see [`crate::test::db`]).
    async fn database_store(_name: &str) -> DatabaseThrottleStore {
        let url = crate::test::db::fresh_database_url("sqlite::memory:")
            .await
            .unwrap();
        let db = sea_orm::Database::connect(url).await.unwrap();
        let store = DatabaseThrottleStore::new(db);
        store.create_table().await.unwrap();
        store.create_table().await.unwrap();
        store
    }

    #[tokio::test]
    async fn database_sliding_window() {
        sliding_window(&database_store("sliding_window").await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn database_concurrent_hits_never_exceed_the_rate() {
        let store = std::sync::Arc::new(database_store("concurrent").await);
        let mut hits = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let store = store.clone();
            hits.spawn(async move {
                store
                    .hit("throttle_user_1", 1000.0, THREE_PER_MINUTE)
                    .await
                    .unwrap()
            });
        }
        let windows = hits.join_all().await;
        assert_eq!(windows.iter().filter(|w| w.allowed).count(), 3);
        assert!(
            windows
                .iter()
                .filter(|w| !w.allowed)
                .all(|w| w.count == 3 && w.oldest == Some(1000.0))
        );
    }

    #[tokio::test]
    async fn database_sweeps_expired_rows() {
        let store = database_store("sweep").await;
        store
            .hit("throttle_anon_a", 1000.0, THREE_PER_MINUTE)
            .await
            .unwrap();
        store
            .hit("throttle_anon_b", 1030.0, THREE_PER_MINUTE)
            .await
            .unwrap();
        // At 1080 the sweep (due: the first hit ran it at 1000) deletes a's row only.
        store
            .hit("throttle_anon_c", 1080.0, THREE_PER_MINUTE)
            .await
            .unwrap();
        let rows = store
            .db
            .query_all_raw(Statement::from_string(
                store.db.get_database_backend(),
                "SELECT cache_key FROM throttle_history ORDER BY cache_key",
            ))
            .await
            .unwrap();
        let keys: Vec<String> = rows
            .iter()
            .map(|row| row.try_get::<String>("", "cache_key").unwrap())
            .collect();
        assert_eq!(keys, ["throttle_anon_b", "throttle_anon_c"]);
    }

    #[tokio::test]
    async fn locmem_memory_is_bounded() {
        let store = LocMemThrottleStore::with_max_entries(SHARDS * 2);
        for i in 0..1000 {
            let key = format!("throttle_anon_{i}");
            assert!(
                store
                    .hit(&key, 1000.0, THREE_PER_MINUTE)
                    .await
                    .unwrap()
                    .allowed
            );
        }
        assert!(store.len() <= SHARDS * 2, "{} keys kept", store.len());
        // A history never grows past its rate.
        let key = "throttle_user_1";
        for _ in 0..100 {
            store.hit(key, 2000.0, THREE_PER_MINUTE).await.unwrap();
        }
        let history = store.shard(key).get(key).map(|h| h.timestamps.len());
        assert_eq!(history, Some(3));
    }

    #[tokio::test]
    async fn locmem_entries_expire() {
        let store = LocMemThrottleStore::default();
        let key = "throttle_anon_x";
        for _ in 0..3 {
            store.hit(key, 1000.0, THREE_PER_MINUTE).await.unwrap();
        }
        assert!(
            !store
                .hit(key, 1059.9, THREE_PER_MINUTE)
                .await
                .unwrap()
                .allowed
        );
        assert!(
            store
                .hit(key, 1060.0, THREE_PER_MINUTE)
                .await
                .unwrap()
                .allowed
        );
    }
}
