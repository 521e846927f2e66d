//! The blog's deployment settings, read from the environment (Django's `settings.py` reads
//! the same kind of values from `os.environ`).
//!
//! | variable | default |
//! |---|---|
//! | `DATABASE_URL` | [`DEFAULT_DATABASE_URL`] (`db.sqlite3` in the working directory) |
//! | `SECRET_KEY` | [`DEV_SECRET_KEY`], with a warning: never use it in production |
//! | `CORS_ALLOWED_ORIGINS` | [`DEFAULT_CORS_ALLOWED_ORIGINS`]; comma-separated origins (`https://app.example.com,http://localhost:8080`) |
//! | `ACCESS_TOKEN_LIFETIME` | seconds; simplejwt's default, 300 |
//! | `REFRESH_TOKEN_LIFETIME` | seconds; simplejwt's default, 86400 |
//! | `PRODUCTION` | off; `1` (or `serve --production`) turns on [production mode](Config::from_env_checked) |
//! | `ALLOWED_HOSTS` | Django's `ALLOWED_HOSTS`, comma-separated (`api.example.com,.example.org`, `*` for any); default [`rest_framework::hosts::DEVELOPMENT_ALLOWED_HOSTS`]; required in production mode |
//! | `HEADER_READ_TIMEOUT` | seconds a request's headers may take from its first byte; default 10 |
//! | `IDLE_TIMEOUT` | seconds a connection may stay without traffic; default 60 |
//! | `SCHEMA_DOCUMENT_ERRORS` | off; `1`: the OpenAPI document lists every status, errors included ([`rest_framework::settings::Settings::schema_document_errors`]) |
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
    /// Production mode: no development conveniences (see [`Config::from_env_checked`]).
    pub production: bool,
    /// simplejwt's `ACCESS_TOKEN_LIFETIME`, from `ACCESS_TOKEN_LIFETIME` (seconds); `None`:
    /// the framework's default.
    pub access_token_lifetime: Option<chrono::Duration>,
    /// simplejwt's `REFRESH_TOKEN_LIFETIME`, from `REFRESH_TOKEN_LIFETIME` (seconds).
    pub refresh_token_lifetime: Option<chrono::Duration>,
    /// Django's `ALLOWED_HOSTS`, from `ALLOWED_HOSTS` (comma-separated).
    pub allowed_hosts: rest_framework::hosts::AllowedHosts,
    /// How `serve` treats connections: `HEADER_READ_TIMEOUT` and `IDLE_TIMEOUT` (seconds)
    /// over [`rest_framework::server::ServerSettings`]' defaults.
    pub server: rest_framework::server::ServerSettings,
    /// `SCHEMA_DOCUMENT_ERRORS`: the OpenAPI document lists the error statuses too.
    pub schema_document_errors: bool,
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
            .field("production", &self.production)
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("refresh_token_lifetime", &self.refresh_token_lifetime)
            .field("allowed_hosts", &self.allowed_hosts.patterns())
            .field("server", &self.server)
            .field("schema_document_errors", &self.schema_document_errors)
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

/// The variable that sets how many password hashes run at once (a positive integer;
/// `rest_framework::contrib::auth::hashers::set_max_concurrent_hashes`).
pub const PASSWORD_HASHING_SLOTS_ENV: &str = "PASSWORD_HASHING_SLOTS";

/// `PASSWORD_HASHING_SLOTS`: `Ok(None)` when unset (the framework's default, the cores minus
/// one), an error when it is not a positive integer.
pub fn password_hashing_slots_from_env() -> anyhow::Result<Option<usize>> {
    let Some(value) = env_var(PASSWORD_HASHING_SLOTS_ENV) else {
        return Ok(None);
    };
    match value.trim().parse::<usize>() {
        Ok(slots) if slots > 0 => Ok(Some(slots)),
        _ => anyhow::bail!(
            "{PASSWORD_HASHING_SLOTS_ENV} must be a positive integer (hashes at once), not {value:?}"
        ),
    }
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

/// `ALLOWED_HOSTS`, comma-separated, or the development hosts when unset or empty.
pub fn allowed_hosts_from_env() -> rest_framework::hosts::AllowedHosts {
    match env_var(ALLOWED_HOSTS_ENV) {
        Some(list) => rest_framework::hosts::AllowedHosts::from_comma_separated(&list),
        None => rest_framework::hosts::AllowedHosts::default(),
    }
}

impl Config {
    /// Reads `DATABASE_URL`, `SECRET_KEY`, `EMAIL_FILE_PATH` and `ALLOWED_HOSTS` from the
    /// environment; unset (or empty) variables take their defaults. Without `SECRET_KEY` it logs a warning that the public
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
            production: false,
            access_token_lifetime: None,
            refresh_token_lifetime: None,
            allowed_hosts: allowed_hosts_from_env(),
            server: rest_framework::server::ServerSettings::default(),
            schema_document_errors: env_var(SCHEMA_DOCUMENT_ERRORS_ENV)
                .is_some_and(|value| is_true(&value)),
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
            production: false,
            access_token_lifetime: None,
            refresh_token_lifetime: None,
            allowed_hosts: rest_framework::hosts::AllowedHosts::default(),
            server: rest_framework::server::ServerSettings::default(),
            schema_document_errors: false,
        }
    }
}

/// The variable that turns on production mode (`1`, `true`, `yes` or `on`).
pub const PRODUCTION_ENV: &str = "PRODUCTION";
/// The variable holding simplejwt's `ACCESS_TOKEN_LIFETIME` in seconds.
pub const ACCESS_TOKEN_LIFETIME_ENV: &str = "ACCESS_TOKEN_LIFETIME";
/// The variable holding simplejwt's `REFRESH_TOKEN_LIFETIME` in seconds.
pub const REFRESH_TOKEN_LIFETIME_ENV: &str = "REFRESH_TOKEN_LIFETIME";
/// The variable holding Django's `ALLOWED_HOSTS`, comma-separated.
pub const ALLOWED_HOSTS_ENV: &str = "ALLOWED_HOSTS";
/// The variable holding the header timeout of `serve`, in seconds.
pub const HEADER_READ_TIMEOUT_ENV: &str = "HEADER_READ_TIMEOUT";
/// The variable holding the idle timeout of `serve`, in seconds.
pub const IDLE_TIMEOUT_ENV: &str = "IDLE_TIMEOUT";
/// The variable that makes the OpenAPI document list every status (`1`, `true`, `yes`, `on`).
pub const SCHEMA_DOCUMENT_ERRORS_ENV: &str = "SCHEMA_DOCUMENT_ERRORS";
/// Shortest `SECRET_KEY` production mode accepts (Django's `check --deploy`, W009).
pub const MIN_SECRET_KEY_LENGTH: usize = 50;
/// Fewest distinct characters in a production `SECRET_KEY` (Django's W009).
pub const MIN_SECRET_KEY_UNIQUE_CHARACTERS: usize = 5;

impl Config {
    /// The settings of `serve`: [`Config::from_env`], `database_url` (the `--database-url`
    /// flag) over `DATABASE_URL`, and the JWT lifetimes of `ACCESS_TOKEN_LIFETIME` and
    /// `REFRESH_TOKEN_LIFETIME` (whole seconds, at least 1).
    ///
    /// In production mode (`production`, from `serve --production` or `PRODUCTION=1`) there
    /// are no development conveniences: `SECRET_KEY` must be set, and not to the development
    /// key nor to a weak value (fewer than [`MIN_SECRET_KEY_LENGTH`] characters or fewer than
    /// [`MIN_SECRET_KEY_UNIQUE_CHARACTERS`] distinct ones, as Django's `check --deploy`);
    /// the database must be named (`DATABASE_URL` or `--database-url`) instead of an implicit
    /// `db.sqlite3` in the working directory; and `serve` does not apply migrations itself
    /// (it refuses to start while some are pending: run `migrate` first); and
    /// `ALLOWED_HOSTS` must name the hosts the server answers for.
    pub fn from_env_checked(
        production: bool,
        database_url: Option<String>,
    ) -> anyhow::Result<Config> {
        let database_url = database_url.filter(|url| !url.trim().is_empty());
        if production {
            check_production_env(database_url.is_some())?;
        }
        let mut config = Config::from_env();
        if let Some(url) = database_url {
            config.database_url = url;
        }
        config.production = production;
        config.access_token_lifetime = lifetime_from_env(ACCESS_TOKEN_LIFETIME_ENV)?;
        config.refresh_token_lifetime = lifetime_from_env(REFRESH_TOKEN_LIFETIME_ENV)?;
        if let Some(timeout) = timeout_from_env(HEADER_READ_TIMEOUT_ENV)? {
            config.server.header_read_timeout = timeout;
        }
        if let Some(timeout) = timeout_from_env(IDLE_TIMEOUT_ENV)? {
            config.server.idle_timeout = timeout;
        }
        Ok(config)
    }
}

/// Is `PRODUCTION` set to a true value?
pub fn production_from_env() -> bool {
    env_var(PRODUCTION_ENV).is_some_and(|value| is_true(&value))
}

/// `1`, `true`, `yes` or `on`, in any case.
fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

/// The checks of production mode on the environment (see [`Config::from_env_checked`]).
fn check_production_env(database_url_flag: bool) -> anyhow::Result<()> {
    let Some(key) = env_var("SECRET_KEY") else {
        anyhow::bail!(
            "production mode refuses to start without SECRET_KEY: set it to a long random value \
             (at least {MIN_SECRET_KEY_LENGTH} characters)"
        );
    };
    if key == DEV_SECRET_KEY {
        anyhow::bail!(
            "production mode refuses the public development SECRET_KEY: set a secret one"
        );
    }
    let unique: std::collections::HashSet<char> = key.chars().collect();
    if key.chars().count() < MIN_SECRET_KEY_LENGTH
        || unique.len() < MIN_SECRET_KEY_UNIQUE_CHARACTERS
        || key.starts_with("django-insecure-")
    {
        anyhow::bail!(
            "production mode refuses a weak SECRET_KEY: use at least {MIN_SECRET_KEY_LENGTH} \
             characters, {MIN_SECRET_KEY_UNIQUE_CHARACTERS} of them different, generated randomly"
        );
    }
    if env_var(ALLOWED_HOSTS_ENV).is_none() {
        anyhow::bail!(
            "production mode needs ALLOWED_HOSTS: the comma-separated host names this server \
             answers for (e.g. api.example.com), or * when a proxy in front checks the host"
        );
    }
    if !database_url_flag && env_var("DATABASE_URL").is_none() {
        anyhow::bail!(
            "production mode needs the database named explicitly: set DATABASE_URL (or \
             --database-url) instead of the implicit {DEFAULT_DATABASE_URL}"
        );
    }
    Ok(())
}

/// A timeout in seconds (a fraction allowed, e.g. `0.5`) from the variable `name`; `None`
/// when unset.
fn timeout_from_env(name: &str) -> anyhow::Result<Option<std::time::Duration>> {
    let Some(value) = env_var(name) else {
        return Ok(None);
    };
    match value.trim().parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 86_400.0 => {
            Ok(Some(std::time::Duration::from_secs_f64(seconds)))
        }
        _ => anyhow::bail!("{name} must be a number of seconds between 0 and 86400, not {value:?}"),
    }
}

/// A lifetime in whole seconds from the variable `name`; `None` when unset.
fn lifetime_from_env(name: &str) -> anyhow::Result<Option<chrono::Duration>> {
    let Some(value) = env_var(name) else {
        return Ok(None);
    };
    match value.trim().parse::<i64>() {
        Ok(seconds) if (1..=100 * 365 * 24 * 3600).contains(&seconds) => {
            Ok(Some(chrono::Duration::seconds(seconds)))
        }
        _ => anyhow::bail!(
            "{name} must be a whole number of seconds between 1 and 100 years, not {value:?}"
        ),
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
