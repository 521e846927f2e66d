//! DRF's `SessionAuthentication`: the user of Django's session (the `sessionid` cookie), with
//! Django's CSRF check on unsafe methods.

use super::csrf;
use crate::authentication::Authentication;
use crate::contrib::sessions;
use crate::exceptions::ApiResult;
use crate::request::RequestContext;
use crate::users::RequestUser;

/// DRF's `SessionAuthentication`.
///
/// | request | result |
/// | --- | --- |
/// | no `sessionid`, an unknown, expired or corrupted session, an inactive user, a session from before a password change | not this class (`Ok(None)`, anonymous if no later class authenticates) |
/// | a valid session, safe method (GET, HEAD, OPTIONS, TRACE) | the session's user |
/// | a valid session, unsafe method, CSRF check fails | 403 `{"detail": "CSRF Failed: <reason>"}` ([`csrf::check`]) |
/// | a valid session, unsafe method, CSRF check passes | the session's user |
///
/// It has no `WWW-Authenticate` challenge (DRF's `authenticate_header` returns `None`), so a
/// view whose first class it is answers 403, not 401, to anonymous requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionAuthentication;

#[async_trait::async_trait]
impl Authentication for SessionAuthentication {
    /// Without a `Cookie` header there is no session to load; the session still counts as
    /// read (Django's `request.user` reads it, and the answer varies on `Cookie`).
    fn may_authenticate(&self, ctx: &RequestContext) -> bool {
        ctx.mark_session_accessed();
        ctx.headers().contains_key(poem::http::header::COOKIE)
    }

    async fn authenticate(&self, ctx: &RequestContext) -> ApiResult<Option<RequestUser>> {
        let Some(user) = sessions::get_user(ctx.state(), ctx).await? else {
            return Ok(None);
        };
        if !user.is_active {
            return Ok(None);
        }
        csrf::enforce_csrf(ctx)?;
        Ok(Some(user))
    }

    /// drf-spectacular's `SessionScheme`: `cookieAuth`, the session cookie.
    fn openapi_security_schemes(
        &self,
        settings: &crate::settings::Settings,
    ) -> Vec<crate::openapi::SecurityScheme> {
        vec![crate::openapi::SecurityScheme::api_key(
            "cookieAuth",
            "cookie",
            &settings.sessions().cookie_name,
        )]
    }
}
