//! Password hashers (Django's `django.contrib.auth.hashers`): new hashes are Argon2id in
//! Django's format (`argon2$argon2id$v=19$m=...,t=...,p=...$salt$hash`); Django's
//! `pbkdf2_sha256$...` hashes verify too, so user tables move between this and Django.
//! Hashing is slow on purpose: the async functions run it on tokio's blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use subtle::ConstantTimeEq;

/// Argon2 memory cost of new hashes, KiB (OWASP's recommendation).
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
/// Argon2 time cost of new hashes.
pub const ARGON2_ITERATIONS: u32 = 2;
/// Argon2 parallelism of new hashes.
pub const ARGON2_PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    // The constants above are valid parameters.
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM, None)
        .unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with Argon2id in Django's format. Blocks: prefer [`make_password`].
pub fn make_password_blocking(raw: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    match argon2().hash_password(raw.as_bytes(), &salt) {
        Ok(hash) => format!("argon2{hash}"),
        // Unreachable with valid parameters; an unusable hash refuses every password.
        Err(_) => "!".into(),
    }
}

/// Checks a password against a Django-format hash (Argon2 or PBKDF2-SHA256). Blocks.
pub fn check_password_blocking(raw: &str, encoded: &str) -> bool {
    if let Some(phc) = encoded.strip_prefix("argon2") {
        return PasswordHash::new(phc)
            .map(|hash| Argon2::default().verify_password(raw.as_bytes(), &hash).is_ok())
            .unwrap_or(false);
    }
    if let Some(rest) = encoded.strip_prefix("pbkdf2_sha256$") {
        let mut parts = rest.splitn(3, '$');
        let (Some(iterations), Some(salt), Some(expected)) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let Ok(iterations) = iterations.parse::<u32>() else { return false };
        if iterations == 0 {
            return false;
        }
        let mut derived = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(raw.as_bytes(), salt.as_bytes(), iterations, &mut derived);
        let computed = base64::engine::general_purpose::STANDARD.encode(derived);
        return computed.as_bytes().ct_eq(expected.as_bytes()).into();
    }
    false
}

/// True when a hash should be replaced by a new default one (another algorithm or cost).
pub fn must_update(encoded: &str) -> bool {
    let Some(phc) = encoded.strip_prefix("argon2") else { return true };
    let Ok(hash) = PasswordHash::new(phc) else { return true };
    let param = |name: &str| hash.params.get_decimal(name);
    hash.algorithm.as_str() != "argon2id"
        || param("m") != Some(ARGON2_MEMORY_KIB)
        || param("t") != Some(ARGON2_ITERATIONS)
        || param("p") != Some(ARGON2_PARALLELISM)
}

/// Hashes a password off the async executor.
pub async fn make_password(raw: String) -> String {
    tokio::task::spawn_blocking(move || make_password_blocking(&raw))
        .await
        .unwrap_or_else(|_| "!".into())
}

/// Checks a password off the async executor.
pub async fn check_password(raw: String, encoded: String) -> bool {
    tokio::task::spawn_blocking(move || check_password_blocking(&raw, &encoded))
        .await
        .unwrap_or(false)
}

/// Spends the time of one hash (Django's defence against telling unknown accounts apart
/// by response time).
pub async fn run_dummy_hasher(raw: String) {
    let _ = make_password(raw).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip_in_django_format() {
        let hash = make_password_blocking("s3cret pass");
        assert!(hash.starts_with("argon2$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(check_password_blocking("s3cret pass", &hash));
        assert!(!check_password_blocking("wrong", &hash));
        assert!(!must_update(&hash));
    }

    #[test]
    fn verifies_django_hashes() {
        // Made outside Rust, in Django's formats: argon2-cffi with Django's Argon2 parameters,
        // and Python's hashlib.pbkdf2_hmac for PBKDF2-SHA256, both of "adminpass123".
        let argon2 = "argon2$argon2id$v=19$m=102400,t=2,p=8$N9jcTxesCt20/ROvtjJ1lA$lfZFrH19e/2oP0Xc3RCXGF8xGgTu+3zvq9ycLlco6rk";
        let pbkdf2 = "pbkdf2_sha256$1000$somesalt$MV9uralL4W7CfiowhKdHU7ARqWkvGFG+70qanGBRMTY=";
        for hash in [argon2, pbkdf2] {
            assert!(check_password_blocking("adminpass123", hash), "{hash}");
            assert!(!check_password_blocking("adminpass124", hash), "{hash}");
            assert!(must_update(hash), "{hash}");
        }
    }

    #[test]
    fn garbage_never_verifies() {
        for encoded in ["", "!", "argon2$nonsense", "pbkdf2_sha256$", "md5$x$y", "pbkdf2_sha256$0$s$h"] {
            assert!(!check_password_blocking("pw", encoded), "{encoded}");
        }
    }
}
