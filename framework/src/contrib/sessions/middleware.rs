//! Django's `SessionMiddleware` and `CsrfViewMiddleware`, the response half: add them to
//! [`Settings::middleware`] in Django's order (sessions first) when the app uses sessions.
//!
//! ```
//! use rest_framework::contrib::sessions::{CsrfViewMiddleware, SessionMiddleware};
//! use rest_framework::settings::Settings;
//! use std::sync::Arc;
//!
//! let mut settings = Settings::new("secret");
//! settings.middleware = vec![Arc::new(SessionMiddleware), Arc::new(CsrfViewMiddleware)];
//! ```

use super::{csrf, delete_cookie_if_empty, delete_cookie_of_empty_session};
use crate::middleware::Middleware;
use crate::request::RequestContext;
use crate::response::{Response, patch_vary_headers};
use crate::settings::Settings;
use poem::http::HeaderMap;

/// Django's `SessionMiddleware`: a response whose request looked at the session varies on
/// `Cookie`, and the cookie of a session found empty is deleted.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionMiddleware;

impl Middleware for SessionMiddleware {
    fn process_response(&self, request: &RequestContext, mut response: Response) -> Response {
        if request.session_accessed() {
            patch_vary_headers(&mut response.headers, &["Cookie"]);
        }
        delete_cookie_of_empty_session(request, response)
    }

    /// Pages answered without a view: only a key Django refuses unseen is deleted there.
    fn process_page(
        &self,
        settings: &Settings,
        request_headers: &HeaderMap,
        response_headers: &mut HeaderMap,
    ) {
        delete_cookie_if_empty(
            &settings.sessions(),
            request_headers,
            false,
            response_headers,
        );
    }
}

/// Django's `CsrfViewMiddleware`, setting the `csrftoken` cookie on responses that used the
/// token ([`RequestContext::mark_csrf_token_used`]: the browsable API's and Swagger UI's
/// pages). The check itself is [`csrf::enforce_csrf`], which `SessionAuthentication` runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsrfViewMiddleware;

impl Middleware for CsrfViewMiddleware {
    fn process_response(&self, request: &RequestContext, response: Response) -> Response {
        if !request.csrf_token_used() {
            return response;
        }
        match csrf::get_token(request) {
            (_, Some(cookie)) => cookie.apply(response),
            (_, None) => response,
        }
    }
}
