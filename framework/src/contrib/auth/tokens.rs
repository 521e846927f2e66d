//! Password-reset tokens (Django's `django.contrib.auth.tokens.PasswordResetTokenGenerator`,
//! with django-allauth's e-mail-aware hash value), and Django's base 36 helpers.
//!
//! A token is `<timestamp in base 36>-<every other hex digit of an HMAC-SHA256>`: the
//! timestamp counts seconds since 2001-01-01, the HMAC (`salted_hmac`, key salt
//! `django.contrib.auth.tokens.PasswordResetTokenGenerator`, Django's `SECRET_KEY`) covers
//! the user's primary key, password hash, last login, the timestamp and e-mail address. A
//! token therefore stops working once the password changes (it is single use), once the
//! user logs in, and after [`PASSWORD_RESET_TIMEOUT`]. Tokens interoperate with Django's.

use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Django's `PASSWORD_RESET_TIMEOUT`: 3 days, in seconds.
pub const PASSWORD_RESET_TIMEOUT: i64 = 60 * 60 * 24 * 3;

/// The key salt of Django's `PasswordResetTokenGenerator`.
pub const KEY_SALT: &str = "django.contrib.auth.tokens.PasswordResetTokenGenerator";

/// Django's `salted_hmac(key_salt, value, secret, algorithm="sha256")`: HMAC-SHA256 of
/// `value` keyed with `sha256(key_salt + secret)`.
pub fn salted_hmac(key_salt: &str, value: &str, secret: &[u8]) -> [u8; 32] {
    let mut key_hasher = Sha256::new();
    key_hasher.update(key_salt.as_bytes());
    key_hasher.update(secret);
    let key = key_hasher.finalize();
    // HMAC accepts keys of any length.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(&key) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Django's `int_to_base36`: `0-9a-z`, no sign (negative numbers are written as 0).
pub fn int_to_base36(value: i64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = value.max(0) as u64;
    if n < 36 {
        return (DIGITS[n as usize] as char).to_string();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Django's `base36_to_int`: at most 13 characters, read as Python's `int(s, 36)` (case
/// insensitive, surrounding whitespace, a sign, single underscores between digits).
/// `None` where Django raises `ValueError` or the value does not fit an `i64`.
pub fn base36_to_int(text: &str) -> Option<i64> {
    if text.chars().count() > 13 {
        return None;
    }
    let text = text.trim_matches(crate::fields::is_py_space);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: i64 = 0;
    for c in digits.chars().filter(|c| *c != '_') {
        let digit = c.to_digit(36)?;
        value = value.checked_mul(36)?.checked_add(i64::from(digit))?;
    }
    Some(if negative { -value } else { value })
}

/// What a reset token is bound to: the user's state that a reset (or a login) changes.
#[derive(Debug, Clone, Copy)]
pub struct TokenUser<'a> {
    /// Primary key.
    pub pk: i64,
    /// The stored password hash.
    pub password: &'a str,
    /// `last_login`.
    pub last_login: Option<DateTime<Utc>>,
    /// The e-mail address (empty if none).
    pub email: &'a str,
}

/// Django's `PasswordResetTokenGenerator` (as django-allauth's
/// `EmailAwarePasswordResetTokenGenerator`, which dj-rest-auth uses with allauth).
#[derive(Debug, Clone)]
pub struct PasswordResetTokenGenerator {
    secret: Vec<u8>,
    /// Older secrets whose tokens are still accepted (`SECRET_KEY_FALLBACKS`).
    pub secret_fallbacks: Vec<Vec<u8>>,
    /// Seconds a token stays valid (`PASSWORD_RESET_TIMEOUT`).
    pub timeout: i64,
    /// Appends the user's e-mail addresses to the hash value as django-allauth does (its
    /// users' tokens differ from plain Django's); `true` by default.
    pub email_aware: bool,
}

impl PasswordResetTokenGenerator {
    /// A generator signing with `secret` (Django's `SECRET_KEY`), with Django's timeout.
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        PasswordResetTokenGenerator {
            secret: secret.into(),
            secret_fallbacks: Vec::new(),
            timeout: PASSWORD_RESET_TIMEOUT,
            email_aware: true,
        }
    }

    /// `make_token(user)`: a token for now.
    pub fn make_token(&self, user: &TokenUser<'_>) -> String {
        self.make_token_with_timestamp(user, num_seconds(Utc::now()), &self.secret)
    }

    /// `check_token(user, token)`: made for this user's current state by this secret (or a
    /// fallback), and not older than the timeout. Compared in constant time.
    pub fn check_token(&self, user: &TokenUser<'_>, token: &str) -> bool {
        self.check_token_at(user, token, Utc::now())
    }

    /// [`PasswordResetTokenGenerator::check_token`] at a given time.
    pub fn check_token_at(&self, user: &TokenUser<'_>, token: &str, now: DateTime<Utc>) -> bool {
        if token.is_empty() {
            return false;
        }
        let mut parts = token.split('-');
        let (Some(ts_b36), Some(_), None) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let Some(timestamp) = base36_to_int(ts_b36) else {
            return false;
        };
        let matches = std::iter::once(&self.secret)
            .chain(self.secret_fallbacks.iter())
            .any(|secret| {
                let expected = self.make_token_with_timestamp(user, timestamp, secret);
                bool::from(expected.as_bytes().ct_eq(token.as_bytes()))
            });
        matches && num_seconds(now).saturating_sub(timestamp) <= self.timeout
    }

    /// `_make_token_with_timestamp`.
    pub fn make_token_with_timestamp(
        &self,
        user: &TokenUser<'_>,
        timestamp: i64,
        secret: &[u8],
    ) -> String {
        let digest = salted_hmac(KEY_SALT, &self.make_hash_value(user, timestamp), secret);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        // Every other character, to shorten the URL.
        let short: String = hex.chars().step_by(2).collect();
        format!("{}-{short}", int_to_base36(timestamp))
    }

    /// `_make_hash_value`: `pk + password + last_login (seconds, no zone) + timestamp +
    /// email`, then allauth's `"|".join(sorted(emails))`.
    pub fn make_hash_value(&self, user: &TokenUser<'_>, timestamp: i64) -> String {
        let login = user
            .last_login
            .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let mut value = format!(
            "{}{}{login}{timestamp}{}",
            user.pk, user.password, user.email
        );
        if self.email_aware {
            // The user's addresses, sorted and joined by `|`: here the one address.
            value.push_str(user.email);
        }
        value
    }
}

/// `_num_seconds`: whole seconds since 2001-01-01 00:00 (UTC, Django's `TIME_ZONE`).
pub fn num_seconds(at: DateTime<Utc>) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(2001, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or_default();
    (at - epoch).num_seconds()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Made by the reference app (Django 6.1 + allauth) with its secret key.
    const SECRET: &str = "drf-blog-reference-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz";
    const PASSWORD: &str = "argon2$argon2id$v=19$m=102400,t=2,p=8$YVFMWTFsWlA5S0Q3R0JVMkxTTVRhRw$ViAnI90YIxZQ/IBglyNbBJqmKVyRWmzSG21q3GdiDm8";

    fn user() -> TokenUser<'static> {
        TokenUser {
            pk: 1,
            password: PASSWORD,
            last_login: Utc.with_ymd_and_hms(2026, 11, 23, 12, 9, 23).single(),
            email: "bob.x@example.com",
        }
    }

    #[test]
    fn tokens_equal_djangos() {
        let generator = PasswordResetTokenGenerator::new(SECRET);
        assert_eq!(
            generator.make_hash_value(&user(), 123),
            format!("1{PASSWORD}2026-11-23 12:09:23123bob.x@example.combob.x@example.com")
        );
        assert_eq!(
            generator.make_token_with_timestamp(&user(), 123, SECRET.as_bytes()),
            "3f-b7bb6208a7a54f360349320711112f01"
        );
        // Mailed by the reference at 2026-11-23 12:09:23 UTC.
        let token = "dihwfn-8695677e7c2e9e4112db8437d5d4840b";
        let mailed = Utc.with_ymd_and_hms(2026, 11, 23, 12, 9, 23).unwrap();
        assert_eq!(base36_to_int("dihwfn"), Some(num_seconds(mailed)));
        assert!(generator.check_token_at(&user(), token, mailed));
        let later = mailed + chrono::Duration::seconds(PASSWORD_RESET_TIMEOUT);
        assert!(generator.check_token_at(&user(), token, later));
        let too_late = later + chrono::Duration::seconds(1);
        assert!(!generator.check_token_at(&user(), token, too_late));
    }

    #[test]
    fn tokens_bind_to_the_users_state() {
        let generator = PasswordResetTokenGenerator::new(SECRET);
        let token = generator.make_token(&user());
        assert!(generator.check_token(&user(), &token));
        let changed = TokenUser {
            password: "argon2$other",
            ..user()
        };
        assert!(!generator.check_token(&changed, &token));
        let logged_in = TokenUser {
            last_login: Some(Utc::now()),
            ..user()
        };
        assert!(!generator.check_token(&logged_in, &token));
        assert!(!PasswordResetTokenGenerator::new("other").check_token(&user(), &token));
        let mut rotated = PasswordResetTokenGenerator::new("new key");
        rotated.secret_fallbacks.push(SECRET.into());
        assert!(rotated.check_token(&user(), &token));
        for bad in ["", "-", "x", "zz-zz-zz", "!!-abc", &format!("{token}x")] {
            assert!(!generator.check_token(&user(), bad), "{bad}");
        }
    }

    #[test]
    fn base36_like_django() {
        assert_eq!(int_to_base36(0), "0");
        assert_eq!(int_to_base36(35), "z");
        assert_eq!(int_to_base36(36), "10");
        assert_eq!(base36_to_int("10"), Some(36));
        assert_eq!(base36_to_int("Z"), Some(35));
        assert_eq!(base36_to_int(" 1_0 "), Some(36));
        assert_eq!(base36_to_int("-1"), Some(-1));
        assert_eq!(base36_to_int(""), None);
        assert_eq!(base36_to_int("1__0"), None);
        assert_eq!(base36_to_int("!"), None);
        assert_eq!(base36_to_int("zzzzzzzzzzzzzz"), None);
        for n in [1, 127, 1_000_000, i64::from(u32::MAX)] {
            assert_eq!(base36_to_int(&int_to_base36(n)), Some(n));
        }
    }
}
