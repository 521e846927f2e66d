//! HTTP status codes under DRF's names (`status.HTTP_201_CREATED`).
//!
//! They are `poem::http::StatusCode` values, so they can be used wherever poem expects one.

use poem::http::StatusCode;

/// `200 OK`.
pub const HTTP_200_OK: StatusCode = StatusCode::OK;
/// `201 Created`.
pub const HTTP_201_CREATED: StatusCode = StatusCode::CREATED;
/// `204 No Content`.
pub const HTTP_204_NO_CONTENT: StatusCode = StatusCode::NO_CONTENT;
/// `301 Moved Permanently`.
pub const HTTP_301_MOVED_PERMANENTLY: StatusCode = StatusCode::MOVED_PERMANENTLY;
/// `400 Bad Request`.
pub const HTTP_400_BAD_REQUEST: StatusCode = StatusCode::BAD_REQUEST;
/// `401 Unauthorized`.
pub const HTTP_401_UNAUTHORIZED: StatusCode = StatusCode::UNAUTHORIZED;
/// `403 Forbidden`.
pub const HTTP_403_FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
/// `404 Not Found`.
pub const HTTP_404_NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
/// `405 Method Not Allowed`.
pub const HTTP_405_METHOD_NOT_ALLOWED: StatusCode = StatusCode::METHOD_NOT_ALLOWED;
/// `406 Not Acceptable`.
pub const HTTP_406_NOT_ACCEPTABLE: StatusCode = StatusCode::NOT_ACCEPTABLE;
/// `415 Unsupported Media Type`.
pub const HTTP_415_UNSUPPORTED_MEDIA_TYPE: StatusCode = StatusCode::UNSUPPORTED_MEDIA_TYPE;
/// `429 Too Many Requests`.
pub const HTTP_429_TOO_MANY_REQUESTS: StatusCode = StatusCode::TOO_MANY_REQUESTS;
/// `500 Internal Server Error`.
pub const HTTP_500_INTERNAL_SERVER_ERROR: StatusCode = StatusCode::INTERNAL_SERVER_ERROR;

/// DRF's `is_success`: 2xx.
pub fn is_success(code: StatusCode) -> bool {
    code.is_success()
}
