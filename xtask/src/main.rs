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
mod tools;
mod widget;

use sh::Cmd;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};
use test_counts::TestCounts;
use tools::{Purpose, WASM_TARGET};

pub type Result<T> = std::result::Result<T, String>;

const USAGE: &str = "\
usage:
  cargo xtask run [--port N] [--backend ews|graph]
                                 build the widget (release) into pkg/ and start the proxy in
                                 sandbox mode on 127.0.0.1:N (default $PORT or 8080), speaking
                                 EWS (default) or Microsoft Graph to the sandbox mailbox
  cargo xtask test [--skip STEP]... [--only STEP]...
                                 install what is missing and run every check and test suite;
                                 steps: tools fmt clippy deps unit wasm build size e2e
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
        Some("test") => Ctx::discover().and_then(|ctx| test(&ctx, &args[1..])),
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

/// One check or test suite of `cargo xtask test`.
struct Step {
    id: &'static str,
    title: &'static str,
    run: fn(&Ctx) -> Result<Option<TestCounts>>,
}

const STEPS: &[Step] = &[
    Step {
        id: "tools",
        title: "install missing tools",
        run: |ctx| tools::ensure_tools(ctx, Purpose::Test).map(|()| None),
    },
    Step {
        id: "fmt",
        title: "rustfmt check",
        run: |ctx| {
            Cmd::new("cargo")
                .args(["fmt", "--all", "--", "--check"])
                .current_dir(&ctx.root)
                .run()
                .map(|()| None)
        },
    },
    Step {
        id: "clippy",
        title: "clippy -D warnings (native, proxy without the sandbox, wasm32 widget)",
        run: |ctx| {
            Cmd::new("cargo")
                .args(["clippy", "--workspace", "--all-targets"])
                .args(ctx.locked())
                .args(["--", "-D", "warnings"])
                .current_dir(&ctx.root)
                .run()?;
            // The production proxy (no fake Exchange) must keep building. Its tests run the
            // sandbox, so only the library and the binary are built this way.
            Cmd::new("cargo")
                .args([
                    "clippy",
                    "-p",
                    widget::PROXY_PACKAGE,
                    "--no-default-features",
                ])
                .args(ctx.locked())
                .args(["--", "-D", "warnings"])
                .current_dir(&ctx.root)
                .run()?;
            Cmd::new("cargo")
                .args([
                    "clippy",
                    "-p",
                    widget::WIDGET_PACKAGE,
                    "--target",
                    WASM_TARGET,
                    "--all-targets",
                ])
                .args(ctx.locked())
                .args(["--", "-D", "warnings"])
                .current_dir(&ctx.root)
                .run()
                .map(|()| None)
        },
    },
    Step {
        id: "deps",
        title: "widget wasm32 tree has no server crates; proxy without `sandbox` has no fake Exchange",
        run: |ctx| {
            let tree = Cmd::new("cargo")
                .args([
                    "tree",
                    "-p",
                    widget::WIDGET_PACKAGE,
                    "--target",
                    WASM_TARGET,
                ])
                .args(["-e", "normal", "--prefix", "depth"])
                .args(ctx.locked())
                .current_dir(&ctx.root)
                .output_text()?;
            let crates = tree
                .lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
                .count();
            if crates == 0 {
                return Err(
                    "`cargo tree` listed no crates; cannot check the widget's dependencies".into(),
                );
            }
            let offences = deps_check::find_offences(&tree);
            if !offences.is_empty() {
                let lines: Vec<String> = offences.iter().map(|o| format!("  {o}")).collect();
                return Err(format!(
                    "server crates in the widget's wasm32 dependency tree:\n{}",
                    lines.join("\n")
                ));
            }
            println!(
                "ok: {crates} entries in the widget's wasm32 tree, none of {}",
                deps_check::FORBIDDEN.join(", ")
            );
            let proxy_tree = Cmd::new("cargo")
                .args(["tree", "-p", widget::PROXY_PACKAGE, "--no-default-features"])
                .args(["-e", "features,no-dev", "--prefix", "depth"])
                .args(ctx.locked())
                .current_dir(&ctx.root)
                .output_text()?;
            let sandbox_only = deps_check::sandbox_offences(&proxy_tree);
            if !sandbox_only.is_empty() {
                return Err(format!(
                    "the proxy without its `sandbox` feature still contains:\n  {}",
                    sandbox_only.join("\n  ")
                ));
            }
            println!(
                "ok: the proxy without its `sandbox` feature has none of {}",
                deps_check::SANDBOX_ONLY.join(", ")
            );
            Ok(None)
        },
    },
    Step {
        id: "unit",
        title: "native tests (model, ews, sandbox, proxy, xtask)",
        run: |ctx| {
            let counts = counting(
                Cmd::new("cargo")
                    .args(["test", "--workspace", "--exclude", widget::WIDGET_PACKAGE])
                    .args(ctx.locked())
                    .current_dir(&ctx.root),
            )?;
            require_some(counts)
        },
    },
    Step {
        id: "wasm",
        title: "widget browser tests (wasm-bindgen-test, headless Chromium)",
        run: |ctx| {
            let chromedriver = sh::find_program("chromedriver")
                .ok_or("chromedriver is not installed (run the `tools` step)")?;
            let counts = counting(
                Cmd::new("cargo")
                    .args([
                        "test",
                        "--target",
                        WASM_TARGET,
                        "-p",
                        widget::WIDGET_PACKAGE,
                    ])
                    .args(ctx.locked())
                    .env("CHROMEDRIVER", chromedriver)
                    .env(
                        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                        "wasm-bindgen-test-runner",
                    )
                    .current_dir(&ctx.root),
            )?;
            require_some(counts)
        },
    },
    Step {
        id: "build",
        title: "build pkg/ (release) and the proxy",
        run: |ctx| {
            widget::build_pkg(ctx)?;
            widget::build_proxy(ctx).map(|_| None)
        },
    },
    Step {
        id: "size",
        title: "widget download size within its gzip budget",
        run: |ctx| {
            let report = size::Report::measure(ctx)?;
            report.print();
            report.check_budget().map(|()| None)
        },
    },
    Step {
        id: "e2e",
        title: "end-to-end tests (node --test; Chromium, Firefox and WebKit; oidc-provider)",
        run: |ctx| {
            let proxy = ctx.proxy_binary();
            if !proxy.is_file() {
                return Err(format!(
                    "{} is missing (run the `build` step)",
                    proxy.display()
                ));
            }
            let screenshots = ctx.target_dir.join("e2e-screenshots");
            let logs = ctx.target_dir.join("e2e-logs");
            let counts = counting(
                Cmd::new("node")
                    .args([
                        "--test",
                        "--test-reporter=spec",
                        "--test-timeout=180000",
                        "tests/e2e/",
                    ])
                    .env("XF_PROXY_BIN", &proxy)
                    .env("XF_SCREENSHOT_DIR", &screenshots)
                    .env("XF_E2E_LOG_DIR", &logs)
                    .current_dir(&ctx.root),
            )
            .map_err(|e| {
                format!(
                    "{e}\nproxy logs (one per test): {}\nscreenshots: {}",
                    logs.display(),
                    screenshots.display()
                )
            })?;
            require_some(counts)
        },
    },
];

fn counting(cmd: Cmd) -> Result<TestCounts> {
    cmd.run_counting_tests()
        .map_err(|(message, counts)| format!("{message}; {counts}"))
}

/// A suite that passes without running any test proves nothing.
fn require_some(counts: TestCounts) -> Result<Option<TestCounts>> {
    if counts.passed == 0 {
        Err(format!(
            "the suite ran no passing test ({counts}, {} summaries)",
            counts.summaries
        ))
    } else if counts.failed > 0 {
        Err(format!("the suite reported failures ({counts})"))
    } else {
        Ok(Some(counts))
    }
}

struct StepReport {
    title: &'static str,
    took: Duration,
    counts: Option<TestCounts>,
    error: Option<String>,
}

fn test(ctx: &Ctx, args: &[String]) -> Result<()> {
    let flags = parse_flags(args, &["--skip", "--only"])?;
    let skip = values_of(&flags, "--skip");
    let only = values_of(&flags, "--only");
    for id in skip.iter().chain(&only) {
        if !STEPS.iter().any(|s| s.id == id) {
            return Err(format!("unknown step `{id}`\n{USAGE}"));
        }
    }
    let selected: Vec<&Step> = STEPS
        .iter()
        .filter(|s| !skip.iter().any(|id| id == s.id))
        .filter(|s| only.is_empty() || only.iter().any(|id| id == s.id))
        .collect();
    let skipped: Vec<&str> = STEPS
        .iter()
        .filter(|s| !selected.iter().any(|sel| sel.id == s.id))
        .map(|s| s.id)
        .collect();

    let started = Instant::now();
    let mut reports: Vec<StepReport> = Vec::new();
    for step in selected {
        println!("\n==> [{}] {}", step.id, step.title);
        let _ = std::io::stdout().flush();
        let step_started = Instant::now();
        let outcome = (step.run)(ctx);
        let took = step_started.elapsed();
        let (counts, error) = match outcome {
            Ok(counts) => (counts, None),
            Err(e) => (None, Some(e)),
        };
        println!(
            "<== [{}] {} in {}",
            step.id,
            if error.is_none() { "passed" } else { "FAILED" },
            format_duration(took)
        );
        let failed = error.is_some();
        reports.push(StepReport {
            title: step.title,
            took,
            counts,
            error,
        });
        if failed {
            break;
        }
    }

    println!(
        "\n==== summary ({} wall time)",
        format_duration(started.elapsed())
    );
    let mut total = TestCounts::default();
    for report in &reports {
        let counts = report.counts.map(|c| format!(" ({c})")).unwrap_or_default();
        let verdict = if report.error.is_none() {
            "ok    "
        } else {
            "FAILED"
        };
        println!(
            "{verdict} {:>8}  {}{counts}",
            format_duration(report.took),
            report.title
        );
        if let Some(error) = &report.error {
            println!("       {}", error.replace('\n', "\n       "));
        }
        if let Some(c) = report.counts {
            total.add(c);
        }
    }
    if !skipped.is_empty() {
        println!("skipped: {}", skipped.join(", "));
    }
    println!("tests: {total} (all suites)");
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    let passed = reports.len() - failed;
    println!("steps: {passed} passed, {failed} failed");
    // The closing line CI reads counts tests. A failed step that ran no failing test (fmt,
    // clippy, a build) counts as one failure, so a red run never closes on "0 failed".
    let failed_steps_without_failed_tests = reports
        .iter()
        .filter(|r| r.error.is_some() && r.counts.is_none_or(|c| c.failed == 0))
        .count();
    let failed_total = total.failed + failed_steps_without_failed_tests as u64;
    let skipped = if total.ignored > 0 {
        format!(", {} skipped", total.ignored)
    } else {
        String::new()
    };
    println!("{} passed, {failed_total} failed{skipped}", total.passed);
    if failed == 0 {
        Ok(())
    } else {
        Err("a step failed (see the summary above)".to_string())
    }
}

fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
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

    #[test]
    fn a_suite_without_passing_tests_fails() {
        assert!(require_some(TestCounts::default()).is_err());
        let failed = TestCounts {
            passed: 3,
            failed: 1,
            ..TestCounts::default()
        };
        assert!(require_some(failed).is_err());
        let good = TestCounts {
            passed: 3,
            summaries: 1,
            ..TestCounts::default()
        };
        assert_eq!(require_some(good).unwrap(), Some(good));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(2340)), "2.3s");
        assert_eq!(format_duration(Duration::from_secs(125)), "2m05s");
    }
}
