//! simplejwt-compatible JSON web tokens (pure logic, no HTTP).
//!
//! Tokens are what `djangorestframework-simplejwt` issues and accepts, byte for byte:
//!
//! - header `{"alg":"HS256","typ":"JWT"}` (PyJWT's sorted keys);
//! - payload claims in simplejwt's order: `token_type` (`"access"` / `"refresh"`), `exp`,
//!   `iat` (integer seconds), `jti` (uuid4, 32 lowercase hex characters), then the user id
//!   claim (`user_id`, **a string** such as `"2"`), then any other claims, then `aud` / `iss`
//!   when [`JwtSettings::audience`] / [`JwtSettings::issuer`] are set;
//! - signature: HMAC (HS256, HS384, HS512) with the signing key (Django's `SECRET_KEY` by
//!   default), or RSA / ECDSA (RS256, RS384, RS512, ES256, ES384) with a PEM private key, verified
//!   with the PEM public key ([`JwtSettings::with_pem_keys`]).
//!
//! [`decode_token`] refuses tokens in simplejwt's order: a malformed token, a bad signature,
//! another algorithm or `alg: none`, a missing `exp`, a wrong audience or issuer are
//! [`TokenError::Invalid`]; a token past its `exp` (with [`JwtSettings::leeway`], 0 by
//! default) is [`TokenError::Expired`]; a valid token of the other type is
//! [`TokenError::WrongType`].
//!
//! The HTTP side lives in [`crate::authentication`] (`JwtAuthentication`) and
//! [`crate::contrib::simplejwt::views`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use serde_json::{Map, Value};
use std::fmt;

/// The name of the token type claim (simplejwt's `TOKEN_TYPE_CLAIM`).
pub const TOKEN_TYPE_CLAIM: &str = "token_type";
/// The name of the token id claim (simplejwt's `JTI_CLAIM`).
pub const JTI_CLAIM: &str = "jti";

/// The largest leeway honoured, in seconds (ten years); larger settings are clamped.
const MAX_LEEWAY_SECONDS: u64 = 10 * 365 * 24 * 3600;

/// The kind of a token (the value of simplejwt's `token_type` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// Short-lived, authenticates requests (simplejwt's `AccessToken`).
    Access,
    /// Long-lived, obtains new access tokens (simplejwt's `RefreshToken`).
    Refresh,
    /// Authenticates requests and renews itself until its `refresh_exp` (simplejwt's
    /// `SlidingToken`).
    Sliding,
}

impl TokenType {
    /// The claim value: `"access"` or `"refresh"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenType::Access => "access",
            TokenType::Refresh => "refresh",
            TokenType::Sliding => "sliding",
        }
    }

    /// simplejwt's class name of tokens of this type (`AccessToken`, ...), as error bodies
    /// name it.
    pub const fn class_name(self) -> &'static str {
        match self {
            TokenType::Access => "AccessToken",
            TokenType::Refresh => "RefreshToken",
            TokenType::Sliding => "SlidingToken",
        }
    }

    /// The type named by a claim value, if it is `"access"`, `"refresh"` or `"sliding"`.
    pub fn from_claim(value: &str) -> Option<Self> {
        match value {
            "access" => Some(TokenType::Access),
            "refresh" => Some(TokenType::Refresh),
            "sliding" => Some(TokenType::Sliding),
            _ => None,
        }
    }

    /// Whether tokens of this type are recorded and checked by the token blacklist app
    /// (simplejwt's `BlacklistMixin`: refresh and sliding tokens).
    pub const fn is_blacklistable(self) -> bool {
        matches!(self, TokenType::Refresh | TokenType::Sliding)
    }

    /// The lifetime of tokens of this type under `settings`.
    pub fn lifetime(self, settings: &JwtSettings) -> Duration {
        match self {
            TokenType::Access => settings.access_token_lifetime,
            TokenType::Refresh => settings.refresh_token_lifetime,
            TokenType::Sliding => settings.sliding_token_lifetime,
        }
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// simplejwt's `SIMPLE_JWT` settings.
///
/// HMAC algorithms sign and verify with [`JwtSettings::signing_key`]; RSA and ECDSA ones sign
/// with the PEM private key in `signing_key` and verify with the PEM public key in
/// [`JwtSettings::verifying_key`] (see [`JwtSettings::with_pem_keys`]). EdDSA and PS* are not
/// supported: no token can be signed or verified with them.
#[derive(Clone)]
pub struct JwtSettings {
    /// `SIGNING_KEY`: the HMAC secret (Django's `SECRET_KEY` by default), or a PEM private key
    /// for RS*/ES* algorithms.
    pub signing_key: Vec<u8>,
    /// `VERIFYING_KEY`: the PEM public key for RS*/ES* algorithms (unused with HMAC).
    pub verifying_key: Vec<u8>,
    /// `ALGORITHM`: HS256 (default), HS384, HS512, RS256, RS384, RS512, ES256 or ES384. Only
    /// this algorithm is accepted.
    pub algorithm: Algorithm,
    /// `ACCESS_TOKEN_LIFETIME` (default 5 minutes).
    pub access_token_lifetime: Duration,
    /// `REFRESH_TOKEN_LIFETIME` (default 1 day).
    pub refresh_token_lifetime: Duration,
    /// `SLIDING_TOKEN_LIFETIME` (default 5 minutes).
    pub sliding_token_lifetime: Duration,
    /// `SLIDING_TOKEN_REFRESH_LIFETIME` (default 1 day): how long a sliding token can be renewed.
    pub sliding_token_refresh_lifetime: Duration,
    /// `SLIDING_TOKEN_REFRESH_EXP_CLAIM` (default `refresh_exp`).
    pub sliding_token_refresh_exp_claim: String,
    /// `ROTATE_REFRESH_TOKENS` (default false): `token/refresh/` also returns a new refresh
    /// token.
    pub rotate_refresh_tokens: bool,
    /// `BLACKLIST_AFTER_ROTATION` (default false): a rotated refresh token is blacklisted
    /// (needs [`JwtSettings::token_blacklist`]).
    pub blacklist_after_rotation: bool,
    /// `UPDATE_LAST_LOGIN` (default false): obtaining tokens sets the user's `last_login`
    /// (through [`crate::contrib::auth::UserStore::update_last_login`]).
    pub update_last_login: bool,
    /// Whether simplejwt's `token_blacklist` app is installed (default false): refresh and
    /// sliding tokens are then recorded in `token_blacklist_outstandingtoken` when issued and
    /// refused once in `token_blacklist_blacklistedtoken` (see [`crate::contrib::simplejwt::token_blacklist`]).
    pub token_blacklist: bool,
    /// `AUTH_TOKEN_CLASSES`: the token types that authenticate requests (default access).
    pub auth_token_types: Vec<TokenType>,
    /// `USER_ID_CLAIM`: the claim holding the user id (default `user_id`).
    pub user_id_claim: String,
    /// `LEEWAY` in seconds for `exp`, `nbf` and `iat` (default 0).
    pub leeway: u64,
    /// `AUDIENCE`: written as `aud` into new tokens and required in verified ones.
    pub audience: Option<String>,
    /// `ISSUER`: written as `iss` into new tokens and required in verified ones.
    pub issuer: Option<String>,
    /// `AUTH_HEADER_TYPES`: the accepted first words of the `Authorization` header
    /// (default `Bearer`, `JWT`).
    pub auth_header_types: Vec<String>,
}

impl JwtSettings {
    /// simplejwt's defaults (HS256, 5 minutes / 1 day, `user_id`, no leeway, no audience or
    /// issuer, `Bearer` and `JWT` headers), signing with `signing_key`.
    pub fn new(signing_key: impl Into<Vec<u8>>) -> Self {
        JwtSettings {
            signing_key: signing_key.into(),
            verifying_key: Vec::new(),
            algorithm: Algorithm::HS256,
            access_token_lifetime: Duration::minutes(5),
            refresh_token_lifetime: Duration::days(1),
            sliding_token_lifetime: Duration::minutes(5),
            sliding_token_refresh_lifetime: Duration::days(1),
            sliding_token_refresh_exp_claim: "refresh_exp".into(),
            rotate_refresh_tokens: false,
            blacklist_after_rotation: false,
            update_last_login: false,
            token_blacklist: false,
            auth_token_types: vec![TokenType::Access],
            user_id_claim: "user_id".into(),
            leeway: 0,
            audience: None,
            issuer: None,
            auth_header_types: vec!["Bearer".into(), "JWT".into()],
        }
    }

    /// Settings for an RSA or ECDSA `algorithm`: signs with the PEM private key
    /// `signing_pem` (PKCS#8, or PKCS#1 for RSA) and verifies with the PEM public key
    /// `verifying_pem`. Both keys are checked here, so a misconfiguration fails at start-up.
    pub fn with_pem_keys(
        algorithm: Algorithm,
        signing_pem: impl Into<Vec<u8>>,
        verifying_pem: impl Into<Vec<u8>>,
    ) -> Result<Self, JwtKeyError> {
        if matches!(
            algorithm,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(JwtKeyError(format!(
                "{algorithm:?} is an HMAC algorithm: use JwtSettings::new(secret)"
            )));
        }
        let mut settings = JwtSettings::new(signing_pem);
        settings.verifying_key = verifying_pem.into();
        settings.algorithm = algorithm;
        settings.encoding_key()?;
        settings.decoding_key()?;
        Ok(settings)
    }

    /// [`JwtSettings::with_pem_keys`] with the keys read from files.
    pub fn from_pem_files(
        algorithm: Algorithm,
        signing_key_path: impl AsRef<std::path::Path>,
        verifying_key_path: impl AsRef<std::path::Path>,
    ) -> Result<Self, JwtKeyError> {
        let read = |path: &std::path::Path| {
            std::fs::read(path)
                .map_err(|err| JwtKeyError(format!("cannot read {}: {err}", path.display())))
        };
        Self::with_pem_keys(
            algorithm,
            read(signing_key_path.as_ref())?,
            read(verifying_key_path.as_ref())?,
        )
    }

    /// The key that signs tokens under [`JwtSettings::algorithm`].
    fn encoding_key(&self) -> Result<EncodingKey, JwtKeyError> {
        let key = match self.algorithm {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                Ok(EncodingKey::from_secret(&self.signing_key))
            }
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
                EncodingKey::from_rsa_pem(&self.signing_key)
            }
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(&self.signing_key),
            other => return Err(JwtKeyError(format!("{other:?} is not supported"))),
        };
        key.map_err(|err| JwtKeyError(format!("bad signing key: {err}")))
    }

    /// The key that verifies tokens under [`JwtSettings::algorithm`].
    fn decoding_key(&self) -> Result<DecodingKey, JwtKeyError> {
        let key = match self.algorithm {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                Ok(DecodingKey::from_secret(&self.signing_key))
            }
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
                DecodingKey::from_rsa_pem(&self.verifying_key)
            }
            Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(&self.verifying_key),
            other => return Err(JwtKeyError(format!("{other:?} is not supported"))),
        };
        key.map_err(|err| JwtKeyError(format!("bad verifying key: {err}")))
    }

    /// The leeway actually applied (clamped so that time arithmetic cannot overflow).
    fn effective_leeway(&self) -> u64 {
        self.leeway.min(MAX_LEEWAY_SECONDS)
    }

    /// jsonwebtoken's checks: the one algorithm, a numeric `exp` that is not past,
    /// `nbf`, and `aud` / `iss` when configured (then required, as PyJWT does).
    fn validation(&self) -> Validation {
        let mut validation = Validation::new(self.algorithm);
        validation.leeway = self.effective_leeway();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp"];
        // simplejwt verifies the audience only when one is configured.
        validation.validate_aud = self.audience.is_some();
        if let Some(audience) = &self.audience {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        validation
    }
}

impl fmt::Debug for JwtSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signing key stays out of logs.
        f.debug_struct("JwtSettings")
            .field("signing_key", &"<redacted>")
            .field("algorithm", &self.algorithm)
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("refresh_token_lifetime", &self.refresh_token_lifetime)
            .field("sliding_token_lifetime", &self.sliding_token_lifetime)
            .field(
                "sliding_token_refresh_lifetime",
                &self.sliding_token_refresh_lifetime,
            )
            .field("rotate_refresh_tokens", &self.rotate_refresh_tokens)
            .field("blacklist_after_rotation", &self.blacklist_after_rotation)
            .field("update_last_login", &self.update_last_login)
            .field("token_blacklist", &self.token_blacklist)
            .field("auth_token_types", &self.auth_token_types)
            .field("user_id_claim", &self.user_id_claim)
            .field("leeway", &self.leeway)
            .field("audience", &self.audience)
            .field("issuer", &self.issuer)
            .field("auth_header_types", &self.auth_header_types)
            .finish()
    }
}

/// A signing or verifying key that cannot be used (bad PEM, unsupported algorithm).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("JWT key error: {0}")]
pub struct JwtKeyError(pub String);

/// The claims of a token: a verified one from [`decode_token`], or new ones to sign with
/// [`encode_claims`].
#[derive(Debug, Clone, PartialEq)]
pub struct TokenClaims {
    /// `token_type`: `"access"` or `"refresh"` (empty if a token had none).
    pub token_type: String,
    /// `exp`: expiry, seconds since the epoch.
    pub exp: i64,
    /// `iat`: issued at, seconds since the epoch (0 if a token had none).
    pub iat: i64,
    /// `jti`: the token's unique id (32 lowercase hex characters in new tokens).
    pub jti: String,
    /// The user id claim ([`JwtSettings::user_id_claim`]) as a string, as simplejwt writes
    /// it (`"2"`); a numeric claim is read as its decimal text. Empty if a token had none,
    /// and then left out when encoding.
    pub user_id: String,
    /// Every other claim, in token order (`aud`, `iss`, `nbf`, custom claims...).
    pub extra: Map<String, Value>,
}

impl TokenClaims {
    /// New claims of `token_type` for a user, issued now (simplejwt's
    /// `Token.for_user(user)`): `exp = now + lifetime`, `iat = now`, a fresh `jti`.
    pub fn for_user(settings: &JwtSettings, token_type: TokenType, user_id: i64) -> Self {
        Self::issued_at(settings, token_type, user_id.to_string(), now_timestamp())
    }

    fn issued_at(settings: &JwtSettings, token_type: TokenType, user_id: String, now: i64) -> Self {
        let mut extra = Map::new();
        if token_type == TokenType::Sliding {
            // simplejwt's `SlidingToken.__init__`: how long the token can be renewed.
            let refresh_exp =
                now.saturating_add(settings.sliding_token_refresh_lifetime.num_seconds());
            extra.insert(
                settings.sliding_token_refresh_exp_claim.clone(),
                refresh_exp.into(),
            );
        }
        TokenClaims {
            token_type: token_type.as_str().into(),
            exp: expiry(settings, token_type, now),
            iat: now,
            jti: new_jti(),
            user_id,
            extra,
        }
    }

    /// Renews sliding claims (simplejwt's `TokenRefreshSlidingSerializer`: `set_exp()`,
    /// `set_iat()`; the `jti` and `refresh_exp` stay). Fails with
    /// [`TokenError::RefreshExpired`] once `refresh_exp` is past (or missing).
    pub fn slide(&mut self, settings: &JwtSettings) -> Result<(), TokenError> {
        self.slide_at(settings, now_timestamp())
    }

    fn slide_at(&mut self, settings: &JwtSettings, now: i64) -> Result<(), TokenError> {
        let leeway = i64::try_from(settings.effective_leeway()).unwrap_or(0);
        let refresh_exp = self
            .extra
            .get(&settings.sliding_token_refresh_exp_claim)
            .and_then(numeric_date)
            .ok_or(TokenError::RefreshExpired)?;
        if refresh_exp.saturating_add(leeway) <= now {
            return Err(TokenError::RefreshExpired);
        }
        self.exp = expiry(settings, TokenType::Sliding, now);
        self.iat = now;
        Ok(())
    }

    /// The user id as an integer, if it is one.
    pub fn user_id_i64(&self) -> Option<i64> {
        self.user_id.parse().ok()
    }

    /// `exp` as a date, if it is in chrono's range.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.exp, 0)
    }

    /// The access token claims made from these refresh claims (simplejwt's
    /// `RefreshToken.access_token`): type `access`, `exp = now + access lifetime`, a fresh
    /// `jti`; every other claim, `iat` included, is copied.
    pub fn access_token(&self, settings: &JwtSettings) -> TokenClaims {
        self.access_token_at(settings, now_timestamp())
    }

    fn access_token_at(&self, settings: &JwtSettings, now: i64) -> TokenClaims {
        TokenClaims {
            token_type: TokenType::Access.as_str().into(),
            exp: expiry(settings, TokenType::Access, now),
            iat: self.iat,
            jti: new_jti(),
            user_id: self.user_id.clone(),
            extra: self.extra.clone(),
        }
    }

    /// Rotates refresh claims in place (simplejwt's `ROTATE_REFRESH_TOKENS`: `set_jti()`,
    /// `set_exp()`, `set_iat()`): a fresh `jti`, `exp = now + refresh lifetime`, `iat = now`.
    pub fn rotate(&mut self, settings: &JwtSettings) {
        self.rotate_at(settings, now_timestamp());
    }

    fn rotate_at(&mut self, settings: &JwtSettings, now: i64) {
        self.jti = new_jti();
        self.exp = expiry(settings, TokenType::Refresh, now);
        self.iat = now;
    }

    /// The JSON payload in simplejwt's order: `token_type`, `exp`, `iat`, `jti`, the user id
    /// claim, the other claims, then `aud` and `iss` when configured (replacing any copied
    /// values in place, as simplejwt's `TokenBackend.encode` does).
    pub fn to_payload(&self, settings: &JwtSettings) -> Map<String, Value> {
        let mut payload = Map::new();
        payload.insert(TOKEN_TYPE_CLAIM.into(), self.token_type.clone().into());
        payload.insert("exp".into(), self.exp.into());
        payload.insert("iat".into(), self.iat.into());
        payload.insert(JTI_CLAIM.into(), self.jti.clone().into());
        // A sliding token's `refresh_exp` is set before the user id (simplejwt's order).
        let refresh_exp = &settings.sliding_token_refresh_exp_claim;
        if self.token_type == TokenType::Sliding.as_str()
            && let Some(value) = self.extra.get(refresh_exp)
        {
            payload.insert(refresh_exp.clone(), value.clone());
        }
        if !self.user_id.is_empty() {
            payload.insert(settings.user_id_claim.clone(), self.user_id.clone().into());
        }
        for (key, value) in &self.extra {
            if !payload.contains_key(key) {
                payload.insert(key.clone(), value.clone());
            }
        }
        if let Some(audience) = &settings.audience {
            payload.insert("aud".into(), audience.clone().into());
        }
        if let Some(issuer) = &settings.issuer {
            payload.insert("iss".into(), issuer.clone().into());
        }
        payload
    }
}

/// A refresh token and the access token made from it, as `POST /api/token/` returns them
/// (refresh first).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenPair {
    /// The refresh token.
    pub refresh: String,
    /// The access token.
    pub access: String,
}

/// Why a token was refused; [`TokenError::message`] gives simplejwt's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenError {
    /// Malformed, bad signature, another algorithm, `alg: none`, missing or malformed
    /// claims, wrong audience or issuer, not yet valid: "Token is invalid".
    Invalid,
    /// `exp` is past (beyond the leeway): "Token is expired".
    Expired,
    /// A valid token whose `token_type` is not the expected one: "Token has wrong type".
    WrongType,
    /// A refresh or sliding token in the blacklist: "Token is blacklisted".
    Blacklisted,
    /// A sliding token past its `refresh_exp`: "Token 'refresh_exp' claim has expired".
    RefreshExpired,
}

impl TokenError {
    /// simplejwt's message: `"Token is invalid"`, `"Token is expired"` or
    /// `"Token has wrong type"`.
    pub fn message(&self) -> &'static str {
        match self {
            TokenError::Invalid => "Token is invalid",
            TokenError::Expired => "Token is expired",
            TokenError::WrongType => "Token has wrong type",
            TokenError::Blacklisted => "Token is blacklisted",
            TokenError::RefreshExpired => "Token 'refresh_exp' claim has expired",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for TokenError {}

fn now_timestamp() -> i64 {
    Utc::now().timestamp()
}

/// `now + lifetime` in whole seconds (simplejwt's `set_exp`).
fn expiry(settings: &JwtSettings, token_type: TokenType, now: i64) -> i64 {
    now.saturating_add(token_type.lifetime(settings).num_seconds())
}

/// simplejwt's `uuid4().hex`.
fn new_jti() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Signs `payload` (already in claim order) with PyJWT's header bytes.
fn sign_payload(settings: &JwtSettings, payload: &Map<String, Value>) -> Result<String, String> {
    let algorithm = serde_json::to_string(&settings.algorithm).map_err(|err| err.to_string())?;
    let header = format!(r#"{{"alg":{algorithm},"typ":"JWT"}}"#);
    let payload = serde_json::to_vec(payload).map_err(|err| err.to_string())?;
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let key = settings.encoding_key().map_err(|err| err.to_string())?;
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, settings.algorithm)
        .map_err(|err| err.to_string())?;
    Ok(format!("{message}.{signature}"))
}

/// Signs `claims` with the settings' key and algorithm; the payload is
/// [`TokenClaims::to_payload`] (simplejwt's claim order, `aud` / `iss` when configured).
///
/// Signing cannot fail with an HMAC algorithm; with a bad PEM key or an unsupported algorithm
/// the error is logged and the result is an empty string, which no verification accepts.
pub fn encode_claims(settings: &JwtSettings, claims: &TokenClaims) -> String {
    match sign_payload(settings, &claims.to_payload(settings)) {
        Ok(token) => token,
        Err(err) => {
            tracing::error!(
                algorithm = ?settings.algorithm,
                "cannot sign a JWT: {err}"
            );
            String::new()
        }
    }
}

/// simplejwt's `RefreshToken.for_user(user)` and its `.access_token`: a refresh token
/// (`exp = now + 1 day`) and an access token (`exp = now + 5 minutes`), both with
/// `iat = now`, their own `jti` and the user id as a string.
pub fn token_pair_for_user(settings: &JwtSettings, user_id: i64) -> TokenPair {
    let now = now_timestamp();
    let refresh = TokenClaims::issued_at(settings, TokenType::Refresh, user_id.to_string(), now);
    let access = refresh.access_token_at(settings, now);
    TokenPair {
        refresh: encode_claims(settings, &refresh),
        access: encode_claims(settings, &access),
    }
}

/// simplejwt's `AccessToken.for_user(user)`: an access token issued now.
pub fn access_token_for_user(settings: &JwtSettings, user_id: i64) -> String {
    encode_claims(
        settings,
        &TokenClaims::for_user(settings, TokenType::Access, user_id),
    )
}

/// Verifies a token and returns its claims.
///
/// Checks, in simplejwt's order: the signature with [`JwtSettings::signing_key`] and only
/// [`JwtSettings::algorithm`] (anything else, `alg: none` included, is
/// [`TokenError::Invalid`]); a numeric `exp` that is not past beyond
/// [`JwtSettings::leeway`] (missing: `Invalid`; past: [`TokenError::Expired`], like PyJWT an
/// `exp` equal to the current second is past); `nbf` and `iat` not in the future;
/// `aud` / `iss` when configured; a string `jti`; then, when `expected` is given, the
/// `token_type` claim ([`TokenError::WrongType`]). `expected: None` accepts both types
/// (simplejwt's `UntypedToken`, used by `token/verify/`).
pub fn decode_token(
    settings: &JwtSettings,
    token: &str,
    expected: Option<TokenType>,
) -> Result<TokenClaims, TokenError> {
    decode_token_at(settings, token, expected, now_timestamp())
}

fn decode_token_at(
    settings: &JwtSettings,
    token: &str,
    expected: Option<TokenType>,
    now: i64,
) -> Result<TokenClaims, TokenError> {
    let key = settings.decoding_key().map_err(|err| {
        tracing::error!("cannot verify JWTs: {err}");
        TokenError::Invalid
    })?;
    let data =
        jsonwebtoken::decode::<Map<String, Value>>(token.as_bytes(), &key, &settings.validation())
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
    claims_from_payload(settings, data.claims, expected, now)
}

/// A NumericDate claim as whole seconds (PyJWT's `int(value)`: floats are truncated).
fn numeric_date(value: &Value) -> Option<i64> {
    let Value::Number(number) = value else {
        return None;
    };
    if let Some(int) = number.as_i64() {
        return Some(int);
    }
    let float = number.as_f64()?;
    // Out-of-range values (including u64 above i64::MAX) are refused.
    (float.is_finite() && float.abs() < 9.0e18).then(|| float.trunc() as i64)
}

/// The claim checks jsonwebtoken does not do, then the split into [`TokenClaims`].
fn claims_from_payload(
    settings: &JwtSettings,
    mut payload: Map<String, Value>,
    expected: Option<TokenType>,
    now: i64,
) -> Result<TokenClaims, TokenError> {
    // Clamped to ten years, so it fits.
    let leeway = i64::try_from(settings.effective_leeway()).unwrap_or(0);

    // PyJWT checks `iat` first: a number, not in the future.
    let iat = match payload.shift_remove("iat") {
        None => 0,
        Some(value) => numeric_date(&value).ok_or(TokenError::Invalid)?,
    };
    if iat > now.saturating_add(leeway) {
        return Err(TokenError::Invalid);
    }

    // PyJWT's rule is `exp <= now - leeway` (jsonwebtoken's is `<`): an `exp` equal to the
    // current second is expired.
    let exp = payload
        .shift_remove("exp")
        .as_ref()
        .and_then(numeric_date)
        .ok_or(TokenError::Invalid)?;
    if exp.saturating_add(leeway) <= now {
        return Err(TokenError::Expired);
    }

    // simplejwt: "Token has no id".
    let jti = match payload.shift_remove(JTI_CLAIM) {
        Some(Value::String(jti)) => jti,
        _ => return Err(TokenError::Invalid),
    };

    let token_type = match payload.shift_remove(TOKEN_TYPE_CLAIM) {
        None => String::new(),
        Some(Value::String(token_type)) => token_type,
        Some(_) => return Err(TokenError::Invalid),
    };

    let user_id = match payload.shift_remove(&settings.user_id_claim) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(user_id)) => user_id,
        Some(Value::Number(number)) if number.is_i64() || number.is_u64() => number.to_string(),
        Some(_) => return Err(TokenError::Invalid),
    };

    if let Some(expected) = expected
        && token_type != expected.as_str()
    {
        return Err(TokenError::WrongType);
    }

    Ok(TokenClaims {
        token_type,
        exp,
        iat,
        jti,
        user_id,
        extra: payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"django-insecure-test-key";

    /// Made with Python (PyJWT's header and separators, `hmac` + `hashlib`) with the key
    /// above: simplejwt tokens for user "2" that expire in 2100.
    const PY_ACCESS: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjQxMDI0NDQ1MDAsImp0aSI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidXNlcl9pZCI6IjIifQ.rTpUUlKZ6IHraYjIotY1tKv2ZPh97aOPEkVIX2A8MFE";
    const PY_REFRESH: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6NDEwMjQ0NDgwMCwiaWF0Ijo0MTAyMzU4NDAwLCJqdGkiOiJmZWRjYmE5ODc2NTQzMjEwZmVkY2JhOTg3NjU0MzIxMCIsInVzZXJfaWQiOiIyIn0.FtwZp8txoeHd2X6idu_4l8lz4ryzV5Pf7EOqSdITYd8";
    /// `now` for the Python tokens: before their `iat`s would be "in the future".
    const PY_NOW: i64 = 4_102_444_600;

    fn settings() -> JwtSettings {
        JwtSettings::new(SECRET)
    }

    fn part(token: &str, index: usize) -> String {
        let encoded = token.split('.').nth(index).expect("three parts");
        let bytes = URL_SAFE_NO_PAD.decode(encoded).expect("base64url");
        String::from_utf8(bytes).expect("utf-8")
    }

    fn payload_json(token: &str) -> Map<String, Value> {
        serde_json::from_str(&part(token, 1)).expect("JSON object")
    }

    fn keys(map: &Map<String, Value>) -> Vec<&str> {
        map.keys().map(String::as_str).collect()
    }

    /// Signs any JSON payload as-is (to craft tokens the encoder would not make).
    fn sign_raw(settings: &JwtSettings, payload: Value) -> String {
        let Value::Object(map) = payload else {
            panic!("object expected")
        };
        sign_payload(settings, &map).expect("HMAC signing")
    }

    fn is_lower_hex_32(s: &str) -> bool {
        s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    #[test]
    fn defaults_are_simplejwts() {
        let s = settings();
        assert_eq!(s.algorithm, Algorithm::HS256);
        assert_eq!(s.access_token_lifetime, Duration::seconds(300));
        assert_eq!(s.refresh_token_lifetime, Duration::seconds(86_400));
        assert_eq!(s.user_id_claim, "user_id");
        assert_eq!(s.leeway, 0);
        assert_eq!(s.audience, None);
        assert_eq!(s.issuer, None);
        assert_eq!(s.auth_header_types, ["Bearer", "JWT"]);
        let debug = format!("{s:?}");
        assert!(!debug.contains("django-insecure"), "{debug}");
        assert_eq!(TokenType::Access.as_str(), "access");
        assert_eq!(TokenType::Refresh.to_string(), "refresh");
        assert_eq!(TokenType::from_claim("refresh"), Some(TokenType::Refresh));
        assert_eq!(TokenType::from_claim("Access"), None);
    }

    #[test]
    fn pair_round_trips_with_simplejwt_claims() {
        let s = settings();
        let pair = token_pair_for_user(&s, 42);
        let access = decode_token(&s, &pair.access, Some(TokenType::Access)).expect("access");
        let refresh = decode_token(&s, &pair.refresh, Some(TokenType::Refresh)).expect("refresh");
        assert_eq!(access.token_type, "access");
        assert_eq!(refresh.token_type, "refresh");
        assert_eq!(access.user_id, "42");
        assert_eq!(access.user_id_i64(), Some(42));
        assert_eq!(refresh.user_id_i64(), Some(42));
        assert_eq!(access.exp - access.iat, 300);
        assert_eq!(refresh.exp - refresh.iat, 86_400);
        assert_eq!(access.iat, refresh.iat);
        assert!((access.iat - Utc::now().timestamp()).abs() <= 2);
        assert!(is_lower_hex_32(&access.jti), "{}", access.jti);
        assert!(is_lower_hex_32(&refresh.jti), "{}", refresh.jti);
        assert_ne!(access.jti, refresh.jti);
        assert!(access.extra.is_empty());
        assert!(access.expires_at().is_some());
        // Both types pass when no type is expected (simplejwt's UntypedToken).
        assert!(decode_token(&s, &pair.access, None).is_ok());
        assert!(decode_token(&s, &pair.refresh, None).is_ok());
        let single = decode_token(&s, &access_token_for_user(&s, 7), Some(TokenType::Access));
        assert_eq!(single.map(|c| c.user_id), Ok("7".to_string()));
    }

    #[test]
    fn header_and_claim_order_are_simplejwts() {
        let s = settings();
        let pair = token_pair_for_user(&s, 2);
        for (token, kind) in [(&pair.access, "access"), (&pair.refresh, "refresh")] {
            assert_eq!(part(token, 0), r#"{"alg":"HS256","typ":"JWT"}"#);
            let body = part(token, 1);
            let prefix = format!(r#"{{"token_type":"{kind}","exp":"#);
            assert!(body.starts_with(&prefix), "{body}");
            assert!(body.ends_with(r#","user_id":"2"}"#), "{body}");
            let payload = payload_json(token);
            assert_eq!(
                keys(&payload),
                ["token_type", "exp", "iat", "jti", "user_id"]
            );
            assert!(payload["user_id"].is_string());
            assert!(payload["exp"].is_i64() && payload["iat"].is_i64());
        }
    }

    #[test]
    fn encodes_byte_identical_to_python() {
        let s = settings();
        let access = TokenClaims {
            token_type: "access".into(),
            exp: 4_102_444_800,
            iat: 4_102_444_500,
            jti: "0123456789abcdef0123456789abcdef".into(),
            user_id: "2".into(),
            extra: Map::new(),
        };
        assert_eq!(encode_claims(&s, &access), PY_ACCESS);
    }

    #[test]
    fn accepts_python_made_tokens() {
        let s = settings();
        let access =
            decode_token_at(&s, PY_ACCESS, Some(TokenType::Access), PY_NOW).expect("access");
        assert_eq!(access.user_id_i64(), Some(2));
        assert_eq!(access.jti, "0123456789abcdef0123456789abcdef");
        assert_eq!((access.iat, access.exp), (4_102_444_500, 4_102_444_800));
        assert_eq!(encode_claims(&s, &access), PY_ACCESS);
        let refresh =
            decode_token_at(&s, PY_REFRESH, Some(TokenType::Refresh), PY_NOW).expect("refresh");
        assert_eq!(refresh.token_type, "refresh");
        assert_eq!(encode_claims(&s, &refresh), PY_REFRESH);
        assert_eq!(
            decode_token_at(&s, PY_REFRESH, Some(TokenType::Access), PY_NOW),
            Err(TokenError::WrongType)
        );
    }

    #[test]
    fn expired_tokens_are_expired_without_leeway() {
        let s = settings();
        let now = Utc::now().timestamp();
        let mut claims = TokenClaims::for_user(&s, TokenType::Access, 1);
        for exp in [now - 1, now - 3600, 0] {
            claims.exp = exp;
            claims.iat = exp - 300;
            let token = encode_claims(&s, &claims);
            assert_eq!(
                decode_token(&s, &token, Some(TokenType::Access)),
                Err(TokenError::Expired),
                "exp {exp}"
            );
        }
        // PyJWT: `exp <= now` is expired, so the second of `exp` itself already is.
        claims.exp = now + 5;
        claims.iat = now - 300;
        let token = encode_claims(&s, &claims);
        assert_eq!(
            decode_token_at(&s, &token, None, now + 5),
            Err(TokenError::Expired)
        );
        assert!(decode_token_at(&s, &token, None, now + 4).is_ok());
        // An expired token of the wrong type is reported as expired (simplejwt checks exp first).
        let mut refresh = TokenClaims::for_user(&s, TokenType::Refresh, 1);
        refresh.exp = now - 10;
        let token = encode_claims(&s, &refresh);
        assert_eq!(
            decode_token(&s, &token, Some(TokenType::Access)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn leeway_extends_expiry() {
        let mut s = settings();
        s.leeway = 30;
        let now = Utc::now().timestamp();
        let mut claims = TokenClaims::for_user(&s, TokenType::Access, 1);
        claims.exp = now - 10;
        let token = encode_claims(&s, &claims);
        assert!(decode_token(&s, &token, Some(TokenType::Access)).is_ok());
        claims.exp = now - 120;
        let token = encode_claims(&s, &claims);
        assert_eq!(decode_token(&s, &token, None), Err(TokenError::Expired));
        // Absurd leeways are clamped instead of overflowing.
        s.leeway = u64::MAX;
        assert!(decode_token(&s, &token, None).is_ok());
    }

    #[test]
    fn tampering_and_other_keys_are_invalid() {
        let s = settings();
        let pair = token_pair_for_user(&s, 1);
        // Another signature.
        let (message, signature) = pair.access.rsplit_once('.').expect("three parts");
        let first = signature.chars().next().expect("signature");
        let flipped = if first == 'A' { 'B' } else { 'A' };
        let tampered = format!("{message}.{flipped}{}", &signature[1..]);
        assert_eq!(decode_token(&s, &tampered, None), Err(TokenError::Invalid));
        // Another payload under the original signature.
        let header = pair.access.split('.').next().expect("header");
        let mut payload = payload_json(&pair.access);
        payload.insert("user_id".into(), "1000".into());
        let forged_body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).expect("json"));
        let forged = format!("{header}.{forged_body}.{signature}");
        assert_eq!(decode_token(&s, &forged, None), Err(TokenError::Invalid));
        // No signature.
        assert_eq!(
            decode_token(&s, &format!("{message}."), None),
            Err(TokenError::Invalid)
        );
        // Another key.
        let other = JwtSettings::new(b"other".to_vec());
        assert_eq!(
            decode_token(&other, &pair.access, None),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn only_the_configured_algorithm_is_accepted() {
        let s = settings();
        for algorithm in [Algorithm::HS384, Algorithm::HS512] {
            let mut other = settings();
            other.algorithm = algorithm;
            let token = access_token_for_user(&other, 1);
            let header = part(&token, 0);
            assert!(header.starts_with(r#"{"alg":"HS"#), "{header}");
            // Valid under its own settings, refused under HS256 (same key).
            assert!(decode_token(&other, &token, Some(TokenType::Access)).is_ok());
            assert_eq!(decode_token(&s, &token, None), Err(TokenError::Invalid));
        }
        let hs256 = access_token_for_user(&s, 1);
        let mut hs512 = settings();
        hs512.algorithm = Algorithm::HS512;
        assert_eq!(decode_token(&hs512, &hs256, None), Err(TokenError::Invalid));
    }

    #[test]
    fn alg_none_is_invalid() {
        let s = settings();
        let body = URL_SAFE_NO_PAD.encode(
            r#"{"token_type":"access","exp":9999999999,"iat":1,"jti":"0123456789abcdef0123456789abcdef","user_id":"1"}"#,
        );
        for header in [
            r#"{"alg":"none","typ":"JWT"}"#,
            r#"{"alg":"None","typ":"JWT"}"#,
            r#"{"alg":"NONE"}"#,
            r#"{"typ":"JWT"}"#,
            r#"{"alg":"RS256","typ":"JWT"}"#,
        ] {
            let head = URL_SAFE_NO_PAD.encode(header);
            for signature in ["", "c2lnbmF0dXJl", "AAAA"] {
                let token = format!("{head}.{body}.{signature}");
                assert_eq!(
                    decode_token(&s, &token, Some(TokenType::Access)),
                    Err(TokenError::Invalid),
                    "{header} / {signature:?}"
                );
            }
        }
    }

    #[test]
    fn wrong_type_is_reported_after_validity() {
        let s = settings();
        let pair = token_pair_for_user(&s, 1);
        assert_eq!(
            decode_token(&s, &pair.refresh, Some(TokenType::Access)),
            Err(TokenError::WrongType)
        );
        assert_eq!(
            decode_token(&s, &pair.access, Some(TokenType::Refresh)),
            Err(TokenError::WrongType)
        );
        // A token without a type is of no expected type, but passes untyped.
        let exp = Utc::now().timestamp() + 60;
        let untyped = sign_raw(
            &s,
            serde_json::json!({"exp": exp, "jti": "abc", "user_id": "1"}),
        );
        assert_eq!(
            decode_token(&s, &untyped, Some(TokenType::Access)),
            Err(TokenError::WrongType)
        );
        assert_eq!(
            decode_token(&s, &untyped, None).map(|c| c.token_type),
            Ok(String::new())
        );
        let other_type = sign_raw(
            &s,
            serde_json::json!({"token_type": "sliding", "exp": exp, "jti": "abc"}),
        );
        assert_eq!(
            decode_token(&s, &other_type, Some(TokenType::Refresh)),
            Err(TokenError::WrongType)
        );
    }

    #[test]
    fn malformed_claims_are_invalid() {
        let s = settings();
        let now = Utc::now().timestamp();
        let exp = now + 60;
        let jti = "0123456789abcdef0123456789abcdef";
        let cases = [
            // No exp (simplejwt: "Token has no 'exp' claim").
            serde_json::json!({"token_type": "access", "iat": now, "jti": jti, "user_id": "1"}),
            serde_json::json!({"token_type": "access", "exp": null, "jti": jti}),
            serde_json::json!({"token_type": "access", "exp": "9999999999", "jti": jti}),
            serde_json::json!({"token_type": "access", "exp": -5, "jti": jti}),
            serde_json::json!({"token_type": "access", "exp": 1e300, "jti": jti}),
            // No jti (simplejwt: "Token has no id"), or not a string.
            serde_json::json!({"token_type": "access", "exp": exp, "user_id": "1"}),
            serde_json::json!({"token_type": "access", "exp": exp, "jti": 5}),
            // iat not a number, or in the future.
            serde_json::json!({"token_type": "access", "exp": exp, "iat": "x", "jti": jti}),
            serde_json::json!({"token_type": "access", "exp": exp, "iat": now + 30, "jti": jti}),
            // Not valid yet.
            serde_json::json!({"token_type": "access", "exp": exp, "nbf": now + 30, "jti": jti}),
            // token_type or user_id of the wrong JSON type.
            serde_json::json!({"token_type": 1, "exp": exp, "jti": jti}),
            serde_json::json!({"token_type": "access", "exp": exp, "jti": jti, "user_id": [1]}),
            serde_json::json!({"token_type": "access", "exp": exp, "jti": jti, "user_id": 1.5}),
        ];
        for payload in cases {
            let token = sign_raw(&s, payload.clone());
            assert_eq!(
                decode_token(&s, &token, None),
                Err(TokenError::Invalid),
                "{payload}"
            );
        }
    }

    #[test]
    fn garbage_is_invalid_and_never_panics() {
        let s = settings();
        let long = "a".repeat(10_000);
        let cases = [
            "",
            ".",
            "..",
            "...",
            "a.b.c",
            "a.b",
            "Bearer x",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.W10.AAAA",
            "e30.e30.e30",
            "!!!.???.###",
            "ü.ß.∂",
            long.as_str(),
        ];
        for token in cases {
            assert_eq!(
                decode_token(&s, token, None),
                Err(TokenError::Invalid),
                "{token:?}"
            );
            assert_eq!(
                decode_token(&s, token, Some(TokenType::Access)),
                Err(TokenError::Invalid),
                "{token:?}"
            );
        }
    }

    #[test]
    fn numeric_and_custom_user_id_claims() {
        let s = settings();
        let exp = Utc::now().timestamp() + 60;
        let token = sign_raw(
            &s,
            serde_json::json!({"token_type": "access", "exp": exp, "jti": "j", "user_id": 7}),
        );
        let claims = decode_token(&s, &token, Some(TokenType::Access)).expect("valid");
        assert_eq!(
            (claims.user_id.as_str(), claims.user_id_i64()),
            ("7", Some(7))
        );
        // No user id: decodes, but names no user.
        let token = sign_raw(
            &s,
            serde_json::json!({"token_type": "access", "exp": exp, "jti": "j"}),
        );
        let claims = decode_token(&s, &token, Some(TokenType::Access)).expect("valid");
        assert_eq!(claims.user_id_i64(), None);
        assert!(!payload_json(&encode_claims(&s, &claims)).contains_key("user_id"));
        // A non-numeric id is kept as text.
        let token = sign_raw(
            &s,
            serde_json::json!({"token_type": "access", "exp": exp, "jti": "j", "user_id": "abc"}),
        );
        let claims = decode_token(&s, &token, None).expect("valid");
        assert_eq!(
            (claims.user_id.as_str(), claims.user_id_i64()),
            ("abc", None)
        );
        // Another claim name.
        let mut custom = settings();
        custom.user_id_claim = "uid".into();
        let token = access_token_for_user(&custom, 9);
        assert_eq!(
            keys(&payload_json(&token)),
            ["token_type", "exp", "iat", "jti", "uid"]
        );
        let claims = decode_token(&custom, &token, Some(TokenType::Access)).expect("valid");
        assert_eq!(claims.user_id_i64(), Some(9));
        // Read with the default settings, `uid` is just another claim.
        let claims = decode_token(&s, &token, Some(TokenType::Access)).expect("valid");
        assert_eq!(claims.user_id_i64(), None);
        assert_eq!(claims.extra.get("uid"), Some(&Value::from("9")));
    }

    #[test]
    fn audience_and_issuer() {
        let mut s = settings();
        s.audience = Some("blog-api".into());
        s.issuer = Some("https://blog.example".into());
        let pair = token_pair_for_user(&s, 3);
        let payload = payload_json(&pair.access);
        assert_eq!(
            keys(&payload),
            ["token_type", "exp", "iat", "jti", "user_id", "aud", "iss"]
        );
        let claims = decode_token(&s, &pair.access, Some(TokenType::Access)).expect("valid");
        assert_eq!(claims.extra.get("aud"), Some(&Value::from("blog-api")));
        // Re-encoding keeps one aud/iss each, in place.
        assert_eq!(
            keys(&payload_json(&encode_claims(&s, &claims))),
            ["token_type", "exp", "iat", "jti", "user_id", "aud", "iss"]
        );
        // Without aud / iss, or with other values: invalid.
        let plain = token_pair_for_user(&settings(), 3);
        assert_eq!(
            decode_token(&s, &plain.access, None),
            Err(TokenError::Invalid)
        );
        let mut other_aud = s.clone();
        other_aud.audience = Some("other".into());
        assert_eq!(
            decode_token(&other_aud, &pair.access, None),
            Err(TokenError::Invalid)
        );
        let mut other_iss = s.clone();
        other_iss.issuer = Some("other".into());
        assert_eq!(
            decode_token(&other_iss, &pair.access, None),
            Err(TokenError::Invalid)
        );
        // simplejwt does not check `aud` when no audience is configured.
        let mut aud_only = settings();
        aud_only.audience = Some("blog-api".into());
        let token = access_token_for_user(&aud_only, 3);
        assert!(decode_token(&settings(), &token, Some(TokenType::Access)).is_ok());
    }

    #[test]
    fn refresh_derives_access_and_rotates_like_simplejwt() {
        let s = settings();
        let now = 1_700_000_000;
        let mut refresh = TokenClaims::issued_at(&s, TokenType::Refresh, "5".into(), now - 3600);
        refresh.extra.insert("scope".into(), "read".into());
        let access = refresh.access_token_at(&s, now);
        assert_eq!(access.token_type, "access");
        assert_eq!(access.exp, now + 300);
        // `iat` is copied from the refresh token, like every claim but type, exp and jti.
        assert_eq!(access.iat, now - 3600);
        assert_ne!(access.jti, refresh.jti);
        assert_eq!(access.user_id, "5");
        assert_eq!(access.extra.get("scope"), Some(&Value::from("read")));
        let old_jti = refresh.jti.clone();
        refresh.rotate_at(&s, now);
        assert_ne!(refresh.jti, old_jti);
        assert!(is_lower_hex_32(&refresh.jti));
        assert_eq!((refresh.iat, refresh.exp), (now, now + 86_400));
        assert_eq!(refresh.token_type, "refresh");
        // Public wrappers use the clock.
        let mut live = TokenClaims::for_user(&s, TokenType::Refresh, 5);
        let access = live.access_token(&s);
        assert!(decode_token(&s, &encode_claims(&s, &access), Some(TokenType::Access)).is_ok());
        live.rotate(&s);
        assert!(decode_token(&s, &encode_claims(&s, &live), Some(TokenType::Refresh)).is_ok());
    }

    #[test]
    fn other_claims_keep_their_order() {
        let s = settings();
        let mut claims = TokenClaims::for_user(&s, TokenType::Access, 1);
        for key in ["zeta", "alpha", "mid"] {
            claims.extra.insert(key.into(), Value::from(key));
        }
        let token = encode_claims(&s, &claims);
        let order = [
            "token_type",
            "exp",
            "iat",
            "jti",
            "user_id",
            "zeta",
            "alpha",
            "mid",
        ];
        assert_eq!(keys(&payload_json(&token)), order);
        let decoded = decode_token(&s, &token, Some(TokenType::Access)).expect("valid");
        assert_eq!(decoded, claims);
        assert_eq!(keys(&payload_json(&encode_claims(&s, &decoded))), order);
    }

    #[test]
    fn unsupported_algorithms_sign_nothing() {
        let mut s = settings();
        s.algorithm = Algorithm::RS256;
        let claims = TokenClaims::for_user(&s, TokenType::Access, 1);
        assert_eq!(encode_claims(&s, &claims), "");
        let token = encode_claims(&settings(), &claims);
        assert_eq!(decode_token(&s, &token, None), Err(TokenError::Invalid));
    }

    #[test]
    fn error_messages_are_simplejwts() {
        assert_eq!(TokenError::Invalid.message(), "Token is invalid");
        assert_eq!(TokenError::Expired.message(), "Token is expired");
        assert_eq!(TokenError::WrongType.message(), "Token has wrong type");
        assert_eq!(TokenError::Expired.to_string(), "Token is expired");
    }

    const RS256_PRIVATE: &str = include_str!("../../../tests/fixtures/jwt_keys/rs256_private.pem");
    const RS256_PUBLIC: &str = include_str!("../../../tests/fixtures/jwt_keys/rs256_public.pem");
    const ES256_PRIVATE: &str = include_str!("../../../tests/fixtures/jwt_keys/es256_private.pem");
    const ES256_PUBLIC: &str = include_str!("../../../tests/fixtures/jwt_keys/es256_public.pem");

    #[test]
    fn rsa_and_ecdsa_keys_sign_and_verify() {
        let rs = JwtSettings::with_pem_keys(Algorithm::RS256, RS256_PRIVATE, RS256_PUBLIC)
            .expect("RS256 keys");
        let es = JwtSettings::with_pem_keys(Algorithm::ES256, ES256_PRIVATE, ES256_PUBLIC)
            .expect("ES256 keys");
        for (keyed, other, alg) in [(&rs, &es, "RS256"), (&es, &rs, "ES256")] {
            let pair = token_pair_for_user(keyed, 4);
            assert_eq!(
                part(&pair.access, 0),
                format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#)
            );
            let claims = decode_token(keyed, &pair.access, Some(TokenType::Access)).expect("valid");
            assert_eq!(claims.user_id_i64(), Some(4));
            assert_eq!(
                decode_token(other, &pair.access, None),
                Err(TokenError::Invalid)
            );
            assert_eq!(
                decode_token(&settings(), &pair.access, None),
                Err(TokenError::Invalid)
            );
        }
        // An HS256 token made with the public key as the secret (the classic key confusion).
        let mut confused = JwtSettings::new(RS256_PUBLIC.as_bytes().to_vec());
        confused.algorithm = Algorithm::HS256;
        let token = access_token_for_user(&confused, 4);
        assert_eq!(decode_token(&rs, &token, None), Err(TokenError::Invalid));
        // Mismatched keys are refused at configuration.
        assert!(JwtSettings::with_pem_keys(Algorithm::RS256, ES256_PRIVATE, ES256_PUBLIC).is_err());
    }

    #[test]
    fn sliding_claims_and_renewal() {
        let mut s = settings();
        s.sliding_token_lifetime = Duration::seconds(60);
        s.sliding_token_refresh_lifetime = Duration::seconds(600);
        let now = 1_700_000_000;
        let mut claims = TokenClaims::issued_at(&s, TokenType::Sliding, "3".into(), now);
        assert_eq!(claims.exp, now + 60);
        assert_eq!(
            keys(&claims.to_payload(&s)),
            ["token_type", "exp", "iat", "jti", "refresh_exp", "user_id"]
        );
        let jti = claims.jti.clone();
        claims.slide_at(&s, now + 30).expect("renewable");
        assert_eq!(
            (claims.iat, claims.exp, claims.jti.as_str()),
            (now + 30, now + 90, jti.as_str())
        );
        assert_eq!(
            claims.extra.get("refresh_exp"),
            Some(&Value::from(now + 600))
        );
        assert_eq!(
            claims.slide_at(&s, now + 600),
            Err(TokenError::RefreshExpired)
        );
        claims.extra.remove("refresh_exp");
        assert_eq!(claims.slide_at(&s, now), Err(TokenError::RefreshExpired));
        assert_eq!(
            TokenError::RefreshExpired.message(),
            "Token 'refresh_exp' claim has expired"
        );
        assert_eq!(TokenType::from_claim("sliding"), Some(TokenType::Sliding));
        assert_eq!(TokenType::Sliding.class_name(), "SlidingToken");
        assert!(TokenType::Sliding.is_blacklistable() && !TokenType::Access.is_blacklistable());
    }
}
