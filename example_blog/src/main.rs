//! `example_blog`: the blog's command line (`serve`, `migrate`, `createsuperuser`).

use clap::Parser;
use example_blog::cli::{Cli, init_logging, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    // Before any thread starts: the allocator is sized to the cores (rest_framework::runtime).
    let runtime = match rest_framework::runtime::server_runtime() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("Error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {}", error_chain(&err));
            ExitCode::FAILURE
        }
    }
}

/// `outer: inner: ...`, without the repetitions of errors that print their source themselves.
fn error_chain(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}
