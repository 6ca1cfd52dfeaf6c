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
        Command::CheckConfig(args) => check_config(args).await,
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

async fn check_config(args: proxy::cli::CheckArgs) -> Result<(), String> {
    logging::init(LogFormat::Text);
    let config = args
        .serve
        .resolve(|name| std::env::var(name).ok())
        .map_err(|e| format!("configuration: {e}"))?;
    let token = args
        .token
        .or_else(|| std::env::var("XF_CHECK_TOKEN").ok())
        .filter(|t| !t.trim().is_empty())
        .map(secrecy::SecretString::from);
    let checks = proxy::check::run(&config, token, args.mailbox.as_deref()).await;
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{}", proxy::check::render(&checks)).map_err(|e| e.to_string())?;
    if proxy::check::all_passed(&checks) {
        Ok(())
    } else {
        Err("some checks failed (see above)".into())
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
