//! Tests of the core's `BasicAuthentication`, logging in with this module's test users
//! (Django password hashes), which the core alone does not have.

use crate::authentication::Authentication;
use crate::authentication::basic::*;
use crate::contrib::authtoken::test_support::{PASSWORD, TestUsers, context};
use crate::exceptions::{ApiError, ApiResult};
use crate::users::RequestUser;

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

async fn authenticate(header: Option<&[u8]>, users: &TestUsers) -> ApiResult<Option<RequestUser>> {
    BasicAuthentication::new()
        .authenticate(&context(users, header))
        .await
}

fn basic(userid: &str, password: &str) -> Vec<u8> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{userid}:{password}"));
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
