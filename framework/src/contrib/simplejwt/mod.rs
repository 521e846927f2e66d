//! djangorestframework-simplejwt: JSON Web Tokens (access, refresh and sliding), their views,
//! `JWTAuthentication`, and the `token_blacklist` app.
//!
//! - [`jwt`]: the tokens themselves (simplejwt's `tokens` and `backends`) and
//!   [`JwtSettings`] (`SIMPLE_JWT`, reached with `settings.jwt()` / `settings.jwt_mut()`);
//! - [`tokens`]: issuing, verifying, refreshing and blacklisting them against the database;
//! - [`views`]: `TokenObtainPairView`, `TokenRefreshView`, `TokenVerifyView`, ...;
//! - [`JwtAuthentication`]: the authentication class;
//! - [`token_blacklist`]: the blacklist app's tables.

pub mod authentication;
pub mod jwt;
pub mod token_blacklist;
pub mod tokens;
pub mod views;

pub use authentication::JwtAuthentication;
pub use jwt::JwtSettings;

use crate::settings::{Settings, SettingsExtension};
use std::sync::Arc;

/// simplejwt's defaults, signing with Django's `SECRET_KEY`.
impl SettingsExtension for JwtSettings {
    fn default_for(settings: &Settings) -> Self {
        JwtSettings::new(settings.secret_key.clone())
    }
}

/// `SIMPLE_JWT`.
impl Settings {
    /// simplejwt's settings (signing key, lifetimes, header types).
    pub fn jwt(&self) -> Arc<JwtSettings> {
        self.extension()
    }

    /// simplejwt's settings, to change them.
    pub fn jwt_mut(&mut self) -> &mut JwtSettings {
        self.extension_mut()
    }
}
