//! What Django and DRF's companion packages give a DRF app, beside the core: each module is
//! a battery behind its own cargo feature, and the core knows none of them (they plug in
//! through the core's traits: [`Authentication`](crate::authentication::Authentication),
//! [`UserStore`](crate::users::UserStore), [`Middleware`](crate::middleware::Middleware),
//! [`SettingsExtension`](crate::settings::SettingsExtension), ...).
//!
//! | module | Django / DRF package | feature |
//! | --- | --- | --- |
//! | `auth` | `django.contrib.auth`: the user entity contract, password hashers and validators, reset tokens | `auth` |
//! | `sessions` | `django.contrib.sessions`, `CsrfViewMiddleware`, DRF's `SessionAuthentication` | `sessions` |
//! | `authtoken` | `rest_framework.authtoken` | `authtoken` |
//! | `simplejwt` | `djangorestframework-simplejwt` (and its `token_blacklist` app) | `simplejwt` |
//! | `accounts` | `dj-rest-auth` with `django-allauth` registration | `accounts` |
//! | `cors` | `django-cors-headers` | `cors` |
//! | `mail` | `django.core.mail` (SMTP with the `smtp` feature) | `mail` |

#[cfg(feature = "accounts")]
pub mod accounts;
#[cfg(feature = "auth")]
pub mod auth;
#[cfg(feature = "authtoken")]
pub mod authtoken;
#[cfg(feature = "cors")]
pub mod cors;
#[cfg(feature = "mail")]
pub mod mail;
#[cfg(feature = "sessions")]
pub mod sessions;
#[cfg(feature = "simplejwt")]
pub mod simplejwt;
