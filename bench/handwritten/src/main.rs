//! `bench_handwritten`: serves the hand-written article list and detail (see the library docs)
//! on the blog's SQLite database.
//!
//! ```sh
//! bench_handwritten --database-url sqlite://target/bench/run/blog.sqlite3 --bind 127.0.0.1:18402
//! ```

use clap::Parser;
use poem::Server;
use poem::listener::TcpListener;
use std::process::ExitCode;

/// The command line.
#[derive(Parser)]
#[command(
    about = "The blog's article list and detail by hand (plain poem + sea-orm), for the benchmark"
)]
struct Cli {
    /// The blog's SQLite database.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://db.sqlite3")]
    database_url: String,
    /// `host:port` to listen on.
    #[arg(long, default_value = "127.0.0.1:8000")]
    bind: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .init();
    let db = match bench_handwritten::connect(&cli.database_url).await {
        Ok(db) => db,
        Err(err) => {
            eprintln!("Error: cannot open {}: {err}", cli.database_url);
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "bench_handwritten listening on http://{}/api/articles/",
        cli.bind
    );
    match Server::new(TcpListener::bind(cli.bind.as_str()))
        .run(bench_handwritten::app(db))
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err}");
            ExitCode::FAILURE
        }
    }
}
