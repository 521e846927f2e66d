//! What an app's tests need (DRF's `rest_framework.test`, and the test databases Django's test
//! runner makes).
//!
//! Behind the `testing` feature, so a server binary does not carry it: enable it for tests
//! only, in `[dev-dependencies]`:
//!
//! ```toml
//! [dev-dependencies]
//! rest_framework = { version = "*", features = ["testing"] }
//! ```

pub mod db;
