//! `exchange-forms-proxy`: thin entry point; everything lives in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use proxy::Application;
use proxy::cli::{Cli, Command};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    // Logs go to stderr: stdout carries only the "listening on" line that scripts wait for.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("XF_LOG")
                .or_else(|_| EnvFilter::try_from_default_env())
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: CI logs and test harnesses read plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Ews(command) => command.run().and_then(|text| {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}").map_err(|e| e.to_string())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("exchange-forms-proxy: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: proxy::cli::ServeArgs) -> Result<(), String> {
    let config = args
        .resolve(|name| std::env::var(name).ok())
        .map_err(|e| e.to_string())?;
    let sandbox = config.sandbox.enabled;
    let application = Application::build(config)
        .await
        .map_err(|e| e.to_string())?;
    let url = application.listen_url();
    tracing::info!(%url, sandbox, "proxy started");
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {url}")
        .and_then(|()| stdout.flush())
        .map_err(|e| e.to_string())?;
    drop(stdout);
    application
        .run_until_stopped()
        .await
        .map_err(|e| format!("server stopped: {e}"))
}
