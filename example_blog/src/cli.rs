//! The command line, in the spirit of Django's `manage.py`: `serve` (`runserver`),
//! `migrate`, `createsuperuser`, `changepassword`, `seed` (the reference's `seed_blog`),
//! `dumpdata`, `loaddata` and `openapi` (drf-spectacular's `spectacular`).

use crate::accounts::{create_or_reset_superuser, is_valid_email, normalize_email};
use crate::config::{Config, database_url_from_env, redact_url};
use crate::db;
use crate::management::changepassword::{PasswordInput, change_password};
use crate::management::fixtures;
use crate::management::openapi::{SchemaFormat, schema_document};
use crate::management::seed::{SeedOptions, seed};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// The environment variable `createsuperuser --no-input` takes the password from.
pub const SUPERUSER_PASSWORD_ENV: &str = "SUPERUSER_PASSWORD";

const AFTER_HELP: &str = "\
Environment:
  DATABASE_URL        sea-orm database URL [default: sqlite://db.sqlite3?mode=rwc]
                      e.g. sqlite::memory:, postgres://user:password@localhost/blog
  SECRET_KEY          signing key of the JWTs; without it a public development key is used
  PRODUCTION          1: production mode (as serve --production)
  ACCESS_TOKEN_LIFETIME   access token lifetime in seconds [default: 300]
  REFRESH_TOKEN_LIFETIME  refresh token lifetime in seconds [default: 86400]
  ALLOWED_HOSTS       host names served, comma-separated (.example.com: and subdomains;
                      * for any) [default: 127.0.0.1,localhost,[::1],testserver];
                      required in production mode
  HEADER_READ_TIMEOUT seconds a request's headers may take [default: 10]
  IDLE_TIMEOUT        seconds a connection may stay without traffic [default: 60]
  SCHEMA_DOCUMENT_ERRORS  1: /api/schema/ also lists every error status of each operation
  RUST_LOG            log filter [default: info]; RUST_LOG=info,sqlx::query=debug logs SQL
  SUPERUSER_EMAIL     createsuperuser's --email
  SUPERUSER_PASSWORD  createsuperuser --no-input's password

Examples:
  example_blog migrate
  SUPERUSER_PASSWORD=s3cret example_blog createsuperuser --no-input --email admin@example.com
  example_blog seed --users 1000 --articles 20000 --comments 100000 --tags 50
  example_blog dumpdata accounts.user blog --indent 2 --output blog.json
  example_blog loaddata blog.json
  example_blog serve --bind 0.0.0.0:8000";

const SEED_AFTER_HELP: &str = "\
Always ensures admin@example.com / adminpass123 (staff, superuser) and alice@example.com /
alicepass123. Seeded users are seed-user-00001@example.com, ... with the password userpass123;
tags are tag-001, ...; each article gets 0 to 3 tags.

Example:
  example_blog seed --users 1000 --articles 20000 --comments 100000 --tags 50 --seed 7";

const DUMPDATA_AFTER_HELP: &str = "\
Models: accounts.user, blog.tag, blog.article, blog.comment, authtoken.token (or the apps
accounts, blog, authtoken). Datetimes are written as Django's serializer writes them (UTC, `Z`,
milliseconds).

Examples:
  example_blog dumpdata --indent 2 > everything.json
  example_blog dumpdata accounts.user blog -o blog.json";

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
        /// Production mode (also PRODUCTION=1): refuses to start without a strong SECRET_KEY
        /// and an explicit DATABASE_URL, and does not apply migrations by itself.
        #[arg(long, env = "PRODUCTION", value_parser = clap::builder::FalseyValueParser::new())]
        production: bool,
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
    /// Change a user's password (manage.py changepassword)
    ///
    /// Asks for the new password twice: without echo on a terminal, otherwise one line of
    /// standard input each (e.g. `printf 'new-pass\nnew-pass\n' | example_blog changepassword
    /// alice@example.com`). The password must pass the password validators (at least 8
    /// characters); three failed attempts abort.
    #[command(name = "changepassword")]
    ChangePassword {
        /// The user's e-mail address (asked for on a terminal when omitted).
        #[arg(value_name = "EMAIL")]
        email: Option<String>,
    },
    /// Fill the database with fake blog data (the reference app's seed_blog)
    ///
    /// Deterministic: the same --seed gives the same users, tags, articles and comments (with
    /// the same --now, on the same starting database). Bulk inserts in one transaction.
    #[command(after_help = SEED_AFTER_HELP)]
    Seed(SeedOptions),
    /// Write the database's data as a Django JSON fixture (manage.py dumpdata)
    #[command(name = "dumpdata", after_help = DUMPDATA_AFTER_HELP)]
    DumpData {
        /// `app_label` or `app_label.model` to dump [default: every model].
        #[arg(value_name = "APP_LABEL[.MODEL]")]
        labels: Vec<String>,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Indent nested JSON by N spaces (one object per line without it).
        #[arg(long, value_name = "N")]
        indent: Option<usize>,
    },
    /// Install a Django JSON fixture (manage.py loaddata)
    ///
    /// Everything in one transaction, in dependency order whatever the order in the file. An
    /// object whose pk exists replaces that row; an article's `tags` replace its tags.
    /// Fixtures written by the Django reference app's `dumpdata` load as they are.
    #[command(name = "loaddata")]
    LoadData {
        /// The fixture file (`-` for standard input).
        #[arg(value_name = "FILE")]
        fixture: PathBuf,
    },
    /// Write the OpenAPI schema, as served at /api/schema/ (drf-spectacular's spectacular)
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The document's format.
        #[arg(long, value_enum, default_value_t = SchemaFormat::Yaml)]
        format: SchemaFormat,
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
        None => {
            let production = crate::config::production_from_env();
            let config = Config::from_env_checked(production, database_url)?;
            crate::server::serve(config).await
        }
        Some(Command::Serve { bind, production }) => {
            let mut config = Config::from_env_checked(production, database_url)?;
            if let Some(bind) = bind {
                config.bind = bind;
            }
            crate::server::serve(config).await
        }
        Some(Command::ChangePassword { email }) => {
            let url = database_url.unwrap_or_else(database_url_from_env);
            let email = match email {
                Some(email) => email,
                None if std::io::stdin().is_terminal() => prompt_line("Email address: ")?,
                None => bail!("give the user's e-mail address: changepassword EMAIL"),
            };
            let db = connect_and_migrate(&url).await?;
            let result = change_password(
                &db,
                &email,
                &mut PasswordInput::stdin(),
                &mut std::io::stdout(),
                &mut std::io::stderr(),
            )
            .await;
            db.close().await.ok();
            result
        }
        Some(Command::Seed(options)) => {
            let url = database_url.unwrap_or_else(database_url_from_env);
            let db = connect_and_migrate(&url).await?;
            let started = std::time::Instant::now();
            let summary = seed(&db, &options).await;
            db.close().await.ok();
            let summary = summary?;
            println!(
                "seeded {} users (+ admin id={}, alice id={}), {} tags, {} articles, {} comments in {:.1}s",
                summary.users,
                summary.admin_id,
                summary.alice_id,
                summary.tags,
                summary.articles,
                summary.comments,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Some(Command::DumpData {
            labels,
            output,
            indent,
        }) => {
            let models = fixtures::resolve_labels(&labels)?;
            let url = database_url.unwrap_or_else(database_url_from_env);
            let db = connect_and_migrate(&url).await?;
            let objects = fixtures::dump(&db, &models).await;
            db.close().await.ok();
            let objects = objects?;
            match output {
                Some(path) => {
                    let mut file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    fixtures::write_fixture(&objects, indent, &mut file)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                None => fixtures::write_fixture(&objects, indent, &mut std::io::stdout().lock())
                    .context("cannot write the fixture")?,
            }
            Ok(())
        }
        Some(Command::LoadData { fixture }) => {
            let text = if fixture.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
                    .context("cannot read the fixture from stdin")?
            } else {
                std::fs::read_to_string(&fixture)
                    .with_context(|| format!("cannot read the fixture {}", fixture.display()))?
            };
            let url = database_url.unwrap_or_else(database_url_from_env);
            let db = connect_and_migrate(&url).await?;
            let loaded = fixtures::load(&db, &text).await;
            db.close().await.ok();
            let summary = loaded
                .with_context(|| format!("Problem installing fixture '{}'", fixture.display()))?;
            println!("Installed {} object(s) from 1 fixture(s)", summary.total());
            Ok(())
        }
        Some(Command::Openapi { output, format }) => {
            let document = schema_document(format).await?;
            match output {
                Some(path) => std::fs::write(&path, document)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout()
                    .write_all(document.as_bytes())
                    .context("cannot write the schema")?,
            }
            Ok(())
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
            matches!(cli.command, Some(Command::Serve { bind: Some(bind), .. }) if bind == "127.0.0.1:9000")
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
