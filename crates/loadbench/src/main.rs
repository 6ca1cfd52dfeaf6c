//! `loadbench`: the parts of the proxy's load and fault benchmarks that wrk and a shell cannot
//! do (scripts/bench-load.sh and scripts/bench-faults.sh drive them):
//!
//! * `standin`: a fast EWS stand-in (canned answers, or a recording mailbox with faults);
//! * `sign-in`: a real sign-in through the sandbox's development sign-in server;
//! * `proofs`: distinct DPoP proofs for wrk to cycle through;
//! * `soap`: the SOAP requests the proxy sends, for nginx's share of the comparison;
//! * `memory`: resident memory per idle session and per waiting long-poll;
//! * `faults`: clients creating with `Idempotency-Key` and retrying, then the mailbox's count.

mod dpop;
mod faults;
mod memory;
mod signin;
mod standin;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use signin::Proxy;

#[derive(Parser)]
#[command(
    name = "loadbench",
    about = "Load and fault benchmarks of the exchange-forms proxy"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct ProxyArgs {
    /// The proxy's base URL, e.g. http://127.0.0.1:8080
    #[arg(long)]
    proxy: String,
    /// The embedding page's origin (one of the proxy's allowed origins).
    #[arg(long, default_value = "http://localhost:5173")]
    origin: String,
}

impl ProxyArgs {
    fn proxy(&self) -> Proxy {
        Proxy {
            base: self.proxy.trim_end_matches('/').to_owned(),
            origin: self.origin.clone(),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the EWS stand-in on 127.0.0.1 (prints `listening on URL`).
    Standin {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Parse requests and record the created items (else: canned answers).
        #[arg(long)]
        mailbox: bool,
        /// Share of requests answered with a fault (with --mailbox).
        #[arg(long, default_value_t = 0.0)]
        fault_rate: f64,
        /// How long a slow answer takes, in milliseconds.
        #[arg(long, default_value_t = 3000)]
        slow_ms: u64,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Sign in `user` with a new key; prints the session handle, writes the key to `--key`.
    SignIn {
        #[command(flatten)]
        proxy: ProxyArgs,
        #[arg(long, default_value = "bench@sandbox.test")]
        user: String,
        #[arg(long)]
        key: PathBuf,
    },
    /// Write `count` proofs (tab, Idempotency-Key) for METHOD on PATH, one per line.
    Proofs {
        #[command(flatten)]
        proxy: ProxyArgs,
        #[arg(long)]
        method: String,
        #[arg(long)]
        path: String,
        #[arg(long)]
        handle: String,
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        count: usize,
        /// Seconds added to the proofs' `iat` (negative: dated in the past).
        #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
        iat_offset: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the SOAP request the proxy sends for `create` or `find` (a calendar view).
    Soap {
        kind: String,
        #[arg(long, default_value = "2026-12-01T00:00:00Z")]
        start: String,
        #[arg(long, default_value = "2026-12-08T00:00:00Z")]
        end: String,
    },
    /// Resident memory of the proxy process PID per idle session and per waiting long-poll.
    Memory {
        #[command(flatten)]
        proxy: ProxyArgs,
        #[arg(long)]
        pid: u32,
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
        #[arg(long, default_value_t = 1000)]
        polls: usize,
    },
    /// Create appointments through the proxy against a faulty stand-in, then count outcomes.
    Faults {
        #[command(flatten)]
        proxy: ProxyArgs,
        /// The stand-in's base URL (for its record of created items).
        #[arg(long)]
        standin: String,
        #[arg(long, default_value_t = 500)]
        actions: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 5)]
        attempts: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let threads = match &cli.command {
        Command::Standin { threads, .. } => *threads,
        _ => 2,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("loadbench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("loadbench: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Standin {
            port,
            mailbox,
            fault_rate,
            slow_ms,
            ..
        } => {
            let settings = standin::Settings {
                mailbox,
                fault_rate,
                slow: Duration::from_millis(slow_ms),
            };
            standin::run(port, settings).await
        }
        Command::SignIn { proxy, user, key } => {
            let signing_key = dpop::new_key();
            let handle = proxy.proxy().sign_in(&signing_key, &user).await?;
            dpop::save_key(&signing_key, &key)?;
            println!("{handle}");
            Ok(())
        }
        Command::Proofs {
            proxy,
            method,
            path,
            handle,
            key,
            count,
            iat_offset,
            out,
        } => {
            let key = dpop::load_key(&key)?;
            let iat = chrono::Utc::now().timestamp() + iat_offset;
            let url = proxy.proxy().url(&path);
            dpop::write_proofs(&key, &method, &url, iat, &handle, count, &out)
        }
        Command::Soap { kind, start, end } => {
            println!("{}", soap(&kind, &start, &end)?);
            Ok(())
        }
        Command::Memory {
            proxy,
            pid,
            sessions,
            polls,
        } => memory::measure(&proxy.proxy(), pid, sessions, polls).await,
        Command::Faults {
            proxy,
            standin,
            actions,
            concurrency,
            attempts,
        } => {
            let proxy = proxy.proxy();
            let key = dpop::new_key();
            let handle = proxy.sign_in(&key, "faults@sandbox.test").await?;
            let run = faults::Run {
                actions,
                concurrency,
                attempts,
                standin,
            };
            faults::run(&proxy, &key, &handle, &run).await
        }
    }
}

/// The CreateItem (Microsoft's sample request) or CalendarView FindItem the proxy sends.
fn soap(kind: &str, start: &str, end: &str) -> Result<String, String> {
    use ews::operations::find_item::FindItem;
    use ews::types::{EwsDateTime, ExchangeVersion, ItemShape};
    match kind {
        "create" => Ok(include_str!(
            "../../ews/tests/fixtures/requests/CreateItem-CalendarItem.request.xml"
        )
        .to_owned()),
        "find" => {
            let instant = |text: &str| {
                chrono::DateTime::parse_from_rfc3339(text)
                    .map(|t| EwsDateTime::utc(t.to_utc()))
                    .map_err(|e| format!("{text}: {e}"))
            };
            let find = FindItem::calendar_view(
                instant(start)?,
                instant(end)?,
                Some(101),
                ItemShape::default(),
            );
            find.to_envelope(&ews::RequestHeaders::new(ExchangeVersion::Exchange2016))
                .map_err(|e| e.to_string())
        }
        other => Err(format!("unknown SOAP request {other}: create or find")),
    }
}
