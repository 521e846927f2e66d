//! Django's `django.core.signing` and `django.utils.crypto.salted_hmac`, byte-compatible with
//! Django 6: values signed here are accepted by Django and the other way round.
//!
//! `dumps(obj)` is `base64url(json)[:timestamp]:signature` where the JSON is compact and
//! ASCII-only (`json.dumps(obj, separators=(",", ":"))`), optionally zlib-compressed (then
//! prefixed with `.`), the timestamp is base 62 seconds since the epoch, and the signature is
//! base64url (unpadded) of HMAC-SHA256 with the key `sha256(salt + "signer" + secret)`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Why a signed value was refused (Django's `BadSignature` / `SignatureExpired`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadSignature {
    /// No separator, a wrong signature, or a payload that does not decode.
    #[error("bad signature: {0}")]
    Invalid(&'static str),
    /// Signed longer ago than `max_age`.
    #[error("signature expired")]
    Expired,
}

/// Django's `salted_hmac(key_salt, value, secret, algorithm="sha256")`: HMAC-SHA256 of
/// `value` keyed with `sha256(key_salt + secret)`.
pub fn salted_hmac(key_salt: &str, value: &[u8], secret: &[u8]) -> [u8; 32] {
    let mut key_hasher = Sha256::new();
    key_hasher.update(key_salt.as_bytes());
    key_hasher.update(secret);
    let key = key_hasher.finalize();
    // A 32-byte key is always accepted by HMAC.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&key) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(value);
    mac.finalize().into_bytes().into()
}

/// Lowercase hexadecimal of bytes (Python's `hexdigest()`).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Django's `constant_time_compare` on text.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Django's `get_random_string(length, allowed_chars)`: characters drawn uniformly by the
/// thread-local CSPRNG (seeded from the operating system).
pub fn get_random_string(length: usize, allowed_chars: &[u8]) -> String {
    use rand::Rng;
    if allowed_chars.is_empty() {
        return String::new();
    }
    let mut rng = rand::rng();
    (0..length)
        .map(|_| char::from(allowed_chars[rng.random_range(0..allowed_chars.len())]))
        .collect()
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Django's `b62_encode`.
pub fn b62_encode(value: i64) -> String {
    if value == 0 {
        return "0".into();
    }
    let mut rest = value.unsigned_abs();
    let mut digits = Vec::new();
    while rest > 0 {
        digits.push(BASE62[(rest % 62) as usize]);
        rest /= 62;
    }
    if value < 0 {
        digits.push(b'-');
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// Django's `b62_decode`; `None` for characters outside the alphabet or overflow.
pub fn b62_decode(text: &str) -> Option<i64> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for byte in digits.bytes() {
        let digit = BASE62.iter().position(|&d| d == byte)? as i64;
        value = value.checked_mul(62)?.checked_add(digit)?;
    }
    Some(sign * value)
}

/// Python's `json.dumps(value, separators=(",", ":"))`: compact, and every non-ASCII
/// character escaped as `\uXXXX` (`ensure_ascii`).
pub fn json_dumps_ascii(value: &Value) -> String {
    let compact = value.to_string();
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Django's `Signer` / `TimestampSigner` with the SHA-256 algorithm and `:` separator.
#[derive(Debug, Clone)]
pub struct Signer<'a> {
    key: &'a [u8],
    salt: &'a str,
}

impl<'a> Signer<'a> {
    /// A signer with `key` (Django's `SECRET_KEY`) and `salt`.
    pub fn new(key: &'a [u8], salt: &'a str) -> Self {
        Signer { key, salt }
    }

    /// `Signer.signature(value)`.
    pub fn signature(&self, value: &str) -> String {
        let salt = format!("{}signer", self.salt);
        URL_SAFE_NO_PAD.encode(salted_hmac(&salt, value.as_bytes(), self.key))
    }

    /// `Signer.sign(value)`: `value:signature`.
    pub fn sign(&self, value: &str) -> String {
        format!("{value}:{}", self.signature(value))
    }

    /// `Signer.unsign(signed)`: the value, when its signature is right (compared in constant
    /// time).
    pub fn unsign<'s>(&self, signed: &'s str) -> Result<&'s str, BadSignature> {
        let (value, signature) = signed
            .rsplit_once(':')
            .ok_or(BadSignature::Invalid("no separator"))?;
        if constant_time_eq(signature, &self.signature(value)) {
            Ok(value)
        } else {
            Err(BadSignature::Invalid("signature does not match"))
        }
    }

    /// `TimestampSigner.sign(value)` at the Unix time `timestamp`.
    pub fn sign_with_timestamp(&self, value: &str, timestamp: i64) -> String {
        self.sign(&format!("{value}:{}", b62_encode(timestamp)))
    }

    /// `TimestampSigner.unsign(signed, max_age)` as of the Unix time `now`.
    pub fn unsign_with_timestamp<'s>(
        &self,
        signed: &'s str,
        max_age: Option<Duration>,
        now: i64,
    ) -> Result<&'s str, BadSignature> {
        let (value, timestamp) = self
            .unsign(signed)?
            .rsplit_once(':')
            .ok_or(BadSignature::Invalid("no timestamp"))?;
        let timestamp = b62_decode(timestamp).ok_or(BadSignature::Invalid("bad timestamp"))?;
        if let Some(max_age) = max_age
            && now.saturating_sub(timestamp) as i128 > max_age.as_secs() as i128
        {
            return Err(BadSignature::Expired);
        }
        Ok(value)
    }
}

/// The most a compressed payload may inflate to (a signed payload cannot be a zip bomb made by
/// someone else, but a leaked key should not let one exhaust memory either).
const MAX_DECOMPRESSED: usize = 16 * 1024 * 1024;

/// Django's `signing.dumps(obj, key, salt, compress)` at the Unix time `timestamp`.
pub fn dumps_at(value: &Value, key: &[u8], salt: &str, compress: bool, timestamp: i64) -> String {
    let data = json_dumps_ascii(value).into_bytes();
    let mut payload = None;
    if compress {
        // Python's `zlib.compress(data)` uses level 6; any valid zlib stream decodes the same.
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&data, 6);
        if compressed.len() + 1 < data.len() {
            payload = Some(format!(".{}", URL_SAFE_NO_PAD.encode(compressed)));
        }
    }
    let payload = payload.unwrap_or_else(|| URL_SAFE_NO_PAD.encode(&data));
    Signer::new(key, salt).sign_with_timestamp(&payload, timestamp)
}

/// Django's `signing.dumps` now.
pub fn dumps(value: &Value, key: &[u8], salt: &str, compress: bool) -> String {
    dumps_at(value, key, salt, compress, chrono::Utc::now().timestamp())
}

/// Django's `signing.loads(signed, key, salt, max_age)` as of the Unix time `now`.
pub fn loads_at(
    signed: &str,
    key: &[u8],
    salt: &str,
    max_age: Option<Duration>,
    now: i64,
) -> Result<Value, BadSignature> {
    let payload = Signer::new(key, salt).unsign_with_timestamp(signed, max_age, now)?;
    let (compressed, encoded) = match payload.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, payload),
    };
    let mut data = b64_decode_django(encoded).ok_or(BadSignature::Invalid("bad base64"))?;
    if compressed {
        data = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&data, MAX_DECOMPRESSED)
            .map_err(|_| BadSignature::Invalid("bad zlib data"))?;
    }
    // Django decodes the JSON as latin-1 (what it wrote is ASCII).
    let text: String = data.iter().map(|&b| char::from(b)).collect();
    serde_json::from_str(&text).map_err(|_| BadSignature::Invalid("bad JSON"))
}

/// Django's `signing.loads` now.
pub fn loads(
    signed: &str,
    key: &[u8],
    salt: &str,
    max_age: Option<Duration>,
) -> Result<Value, BadSignature> {
    loads_at(signed, key, salt, max_age, chrono::Utc::now().timestamp())
}

/// Django's `b64_decode`: URL-safe base64 with the padding restored. Python's decoder skips
/// characters outside the alphabet; signed payloads never contain any, so they are refused.
fn b64_decode_django(encoded: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Vectors made by Django 6.1 (`signing.dumps`, `SessionStore().encode`) with this key.
    const KEY: &[u8] = b"drf-blog-reference-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz";
    const SESSION_SALT: &str = "django.contrib.sessions.SessionStore";

    #[test]
    fn reads_values_signed_by_django() {
        assert_eq!(
            loads(
                "ImhlbGxvIg:1xVSqM:0w56eGTejiMizG9jetlSGBA0j6979PgPnEaEwO1a95U",
                KEY,
                "django.core.signing",
                None
            ),
            Ok(json!("hello"))
        );
        assert_eq!(
            loads(
                "eyJhIjoiXHUwMGU5In0:1xVSqM:vv5AY2fBT6fVANlHDn6KdFcvsNf67TdmMhqmUaxtJAU",
                KEY,
                SESSION_SALT,
                None
            ),
            Ok(json!({"a": "\u{e9}"}))
        );
        // Tampering, another salt or another key: refused.
        for (signed, salt, key) in [
            (
                "ImhlbGxvIh:1xVSqM:0w56eGTejiMizG9jetlSGBA0j6979PgPnEaEwO1a95U",
                "django.core.signing",
                KEY,
            ),
            (
                "ImhlbGxvIg:1xVSqM:0w56eGTejiMizG9jetlSGBA0j6979PgPnEaEwO1a95U",
                SESSION_SALT,
                KEY,
            ),
            (
                "ImhlbGxvIg:1xVSqM:0w56eGTejiMizG9jetlSGBA0j6979PgPnEaEwO1a95U",
                "django.core.signing",
                b"other",
            ),
            ("garbage", SESSION_SALT, KEY),
            ("", SESSION_SALT, KEY),
            (":::", SESSION_SALT, KEY),
        ] {
            assert!(loads(signed, key, salt, None).is_err(), "{signed}");
        }
    }

    #[test]
    fn writes_what_django_writes() {
        // The vectors above were signed at 1xVSqM.
        let at = b62_decode("1xVSqM").expect("timestamp");
        assert_eq!(b62_encode(at), "1xVSqM");
        assert_eq!(
            dumps_at(&json!("hello"), KEY, "django.core.signing", false, at),
            "ImhlbGxvIg:1xVSqM:0w56eGTejiMizG9jetlSGBA0j6979PgPnEaEwO1a95U"
        );
        assert_eq!(
            dumps_at(&json!({"a": "\u{e9}"}), KEY, SESSION_SALT, true, at),
            "eyJhIjoiXHUwMGU5In0:1xVSqM:vv5AY2fBT6fVANlHDn6KdFcvsNf67TdmMhqmUaxtJAU"
        );
        // Compressed payloads round-trip (the zlib bytes may differ from Python's).
        let big = json!({"key": "x".repeat(500)});
        let signed = dumps_at(&big, KEY, SESSION_SALT, true, at);
        assert!(signed.starts_with('.'), "{signed}");
        assert_eq!(loads_at(&signed, KEY, SESSION_SALT, None, at), Ok(big));
    }

    #[test]
    fn max_age_expires_signatures() {
        let signed = dumps_at(&json!(1), KEY, "s", false, 1000);
        let day = Some(Duration::from_secs(86_400));
        assert_eq!(
            loads_at(&signed, KEY, "s", day, 1000 + 86_400),
            Ok(json!(1))
        );
        assert_eq!(
            loads_at(&signed, KEY, "s", day, 1001 + 86_400),
            Err(BadSignature::Expired)
        );
    }

    #[test]
    fn base62_and_hmac_match_django() {
        for (n, text) in [(0, "0"), (61, "z"), (62, "10"), (-62, "-10")] {
            assert_eq!(b62_encode(n), text);
            assert_eq!(b62_decode(text), Some(n));
        }
        assert_eq!(b62_decode("!"), None);
        assert_eq!(b62_decode("-"), None);
        assert_eq!(b62_decode("zzzzzzzzzzzzzzzzzzzzzzzz"), None);
        assert_eq!(
            hex(&salted_hmac(
                "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
                b"argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$abcdefghijklmnopqrstuv",
                KEY
            )),
            "0ba80385008b58f38f2a1bc6b9b07fecf6fb10960bef5b1521689b674a352e37"
        );
        assert_eq!(
            json_dumps_ascii(&json!({"a": "\u{e9}\u{1f600}", "b": [1, null]})),
            r#"{"a":"\u00e9\ud83d\ude00","b":[1,null]}"#
        );
    }
}
