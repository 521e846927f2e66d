//! Authentication classes (DRF's `rest_framework.authentication`).
//!
//! Classes are tried in order. A class that does not recognise the request returns
//! `Ok(None)` and the next one is tried; one that recognises the credentials but finds them
//! invalid returns an error, which stops the request with 401 even on a GET. When no class
//! authenticates, the request is anonymous.

//!
//! The core has the trait and DRF's `BasicAuthentication`; the other classes come with their
//! contrib modules: `contrib::simplejwt::JwtAuthentication`,
//! `contrib::authtoken::TokenAuthentication`, `contrib::sessions::SessionAuthentication`,
//! `contrib::accounts::JwtCookieAuthentication`.

pub mod basic;

pub use basic::BasicAuthentication;

use crate::exceptions::ApiResult;
use crate::openapi::SecurityScheme;
use crate::request::RequestContext;
use crate::settings::Settings;
use crate::users::RequestUser;
use std::sync::Arc;

/// An authentication class.
#[async_trait::async_trait]
pub trait Authentication: Send + Sync + 'static {
    /// `Ok(Some(user))`: authenticated; `Ok(None)`: not this class's credentials;
    /// `Err(..)`: this class's credentials, but invalid (401).
    async fn authenticate(&self, ctx: &RequestContext) -> ApiResult<Option<RequestUser>>;

    /// False when the request carries nothing this class reads, so that
    /// [`Authentication::authenticate`] would answer `Ok(None)`: [`perform_authentication`]
    /// then goes to the next class without running it (an anonymous request builds no
    /// authentication future at all). True by default, which always runs the class.
    fn may_authenticate(&self, _ctx: &RequestContext) -> bool {
        true
    }

    /// The `WWW-Authenticate` value for 401 responses (DRF's `authenticate_header`).
    fn authenticate_header(&self) -> Option<String> {
        None
    }

    /// The OpenAPI security schemes of this class (drf-spectacular's
    /// `OpenApiAuthenticationExtension`): names and definitions, in the order operations list
    /// them. None by default: the class is left out of the document.
    fn openapi_security_schemes(&self, _settings: &Settings) -> Vec<SecurityScheme> {
        Vec::new()
    }
}

/// Runs the classes in order and records the user on the context (DRF's `perform_authentication`).
pub async fn perform_authentication(
    classes: &[Arc<dyn Authentication>],
    ctx: &mut RequestContext,
) -> ApiResult<()> {
    for class in classes {
        if !class.may_authenticate(ctx) {
            continue;
        }
        if let Some(user) = class.authenticate(ctx).await? {
            ctx.set_user(Some(user));
            return Ok(());
        }
    }
    ctx.set_user(None);
    Ok(())
}

/// The `WWW-Authenticate` header of a view: that of its first authentication class.
pub fn authenticate_header(classes: &[Arc<dyn Authentication>]) -> Option<String> {
    classes
        .first()
        .and_then(|class| class.authenticate_header())
}
