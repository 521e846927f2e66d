//! Running the HTTP server (Django's `runserver`, without the autoreloader).

use crate::config::{Config, redact_url};
use anyhow::Context;
use rest_framework::poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use std::sync::Arc;
use std::time::Instant;

/// Connects to `config.database_url`, applies pending migrations (in production mode it
/// refuses to start while migrations are pending instead), builds the application
/// ([`crate::api::build_app`]) and serves it on `config.bind` with
/// [`rest_framework::server::serve`] (header and idle timeouts, a connection limit) until
/// SIGINT (Ctrl-C) or SIGTERM, logging one line per request ([`log_request`]). Then it stops
/// accepting connections, closes idle ones, lets requests in flight finish (for up to
/// `config.server.shutdown_timeout`) and returns `Ok(())`.
///
/// Outside production mode, a SQLite database file that did not exist is created, and a
/// warning names it: an empty database where one was expected (a deleted file, another
/// working directory) is then seen at once.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    if let Some(slots) = crate::config::password_hashing_slots_from_env()? {
        rest_framework::contrib::auth::hashers::set_max_concurrent_hashes(slots);
    }
    let db = if config.production {
        connect_migrated(&config.database_url).await?
    } else {
        let new_file =
            crate::db::sqlite_file_path(&config.database_url).filter(|path| !path.exists());
        let db = crate::cli::connect_and_migrate(&config.database_url).await?;
        if let Some(path) = new_file {
            tracing::warn!(
                "created a NEW, EMPTY SQLite database at {}: no file was there. If you \
                 expected your data, check DATABASE_URL and the working directory.",
                path.display()
            );
        }
        db
    };
    let app = crate::api::build_app(db.clone(), &config)
        .await
        .map_err(|err| anyhow::anyhow!("cannot build the application: {err}"))?
        .around(log_request);

    let listener = tokio::net::TcpListener::bind(config.bind.as_str())
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let addr = listener.local_addr().context("the listening address")?;
    tracing::info!(
        database = %redact_url(&config.database_url),
        "example_blog listening on http://{addr}/api/ (stop with Ctrl-C)",
    );
    rest_framework::server::serve(listener, app, &config.server, shutdown_signal())
        .await
        .context("the server failed")?;
    if let Err(err) = db.close().await {
        tracing::warn!("closing the database pool: {err}");
    }
    tracing::info!("server stopped");
    Ok(())
}

/// Production mode's connection: the database must be migrated already (`example_blog
/// migrate`), as a deployment migrates in its own step.
async fn connect_migrated(url: &str) -> anyhow::Result<sea_orm::DatabaseConnection> {
    use sea_orm_migration::MigratorTrait;
    let db = crate::db::connect(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(url)))?;
    let pending = crate::migration::Migrator::get_pending_migrations(&db)
        .await
        .context("cannot read the applied migrations")?;
    if !pending.is_empty() {
        anyhow::bail!(
            "{} migration(s) not applied to {}; production mode does not migrate by itself: \
             run `example_blog migrate` first",
            pending.len(),
            redact_url(url)
        );
    }
    Ok(db)
}

/// Logs one line per request at `INFO` (target `example_blog::access`): method, path, status
/// and duration, like a web server's access log. When that level is off, the request only
/// passes through (no clock read, no copy of its path).
pub fn log_request<E: Endpoint>(
    endpoint: Arc<E>,
    request: Request,
) -> impl Future<Output = rest_framework::poem::Result<Response>> + Send {
    let line = tracing::enabled!(target: "example_blog::access", tracing::Level::INFO).then(|| {
        let path = request.uri().path().to_owned();
        (Instant::now(), request.method().clone(), path)
    });
    // An `async` block, not an `async fn`: it keeps the request once, not twice.
    async move {
        let response = match endpoint.call(request).await {
            Ok(output) => output.into_response(),
            Err(err) => err.into_response(),
        };
        if let Some((started, method, path)) = line {
            tracing::info!(
                target: "example_blog::access",
                "{method} {path} {} {:.1}ms",
                response.status().as_u16(),
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        Ok(response)
    }
}

/// Completes on the first SIGINT (Ctrl-C) or, on Unix, SIGTERM. If a signal handler cannot
/// be installed, that signal is ignored (with an error logged) rather than stopping at once.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("SIGINT received, shutting down gracefully"),
            Err(err) => {
                tracing::error!("cannot listen for Ctrl-C: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
                tracing::info!("SIGTERM received, shutting down gracefully");
            }
            Err(err) => {
                tracing::error!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
