//! HTTP status codes under DRF's names (`status.HTTP_201_CREATED`).
//!
//! They are `poem::http::StatusCode` values, so they can be used wherever poem expects one.

use poem::http::StatusCode;

pub const HTTP_200_OK: StatusCode = StatusCode::OK;
pub const HTTP_201_CREATED: StatusCode = StatusCode::CREATED;
pub const HTTP_204_NO_CONTENT: StatusCode = StatusCode::NO_CONTENT;
pub const HTTP_301_MOVED_PERMANENTLY: StatusCode = StatusCode::MOVED_PERMANENTLY;
pub const HTTP_400_BAD_REQUEST: StatusCode = StatusCode::BAD_REQUEST;
pub const HTTP_401_UNAUTHORIZED: StatusCode = StatusCode::UNAUTHORIZED;
pub const HTTP_403_FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
pub const HTTP_404_NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
pub const HTTP_405_METHOD_NOT_ALLOWED: StatusCode = StatusCode::METHOD_NOT_ALLOWED;
pub const HTTP_406_NOT_ACCEPTABLE: StatusCode = StatusCode::NOT_ACCEPTABLE;
pub const HTTP_415_UNSUPPORTED_MEDIA_TYPE: StatusCode = StatusCode::UNSUPPORTED_MEDIA_TYPE;
pub const HTTP_429_TOO_MANY_REQUESTS: StatusCode = StatusCode::TOO_MANY_REQUESTS;
pub const HTTP_500_INTERNAL_SERVER_ERROR: StatusCode = StatusCode::INTERNAL_SERVER_ERROR;

/// DRF's `is_success`: 2xx.
pub fn is_success(code: StatusCode) -> bool {
    code.is_success()
}
