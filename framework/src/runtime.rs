//! The async runtime a server runs on: tokio's multi-threaded runtime, one worker per core
//! the process may use, with the memory allocator sized to match.
//!
//! Why the allocator: glibc's `malloc` gives every thread that allocates while another holds
//! the lock an arena of its own, up to eight per core, and an arena keeps the memory freed
//! into it. A server has a worker per core, a thread per SQLite connection (sqlx runs each on
//! its own) and tokio's blocking threads; with an arena each, the SQLite threads' page caches
//! and sorters stay resident twice over; one arena per core saves about a quarter of the peak
//! resident set at the same requests per second (figures: `bench/RESULTS.md`, "Measured
//! choices in the code").
//!
//! And why a trim when idle: memory freed in the middle of an arena stays resident until
//! `malloc_trim` hands it back. A burst of heavy requests (a search scanning every article
//! through SQLite) leaves megabytes of such holes, which the next burst would then pay for on
//! top of its own. The server trims once it has been idle for a second ([`trim_memory_when_idle`]).

use std::io;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The cores this process may run on (its CPU affinity, as `taskset` sets it): tokio's
/// default number of workers.
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Limits glibc's `malloc` to one arena per core the process may run on
/// (`mallopt(M_ARENA_MAX)`). Call it before any thread is started: arenas that exist stay.
/// Returns false when the allocator refused, and on systems without glibc, where it does
/// nothing.
pub fn one_malloc_arena_per_core() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = libc::c_int::try_from(available_cores()).unwrap_or(libc::c_int::MAX);
        // SAFETY: `mallopt` only changes a tuning parameter of the allocator; it is
        // thread-safe in glibc and takes plain integers.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, cores) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Requests the process has begun to serve (see [`trim_memory_when_idle`]).
static REQUESTS: AtomicUsize = AtomicUsize::new(0);

/// Counts a request (the router calls it for every request it routes).
pub(crate) fn note_request() {
    REQUESTS.fetch_add(1, Ordering::Relaxed);
}

/// Hands the allocator's free pages back to the operating system (`malloc_trim(0)`). Returns
/// whether any memory was released; false on systems without glibc, where it does nothing.
pub fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` takes a plain integer and locks each arena it trims.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Whether a tick of [`trim_memory_when_idle`] trims: once after requests were served, when
/// a whole tick then passed without any.
#[derive(Debug)]
struct IdleTrim {
    /// The request count at the last tick.
    seen: usize,
    /// Trimmed since the last request.
    trimmed: bool,
}

impl IdleTrim {
    fn tick(&mut self, requests: usize) -> bool {
        if requests != self.seen {
            self.seen = requests;
            self.trimmed = false;
            return false;
        }
        !std::mem::replace(&mut self.trimmed, true)
    }
}

/// Runs forever: every `tick`, when requests were served before it and none during it,
/// [`release_free_memory`]. A busy server is never interrupted; an idle one gives back
/// what its last burst freed. [`server_runtime`] spawns it with a one-second tick.
pub async fn trim_memory_when_idle(tick: Duration) {
    let mut idle = IdleTrim {
        seen: REQUESTS.load(Ordering::Relaxed),
        trimmed: true,
    };
    loop {
        tokio::time::sleep(tick).await;
        if idle.tick(REQUESTS.load(Ordering::Relaxed)) {
            release_free_memory();
        }
    }
}

/// The runtime of a server: [`one_malloc_arena_per_core`], then tokio's multi-threaded
/// runtime with every driver (I/O, timers) enabled, running [`trim_memory_when_idle`]. Call
/// it first thing in `main`, before any other thread exists:
///
/// ```no_run
/// let runtime = rest_framework::runtime::server_runtime().expect("an async runtime");
/// runtime.block_on(async { /* serve */ });
/// ```
pub fn server_runtime() -> io::Result<tokio::runtime::Runtime> {
    let limited = one_malloc_arena_per_core();
    if cfg!(all(target_os = "linux", target_env = "gnu")) && !limited {
        tracing::warn!("mallopt(M_ARENA_MAX) refused; each thread may keep its own malloc arena");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.spawn(trim_memory_when_idle(Duration::from_secs(1)));
    Ok(runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_runtime_runs_timers_and_io() {
        let runtime = server_runtime().expect("runtime");
        let echoed = runtime.block_on(async {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let address = listener.local_addr()?;
            let accept = tokio::spawn(async move { listener.accept().await.map(|_| ()) });
            tokio::net::TcpStream::connect(address).await?;
            accept.await.map_err(io::Error::other)??;
            io::Result::Ok(())
        });
        assert!(echoed.is_ok(), "{echoed:?}");
    }

    #[test]
    fn memory_is_trimmed_once_per_quiet_tick_after_requests() {
        let mut idle = IdleTrim {
            seen: 0,
            trimmed: true,
        };
        // Nothing served yet: nothing to trim.
        assert!(!idle.tick(0));
        // Requests during the tick: wait for a quiet one.
        assert!(!idle.tick(5));
        assert!(!idle.tick(9));
        assert!(idle.tick(9), "a quiet tick after requests trims");
        assert!(!idle.tick(9), "and only once");
        assert!(!idle.tick(10));
        assert!(idle.tick(10));
    }

    #[test]
    fn there_is_at_least_one_core() {
        assert!(available_cores() >= 1);
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_the_arena_limit() {
        assert!(one_malloc_arena_per_core());
    }
}
