//! Password hashers (Django's `django.contrib.auth.hashers`).
//!
//! New hashes are Argon2id in Django's format: `"argon2"` followed by the PHC string, e.g.
//! `argon2$argon2id$v=19$m=7168,t=5,p=1$<salt>$<hash>`, with a Django-style salt (22 random
//! alphanumeric characters). Hashes written by Django verify too, so a user table can move
//! between this framework and Django in both directions:
//!
//! - `argon2$argon2id$...`, `argon2$argon2i$...`, `argon2$argon2d$...` with any parameters,
//!   including Django's old `v=16` and version-less hashes (`Argon2PasswordHasher`);
//! - `pbkdf2_sha256$<iterations>$<salt>$<base64>` (`PBKDF2PasswordHasher`);
//! - `pbkdf2_sha1$<iterations>$<salt>$<base64>` (`PBKDF2SHA1PasswordHasher`).
//!
//! Anything else (unusable `!...` passwords, unknown algorithms, garbage) never verifies.
//! Comparisons of the computed and stored hash are constant-time.
//!
//! Hashing is slow on purpose (tens of milliseconds in release builds). In async code use
//! [`make_password`], [`check_password`] and [`run_dummy_hasher`], which run the work on
//! tokio's blocking pool instead of the async executor, at most
//! [`max_concurrent_hashes`] at a time (by default one core fewer than the machine has; set
//! it with [`set_max_concurrent_hashes`]): a burst of logins waits for its turn instead of
//! taking every core from the other requests.

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use rand::Rng;
use rand::distr::Alphanumeric;
use subtle::ConstantTimeEq;

/// Argon2 memory cost of new hashes, in KiB (7 MiB).
///
/// OWASP's password storage cheat sheet lists five Argon2id settings that "provide an equal
/// level of defense" and differ only in trading memory for CPU: m=47104/t=1, m=19456/t=2,
/// m=12288/t=3, m=9216/t=4 and m=7168/t=5 (all p=1). This is the last one, the least memory
/// per login: a server holds one such buffer per login in flight (see
/// [`max_concurrent_hashes`]), and 7 MiB instead of 19 MiB keeps a small server's resident
/// set near its read-only size during logins. It also hashes slightly faster: the memory fits
/// the caches better (figures: `bench/RESULTS.md`, "Measured choices in the code").
pub const ARGON2_MEMORY_KIB: u32 = 7_168;
/// Argon2 time cost (iterations) of new hashes (OWASP's partner of the memory cost above).
pub const ARGON2_ITERATIONS: u32 = 5;
/// Argon2 parallelism of new hashes (OWASP's recommendation).
pub const ARGON2_PARALLELISM: u32 = 1;
/// Length of the Argon2 output of new hashes, in bytes (Django's `hash_len`).
pub const ARGON2_HASH_LEN: usize = 32;
/// The prefix of an unusable password (Django's `UNUSABLE_PASSWORD_PREFIX`).
pub const UNUSABLE_PASSWORD_PREFIX: &str = "!";

/// Length of a new salt: Django's `salt()`, 22 alphanumeric characters (about 131 bits).
const SALT_LENGTH: usize = 22;
/// Random characters after the `!` of an unusable password (Django's value).
const UNUSABLE_PASSWORD_SUFFIX_LENGTH: usize = 40;

// Upper bounds on the costs of a *stored* hash that is verified. They are far above anything
// Django or this module writes and only stop a corrupt or hostile hash from allocating
// gigabytes or spinning for minutes; such a hash does not verify.
/// Largest Argon2 memory cost accepted when verifying (1 GiB).
const MAX_ARGON2_MEMORY_KIB: u32 = 1 << 20;
/// Largest Argon2 time cost accepted when verifying.
const MAX_ARGON2_ITERATIONS: u32 = 64;
/// Largest Argon2 parallelism accepted when verifying.
const MAX_ARGON2_PARALLELISM: u32 = 64;
/// Largest PBKDF2 iteration count accepted when verifying (Django 5/6 use about 1 million).
const MAX_PBKDF2_ITERATIONS: u32 = 20_000_000;

/// A random string of `length` characters from `a-zA-Z0-9` (Django's `get_random_string`).
fn random_string(length: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

/// A password that never verifies (Django's `make_password(None)`): `!` and 40 random
/// characters.
pub fn make_unusable_password() -> String {
    format!(
        "{UNUSABLE_PASSWORD_PREFIX}{}",
        random_string(UNUSABLE_PASSWORD_SUFFIX_LENGTH)
    )
}

/// False for an unusable password (Django's `is_password_usable`: starts with `!`).
pub fn is_password_usable(encoded: &str) -> bool {
    !encoded.starts_with(UNUSABLE_PASSWORD_PREFIX)
}

/// Hashes `raw` with Argon2id in Django's format:
/// `argon2$argon2id$v=19$m=7168,t=5,p=1$<salt base64, no padding>$<hash base64, no padding>`.
///
/// Blocks for the duration of the hash; in async code use [`make_password`].
pub fn make_password_blocking(raw: &str) -> String {
    let salt = random_string(SALT_LENGTH);
    let hashed = Params::new(
        ARGON2_MEMORY_KIB,
        ARGON2_ITERATIONS,
        ARGON2_PARALLELISM,
        Some(ARGON2_HASH_LEN),
    )
    .and_then(|params| {
        let mut out = [0u8; ARGON2_HASH_LEN];
        let blocks = params.block_count();
        with_hash_memory(blocks, |memory| {
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into_with_memory(
                raw.as_bytes(),
                salt.as_bytes(),
                &mut out,
                memory,
            )
        })
        .map(|()| out)
    });
    match hashed {
        Ok(out) => format!(
            "argon2$argon2id$v=19$m={ARGON2_MEMORY_KIB},t={ARGON2_ITERATIONS},p={ARGON2_PARALLELISM}${}${}",
            STANDARD_NO_PAD.encode(salt.as_bytes()),
            STANDARD_NO_PAD.encode(out),
        ),
        // Unreachable with the constant parameters above. An unusable password refuses
        // every password, which is the safe outcome.
        Err(err) => {
            tracing::error!("argon2 hashing failed: {err}");
            make_unusable_password()
        }
    }
}

/// Checks `raw` against a Django-format hash: `argon2$argon2id$...` (also `argon2i` and
/// `argon2d`, any parameters and version), `pbkdf2_sha256$<iterations>$<salt>$<base64>` or
/// `pbkdf2_sha1$...`.
///
/// The computed and stored hashes are compared in constant time. Unusable passwords (`!...`),
/// unknown algorithms and malformed hashes give `false`; this never panics. Blocks for the
/// duration of the hash; in async code use [`check_password`].
pub fn check_password_blocking(raw: &str, encoded: &str) -> bool {
    if !is_password_usable(encoded) {
        return false;
    }
    let Some((algorithm, rest)) = encoded.split_once('$') else {
        return false;
    };
    match algorithm {
        "argon2" => check_argon2(raw, rest),
        "pbkdf2_sha256" => check_pbkdf2(raw, rest, Pbkdf2Digest::Sha256),
        "pbkdf2_sha1" => check_pbkdf2(raw, rest, Pbkdf2Digest::Sha1),
        _ => false,
    }
}

/// Verifies `raw` against `phc_rest`, the PHC string without its leading `$`
/// (`argon2id$v=19$m=...,t=...,p=...$salt$hash`).
fn check_argon2(raw: &str, phc_rest: &str) -> bool {
    let phc = format!("${phc_rest}");
    let Ok(hash) = PasswordHash::new(&phc) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::new(hash.algorithm.as_str()) else {
        return false;
    };
    // A PHC string without `v=` was written by Argon2 1.0 (0x10), as in the reference
    // implementation and argon2-cffi.
    let version = match hash.version {
        None => Version::V0x10,
        Some(version) => match Version::try_from(version) {
            Ok(version) => version,
            Err(_) => return false,
        },
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    if params.m_cost() > MAX_ARGON2_MEMORY_KIB
        || params.t_cost() > MAX_ARGON2_ITERATIONS
        || params.p_cost() > MAX_ARGON2_PARALLELISM
    {
        return false;
    }
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let expected = expected.as_bytes();
    let mut computed = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let hashed = with_hash_memory(blocks, |memory| {
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            raw.as_bytes(),
            salt,
            &mut computed,
            memory,
        )
    });
    if hashed.is_err() {
        return false;
    }
    computed.ct_eq(expected).into()
}

/// The digest of a Django PBKDF2 hasher.
#[derive(Clone, Copy)]
enum Pbkdf2Digest {
    /// `pbkdf2_sha256`.
    Sha256,
    /// `pbkdf2_sha1`.
    Sha1,
}

/// Verifies `raw` against `rest`, a Django PBKDF2 hash without its algorithm
/// (`<iterations>$<salt>$<base64 hash>`), the way Django does: re-encode and compare.
fn check_pbkdf2(raw: &str, rest: &str, digest: Pbkdf2Digest) -> bool {
    let mut parts = rest.splitn(3, '$');
    let (Some(iterations), Some(salt), Some(expected)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(iterations) = iterations.parse::<u32>() else {
        return false;
    };
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS || expected.is_empty() {
        return false;
    }
    let computed = match digest {
        Pbkdf2Digest::Sha256 => {
            let mut out = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                raw.as_bytes(),
                salt.as_bytes(),
                iterations,
                &mut out,
            );
            STANDARD.encode(out)
        }
        Pbkdf2Digest::Sha1 => {
            let mut out = [0u8; 20];
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(
                raw.as_bytes(),
                salt.as_bytes(),
                iterations,
                &mut out,
            );
            STANDARD.encode(out)
        }
    };
    computed.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// True when `encoded` should be replaced by a hash with the current default: it is not
/// Argon2id version 19 with [`ARGON2_MEMORY_KIB`], [`ARGON2_ITERATIONS`],
/// [`ARGON2_PARALLELISM`] and a [`ARGON2_HASH_LEN`]-byte output (e.g. a PBKDF2 or Argon2i hash,
/// or Django's Argon2 parameters).
///
/// Call it after [`check_password`] succeeded, and then store
/// [`make_password`]`(raw)` (Django's `check_password(..., setter)`). An unusable password
/// (`!...`) is never to be upgraded: `false`.
pub fn must_update(encoded: &str) -> bool {
    if !is_password_usable(encoded) {
        return false;
    }
    let Some(rest) = encoded.strip_prefix("argon2$") else {
        return true;
    };
    let phc = format!("${rest}");
    let Ok(hash) = PasswordHash::new(&phc) else {
        return true;
    };
    let param = |name: &str| hash.params.get_decimal(name);
    hash.algorithm.as_str() != Algorithm::Argon2id.as_str()
        || hash.version != Some(u32::from(Version::V0x13))
        || param("m") != Some(ARGON2_MEMORY_KIB)
        || param("t") != Some(ARGON2_ITERATIONS)
        || param("p") != Some(ARGON2_PARALLELISM)
        || hash.hash.map(|output| output.len()) != Some(ARGON2_HASH_LEN)
}

/// How many password hashes the async wrappers compute at once by default: the machine's
/// cores minus one (at least one), so hashing never occupies every core and reads stay fast
/// while users log in.
pub fn default_max_concurrent_hashes() -> usize {
    std::thread::available_parallelism()
        .map(|cores| cores.get().saturating_sub(1).max(1))
        .unwrap_or(1)
}

/// The hashing slots: their number and the semaphore that hands them out.
type Slots = (usize, std::sync::Arc<tokio::sync::Semaphore>);

static SLOTS: std::sync::RwLock<Option<Slots>> = std::sync::RwLock::new(None);

/// Sets how many password hashes the async wrappers ([`make_password`], [`check_password`],
/// [`run_dummy_hasher`]) compute at once, for the whole process; `0` restores
/// [`default_max_concurrent_hashes`]. More slots raise login throughput and let logins take
/// every core away from reads (each argon2 hash takes 7 MiB and about ten milliseconds of
/// CPU). Hashes already running keep their old slot.
pub fn set_max_concurrent_hashes(slots: usize) {
    let slots = if slots == 0 {
        default_max_concurrent_hashes()
    } else {
        slots
    };
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(slots));
    *SLOTS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((slots, semaphore));
}

/// The slots in use: set by [`set_max_concurrent_hashes`], else the default.
fn slots() -> Slots {
    if let Some(slots) = SLOTS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
    {
        return slots.clone();
    }
    let mut guard = SLOTS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    guard
        .get_or_insert_with(|| {
            let slots = default_max_concurrent_hashes();
            (
                slots,
                std::sync::Arc::new(tokio::sync::Semaphore::new(slots)),
            )
        })
        .clone()
}

/// How many password hashes the async wrappers compute at once (see
/// [`set_max_concurrent_hashes`]).
pub fn max_concurrent_hashes() -> usize {
    slots().0
}

/// Argon2 working memory kept for reuse while logins queue: at most
/// [`max_concurrent_hashes`] buffers of the size new hashes need, so a burst of logins does not
/// page in 7 MiB afresh per hash (which takes about a third as long as the hash itself). When a
/// hash ends and no other is waiting or running, its buffer and the kept ones go back to the
/// system (see [`give_hash_memory_back_to_the_system`]): a server that is not logging anyone
/// in holds no hash memory. Larger buffers (Django's default hashes want 100 MiB) are
/// allocated for the one hash and given back.
static HASH_MEMORY: std::sync::Mutex<Vec<Vec<argon2::Block>>> = std::sync::Mutex::new(Vec::new());

/// Hashes started by the async wrappers and not finished: waiting for a slot or running.
static HASHES_PENDING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts one hash in [`HASHES_PENDING`] until dropped (also when the caller stops waiting).
struct PendingHash;

impl PendingHash {
    fn start() -> Self {
        HASHES_PENDING.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        PendingHash
    }
}

impl Drop for PendingHash {
    fn drop(&mut self) {
        // Under the pool's lock: a hash that ended while this one still counted may have kept
        // its buffer for it; the last one to go gives the kept buffers back.
        let mut pool = HASH_MEMORY
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if HASHES_PENDING.fetch_sub(1, std::sync::atomic::Ordering::Relaxed) == 1 {
            pool.clear();
        }
    }
}

/// Runs `hash` with `blocks` blocks of Argon2 memory, reusing a kept buffer when one fits.
fn with_hash_memory<R>(blocks: usize, hash: impl FnOnce(&mut [argon2::Block]) -> R) -> R {
    let reusable = blocks <= ARGON2_MEMORY_KIB as usize;
    let kept = if reusable {
        HASH_MEMORY
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop()
    } else {
        None
    };
    let mut memory = kept.unwrap_or_else(|| {
        vec![
            argon2::Block::default();
            if reusable {
                ARGON2_MEMORY_KIB as usize
            } else {
                blocks
            }
        ]
    });
    let result = hash(&mut memory[..blocks]);
    let mut pool = HASH_MEMORY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // This hash still counts itself: more than one means another one waits or runs.
    let others_pending = HASHES_PENDING.load(std::sync::atomic::Ordering::Relaxed) > 1;
    if reusable && others_pending {
        if pool.len() < max_concurrent_hashes() {
            pool.push(memory);
        }
    } else if !others_pending {
        pool.clear();
    }
    result
}

/// Makes glibc's `malloc` serve every block of 4 MiB or more with its own `mmap`, returned to
/// the system on `free` (`mallopt(M_MMAP_THRESHOLD)`; once per process, Linux with glibc only).
///
/// Why: an Argon2 hash allocates its whole memory cost (7 MiB here, 100 MiB for Django's
/// default hashes) for a few tens of milliseconds. glibc raises its mmap threshold to the size
/// of the first such block freed, so the next ones come from the arena of whichever blocking
/// thread hashes, and each arena keeps its freed buffer resident: over the benchmark's logins
/// the blog grew tenfold and stayed there (`bench/RESULTS.md`, "Measured choices in the
/// code"). A fixed threshold stops the growth for the price of one `mmap`/`munmap` per hash,
/// which is small next to the hash.
fn give_hash_memory_back_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static FIXED: std::sync::Once = std::sync::Once::new();
        FIXED.call_once(|| {
            // SAFETY: `mallopt` only changes a tuning parameter of the allocator; it is
            // thread-safe in glibc and takes plain integers.
            let changed = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20) };
            if changed != 1 {
                tracing::warn!("mallopt(M_MMAP_THRESHOLD) refused; hash memory may stay resident");
            }
        });
    }
}

/// Runs `work` on tokio's blocking pool once one of the [`max_concurrent_hashes`] slots is
/// free; the slot is held until `work` finishes, even if the caller stops waiting.
async fn hash_off_the_executor<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    let (_, semaphore) = slots();
    give_hash_memory_back_to_the_system();
    let pending = PendingHash::start();
    // The semaphore is never closed, so acquiring cannot fail; hash anyway if it did.
    let permit = semaphore.acquire_owned().await.ok();
    tokio::task::spawn_blocking(move || {
        let result = work();
        drop(permit);
        drop(pending);
        result
    })
    .await
}

/// [`make_password_blocking`] on tokio's blocking pool, off the async executor.
pub async fn make_password(raw: String) -> String {
    match hash_off_the_executor(move || make_password_blocking(&raw)).await {
        Ok(encoded) => encoded,
        Err(err) => {
            tracing::error!("password hashing task failed: {err}");
            make_unusable_password()
        }
    }
}

/// [`check_password_blocking`] on tokio's blocking pool, off the async executor.
pub async fn check_password(raw: String, encoded: String) -> bool {
    match hash_off_the_executor(move || check_password_blocking(&raw, &encoded)).await {
        Ok(valid) => valid,
        Err(err) => {
            tracing::error!("password check task failed: {err}");
            false
        }
    }
}

/// Hashes `raw` once with the default hasher and discards the result, off the async
/// executor: Django's defence against telling unknown accounts from known ones by the
/// response time (run it when the user does not exist).
pub async fn run_dummy_hasher(raw: String) {
    let _ = make_password(raw).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made with Python outside Rust, exactly as Django encodes them:
    // `"argon2" + argon2.low_level.hash_secret(pw, salt, ..., hash_len=32, type=...)` and
    // `"pbkdf2_sha256$%d$%s$%s" % (iterations, salt, b64encode(hashlib.pbkdf2_hmac(...)))`.
    const PASSWORD: &str = "adminpass123";
    /// Django's current Argon2 parameters (`Argon2PasswordHasher`: t=2, m=102400, p=8).
    const DJANGO_ARGON2ID: &str = "argon2$argon2id$v=19$m=102400,t=2,p=8$WHEzaFY5YkxtMlJrVHo4V2NONHBZcw$Jgu6IcgebRNGbqV4HxitiF6JhSJ/GdCfBDS4AsQ2z2c";
    /// Django < 3.2 (argon2i, t=2, m=512, p=2).
    const DJANGO_ARGON2I: &str = "argon2$argon2i$v=19$m=512,t=2,p=2$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0";
    /// Argon2 1.0 (`v=16`).
    const ARGON2I_V16: &str = "argon2$argon2i$v=16$m=512,t=2,p=2$Wno5WXk4WHg3V3c2VnY1VXU0VHQzUw$0i7KinQxaC+jHtZfYrX0BhuXpyJ4SsJPR9wZNss80gc";
    /// The same hash without its version, as very old argon2-cffi wrote it (means 1.0).
    const ARGON2I_NO_VERSION: &str = "argon2$argon2i$m=512,t=2,p=2$Wno5WXk4WHg3V3c2VnY1VXU0VHQzUw$0i7KinQxaC+jHtZfYrX0BhuXpyJ4SsJPR9wZNss80gc";
    const ARGON2D: &str = "argon2$argon2d$v=19$m=256,t=1,p=1$UXczRXI0VHk1VWk2T3A3QXM4RGY5Rw$fxXJJ7BfALWCcyTXEAEUwx2MgvACGcCiaTM3skchQ8I";
    /// OWASP's m=19456, t=2 (this module's parameters before), password "héllo wörld ✓".
    const ARGON2ID_UNICODE: &str = "argon2$argon2id$v=19$m=19456,t=2,p=1$TW44QnY3Q3g2Wmw1S2o0SGczRmQyUw$k8w5AhWrD43TVWLduXjmAG/fw+ZnXh3UCMqEffSO2TE";
    const PBKDF2_SHA256: &str =
        "pbkdf2_sha256$10000$s4ltS4ltS4ltS4ltS4ltS4$fMHpwbVp8MLgBUyYqmEA8BBXWg+1GKBn0jDxpsE7MdA=";
    const PBKDF2_SHA1: &str =
        "pbkdf2_sha1$10000$s4ltS4ltS4ltS4ltS4ltS4$4UHdUx2uXSU4NOH4ZLW413uor0s=";
    /// Password "héllo wörld ✓".
    const PBKDF2_SHA256_UNICODE: &str =
        "pbkdf2_sha256$1000$Rt5Yu6Io7Pa8Sd9Fg0Hj1K$hCfqWcuGRcYUj6swlFNAjYkeYoyXgoqazwZZj0/gEA0=";

    #[test]
    fn argon2id_round_trip_in_django_format() {
        let hash = make_password_blocking("s3cret pass");
        assert!(
            hash.starts_with("argon2$argon2id$v=19$m=7168,t=5,p=1$"),
            "{hash}"
        );
        assert!(check_password_blocking("s3cret pass", &hash));
        assert!(!check_password_blocking("s3cret pass ", &hash));
        assert!(!check_password_blocking("wrong", &hash));
        assert!(!check_password_blocking("", &hash));
        assert!(!must_update(&hash));
        // Django's salt: 22 alphanumeric characters, base64-encoded without padding.
        let parts: Vec<&str> = hash.split('$').collect();
        assert_eq!(parts.len(), 6, "{hash}");
        let salt = STANDARD_NO_PAD.decode(parts[4]).expect("salt is base64");
        assert_eq!(salt.len(), SALT_LENGTH);
        assert!(salt.iter().all(u8::is_ascii_alphanumeric));
        let output = STANDARD_NO_PAD.decode(parts[5]).expect("hash is base64");
        assert_eq!(output.len(), ARGON2_HASH_LEN);
        // Fresh salt every time.
        assert_ne!(hash, make_password_blocking("s3cret pass"));
    }

    #[test]
    fn empty_password_round_trips() {
        let hash = make_password_blocking("");
        assert!(check_password_blocking("", &hash));
        assert!(!check_password_blocking(" ", &hash));
    }

    #[test]
    fn verifies_django_argon2_hashes() {
        for hash in [
            DJANGO_ARGON2ID,
            DJANGO_ARGON2I,
            ARGON2I_V16,
            ARGON2I_NO_VERSION,
            ARGON2D,
        ] {
            assert!(check_password_blocking(PASSWORD, hash), "{hash}");
            assert!(!check_password_blocking("adminpass124", hash), "{hash}");
            assert!(must_update(hash), "{hash}");
        }
        assert!(check_password_blocking("héllo wörld ✓", ARGON2ID_UNICODE));
        assert!(!check_password_blocking("hello world ✓", ARGON2ID_UNICODE));
        // Written with this module's earlier parameters (m=19456, t=2): upgraded on login.
        assert!(must_update(ARGON2ID_UNICODE));
    }

    #[test]
    fn version_matters() {
        // The v=16 hash read as v=19 is another hash.
        let relabelled = ARGON2I_V16.replace("v=16", "v=19");
        assert!(!check_password_blocking(PASSWORD, &relabelled));
    }

    #[test]
    fn verifies_django_pbkdf2_hashes() {
        for hash in [PBKDF2_SHA256, PBKDF2_SHA1] {
            assert!(check_password_blocking(PASSWORD, hash), "{hash}");
            assert!(!check_password_blocking("adminpass124", hash), "{hash}");
            assert!(must_update(hash), "{hash}");
        }
        assert!(check_password_blocking(
            "héllo wörld ✓",
            PBKDF2_SHA256_UNICODE
        ));
        // Same digest, other iteration count or salt: no match.
        assert!(!check_password_blocking(
            PASSWORD,
            &PBKDF2_SHA256.replace("$10000$", "$10001$")
        ));
        assert!(!check_password_blocking(
            PASSWORD,
            &PBKDF2_SHA256.replace("s4ltS4lt", "s4ltS4lT")
        ));
        // The SHA-1 hash under the SHA-256 name.
        assert!(!check_password_blocking(
            PASSWORD,
            &PBKDF2_SHA1.replace("pbkdf2_sha1$", "pbkdf2_sha256$")
        ));
    }

    #[test]
    fn tampered_hashes_do_not_verify() {
        for hash in [DJANGO_ARGON2I, PBKDF2_SHA256] {
            // Flip one character of the stored hash.
            let mut chars: Vec<char> = hash.chars().collect();
            let i = chars.len() - 5;
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let tampered: String = chars.into_iter().collect();
            assert!(!check_password_blocking(PASSWORD, &tampered), "{tampered}");
        }
    }

    #[test]
    fn garbage_never_verifies_nor_panics() {
        let huge_memory = "argon2$argon2id$v=19$m=4294967295,t=2,p=1$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0";
        let huge_time = "argon2$argon2id$v=19$m=512,t=4294967295,p=1$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0";
        let cases = [
            "",
            "!",
            "!Xq3hV9bLm2RkTz8WcN4pYs",
            "$",
            "$$$$",
            "argon2",
            "argon2$",
            "argon2$argon2id",
            "argon2$argon2id$v=19$m=19456,t=2,p=1$$",
            "argon2$argon2id$v=19$m=19456,t=2,p=1$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA",
            "argon2$argon2id$v=19$m=19456,t=2,p=1$!!!!$????",
            "argon2$argon2id$v=20$m=512,t=2,p=2$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0",
            "argon2$argon2x$v=19$m=512,t=2,p=2$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0",
            "argon2$argon2i$v=19$m=512,t=0,p=2$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0",
            "argon2$argon2i$v=19$m=512,t=2,p=0$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0",
            "argon2$argon2i$v=19$m=1,t=2,p=2$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0",
            "argon2$argon2i$v=19$m=512,t=2,p=2,x=1$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0",
            huge_memory,
            huge_time,
            "$argon2id$v=19$m=512,t=2,p=2$QWIxMkNkMzRFZjU2R2g3OElqOTBLbA$Ih7QJ6nEZvzoUNDkqNeYwf5FJc9Tm1eE4SOL030OoN0",
            "argon2$ü$ß",
            "pbkdf2_sha256",
            "pbkdf2_sha256$",
            "pbkdf2_sha256$10000",
            "pbkdf2_sha256$10000$salt",
            "pbkdf2_sha256$10000$salt$",
            "pbkdf2_sha256$abc$salt$fMHpwbVp8MLgBUyYqmEA8BBXWg+1GKBn0jDxpsE7MdA=",
            "pbkdf2_sha256$0$salt$fMHpwbVp8MLgBUyYqmEA8BBXWg+1GKBn0jDxpsE7MdA=",
            "pbkdf2_sha256$-1$salt$fMHpwbVp8MLgBUyYqmEA8BBXWg+1GKBn0jDxpsE7MdA=",
            "pbkdf2_sha256$99999999999$salt$fMHpwbVp8MLgBUyYqmEA8BBXWg+1GKBn0jDxpsE7MdA=",
            "pbkdf2_sha256$4294967295$salt$fMHpwbVp8MLgBUyYqmEA8BBXWg+1GKBn0jDxpsE7MdA=",
            "pbkdf2_sha512$10000$s4ltS4ltS4ltS4ltS4ltS4$fMHpwbVp8MLgBUyYqmEA8BBXWg+1GKBn0jDxpsE7MdA=",
            "md5$salt$0123456789abcdef0123456789abcdef",
            "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuu",
            "scrypt$salt$16384$8$1$hash",
            "adminpass123",
        ];
        for encoded in cases {
            assert!(!check_password_blocking(PASSWORD, encoded), "{encoded}");
            assert!(!check_password_blocking("", encoded), "{encoded}");
            // must_update never panics either.
            let _ = must_update(encoded);
        }
    }

    #[test]
    fn must_update_wants_the_current_argon2id_parameters() {
        let current = make_password_blocking("pw");
        assert!(!must_update(&current));
        assert!(must_update(&current.replace("m=7168", "m=7169")));
        assert!(must_update(&current.replace("t=5", "t=6")));
        assert!(must_update(&current.replace("p=1", "p=2")));
        assert!(must_update(&current.replace("argon2id", "argon2i")));
        assert!(must_update(&current.replace("v=19", "v=16")));
        assert!(must_update(DJANGO_ARGON2ID));
        assert!(must_update(PBKDF2_SHA256));
        assert!(must_update("argon2$garbage"));
        // Unusable passwords are never rehashed.
        assert!(!must_update("!"));
        assert!(!must_update(&make_unusable_password()));
    }

    #[test]
    fn unusable_passwords() {
        let unusable = make_unusable_password();
        assert!(unusable.starts_with('!'));
        assert_eq!(unusable.len(), 1 + UNUSABLE_PASSWORD_SUFFIX_LENGTH);
        assert!(!is_password_usable(&unusable));
        assert!(is_password_usable(PBKDF2_SHA256));
        assert!(!check_password_blocking(&unusable, &unusable));
        assert!(!check_password_blocking(&unusable[1..], &unusable));
    }

    #[test]
    fn hashing_slots_are_a_setting() {
        set_max_concurrent_hashes(3);
        assert_eq!(max_concurrent_hashes(), 3);
        set_max_concurrent_hashes(0);
        assert_eq!(max_concurrent_hashes(), default_max_concurrent_hashes());
    }

    #[tokio::test]
    async fn async_wrappers_run_off_the_executor() {
        let hash = make_password("async pw".into()).await;
        assert!(check_password("async pw".into(), hash.clone()).await);
        assert!(!check_password("other".into(), hash).await);
        assert!(check_password(PASSWORD.into(), PBKDF2_SHA256.into()).await);
        assert!(!check_password(PASSWORD.into(), "garbage".into()).await);
        run_dummy_hasher("whatever".into()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hash_memory_goes_back_when_no_login_waits() {
        // Other tests of this binary may hash at the same time; the buffers must be gone at a
        // moment when no hash is pending, which comes within a few tries.
        for _ in 0..50 {
            let hashes = (0..4).map(|i| make_password(format!("pw {i}")));
            let hashed = futures_util::future::join_all(hashes).await;
            assert!(
                hashed
                    .iter()
                    .all(|hash| hash.starts_with("argon2$argon2id$"))
            );
            let pool = HASH_MEMORY
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if HASHES_PENDING.load(std::sync::atomic::Ordering::Relaxed) == 0 {
                assert!(
                    pool.is_empty(),
                    "{} buffers kept with no login pending",
                    pool.len()
                );
                return;
            }
        }
        panic!("hashes stayed pending");
    }
}
