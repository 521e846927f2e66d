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

use crate::auth::{RequestUser, authenticate};
use crate::authentication::Authentication;
use crate::exceptions::{ApiError, ApiResult};
use crate::request::RequestContext;
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
        match authenticate(ctx.state(), &userid, &password).await? {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authtoken::test_support::{PASSWORD, TestUsers, context};

    #[test]
    fn splits_like_python_bytes_split() {
        let words = split_header_words(b"  Basic \t abc\x0b\x0cdef  ");
        assert_eq!(words, [&b"Basic"[..], b"abc", b"def"]);
        assert!(split_header_words(b"").is_empty());
        assert!(split_header_words(b" \t ").is_empty());
        // Non-breaking space (latin-1 0xa0) is not whitespace for bytes.split().
        assert_eq!(split_header_words(b"a\xa0b").len(), 1);
    }

    #[test]
    fn decodes_base64_as_python_does() {
        // Expected values from Python 3.12's `base64.b64decode(case)`.
        let decoded: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b"YWJj", b"abc"),
            (b"YWI=", b"ab"),
            (b"YQ==", b"a"),
            // Characters outside the standard alphabet are skipped.
            (b"!!!YWJj!!", b"abc"),
            (b"YW Jj", b"abc"),
            (b"Y-W_Jj", b"abc"),
            (b"YWJj\xff", b"abc"),
            // Data after the padding that completes a quantum is ignored.
            (b"YQ==YWJj", b"a"),
            (b"YWI=junk", b"ab"),
            (b"YWI=junkx", b"ab"),
            (b"Y=Q==", b"a"),
            // Padding at the start of a quantum, or one `=` after two characters, is skipped.
            (b"=YWJj", b"abc"),
            (b"YWJj=", b"abc"),
            (b"YWJj=YWJj", b"abcabc"),
            (b"YQ=Y=", b"a\x06"),
            (b"YQ=Y=Q", b"a\x06"),
        ];
        for (input, expected) in decoded {
            assert_eq!(
                b64decode_lenient(input).as_deref(),
                Some(*expected),
                "{input:?}"
            );
        }
        // binascii.Error in Python: an incomplete final quantum.
        for bad in [
            &b"YWI"[..],
            b"Y",
            b"YQ",
            b"YQ=",
            b"notbase64",
            b"!!!notbase64",
            b"YWJjZ",
        ] {
            assert_eq!(b64decode_lenient(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn decodes_credentials() {
        assert_eq!(
            decode_credentials(b"YUBleGFtcGxlLmNvbTpwdzpwdw=="),
            Some(("a@example.com".into(), "pw:pw".into()))
        );
        // Empty user and password are credentials too.
        assert_eq!(
            decode_credentials(b"Og=="),
            Some((String::new(), String::new()))
        );
        // UTF-8, else latin-1.
        assert_eq!(
            decode_credentials(b"w6k6w6k="),
            Some(("\u{e9}".into(), "\u{e9}".into()))
        );
        assert_eq!(
            decode_credentials(b"6TrpMQ=="),
            Some(("\u{e9}".into(), "\u{e9}1".into()))
        );
        // No colon, or not base64.
        assert_eq!(decode_credentials(b"bm9jb2xvbg=="), None);
        assert_eq!(decode_credentials(b"!!!notbase64"), None);
    }

    async fn authenticate(
        header: Option<&[u8]>,
        users: &TestUsers,
    ) -> ApiResult<Option<RequestUser>> {
        BasicAuthentication::new()
            .authenticate(&context(users, header))
            .await
    }

    fn basic(userid: &str, password: &str) -> Vec<u8> {
        use base64::Engine;
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{userid}:{password}"));
        format!("Basic {encoded}").into_bytes()
    }

    fn detail(result: ApiResult<Option<RequestUser>>) -> String {
        match result {
            Err(ApiError::AuthenticationFailed(body)) => {
                body["detail"].as_str().unwrap_or("").to_owned()
            }
            other => panic!("expected a 401, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn authenticates_and_refuses_like_drf() {
        let users = TestUsers::new().await;
        let user = authenticate(Some(&basic("active@example.com", PASSWORD)), &users)
            .await
            .expect("no error")
            .expect("authenticated");
        assert_eq!(user.id, users.active_id);
        // Lower-case scheme, extra whitespace.
        let mut header = b"  bAsIc   ".to_vec();
        header.extend_from_slice(&basic("active@example.com", PASSWORD)[6..]);
        header.extend_from_slice(b"  ");
        let user = authenticate(Some(&header), &users).await.expect("no error");
        assert_eq!(user.map(|u| u.id), Some(users.active_id));

        // Not Basic: next class.
        for header in [
            &b""[..],
            b"   ",
            b"Foo bar",
            b"Token abc",
            b"Basically abc",
            b"Bearer x y",
        ] {
            assert_eq!(
                authenticate(Some(header), &users).await.ok(),
                Some(None),
                "{header:?}"
            );
        }
        assert_eq!(authenticate(None, &users).await.ok(), Some(None));

        assert_eq!(
            detail(authenticate(Some(b"Basic"), &users).await),
            NO_CREDENTIALS
        );
        assert_eq!(
            detail(authenticate(Some(b"Basic  "), &users).await),
            NO_CREDENTIALS
        );
        assert_eq!(
            detail(authenticate(Some(b"Basic a b"), &users).await),
            CONTAINS_SPACES
        );
        assert_eq!(
            detail(authenticate(Some(b"Basic !!!notbase64"), &users).await),
            BAD_ENCODING
        );
        assert_eq!(
            detail(authenticate(Some(b"Basic bm9jb2xvbg=="), &users).await),
            BAD_ENCODING
        );
        for (userid, password) in [
            ("active@example.com", "wrong"),
            ("active@example.com", ""),
            ("nobody@example.com", PASSWORD),
            ("inactive@example.com", PASSWORD),
            ("ACTIVE@example.com\0", PASSWORD),
        ] {
            assert_eq!(
                detail(authenticate(Some(&basic(userid, password)), &users).await),
                INVALID_CREDENTIALS,
                "{userid}:{password}"
            );
        }
    }

    #[test]
    fn challenge() {
        assert_eq!(
            BasicAuthentication::default()
                .authenticate_header()
                .as_deref(),
            Some("Basic realm=\"api\"")
        );
        assert_eq!(
            BasicAuthentication::with_realm("blog")
                .authenticate_header()
                .as_deref(),
            Some("Basic realm=\"blog\"")
        );
    }
}
