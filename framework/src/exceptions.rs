//! DRF's exceptions: one error type, [`ApiError`], for every refusal, rendered in one place
//! with DRF's status codes and JSON bodies (`{"detail": "..."}` or the validation error tree).

use crate::response::Response;
use poem::http::{Method, StatusCode};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Shorthand for results whose error is an [`ApiError`].
pub type ApiResult<T> = Result<T, ApiError>;

/// Every error a view can answer with, mirroring `rest_framework.exceptions`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// 400 `{"detail": "JSON parse error - ..."}` and other malformed requests.
    #[error("parse error: {0}")]
    ParseError(String),
    /// 400 with the field error tree.
    #[error("validation error")]
    Validation(ValidationErrors),
    /// 400 with a bare list of messages (DRF's `ValidationError(["..."])` raised outside a
    /// serializer, e.g. by a filter backend): `["Null characters are not allowed."]`.
    #[error("validation error: {0:?}")]
    ValidationList(Vec<String>),
    /// 401: credentials were sent but are wrong. `body` is the whole JSON body (DRF's
    /// `{"detail": ...}`, or simplejwt's with `code` and `messages`).
    #[error("authentication failed")]
    AuthenticationFailed(serde_json::Value),
    /// 401 `Authentication credentials were not provided.` (403 when the request was
    /// authenticated: see [`ApiError::for_permission_denied`]).
    #[error("not authenticated")]
    NotAuthenticated,
    /// 403 with a detail text (DRF's default: `You do not have permission to perform this action.`).
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// 404 with a detail text (`Not found.`, `No Article matches the given query.`).
    #[error("not found: {0}")]
    NotFound(String),
    /// 405 `Method "PUT" not allowed.`
    #[error("method not allowed: {0}")]
    MethodNotAllowed(Method),
    /// 406 `Could not satisfy the request Accept header.`
    #[error("not acceptable")]
    NotAcceptable,
    /// 415 `Unsupported media type "text/plain" in request.`
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// 429 `Request was throttled. Expected available in N seconds.`
    #[error("throttled")]
    Throttled(Option<u64>),
    /// 503 `Service temporarily unavailable, try again later.`: the database cannot be
    /// reached (down, restarting, every connection busy). The message is logged, never sent.
    #[error("service unavailable: {0}")]
    ServiceUnavailable(String),
    /// 500: a bug or a database failure. The message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// DRF's default text for 403.
pub const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";

impl ApiError {
    /// The HTTP status DRF uses for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::ParseError(_) | ApiError::Validation(_) | ApiError::ValidationList(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::AuthenticationFailed(_) | ApiError::NotAuthenticated => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::PermissionDenied(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A 401 with DRF's plain `{"detail": text}` body.
    pub fn authentication_failed(detail: impl Into<String>) -> Self {
        ApiError::AuthenticationFailed(serde_json::json!({ "detail": detail.into() }))
    }

    /// A 403 with DRF's default text.
    pub fn permission_denied() -> Self {
        ApiError::PermissionDenied(PERMISSION_DENIED.to_string())
    }

    /// DRF's `permission_denied()`: 401 when the request is not authenticated, else 403.
    pub fn for_permission_denied(authenticated: bool) -> Self {
        if authenticated {
            Self::permission_denied()
        } else {
            ApiError::NotAuthenticated
        }
    }

    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = ValidationErrors::default();
        errors.add(field, message);
        ApiError::Validation(errors)
    }

    /// A validation error under `non_field_errors`.
    pub fn non_field(message: impl Into<String>) -> Self {
        Self::field(NON_FIELD_ERRORS, message)
    }

    /// Renders the error as DRF does (status, JSON body). `www_authenticate` is the value of
    /// the first authentication class's header, added to 401 responses.
    pub fn into_response(self, www_authenticate: Option<&str>) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::Validation(errors) => {
                serde_json::to_vec(errors).unwrap_or_else(|_| b"{}".to_vec())
            }
            ApiError::AuthenticationFailed(body) => {
                serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec())
            }
            ApiError::ValidationList(messages) => {
                serde_json::to_vec(messages).unwrap_or_else(|_| b"[]".to_vec())
            }
            other => serde_json::to_vec(&Detail(&other.detail())).unwrap_or_default(),
        };
        match &self {
            ApiError::Internal(message) => {
                tracing::error!(error = %message, "internal server error")
            }
            ApiError::ServiceUnavailable(message) => {
                tracing::warn!(error = %message, "service unavailable")
            }
            _ => {}
        }
        let mut response = Response::json_bytes(status, body);
        // DRF's exception handler: `Retry-After` when the wait is known and not zero.
        if let ApiError::Throttled(Some(wait @ 1..)) = &self {
            response = response.with_header("Retry-After", &wait.to_string());
        }
        if let (StatusCode::UNAUTHORIZED, Some(value)) = (status, www_authenticate) {
            response = response.with_header("WWW-Authenticate", value);
        }
        if let ApiError::Throttled(Some(wait)) = &self {
            response = response.with_header("Retry-After", &wait.to_string());
        }
        response
    }

    /// The `detail` text of a non-validation error.
    pub fn detail(&self) -> String {
        match self {
            ApiError::ParseError(text)
            | ApiError::PermissionDenied(text)
            | ApiError::NotFound(text) => text.clone(),
            ApiError::NotAuthenticated => "Authentication credentials were not provided.".into(),
            ApiError::MethodNotAllowed(method) => format!("Method \"{method}\" not allowed."),
            ApiError::NotAcceptable => "Could not satisfy the request Accept header.".into(),
            ApiError::UnsupportedMediaType(media) => {
                format!("Unsupported media type \"{media}\" in request.")
            }
            ApiError::Throttled(None) => "Request was throttled.".into(),
            ApiError::Throttled(Some(wait)) => {
                let unit = if *wait == 1 { "second" } else { "seconds" };
                format!("Request was throttled. Expected available in {wait} {unit}.")
            }
            ApiError::Internal(_) => "A server error occurred.".into(),
            ApiError::ServiceUnavailable(_) => {
                "Service temporarily unavailable, try again later.".into()
            }
            ApiError::AuthenticationFailed(body) => body
                .get("detail")
                .and_then(|d| d.as_str())
                .unwrap_or("Incorrect authentication credentials.")
                .to_string(),
            ApiError::Validation(_) => "Invalid input.".into(),
            ApiError::ValidationList(messages) => messages.first().cloned().unwrap_or_default(),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    /// A database that cannot be reached is a 503 (the client may retry; the pool reconnects
    /// by itself); any other database error a 500.
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unavailable(&err) {
            ApiError::ServiceUnavailable(format!("database unavailable: {err}"))
        } else {
            ApiError::Internal(format!("database error: {err}"))
        }
    }
}

/// Whether `err` says the database cannot be reached now, rather than that a statement is
/// wrong: no connection from the pool in time, a connection lost or refused, PostgreSQL
/// shutting down or not accepting connections yet (SQLSTATE classes 08 and 57P), SQLite's
/// lock wait running out.
pub fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as SqlxError;
    use sea_orm::{DbErr, RuntimeErr};
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return matches!(err, DbErr::Conn(_));
    };
    match sqlx.as_ref() {
        SqlxError::Io(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed
        | SqlxError::Tls(_) => true,
        SqlxError::Database(db) => {
            let code = db.code().unwrap_or_default();
            // PostgreSQL: connection exceptions, operator intervention (shutdown, starting
            // up); SQLite: SQLITE_BUSY and SQLITE_LOCKED (primary and extended codes).
            code.starts_with("08")
                || code.starts_with("57P")
                || matches!(code.as_ref(), "5" | "6" | "261" | "262" | "517")
        }
        _ => matches!(err, DbErr::Conn(_)),
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(err: sea_orm::TransactionError<ApiError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

/// What an exception handler knows about the failed request (DRF's `context`).
pub struct ExceptionContext<'a> {
    /// The request.
    pub request: &'a crate::request::RequestContext,
    /// The `WWW-Authenticate` value for 401 answers (the view's first authentication class).
    pub www_authenticate: Option<&'a str>,
}

/// DRF's `EXCEPTION_HANDLER` setting: turns every error a view raises into a response.
/// Replace it in [`crate::settings::Settings::exception_handler`] to customise error bodies;
/// call [`exception_handler`] inside it for the errors it does not handle.
pub type ExceptionHandler =
    std::sync::Arc<dyn Fn(ApiError, &ExceptionContext<'_>) -> Response + Send + Sync>;

/// DRF's default `exception_handler`: the error's status, DRF's body, `WWW-Authenticate` on
/// 401 and `Retry-After` on 429.
pub fn exception_handler(error: ApiError, context: &ExceptionContext<'_>) -> Response {
    error.into_response(context.www_authenticate)
}

struct Detail<'a>(&'a str);

impl Serialize for Detail<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("detail", self.0)?;
        map.end()
    }
}

/// The key DRF uses for errors that concern no single field.
pub const NON_FIELD_ERRORS: &str = "non_field_errors";

/// DRF's validation error tree: field name -> messages, in the serializer's field order.
///
/// Serializes exactly as DRF: `{"title": ["This field is required."]}`; nested serializers
/// nest, lists of nested objects become arrays with `{}` for valid items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidationErrors {
    entries: Vec<(String, ErrorDetail)>,
}

/// The errors of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorDetail {
    /// Plain messages: `["This field is required."]`.
    Messages(Vec<String>),
    /// A nested serializer's errors.
    Nested(ValidationErrors),
    /// A list of nested serializers' errors, one per item: `{}` (an empty
    /// [`ErrorDetail::Nested`]) for valid items, messages for a `null` item.
    List(Vec<ErrorDetail>),
}

impl ValidationErrors {
    /// True when no error was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a message to a field, keeping first-insertion order of fields.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.entries.iter_mut().find(|(name, _)| name == field) {
            Some((_, ErrorDetail::Messages(list))) => list.push(message),
            Some((_, other)) => *other = ErrorDetail::Messages(vec![message]),
            None => self
                .entries
                .push((field.to_string(), ErrorDetail::Messages(vec![message]))),
        }
    }

    /// Adds several messages to a field.
    pub fn extend(&mut self, field: &str, messages: impl IntoIterator<Item = String>) {
        for message in messages {
            self.add(field, message);
        }
    }

    /// Sets a field's detail (nested errors).
    pub fn set(&mut self, field: &str, detail: ErrorDetail) {
        self.entries.retain(|(name, _)| name != field);
        self.entries.push((field.to_string(), detail));
    }

    /// The messages of one field, if it has plain messages.
    pub fn messages(&self, field: &str) -> Option<&[String]> {
        self.entries.iter().find_map(|(name, detail)| match detail {
            ErrorDetail::Messages(list) if name == field => Some(list.as_slice()),
            _ => None,
        })
    }

    /// Reorders the fields to follow `order` (the serializer's declared field order);
    /// `non_field_errors` and unknown keys keep their relative order at the end.
    pub fn sort_by_fields(&mut self, order: &[&str]) {
        let position = |name: &str| order.iter().position(|f| *f == name).unwrap_or(usize::MAX);
        self.entries.sort_by_key(|(name, _)| position(name));
    }

    /// `Err(ApiError::Validation)` when errors were recorded, else `Ok(())`.
    pub fn into_result(self) -> ApiResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self))
        }
    }
}

impl Serialize for ValidationErrors {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (name, detail) in &self.entries {
            map.serialize_entry(name, detail)?;
        }
        map.end()
    }
}

impl Serialize for ErrorDetail {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ErrorDetail::Messages(list) => list.serialize(serializer),
            ErrorDetail::Nested(errors) => errors.serialize(serializer),
            ErrorDetail::List(items) => items.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_render_in_field_order() {
        let mut errors = ValidationErrors::default();
        errors.add("content", "This field is required.");
        errors.add("title", "This field is required.");
        errors.add("title", "Second.");
        errors.sort_by_fields(&["title", "content"]);
        let body = serde_json::to_string(&errors).unwrap();
        assert_eq!(
            body,
            r#"{"title":["This field is required.","Second."],"content":["This field is required."]}"#
        );
    }

    #[test]
    fn details_match_drf_texts() {
        assert_eq!(
            ApiError::MethodNotAllowed(Method::PUT).detail(),
            "Method \"PUT\" not allowed."
        );
        assert_eq!(
            ApiError::UnsupportedMediaType("text/plain".into()).detail(),
            "Unsupported media type \"text/plain\" in request."
        );
        assert_eq!(
            ApiError::Throttled(Some(5)).detail(),
            "Request was throttled. Expected available in 5 seconds."
        );
    }
}
