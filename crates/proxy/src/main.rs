//! `exchange-forms-proxy`: thin entry point; everything lives in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use proxy::Application;
use proxy::cli::{Cli, Command};
use proxy::config::LogFormat;
use proxy::telemetry::logging;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::CheckConfig(args) => {
            logging::init(LogFormat::Text);
            args.run(|name| std::env::var(name).ok())
                .await
                .and_then(|text| {
                    let mut stdout = std::io::stdout().lock();
                    writeln!(stdout, "{text}").map_err(|e| e.to_string())
                })
        }
        Command::Ews(command) => {
            logging::init(LogFormat::Text);
            command.run().and_then(|text| {
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "{text}").map_err(|e| e.to_string())
            })
        }
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
    // The log format is a setting, so logging starts once the configuration is read.
    logging::init(config.log.format);
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
