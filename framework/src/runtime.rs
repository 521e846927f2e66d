//! The async runtime a server runs on: tokio's multi-threaded runtime, one worker per core
//! the process may use, with the memory allocator sized to match.
//!
//! Why the allocator: glibc's `malloc` gives every thread that allocates while another holds
//! the lock an arena of its own, up to eight per core, and an arena keeps the memory freed
//! into it. A server has a worker per core, a thread per SQLite connection (sqlx runs each on
//! its own) and tokio's blocking threads; with an arena each, the SQLite threads' page caches
//! and sorters stay resident twice over. Measured by `bench/run.sh` on the search endpoint
//! (pinned to one core, 32 connections): peak RSS 36 MiB with glibc's default, 27 MiB with one
//! arena per core, at the same requests per second (`bench/RESULTS.md`).

use std::io;
use std::num::NonZeroUsize;

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

/// The runtime of a server: [`one_malloc_arena_per_core`], then tokio's multi-threaded
/// runtime with every driver (I/O, timers) enabled. Call it first thing in `main`, before
/// any other thread exists:
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
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
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
    fn there_is_at_least_one_core() {
        assert!(available_cores() >= 1);
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_the_arena_limit() {
        assert!(one_malloc_arena_per_core());
    }
}
