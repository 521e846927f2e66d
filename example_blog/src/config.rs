//! The blog's deployment settings, read from the environment (Django's `settings.py` reads
//! the same kind of values from `os.environ`).
//!
//! | variable | default |
//! |---|---|
//! | `DATABASE_URL` | [`DEFAULT_DATABASE_URL`] (`db.sqlite3` in the working directory) |
//! | `SECRET_KEY` | [`DEV_SECRET_KEY`], with a warning: never use it in production |
//! | `CORS_ALLOWED_ORIGINS` | [`DEFAULT_CORS_ALLOWED_ORIGINS`]; comma-separated origins (`https://app.example.com,http://localhost:8080`) |
//!
//! The listening address defaults to [`DEFAULT_BIND`]; `example_blog serve --bind` changes it.

use crate::db::DEFAULT_DATABASE_URL;

/// The development signing key used when `SECRET_KEY` is not set. It is public (it is the
/// DRF reference app's development key, so tokens of one are accepted by the other during
/// comparisons, and tests can forge tokens with it): anyone who knows it can mint valid
/// JWTs. Set `SECRET_KEY` to a long random value in every real deployment.
pub const DEV_SECRET_KEY: &str =
    "drf-blog-reference-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz";

/// The origins allowed to call the API from a browser when `CORS_ALLOWED_ORIGINS` is not set
/// (the DRF reference's `CORS_ALLOWED_ORIGINS`: a front end on port 8080).
pub const DEFAULT_CORS_ALLOWED_ORIGINS: &[&str] =
    &["http://localhost:8080", "http://127.0.0.1:8080"];

/// The address `serve` listens on by default (`manage.py runserver`'s `127.0.0.1:8000`).
pub const DEFAULT_BIND: &str = "127.0.0.1:8000";

/// The blog's settings.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// A sea-orm database URL: `sqlite://path?mode=rwc`, `sqlite::memory:` or
    /// `postgres://user:password@host:port/database`.
    pub database_url: String,
    /// Django's `SECRET_KEY`: signs the JWTs (HS256) and anything else that is signed.
    pub secret_key: String,
    /// `host:port` to listen on.
    pub bind: String,
    /// django-cors-headers' `CORS_ALLOWED_ORIGINS` (credentials are allowed for them).
    pub cors_allowed_origins: Vec<String>,
    /// Django's `EMAIL_FILE_PATH`: when set, e-mail (password resets) is written there, one
    /// file per message, instead of printed to the console.
    pub email_file_path: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Config {
    /// Never prints the secret key (or a database password in the URL).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("secret_key", &"<redacted>")
            .field("bind", &self.bind)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("email_file_path", &self.email_file_path)
            .finish()
    }
}

/// `scheme://user:password@host/...` without the password, for logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// An environment variable, `None` when unset, empty or not valid UTF-8.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// `DATABASE_URL`, or [`DEFAULT_DATABASE_URL`] when it is unset or empty. For commands that
/// need the database only (and so should not warn about `SECRET_KEY`).
pub fn database_url_from_env() -> String {
    env_var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// [`DEFAULT_CORS_ALLOWED_ORIGINS`] as owned strings.
fn default_cors_allowed_origins() -> Vec<String> {
    DEFAULT_CORS_ALLOWED_ORIGINS
        .iter()
        .map(|o| o.to_string())
        .collect()
}

/// `CORS_ALLOWED_ORIGINS`, comma-separated (blanks around commas ignored), or
/// [`DEFAULT_CORS_ALLOWED_ORIGINS`] when unset or empty.
pub fn cors_allowed_origins_from_env() -> Vec<String> {
    match env_var("CORS_ALLOWED_ORIGINS") {
        Some(list) => parse_origin_list(&list),
        None => default_cors_allowed_origins(),
    }
}

/// `"a, b,,c"` -> `["a", "b", "c"]`.
fn parse_origin_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Config {
    /// Reads `DATABASE_URL`, `SECRET_KEY` and `EMAIL_FILE_PATH` from the environment; unset (or empty) variables
    /// take their defaults. Without `SECRET_KEY` it logs a warning that the public
    /// [`DEV_SECRET_KEY`] is in use.
    pub fn from_env() -> Config {
        let database_url = database_url_from_env();
        let secret_key = env_var("SECRET_KEY").unwrap_or_else(|| {
            tracing::warn!(
                "SECRET_KEY is not set: using the public, INSECURE development key. Anyone can \
                 forge tokens for this server. Set SECRET_KEY to a long random value before \
                 exposing it."
            );
            DEV_SECRET_KEY.to_owned()
        });
        Config {
            database_url,
            secret_key,
            bind: DEFAULT_BIND.to_owned(),
            cors_allowed_origins: cors_allowed_origins_from_env(),
            email_file_path: env_var("EMAIL_FILE_PATH").map(Into::into),
        }
    }

    /// Settings for tests: the given database, [`DEV_SECRET_KEY`] (so tests can sign tokens
    /// themselves) and [`DEFAULT_BIND`]. Reads no environment and logs nothing.
    pub fn for_tests(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            secret_key: DEV_SECRET_KEY.to_owned(),
            bind: DEFAULT_BIND.to_owned(),
            cors_allowed_origins: default_cors_allowed_origins(),
            email_file_path: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://blog:s3cret@db:5432/blog"),
            "postgres://blog:***@db:5432/blog"
        );
        assert_eq!(
            redact_url("postgres://blog@db/blog"),
            "postgres://blog@db/blog"
        );
        assert_eq!(redact_url(DEFAULT_DATABASE_URL), DEFAULT_DATABASE_URL);
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn origin_lists() {
        assert_eq!(
            parse_origin_list(" https://a.example.com ,http://localhost:8080,, "),
            ["https://a.example.com", "http://localhost:8080"]
        );
        assert_eq!(
            Config::for_tests("sqlite::memory:").cors_allowed_origins,
            DEFAULT_CORS_ALLOWED_ORIGINS
        );
    }

    #[test]
    fn test_config() {
        let config = Config::for_tests("sqlite::memory:");
        assert_eq!(config.secret_key, DEV_SECRET_KEY);
        assert_eq!(config.bind, DEFAULT_BIND);
        assert!(!format!("{config:?}").contains(DEV_SECRET_KEY));
    }
}
