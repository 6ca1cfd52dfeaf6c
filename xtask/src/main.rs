//! `cargo xtask run` and `cargo xtask test`: the README's two commands.
//!
//! Both install what is missing first (and say what they skip), so they work on a fresh Debian
//! machine that can reach only the package registries, and are fast when everything is there.

mod assets;
mod deps_check;
mod import_names;
mod inline_snippets;
mod minify;
mod npm_package;
mod sh;
mod size;
mod test_counts;
mod test_steps;
mod tools;
mod widget;

use sh::Cmd;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use tools::Purpose;

pub type Result<T> = std::result::Result<T, String>;

const USAGE: &str = "\
usage:
  cargo xtask run [--port N] [--backend ews|graph]
                                 build the widget (release) into pkg/ and start the proxy in
                                 sandbox mode on 127.0.0.1:N (default $PORT or 8080), speaking
                                 EWS (default) or Microsoft Graph to the sandbox mailbox
  cargo xtask test [--skip STEP]... [--only STEP]...
                                 install what is missing and run every check and test suite;
                                 steps: tools fmt clippy doc deps unit wasm build size e2e
  cargo xtask build              install what `run` needs and build pkg/ only
  cargo xtask size               build, then print the download size (raw, gzip, brotli) and the
                                 time to an interactive form, widget against a plain HTML form";

/// Where things are, shared by every step.
pub struct Ctx {
    pub root: PathBuf,
    pub target_dir: PathBuf,
    /// On CI (`CI=true`) cargo runs with `--locked`: a stale Cargo.lock is a failure there.
    pub ci: bool,
}

impl Ctx {
    fn discover() -> Result<Ctx> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(PathBuf::from)
            .ok_or("xtask is not inside the workspace")?;
        let metadata = Cmd::new("cargo")
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(&root)
            .output_text()?;
        let target_dir = json_string_field(&metadata, "target_directory")
            .map(PathBuf::from)
            .ok_or("`cargo metadata` did not name a target_directory")?;
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        if ci {
            // A fresh CI machine builds everything once: incremental caches and full debug
            // info only cost time there (line tables keep backtraces readable).
            sh::set_common_env(vec![
                ("CARGO_INCREMENTAL", "0"),
                ("CARGO_PROFILE_DEV_DEBUG", "line-tables-only"),
            ]);
        }
        Ok(Ctx {
            root,
            target_dir,
            ci,
        })
    }

    pub fn locked(&self) -> &'static [&'static str] {
        if self.ci { &["--locked"] } else { &[] }
    }

    pub fn proxy_binary(&self) -> PathBuf {
        self.target_dir.join("debug/exchange-forms-proxy")
    }
}

/// The string value of `"key":"value"` in compact JSON (cargo metadata's output); paths with
/// escaped characters are not expected and yield `None`.
fn json_string_field(json: &str, key: &str) -> Option<String> {
    let start = json.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let value = &json[start..start + json[start..].find('"')?];
    (!value.contains('\\')).then(|| value.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => Ctx::discover().and_then(|ctx| run(&ctx, &args[1..])),
        Some("test") => Ctx::discover().and_then(|ctx| test_steps::test(&ctx, &args[1..])),
        Some("build") => Ctx::discover().and_then(|ctx| {
            tools::ensure_tools(&ctx, Purpose::Run)?;
            widget::build_pkg(&ctx)?;
            size::Report::measure(&ctx)?.print();
            Ok(())
        }),
        Some("size") => Ctx::discover().and_then(|ctx| size_and_load_time(&ctx)),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(ctx: &Ctx, args: &[String]) -> Result<()> {
    let flags = parse_flags(args, &["--port", "--backend"])?;
    let backend = match values_of(&flags, "--backend").as_slice() {
        [] => "ews".to_string(),
        [backend] if backend == "ews" || backend == "graph" => backend.clone(),
        [other] => return Err(format!("--backend must be `ews` or `graph`, not `{other}`")),
        _ => return Err("--backend given more than once".to_string()),
    };
    let port = match values_of(&flags, "--port").as_slice() {
        [] => std::env::var("PORT").unwrap_or_else(|_| "8080".to_string()),
        [port] => port.clone(),
        _ => return Err("--port given more than once".to_string()),
    };
    port.parse::<u16>()
        .map_err(|_| format!("port must be a number from 0 to 65535, not `{port}`"))?;
    tools::ensure_tools(ctx, Purpose::Run)?;
    widget::build_pkg(ctx)?;
    let binary = widget::build_proxy(ctx)?;
    let mut child = Cmd::new(&binary)
        .args(["serve", "--sandbox", "--port", &port])
        // The proxy's `backend` setting: which protocol it speaks to the (sandbox) mailbox.
        .env("XF_BACKEND", &backend)
        .current_dir(&ctx.root)
        .into_command()
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    // Forward the proxy's output; once it says where it listens (the real port, also for
    // --port 0), tell the user what to open.
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout().lock();
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            let _ = writeln!(out, "{line}");
            if let Some(url) = line.trim().strip_prefix("listening on ") {
                let _ = writeln!(
                    out,
                    "\n  Open {url} (standalone form) or {url}www/demo.html (embedding demo).\n  \
                     Sandbox mode: sign in as any listed sandbox user. Ctrl-C stops the proxy.\n"
                );
            }
            let _ = out.flush();
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for the proxy: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the proxy exited ({status})"))
    }
}

/// `cargo xtask size`: the bundle's figures and the load-time benchmark, in one run.
fn size_and_load_time(ctx: &Ctx) -> Result<()> {
    tools::ensure_tools(ctx, Purpose::Test)?;
    widget::build_pkg(ctx)?;
    let proxy = widget::build_proxy(ctx)?;
    let report = size::Report::measure(ctx)?;
    report.print();
    let budget = report.check_budget();
    Cmd::new("node")
        .arg("tests/e2e/bench-load.mjs")
        .env("XF_PROXY_BIN", &proxy)
        .current_dir(&ctx.root)
        .run()?;
    budget
}

/// `--name V` / `--name=V` pairs; any other argument, or a flag not in `allowed`, is an error.
fn parse_flags(args: &[String], allowed: &[&str]) -> Result<Vec<(String, String)>> {
    let mut flags = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        if !allowed.contains(&name) {
            return Err(format!("unexpected argument `{arg}`\n{USAGE}"));
        }
        let value = match inline {
            Some(value) => value,
            None => iter.next().ok_or(format!("{name} needs a value"))?.clone(),
        };
        flags.push((name.to_string(), value));
    }
    Ok(flags)
}

fn values_of(flags: &[(String, String)], name: &str) -> Vec<String> {
    flags
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_target_directory_in_cargo_metadata() {
        let json =
            r#"{"packages":[],"target_directory":"/home/user/exchange-forms/target","version":1}"#;
        assert_eq!(
            json_string_field(json, "target_directory").as_deref(),
            Some("/home/user/exchange-forms/target")
        );
        assert_eq!(json_string_field(json, "workspace_root"), None);
    }

    #[test]
    fn reads_flags_in_both_spellings_and_rejects_strays() {
        let args: Vec<String> = ["--skip", "e2e", "--only=wasm", "--skip=fmt"]
            .map(String::from)
            .to_vec();
        let flags = parse_flags(&args, &["--skip", "--only"]).unwrap();
        assert_eq!(values_of(&flags, "--skip"), ["e2e", "fmt"]);
        assert_eq!(values_of(&flags, "--only"), ["wasm"]);
        assert!(parse_flags(&["--port".to_string()], &["--port"]).is_err());
        assert!(parse_flags(&["--verbose".to_string()], &["--port"]).is_err());
        assert!(parse_flags(&["8080".to_string()], &["--port"]).is_err());
    }
}
