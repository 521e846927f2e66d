//! Django's `MIDDLEWARE`: hooks around every view, for the batteries that need a say in
//! every response (`contrib::sessions` has Django's `SessionMiddleware` and
//! `CsrfViewMiddleware`).
//!
//! The core runs them at two places: after a view's response is rendered
//! ([`Middleware::process_response`]), and on the pages the URL dispatcher answers without a
//! view (Django's 404 page and `APPEND_SLASH` redirect: [`Middleware::process_page`]). They
//! are listed in [`Settings::middleware`](crate::settings::Settings::middleware), in Django's
//! order: responses pass them from the last to the first.

use crate::request::RequestContext;
use crate::response::Response;
use crate::settings::Settings;
use poem::http::HeaderMap;

/// One middleware (the response half of Django's middleware: requests reach the view first).
pub trait Middleware: Send + Sync + 'static {
    /// Changes a view's rendered response (Django's `process_response`).
    fn process_response(&self, _request: &RequestContext, response: Response) -> Response {
        response
    }

    /// Changes the headers of a page answered without a view (a 404, a redirect to the
    /// slashed path).
    fn process_page(
        &self,
        _settings: &Settings,
        _request_headers: &HeaderMap,
        _response_headers: &mut HeaderMap,
    ) {
    }
}

/// Passes a view's response through the settings' middleware, last first.
pub fn process_response(
    settings: &Settings,
    request: &RequestContext,
    response: Response,
) -> Response {
    settings
        .middleware
        .iter()
        .rev()
        .fold(response, |response, middleware| {
            middleware.process_response(request, response)
        })
}

/// Passes a dispatcher page's headers through the settings' middleware, last first.
pub fn process_page(settings: &Settings, request_headers: &HeaderMap, response: &mut HeaderMap) {
    for middleware in settings.middleware.iter().rev() {
        middleware.process_page(settings, request_headers, response);
    }
}
