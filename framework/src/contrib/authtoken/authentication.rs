//! DRF's `TokenAuthentication`: `Authorization: Token <key>`.

use super::token;
use crate::authentication::Authentication;
use crate::authentication::basic::{authorization_header, split_header_words};
use crate::contrib::auth::RequestUser;
use crate::exceptions::{ApiError, ApiResult};
use crate::request::RequestContext;
use sea_orm::EntityTrait;
use std::borrow::Cow;

/// 401 text: the keyword with nothing after it.
pub const NO_CREDENTIALS: &str = "Invalid token header. No credentials provided.";
/// 401 text: more than two words in the header.
pub const CONTAINS_SPACES: &str = "Invalid token header. Token string should not contain spaces.";
/// 401 text: a key that is not UTF-8.
pub const INVALID_CHARACTERS: &str =
    "Invalid token header. Token string should not contain invalid characters.";
/// 401 text: no token has this key.
pub const INVALID_TOKEN: &str = "Invalid token.";
/// 401 text: the token's user is inactive.
pub const USER_INACTIVE: &str = "User inactive or deleted.";

/// DRF's `TokenAuthentication`: `Authorization: <keyword> <key>`, the keyword (`Token` by
/// default) compared without regard to case, the key looked up in `authtoken_token` (so the
/// comparison is the database's exact match, not a comparison in memory).
///
/// | header | result |
/// | --- | --- |
/// | another first word, or no header | not this class (`Ok(None)`) |
/// | `Token` | 401 `Invalid token header. No credentials provided.` |
/// | `Token a b` | 401 `Invalid token header. Token string should not contain spaces.` |
/// | `Token <not UTF-8>` | 401 `Invalid token header. Token string should not contain invalid characters.` |
/// | `Token <unknown key>` | 401 `Invalid token.` |
/// | `Token <key of an inactive user>` | 401 `User inactive or deleted.` |
///
/// Its `WWW-Authenticate` is the keyword (only sent when it is the first class of a view).
#[derive(Debug, Clone)]
pub struct TokenAuthentication {
    keyword: Cow<'static, str>,
}

impl Default for TokenAuthentication {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenAuthentication {
    /// The class with DRF's keyword, `Token`.
    pub const fn new() -> Self {
        TokenAuthentication {
            keyword: Cow::Borrowed("Token"),
        }
    }

    /// The class with another keyword (DRF's `keyword`, e.g. `Bearer`).
    pub fn with_keyword(keyword: impl Into<Cow<'static, str>>) -> Self {
        TokenAuthentication {
            keyword: keyword.into(),
        }
    }

    /// The keyword of the header.
    pub fn keyword(&self) -> &str {
        &self.keyword
    }

    /// The user of the token `key` (DRF's `authenticate_credentials`).
    pub async fn authenticate_credentials(
        &self,
        ctx: &RequestContext,
        key: &str,
    ) -> ApiResult<RequestUser> {
        let state = ctx.state();
        let Some(token) = token::Entity::find_by_id(key.to_owned())
            .one(&state.db)
            .await?
        else {
            return Err(ApiError::authentication_failed(INVALID_TOKEN));
        };
        // DRF joins the user (`select_related`): a token without its user is no token.
        match state.user_by_id(token.user_id).await? {
            None => Err(ApiError::authentication_failed(INVALID_TOKEN)),
            Some(user) if !user.is_active => Err(ApiError::authentication_failed(USER_INACTIVE)),
            Some(user) => Ok(user),
        }
    }
}

#[async_trait::async_trait]
impl Authentication for TokenAuthentication {
    fn may_authenticate(&self, ctx: &RequestContext) -> bool {
        ctx.headers()
            .contains_key(poem::http::header::AUTHORIZATION)
    }

    async fn authenticate(&self, ctx: &RequestContext) -> ApiResult<Option<RequestUser>> {
        let words = split_header_words(authorization_header(ctx));
        let Some(scheme) = words.first() else {
            return Ok(None);
        };
        // Python: `auth[0].lower() != self.keyword.lower().encode()`.
        if scheme.to_ascii_lowercase() != self.keyword.to_lowercase().as_bytes() {
            return Ok(None);
        }
        let key = match words.as_slice() {
            [_] => return Err(ApiError::authentication_failed(NO_CREDENTIALS)),
            [_, key] => key,
            _ => return Err(ApiError::authentication_failed(CONTAINS_SPACES)),
        };
        let key = std::str::from_utf8(key)
            .map_err(|_| ApiError::authentication_failed(INVALID_CHARACTERS))?;
        self.authenticate_credentials(ctx, key).await.map(Some)
    }

    fn authenticate_header(&self) -> Option<String> {
        Some(self.keyword.to_string())
    }

    /// drf-spectacular's `TokenScheme`: `tokenAuth`, the `Authorization` header with the
    /// keyword as prefix.
    fn openapi_security_schemes(
        &self,
        _settings: &crate::settings::Settings,
    ) -> Vec<crate::openapi::SecurityScheme> {
        vec![crate::openapi::SecurityScheme::bearer(
            "tokenAuth",
            "Authorization",
            &self.keyword,
            None,
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contrib::authtoken::get_or_create_token;
    use crate::contrib::authtoken::test_support::{TestUsers, context};

    async fn authenticate(
        class: &TokenAuthentication,
        header: &[u8],
        users: &TestUsers,
    ) -> ApiResult<Option<RequestUser>> {
        class.authenticate(&context(users, Some(header))).await
    }

    fn detail(result: ApiResult<Option<RequestUser>>) -> String {
        match result {
            Err(ApiError::AuthenticationFailed(body)) => {
                body["detail"].as_str().unwrap_or_default().to_owned()
            }
            other => panic!("expected a 401, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn authenticates_and_refuses_like_drf() {
        let users = TestUsers::new().await;
        let key = get_or_create_token(&users.state.db, users.active_id)
            .await
            .expect("token");
        let inactive_key = get_or_create_token(&users.state.db, users.inactive_id)
            .await
            .expect("token");
        let class = TokenAuthentication::new();

        for header in [
            format!("Token {key}"),
            format!("token {key}"),
            format!("  TOKEN \t {key}  "),
        ] {
            let user = authenticate(&class, header.as_bytes(), &users)
                .await
                .expect("no error")
                .expect("authenticated");
            assert_eq!(user.id, users.active_id, "{header}");
        }

        for header in [
            &b""[..],
            b"  ",
            b"Bearer abc",
            b"Tokens abc",
            b"Basic abc",
            b"Foo",
        ] {
            assert_eq!(
                authenticate(&class, header, &users).await.ok(),
                Some(None),
                "{header:?}"
            );
        }
        assert_eq!(
            class.authenticate(&context(&users, None)).await.ok(),
            Some(None)
        );

        let cases: [(&[u8], &str); 6] = [
            (b"Token", NO_CREDENTIALS),
            (b"Token   ", NO_CREDENTIALS),
            (b"Token a b", CONTAINS_SPACES),
            (b"Token \xff\xfe", INVALID_CHARACTERS),
            (b"Token caf\xc3\xa9", INVALID_TOKEN),
            (
                b"Token 0123456789012345678901234567890123456789",
                INVALID_TOKEN,
            ),
        ];
        for (header, expected) in cases {
            assert_eq!(
                detail(authenticate(&class, header, &users).await),
                expected,
                "{header:?}"
            );
        }
        // Keys are compared exactly (the database's `=`).
        let upper = format!("Token {}", key.to_uppercase());
        assert_eq!(
            detail(authenticate(&class, upper.as_bytes(), &users).await),
            INVALID_TOKEN
        );
        let inactive = format!("Token {inactive_key}");
        assert_eq!(
            detail(authenticate(&class, inactive.as_bytes(), &users).await),
            USER_INACTIVE
        );
    }

    #[tokio::test]
    async fn keyword_is_configurable() {
        let users = TestUsers::new().await;
        let key = get_or_create_token(&users.state.db, users.active_id)
            .await
            .expect("token");
        let class = TokenAuthentication::with_keyword("Bearer");
        assert_eq!(class.authenticate_header().as_deref(), Some("Bearer"));
        assert_eq!(
            TokenAuthentication::default()
                .authenticate_header()
                .as_deref(),
            Some("Token")
        );
        let header = format!("bearer {key}");
        let user = authenticate(&class, header.as_bytes(), &users)
            .await
            .expect("no error");
        assert_eq!(user.map(|u| u.id), Some(users.active_id));
        let header = format!("Token {key}");
        assert_eq!(
            authenticate(&class, header.as_bytes(), &users).await.ok(),
            Some(None)
        );
    }
}
