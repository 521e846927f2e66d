//! DRF's `BasicAuthentication`: `Authorization: Basic base64(username:password)`, checked
//! against the user store and the password hashers.
//!
//! The header is read as DRF reads it: as raw bytes (Django hands DRF the latin-1 bytes of the
//! header), split on ASCII whitespace as Python's `bytes.split()`, the scheme compared without
//! regard to case, the credentials decoded as Python's lenient `base64.b64decode` (characters
//! outside the alphabet are skipped, data after complete padding is ignored), then as UTF-8 or,
//! failing that, latin-1, and split at the first `:`.
//!
//! Answers, all 401 (DRF's texts):
//!
//! | header | body |
//! | --- | --- |
//! | `Basic` | `Invalid basic header. No credentials provided.` |
//! | `Basic a b` | `Invalid basic header. Credentials string should not contain spaces.` |
//! | `Basic !!!` or base64 without `:` | `Invalid basic header. Credentials not correctly base64 encoded.` |
//! | unknown user, wrong password, inactive user | `Invalid username/password.` |
//!
//! An inactive user gets `Invalid username/password.`, not DRF's `User inactive or deleted.`:
//! Django's `authenticate()` (its `ModelBackend`, and allauth's backend) refuses inactive users
//! before DRF sees them, so that is what a DRF application sends.

use crate::authentication::Authentication;
use crate::exceptions::{ApiError, ApiResult};
use crate::request::RequestContext;
use crate::users::RequestUser;
use std::borrow::Cow;

/// 401 text: `Basic` with nothing after it.
pub const NO_CREDENTIALS: &str = "Invalid basic header. No credentials provided.";
/// 401 text: more than two words in the header.
pub const CONTAINS_SPACES: &str =
    "Invalid basic header. Credentials string should not contain spaces.";
/// 401 text: credentials that are not base64, or decode without a `:`.
pub const BAD_ENCODING: &str = "Invalid basic header. Credentials not correctly base64 encoded.";
/// 401 text: unknown user, wrong password or inactive user.
pub const INVALID_CREDENTIALS: &str = "Invalid username/password.";

/// DRF's `BasicAuthentication`. Its `WWW-Authenticate` is `Basic realm="api"` (only sent when it
/// is the first class of a view).
#[derive(Debug, Clone)]
pub struct BasicAuthentication {
    realm: Cow<'static, str>,
}

impl Default for BasicAuthentication {
    fn default() -> Self {
        Self::new()
    }
}

impl BasicAuthentication {
    /// The class with DRF's realm, `api`.
    pub const fn new() -> Self {
        BasicAuthentication {
            realm: Cow::Borrowed("api"),
        }
    }

    /// The class with another realm (DRF's `www_authenticate_realm`).
    pub fn with_realm(realm: impl Into<Cow<'static, str>>) -> Self {
        BasicAuthentication {
            realm: realm.into(),
        }
    }

    /// The realm of the `WWW-Authenticate` challenge.
    pub fn realm(&self) -> &str {
        &self.realm
    }
}

#[async_trait::async_trait]
impl Authentication for BasicAuthentication {
    fn may_authenticate(&self, ctx: &RequestContext) -> bool {
        ctx.headers()
            .contains_key(poem::http::header::AUTHORIZATION)
    }

    async fn authenticate(&self, ctx: &RequestContext) -> ApiResult<Option<RequestUser>> {
        let words = split_header_words(authorization_header(ctx));
        let Some(scheme) = words.first() else {
            return Ok(None);
        };
        if !scheme.eq_ignore_ascii_case(b"basic") {
            return Ok(None);
        }
        let credentials = match words.as_slice() {
            [_] => return Err(ApiError::authentication_failed(NO_CREDENTIALS)),
            [_, credentials] => credentials,
            _ => return Err(ApiError::authentication_failed(CONTAINS_SPACES)),
        };
        let (userid, password) = decode_credentials(credentials)
            .ok_or_else(|| ApiError::authentication_failed(BAD_ENCODING))?;
        let state = ctx.state();
        match state
            .users
            .authenticate(&state.db, &userid, &password)
            .await?
        {
            Some(user) => Ok(Some(user)),
            None => Err(ApiError::authentication_failed(INVALID_CREDENTIALS)),
        }
    }

    fn authenticate_header(&self) -> Option<String> {
        Some(format!("Basic realm=\"{}\"", self.realm))
    }

    /// drf-spectacular's `BasicScheme`: `basicAuth`.
    fn openapi_security_schemes(
        &self,
        _settings: &crate::settings::Settings,
    ) -> Vec<crate::openapi::SecurityScheme> {
        vec![crate::openapi::SecurityScheme::basic("basicAuth")]
    }
}

/// The raw bytes of the `Authorization` header (DRF's `get_authorization_header`); empty when
/// absent.
pub fn authorization_header(ctx: &RequestContext) -> &[u8] {
    ctx.headers()
        .get(poem::http::header::AUTHORIZATION)
        .map(|value| value.as_bytes())
        .unwrap_or_default()
}

/// Python's `bytes.split()`: the non-empty runs between ASCII whitespace (space, `\t`, `\n`,
/// `\r`, `\x0b`, `\x0c`).
pub fn split_header_words(header: &[u8]) -> Vec<&[u8]> {
    header
        .split(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .filter(|word| !word.is_empty())
        .collect()
}

/// `userid` and `password` of Basic credentials, as DRF decodes them; `None` when DRF answers
/// `Credentials not correctly base64 encoded.`
pub fn decode_credentials(encoded: &[u8]) -> Option<(String, String)> {
    let decoded = b64decode_lenient(encoded)?;
    let text = match String::from_utf8(decoded) {
        Ok(text) => text,
        // Python's latin-1: every byte is the code point of the same value.
        Err(err) => err.into_bytes().into_iter().map(char::from).collect(),
    };
    let (userid, password) = text.split_once(':')?;
    Some((userid.to_owned(), password.to_owned()))
}

/// The value of a character of the standard base64 alphabet.
fn b64_value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Python's `base64.b64decode(data)` (`binascii.a2b_base64` without `strict_mode`): bytes
/// outside the standard alphabet are skipped, decoding stops at the padding that completes a
/// quantum (the rest is ignored), and a final incomplete quantum is an error (`None`).
pub fn b64decode_lenient(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let mut quad_pos = 0u8;
    let mut left = 0u8;
    let mut pads = 0u8;
    for &byte in input {
        if byte == b'=' {
            // Padding only counts after two or three characters of a quantum.
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return Some(out);
                }
            }
            continue;
        }
        let Some(value) = b64_value(byte) else {
            continue;
        };
        pads = 0;
        quad_pos = match quad_pos {
            0 => {
                left = value;
                1
            }
            1 => {
                out.push((left << 2) | (value >> 4));
                left = value & 0x0f;
                2
            }
            2 => {
                out.push((left << 4) | (value >> 2));
                left = value & 0x03;
                3
            }
            _ => {
                out.push((left << 6) | value);
                0
            }
        };
    }
    (quad_pos == 0).then_some(out)
}
