//! simplejwt's token classes at work: issuing, verifying, refreshing and blacklisting tokens
//! with the token blacklist app's bookkeeping (when
//! [`JwtSettings::token_blacklist`](super::jwt::JwtSettings::token_blacklist) is on).
//!
//! [`super::jwt`] is the pure token logic; this module adds the database. Functions that
//! verify a token answer `ApiResult<Result<_, TokenError>>`: the outer error is a database
//! failure (500), the inner one is simplejwt's reason to refuse the token, which each caller
//! renders its own way (simplejwt's views, `JWTAuthentication`, dj-rest-auth's logout).

use super::jwt::{TokenClaims, TokenError, TokenPair, TokenType, decode_token, encode_claims};
use crate::contrib::simplejwt::token_blacklist::{self, IssuedToken};
use crate::exceptions::{ApiError, ApiResult};
use crate::settings::AppState;
use chrono::{DateTime, Utc};
use serde_json::json;

fn db_error(err: sea_orm::DbErr) -> ApiError {
    ApiError::Internal(format!("token blacklist: {err}"))
}

/// The token's user id if that user exists (simplejwt looks the user up before recording a
/// token; a deleted user is recorded as `NULL`).
async fn existing_user_id(state: &AppState, claims: &TokenClaims) -> ApiResult<Option<i64>> {
    let Some(id) = claims.user_id_i64() else {
        return Ok(None);
    };
    let user = state.user_by_id(id).await.map_err(db_error)?;
    Ok(user.map(|user| user.id))
}

fn issued<'a>(claims: &'a TokenClaims, token: &'a str, user_id: Option<i64>) -> IssuedToken<'a> {
    IssuedToken {
        jti: &claims.jti,
        token,
        user_id,
        created_at: crate::timezone::now(),
        expires_at: claims.expires_at().unwrap_or(DateTime::<Utc>::MAX_UTC),
    }
}

/// What the blacklist app records about a token.
#[derive(Clone, Copy)]
enum Record {
    /// Issued (simplejwt's `for_user` / `outstand()`).
    Outstanding,
    /// Revoked (simplejwt's `blacklist()`).
    Blacklisted,
}

/// Records a token with the blacklist app; nothing without the app.
async fn record(
    state: &AppState,
    record: Record,
    claims: &TokenClaims,
    token: &str,
    user_id: Option<i64>,
) -> ApiResult<()> {
    if !state.settings.jwt().token_blacklist {
        return Ok(());
    }
    let issued = issued(claims, token, user_id);
    let result = match record {
        Record::Outstanding => token_blacklist::outstand(&state.db, &issued)
            .await
            .map(|_| ()),
        Record::Blacklisted => token_blacklist::blacklist(&state.db, &issued)
            .await
            .map(|_| ()),
    };
    result.map_err(db_error)
}

/// Blacklists a verified refresh or sliding token (simplejwt's `blacklist()`); nothing
/// without the blacklist app.
pub async fn blacklist(state: &AppState, claims: &TokenClaims, token: &str) -> ApiResult<()> {
    if !state.settings.jwt().token_blacklist {
        return Ok(());
    }
    let user_id = existing_user_id(state, claims).await?;
    record(state, Record::Blacklisted, claims, token, user_id).await
}

/// simplejwt's `RefreshToken.for_user(user)` and its access token: a new pair for `user_id`,
/// the refresh token recorded as outstanding.
pub async fn obtain_pair(state: &AppState, user_id: i64) -> ApiResult<TokenPair> {
    let settings = &state.settings.jwt();
    let refresh = TokenClaims::for_user(settings, TokenType::Refresh, user_id);
    let access = refresh.access_token(settings);
    let pair = TokenPair {
        refresh: encode_claims(settings, &refresh),
        access: encode_claims(settings, &access),
    };
    record(
        state,
        Record::Outstanding,
        &refresh,
        &pair.refresh,
        Some(user_id),
    )
    .await?;
    Ok(pair)
}

/// simplejwt's `SlidingToken.for_user(user)`: a new sliding token, recorded as outstanding.
pub async fn obtain_sliding(state: &AppState, user_id: i64) -> ApiResult<String> {
    let settings = &state.settings.jwt();
    let claims = TokenClaims::for_user(settings, TokenType::Sliding, user_id);
    let token = encode_claims(settings, &claims);
    record(state, Record::Outstanding, &claims, &token, Some(user_id)).await?;
    Ok(token)
}

/// Verifies `token` as simplejwt's token class of type `expected` does (`None`: its
/// `UntypedToken`): signature, algorithm and claims ([`decode_token`]), then, for refresh
/// and sliding tokens with the blacklist app, the blacklist, then the type.
pub async fn verify(
    state: &AppState,
    token: &str,
    expected: Option<TokenType>,
) -> ApiResult<Result<TokenClaims, TokenError>> {
    let settings = &state.settings.jwt();
    let claims = match decode_token(settings, token, None) {
        Ok(claims) => claims,
        Err(err) => return Ok(Err(err)),
    };
    if let Some(expected) = expected {
        if expected.is_blacklistable() && is_blacklisted(state, &claims).await? {
            return Ok(Err(TokenError::Blacklisted));
        }
        if claims.token_type != expected.as_str() {
            return Ok(Err(TokenError::WrongType));
        }
    }
    Ok(Ok(claims))
}

/// Whether the blacklist app is on and lists this token.
pub async fn is_blacklisted(state: &AppState, claims: &TokenClaims) -> ApiResult<bool> {
    if !state.settings.jwt().token_blacklist {
        return Ok(false);
    }
    token_blacklist::is_blacklisted(&state.db, &claims.jti)
        .await
        .map_err(db_error)
}

/// The result of [`refresh`]: a new access token, and with `ROTATE_REFRESH_TOKENS` a new
/// refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refreshed {
    /// The new access token.
    pub access: String,
    /// The rotated refresh token, when rotation is on.
    pub refresh: Option<String>,
}

/// simplejwt's `TokenRefreshSerializer.validate`: verifies the refresh token, refuses an
/// inactive user's, derives an access token and, with rotation, blacklists the old refresh
/// token (`BLACKLIST_AFTER_ROTATION`) and issues a new one (new `jti`, `exp`, `iat`), recorded
/// as outstanding.
///
/// An inactive user is simplejwt's 401 `No active account found for the given token.`; so is
/// a user that no longer exists (where simplejwt itself fails with a 500).
pub async fn refresh(state: &AppState, token: &str) -> ApiResult<Result<Refreshed, TokenError>> {
    let settings = &state.settings.jwt();
    let mut claims = match verify(state, token, Some(TokenType::Refresh)).await? {
        Ok(claims) => claims,
        Err(err) => return Ok(Err(err)),
    };
    let user_id = claims.user_id_i64();
    if let Some(id) = user_id {
        let user = state.user_by_id(id).await.map_err(db_error)?;
        if !user.is_some_and(|user| user.is_active) {
            return Err(ApiError::AuthenticationFailed(
                json!({"detail": "No active account found for the given token."}),
            ));
        }
    }
    let access = encode_claims(settings, &claims.access_token(settings));
    if !settings.rotate_refresh_tokens {
        return Ok(Ok(Refreshed {
            access,
            refresh: None,
        }));
    }
    // Blacklisting the old token is the atomic step: of several refreshes racing with one
    // token, only the one that blacklists it gets a new pair (simplejwt checks, then
    // blacklists, so there several can win).
    if settings.blacklist_after_rotation && settings.token_blacklist {
        let newly_blacklisted =
            token_blacklist::blacklist(&state.db, &issued(&claims, token, user_id))
                .await
                .map_err(db_error)?;
        if !newly_blacklisted {
            return Ok(Err(TokenError::Blacklisted));
        }
    }
    claims.rotate(settings);
    let rotated = encode_claims(settings, &claims);
    record(state, Record::Outstanding, &claims, &rotated, user_id).await?;
    Ok(Ok(Refreshed {
        access,
        refresh: Some(rotated),
    }))
}

/// simplejwt's `TokenRefreshSlidingSerializer.validate`: verifies the sliding token
/// (blacklist included), checks its `refresh_exp`, and renews `exp` and `iat`.
pub async fn refresh_sliding(
    state: &AppState,
    token: &str,
) -> ApiResult<Result<String, TokenError>> {
    let settings = &state.settings.jwt();
    let mut claims = match verify(state, token, Some(TokenType::Sliding)).await? {
        Ok(claims) => claims,
        Err(err) => return Ok(Err(err)),
    };
    if let Err(err) = claims.slide(settings) {
        return Ok(Err(err));
    }
    Ok(Ok(encode_claims(settings, &claims)))
}
