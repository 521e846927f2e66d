//! The command line, in the spirit of Django's `manage.py`: `serve` (`runserver`),
//! `migrate` and `createsuperuser`.

use crate::accounts::{create_or_reset_superuser, is_valid_email, normalize_email};
use crate::config::{Config, database_url_from_env, redact_url};
use crate::db;
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal, Write};
use tracing_subscriber::EnvFilter;

/// The environment variable `createsuperuser --no-input` takes the password from.
pub const SUPERUSER_PASSWORD_ENV: &str = "SUPERUSER_PASSWORD";

const AFTER_HELP: &str = "\
Environment:
  DATABASE_URL        sea-orm database URL [default: sqlite://db.sqlite3?mode=rwc]
                      e.g. sqlite::memory:, postgres://user:password@localhost/blog
  SECRET_KEY          signing key of the JWTs; without it a public development key is used
  RUST_LOG            log filter [default: info]; RUST_LOG=info,sqlx::query=debug logs SQL
  SUPERUSER_EMAIL     createsuperuser's --email
  SUPERUSER_PASSWORD  createsuperuser --no-input's password

Examples:
  example_blog migrate
  SUPERUSER_PASSWORD=s3cret example_blog createsuperuser --no-input --email admin@example.com
  example_blog serve --bind 0.0.0.0:8000";

/// A DRF-compatible blog API (Rust port of the Django REST framework reference blog).
///
/// Without a subcommand it runs `serve`.
#[derive(Debug, Parser)]
#[command(name = "example_blog", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Database URL; overrides the DATABASE_URL environment variable.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// What to do [default: serve].
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API over HTTP (manage.py runserver) [the default]
    ///
    /// Applies pending migrations first. Stops gracefully on Ctrl-C (SIGINT) or SIGTERM: requests in flight are finished.
    Serve {
        /// Address and port to listen on [default: 127.0.0.1:8000].
        #[arg(long, value_name = "HOST:PORT")]
        bind: Option<String>,
    },
    /// Create or update the database tables (manage.py migrate)
    ///
    /// Applies the migrations that are not applied yet; does nothing on an up-to-date
    /// database.
    Migrate,
    /// Create a superuser, or reset an existing one's password (manage.py createsuperuser)
    ///
    /// The superuser is staff and has every permission. If a user with the e-mail exists,
    /// its password is reset and it is made an active superuser. Applies pending migrations
    /// first.
    ///
    /// Interactive by default: asks for the e-mail address (unless --email is given) and for
    /// the password twice. With --no-input the password comes from SUPERUSER_PASSWORD.
    #[command(name = "createsuperuser")]
    CreateSuperuser {
        /// Do not prompt; requires --email (or SUPERUSER_EMAIL) and SUPERUSER_PASSWORD.
        #[arg(long = "no-input", visible_alias = "noinput")]
        no_input: bool,
        /// The superuser's e-mail address (the login).
        #[arg(long, env = "SUPERUSER_EMAIL", value_name = "EMAIL")]
        email: Option<String>,
    },
}

/// Installs the global `tracing` subscriber: human-readable lines on stderr, filtered by
/// `RUST_LOG` (default `info`). SQL statements are logged under `sqlx::query` at `DEBUG`.
pub fn init_logging() {
    let (filter, invalid) = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => match EnvFilter::try_new(&spec) {
            Ok(filter) => (filter, None),
            Err(err) => (EnvFilter::new("info"), Some(format!("{spec:?}: {err}"))),
        },
        _ => (EnvFilter::new("info"), None),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    if let Some(invalid) = invalid {
        tracing::warn!("ignoring invalid RUST_LOG {invalid}; logging at info");
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let database_url = cli.database_url;
    match cli.command {
        None | Some(Command::Serve { .. }) => {
            let mut config = Config::from_env();
            if let Some(url) = database_url {
                config.database_url = url;
            }
            if let Some(Command::Serve { bind: Some(bind) }) = cli.command {
                config.bind = bind;
            }
            crate::server::serve(config).await
        }
        Some(Command::Migrate) => {
            let url = database_url.unwrap_or_else(database_url_from_env);
            migrate(&url).await
        }
        Some(Command::CreateSuperuser { no_input, email }) => {
            let url = database_url.unwrap_or_else(database_url_from_env);
            create_superuser(&url, no_input, email).await
        }
    }
}

/// Opens the database at `url` and applies pending migrations. A connection error names
/// the URL (password hidden).
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = db::connect(url).await.with_context(|| {
        let hint = if db::is_sqlite_url(url) {
            ""
        } else {
            " (is the database server running and reachable?)"
        };
        format!("cannot open the database {}{hint}", redact_url(url))
    })?;
    db::migrate(&db).await.context("migration failed")?;
    Ok(db)
}

/// `migrate`.
async fn migrate(url: &str) -> anyhow::Result<()> {
    let db = connect_and_migrate(url).await?;
    db.close().await.context("closing the database")?;
    println!("Migrations applied: the database is up to date.");
    Ok(())
}

/// `createsuperuser`.
async fn create_superuser(url: &str, no_input: bool, email: Option<String>) -> anyhow::Result<()> {
    let (email, password) = if no_input {
        let Some(email) = email.filter(|email| !email.trim().is_empty()) else {
            bail!("--email (or SUPERUSER_EMAIL) must be set when using --no-input");
        };
        let email = checked_email(&email)?;
        let password = match std::env::var(SUPERUSER_PASSWORD_ENV) {
            Ok(password) if !password.is_empty() => password,
            Ok(_) => bail!("{SUPERUSER_PASSWORD_ENV} is empty: blank passwords aren't allowed"),
            Err(std::env::VarError::NotPresent) => {
                bail!("{SUPERUSER_PASSWORD_ENV} must be set when using --no-input")
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                bail!("{SUPERUSER_PASSWORD_ENV} is not valid UTF-8")
            }
        };
        (email, password)
    } else {
        prompt_credentials(email)?
    };

    let db = connect_and_migrate(url).await?;
    let (user, created) = create_or_reset_superuser(&db, &email, &password)
        .await
        .context("cannot save the superuser")?;
    db.close().await.context("closing the database")?;
    if created {
        println!(
            "Superuser created successfully: {} (id={}).",
            user.email, user.id
        );
    } else {
        println!(
            "User {} (id={}) already existed: password reset; it is now an active superuser.",
            user.email, user.id
        );
    }
    Ok(())
}

/// Normalizes `email` and checks that it looks like an address.
fn checked_email(email: &str) -> anyhow::Result<String> {
    let email = normalize_email(email);
    if !is_valid_email(&email) {
        bail!("enter a valid email address (got {email:?})");
    }
    Ok(email)
}

/// Asks for the e-mail (unless given) and the password twice, as `createsuperuser` does.
fn prompt_credentials(email: Option<String>) -> anyhow::Result<(String, String)> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "not running in a terminal, so cannot prompt; use --no-input with --email and \
             {SUPERUSER_PASSWORD_ENV}"
        );
    }
    let email = match email {
        Some(email) => checked_email(&email)?,
        None => loop {
            let line = prompt_line("Email address: ")?;
            if line.trim().is_empty() {
                eprintln!("Error: This field cannot be blank.");
                continue;
            }
            match checked_email(&line) {
                Ok(email) => break email,
                Err(err) => eprintln!("Error: {err}"),
            }
        },
    };
    let password = loop {
        let password =
            rpassword::prompt_password("Password: ").context("cannot read the password")?;
        if password.is_empty() {
            eprintln!("Error: Blank passwords aren't allowed.");
            continue;
        }
        let again =
            rpassword::prompt_password("Password (again): ").context("cannot read the password")?;
        if password != again {
            eprintln!("Error: Your passwords didn't match.");
            continue;
        }
        break password;
    };
    Ok((email, password))
}

/// Prints `prompt` and reads one line from stdin (without its line ending).
fn prompt_line(prompt: &str) -> anyhow::Result<String> {
    let mut stdout = std::io::stdout();
    stdout.write_all(prompt.as_bytes())?;
    stdout.flush()?;
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read from stdin")?;
    if read == 0 {
        bail!("aborted: end of input");
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_subcommands() {
        let cli = Cli::parse_from(["example_blog"]);
        assert!(cli.command.is_none());
        let cli = Cli::parse_from(["example_blog", "serve", "--bind", "127.0.0.1:9000"]);
        assert!(
            matches!(cli.command, Some(Command::Serve { bind: Some(bind) }) if bind == "127.0.0.1:9000")
        );
        let cli = Cli::parse_from([
            "example_blog",
            "createsuperuser",
            "--noinput",
            "--email",
            "a@b.c",
        ]);
        assert!(matches!(
            cli.command,
            Some(Command::CreateSuperuser { no_input: true, email: Some(email) }) if email == "a@b.c"
        ));
    }
}
