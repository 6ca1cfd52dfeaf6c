//! The process's log subscriber: text or JSON lines on stderr, filtered by `XF_LOG`/`RUST_LOG`.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber (once per process). Logs go to stderr: stdout carries only
/// the "listening on" line that scripts wait for.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("XF_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        // One object per line with the span fields flattened next to the event's.
        LogFormat::Json => builder.json().flatten_event(true).init(),
        // Colour codes only for a terminal: CI logs and test harnesses read plain text.
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
}
