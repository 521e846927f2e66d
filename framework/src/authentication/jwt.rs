//! simplejwt-compatible JSON web tokens: access/refresh pairs with simplejwt's claims
//! (`token_type`, `exp`, `iat`, `jti`, `user_id` as a string), signed and verified with
//! jsonwebtoken. Pure logic; the HTTP side is in `authentication` and `jwt_views`.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde_json::{Map, Value};

/// The kind of a token (simplejwt's `token_type` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    /// Short-lived, authenticates requests.
    Access,
    /// Long-lived, obtains new access tokens.
    Refresh,
}

impl TokenType {
    /// The claim value: `"access"` or `"refresh"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Access => "access",
            TokenType::Refresh => "refresh",
        }
    }
}

/// simplejwt's `SIMPLE_JWT` settings.
#[derive(Clone)]
pub struct JwtSettings {
    /// The HMAC secret (Django's `SECRET_KEY` by default).
    pub signing_key: Vec<u8>,
    /// HS256 (default), HS384 or HS512.
    pub algorithm: Algorithm,
    /// `ACCESS_TOKEN_LIFETIME` (5 minutes).
    pub access_token_lifetime: Duration,
    /// `REFRESH_TOKEN_LIFETIME` (1 day).
    pub refresh_token_lifetime: Duration,
    /// `USER_ID_CLAIM` (`user_id`).
    pub user_id_claim: String,
    /// `LEEWAY` in seconds (0).
    pub leeway: u64,
    /// `AUDIENCE`.
    pub audience: Option<String>,
    /// `ISSUER`.
    pub issuer: Option<String>,
    /// `AUTH_HEADER_TYPES` (`Bearer`, `JWT`).
    pub auth_header_types: Vec<String>,
}

impl JwtSettings {
    /// simplejwt's defaults, signing with `signing_key`.
    pub fn new(signing_key: impl Into<Vec<u8>>) -> Self {
        JwtSettings {
            signing_key: signing_key.into(),
            algorithm: Algorithm::HS256,
            access_token_lifetime: Duration::minutes(5),
            refresh_token_lifetime: Duration::days(1),
            user_id_claim: "user_id".into(),
            leeway: 0,
            audience: None,
            issuer: None,
            auth_header_types: vec!["Bearer".into(), "JWT".into()],
        }
    }
}

impl std::fmt::Debug for JwtSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSettings")
            .field("algorithm", &self.algorithm)
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("refresh_token_lifetime", &self.refresh_token_lifetime)
            .finish_non_exhaustive()
    }
}

/// The claims of a verified token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenClaims {
    /// `access` or `refresh`.
    pub token_type: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Unique id (32 lowercase hex characters).
    pub jti: String,
    /// The user id claim, as a string (simplejwt writes `"2"`).
    pub user_id: String,
    /// Every other claim.
    pub extra: Map<String, Value>,
}

impl TokenClaims {
    /// The user id as an integer.
    pub fn user_id_i64(&self) -> Option<i64> {
        self.user_id.parse().ok()
    }
}

/// A refresh token and the access token made from it.
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// The refresh token.
    pub refresh: String,
    /// The access token.
    pub access: String,
}

/// Why a token was refused, with simplejwt's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Malformed, bad signature, wrong algorithm, missing claims.
    Invalid,
    /// `exp` is in the past.
    Expired,
    /// A valid token of the other type.
    WrongType,
}

impl TokenError {
    /// simplejwt's message.
    pub fn message(&self) -> &'static str {
        match self {
            TokenError::Invalid => "Token is invalid",
            TokenError::Expired => "Token is expired",
            TokenError::WrongType => "Token has wrong type",
        }
    }
}

fn new_claims(settings: &JwtSettings, token_type: TokenType, user_id: i64) -> TokenClaims {
    let now = Utc::now();
    let lifetime = match token_type {
        TokenType::Access => settings.access_token_lifetime,
        TokenType::Refresh => settings.refresh_token_lifetime,
    };
    TokenClaims {
        token_type: token_type.as_str().into(),
        exp: (now + lifetime).timestamp(),
        iat: now.timestamp(),
        jti: uuid::Uuid::new_v4().simple().to_string(),
        user_id: user_id.to_string(),
        extra: Map::new(),
    }
}

/// Signs claims, writing them in simplejwt's order.
pub fn encode_claims(settings: &JwtSettings, claims: &TokenClaims) -> String {
    let mut payload = Map::new();
    payload.insert("token_type".into(), claims.token_type.clone().into());
    payload.insert("exp".into(), claims.exp.into());
    payload.insert("iat".into(), claims.iat.into());
    payload.insert("jti".into(), claims.jti.clone().into());
    payload.insert(settings.user_id_claim.clone(), claims.user_id.clone().into());
    if let Some(aud) = &settings.audience {
        payload.insert("aud".into(), aud.clone().into());
    }
    if let Some(iss) = &settings.issuer {
        payload.insert("iss".into(), iss.clone().into());
    }
    for (key, value) in &claims.extra {
        payload.entry(key.clone()).or_insert_with(|| value.clone());
    }
    let header = Header::new(settings.algorithm);
    // HMAC signing of a JSON map cannot fail for a valid HS* algorithm; an empty string would
    // simply be refused on use.
    jsonwebtoken::encode(&header, &payload, &EncodingKey::from_secret(&settings.signing_key))
        .unwrap_or_default()
}

/// simplejwt's `RefreshToken.for_user(user)` and its `access_token`.
pub fn token_pair_for_user(settings: &JwtSettings, user_id: i64) -> TokenPair {
    TokenPair {
        refresh: encode_claims(settings, &new_claims(settings, TokenType::Refresh, user_id)),
        access: access_token_for_user(settings, user_id),
    }
}

/// A new access token for a user.
pub fn access_token_for_user(settings: &JwtSettings, user_id: i64) -> String {
    encode_claims(settings, &new_claims(settings, TokenType::Access, user_id))
}

/// Verifies signature, algorithm, expiry (with the leeway), audience and issuer, then the
/// token type.
pub fn decode_token(
    settings: &JwtSettings,
    token: &str,
    expected: Option<TokenType>,
) -> Result<TokenClaims, TokenError> {
    let mut validation = Validation::new(settings.algorithm);
    validation.leeway = settings.leeway;
    validation.set_required_spec_claims(&["exp"]);
    validation.validate_aud = settings.audience.is_some();
    if let Some(aud) = &settings.audience {
        validation.set_audience(&[aud]);
    }
    if let Some(iss) = &settings.issuer {
        validation.set_issuer(&[iss]);
    }
    let data = jsonwebtoken::decode::<Map<String, Value>>(
        token,
        &DecodingKey::from_secret(&settings.signing_key),
        &validation,
    )
    .map_err(|err| match err.kind() {
        ErrorKind::ExpiredSignature => TokenError::Expired,
        _ => TokenError::Invalid,
    })?;
    let mut claims = data.claims;
    let text = |claims: &mut Map<String, Value>, key: &str| match claims.remove(key) {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let int = |claims: &mut Map<String, Value>, key: &str| claims.remove(key).and_then(|v| v.as_i64());
    let token_type = text(&mut claims, "token_type").ok_or(TokenError::Invalid)?;
    let exp = int(&mut claims, "exp").ok_or(TokenError::Invalid)?;
    let iat = int(&mut claims, "iat").unwrap_or_default();
    let jti = text(&mut claims, "jti").ok_or(TokenError::Invalid)?;
    let user_id = text(&mut claims, &settings.user_id_claim).unwrap_or_default();
    if let Some(expected) = expected {
        if token_type != expected.as_str() {
            return Err(TokenError::WrongType);
        }
    }
    Ok(TokenClaims { token_type, exp, iat, jti, user_id, extra: claims })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn settings() -> JwtSettings {
        JwtSettings::new(b"test-secret".to_vec())
    }

    fn payload(token: &str) -> String {
        let part = token.split('.').nth(1).unwrap();
        String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn pair_round_trips_with_simplejwt_claims() {
        let s = settings();
        let pair = token_pair_for_user(&s, 42);
        let access = decode_token(&s, &pair.access, Some(TokenType::Access)).unwrap();
        assert_eq!(access.user_id_i64(), Some(42));
        assert_eq!(access.exp - access.iat, 300);
        assert_eq!(access.jti.len(), 32);
        let refresh = decode_token(&s, &pair.refresh, Some(TokenType::Refresh)).unwrap();
        assert_eq!(refresh.exp - refresh.iat, 86_400);
        let body = payload(&pair.access);
        assert!(body.starts_with(r#"{"token_type":"access","exp":"#), "{body}");
        assert!(body.ends_with(r#","user_id":"42"}"#), "{body}");
    }

    #[test]
    fn refuses_what_simplejwt_refuses() {
        let s = settings();
        let pair = token_pair_for_user(&s, 1);
        assert_eq!(decode_token(&s, &pair.refresh, Some(TokenType::Access)), Err(TokenError::WrongType));
        assert_eq!(decode_token(&s, "garbage", None), Err(TokenError::Invalid));
        let other = JwtSettings::new(b"other".to_vec());
        assert_eq!(decode_token(&other, &pair.access, None), Err(TokenError::Invalid));
        let mut tampered = pair.access.clone();
        tampered.pop();
        tampered.push(if pair.access.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(decode_token(&s, &tampered, None), Err(TokenError::Invalid));
        let mut hs512 = settings();
        hs512.algorithm = Algorithm::HS512;
        let token = access_token_for_user(&hs512, 1);
        assert_eq!(decode_token(&s, &token, None), Err(TokenError::Invalid));
        // alg "none" with no signature.
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = format!(
            "{}.{}.",
            engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
            engine.encode(r#"{"token_type":"access","exp":9999999999,"jti":"x","user_id":"1"}"#)
        );
        assert_eq!(decode_token(&s, &none, None), Err(TokenError::Invalid));
    }

    #[test]
    fn expired_tokens_are_expired_without_leeway() {
        let s = settings();
        let mut claims = new_claims(&s, TokenType::Access, 1);
        claims.exp = Utc::now().timestamp() - 1;
        let token = encode_claims(&s, &claims);
        assert_eq!(decode_token(&s, &token, Some(TokenType::Access)), Err(TokenError::Expired));
    }
}
