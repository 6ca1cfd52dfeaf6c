//! Command line: `serve` (the default way to run the proxy) and the `ews` tools for people
//! debugging Exchange traffic (`ews decode FILE`, `ews encode OPERATION FILE.json`).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError, ConfigLayer};

#[derive(Debug, Parser)]
#[command(
    name = "exchange-forms-proxy",
    version,
    about = "Backend proxy for the exchange-forms widget"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the JSON API, the widget's files and (in sandbox mode) the sandbox mailbox.
    Serve(ServeArgs),
    /// Validate the configuration and try the connections (sign-in server, mailbox server,
    /// and with a test token a real read of the calendar); exit status 1 when a check fails.
    CheckConfig(CheckArgs),
    /// Tools for debugging EWS traffic.
    #[command(subcommand)]
    Ews(EwsCommand),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The settings as `serve` would read them.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// An access token for a mailbox (also `XF_CHECK_TOKEN`): tries a real calendar read.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// A user's primary SMTP address: with `ews.autodiscover`, finds that user's EWS URL; in
    /// service-account mode, reads that user's calendar with ExchangeImpersonation.
    #[arg(long, value_name = "ADDRESS")]
    pub mailbox: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum EwsCommand {
    /// Print an EWS response (a SOAP document) as JSON: the operation, its items and errors.
    Decode {
        /// The response document; `-` reads standard input.
        file: PathBuf,
    },
    /// Print the SOAP request built from our JSON model of an operation.
    Encode {
        /// e.g. CreateItem, FindItem, GetItem, UpdateItem, DeleteItem, ResolveNames.
        operation: String,
        /// The request as JSON (camelCase, as `ews decode` prints); `-` reads standard input.
        file: PathBuf,
    },
}

impl EwsCommand {
    /// The text to print on success, or a readable one-line error (exit status 1).
    pub fn run(&self) -> Result<String, String> {
        match self {
            EwsCommand::Decode { file } => {
                let bytes = read_input(file)?;
                let value = ews::cli::decode_response(&bytes)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
            }
            EwsCommand::Encode { operation, file } => {
                let bytes = read_input(file)?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| format!("{}: not UTF-8 text", file.display()))?;
                ews::cli::encode_request(operation, &text)
                    .map_err(|e| format!("{}: {e}", file.display()))
            }
        }
    }
}

fn read_input(file: &std::path::Path) -> Result<Vec<u8>, String> {
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(bytes);
    }
    std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}

/// Flags of `serve`; each one overrides the config file and the `XF_*` environment.
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// TOML configuration file (optional; sandbox mode needs none). Also `XF_CONFIG`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1]
    #[arg(long, value_name = "IP")]
    pub bind: Option<String>,
    /// Port to listen on; 0 picks a free one [default: 8080]
    #[arg(long)]
    pub port: Option<u16>,
    /// Directory for the SQLite databases [default: ./data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Directory holding index.html, www/ and pkg/ [default: .]
    #[arg(long, value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
    /// Run the built-in sandbox mailbox and talk to it instead of Exchange.
    #[arg(long)]
    pub sandbox: bool,
    /// The protocol that reaches the mailbox: ews or graph [default: ews]
    #[arg(long, value_name = "ews|graph")]
    pub backend: Option<String>,
}

impl ServeArgs {
    /// Defaults < file (`--config` or `XF_CONFIG`) < environment < these flags.
    pub fn resolve(&self, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let file = self.config.clone().or_else(|| {
            env("XF_CONFIG")
                .filter(|v| !v.trim().is_empty())
                .map(PathBuf::from)
        });
        let file_layer = match &file {
            Some(path) => ConfigLayer::from_file(path)?,
            None => ConfigLayer::default(),
        };
        let env_layer = ConfigLayer::from_env(&env)?;
        let text = |path: &PathBuf| path.to_string_lossy().into_owned();
        let set = [
            ("bind", self.bind.clone()),
            ("port", self.port.map(|p| p.to_string())),
            ("data_dir", self.data_dir.as_ref().map(text)),
            ("static_dir", self.static_dir.as_ref().map(text)),
            ("backend", self.backend.clone()),
            ("sandbox.enabled", self.sandbox.then(|| "true".to_owned())),
        ];
        let flags: Vec<(&'static str, String)> = set
            .into_iter()
            .filter_map(|(key, value)| Some((key, value?)))
            .collect();
        let flags = ConfigLayer::from_flags(&flags, flag_origin)?;
        Config::resolve([file_layer, env_layer, flags])
    }
}

/// How an error names a setting given as a flag: flags are named after their keys, but for
/// `--sandbox` (key sandbox.enabled).
fn flag_origin(key: &str) -> String {
    match key {
        "sandbox.enabled" => "flag --sandbox".to_owned(),
        _ => format!("flag --{}", key.replace(['_', '.'], "-")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_environment() {
        let args = ServeArgs {
            port: Some(0),
            sandbox: true,
            ..ServeArgs::default()
        };
        let config = args
            .resolve(|k| match k {
                "XF_PORT" => Some("9999".into()),
                "XF_EWS_ENDPOINT" => Some("https://mail.example.com/EWS/Exchange.asmx".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.port, 0);
        assert!(config.sandbox.enabled);
    }

    #[test]
    fn a_missing_config_file_is_named() {
        let args = ServeArgs {
            config: Some("/nonexistent/proxy.toml".into()),
            ..ServeArgs::default()
        };
        let err = args.resolve(|_| None).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/proxy.toml"), "{err}");
    }

    #[test]
    fn bad_flag_values_name_the_flag() {
        let args = ServeArgs {
            bind: Some("localhost:80".into()),
            ..ServeArgs::default()
        };
        let err = args.resolve(|_| None).unwrap_err().to_string();
        assert!(err.starts_with("flag --bind:"), "{err}");
    }

    #[test]
    fn settings_from_flags_are_named_as_typed() {
        assert_eq!(flag_origin("sandbox.enabled"), "flag --sandbox");
        assert_eq!(flag_origin("data_dir"), "flag --data-dir");
    }

    #[test]
    fn the_command_line_parses() {
        let cli =
            Cli::try_parse_from(["exchange-forms-proxy", "serve", "--port", "0", "--sandbox"])
                .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(args.port, Some(0));
        assert!(args.sandbox);
        let cli = Cli::try_parse_from(["exchange-forms-proxy", "ews", "encode", "FindItem", "-"])
            .unwrap();
        assert!(matches!(
            cli.command,
            Command::Ews(EwsCommand::Encode { .. })
        ));
    }
}
