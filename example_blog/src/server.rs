//! Running the HTTP server (Django's `runserver`, without the autoreloader).

use crate::config::{Config, redact_url};
use anyhow::Context;
use rest_framework::poem::Server;
use rest_framework::poem::listener::{Acceptor, Listener, TcpListener};
use std::time::Duration;

/// How long a graceful shutdown waits for requests in flight before it closes their
/// connections anyway.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// Connects to `config.database_url`, applies pending migrations, builds the application
/// ([`crate::api::build_app`]) and serves it on `config.bind` until SIGINT (Ctrl-C) or
/// SIGTERM. Then it stops accepting connections, lets requests in flight finish (for up to
/// [`SHUTDOWN_TIMEOUT`]) and returns `Ok(())`.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = crate::cli::connect_and_migrate(&config.database_url).await?;
    let app = crate::api::build_app(db.clone(), &config)
        .await
        .map_err(|err| anyhow::anyhow!("cannot build the application: {err}"))?;

    let acceptor = TcpListener::bind(config.bind.as_str())
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    for addr in acceptor.local_addr() {
        let addr = addr
            .as_socket_addr()
            .map_or_else(|| addr.to_string(), ToString::to_string);
        tracing::info!(
            database = %redact_url(&config.database_url),
            "example_blog listening on http://{addr}/api/ (stop with Ctrl-C)",
        );
    }
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(app, shutdown_signal(), Some(SHUTDOWN_TIMEOUT))
        .await
        .context("the server failed")?;
    if let Err(err) = db.close().await {
        tracing::warn!("closing the database pool: {err}");
    }
    tracing::info!("server stopped");
    Ok(())
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
