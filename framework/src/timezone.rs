//! Django's `django.utils.timezone`: the current time as the framework stores it.

use chrono::{DateTime, SubsecRound, Utc};

/// The current UTC time at microsecond precision, as Django stores and DRF renders it
/// (so a datetime survives a database round trip and a fixture unchanged).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
