//! `cargo xtask test`: every check and test suite, in order, each reported with its time and
//! test counts; `--skip` and `--only` choose steps by id.

use crate::sh::{self, Cmd};
use crate::test_counts::TestCounts;
use crate::tools::{self, Purpose, WASM_TARGET};
use crate::{Ctx, Result, USAGE, parse_flags, values_of};
use crate::{deps_check, size, widget};
use std::io::Write;
use std::time::{Duration, Instant};

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
            clippy(ctx, &["--workspace", "--all-targets"])?;
            // The production proxy (no fake Exchange) must keep building. Its tests run the
            // sandbox, so only the library and the binary are built this way.
            clippy(ctx, &["-p", widget::PROXY_PACKAGE, "--no-default-features"])?;
            clippy(
                ctx,
                &[
                    "-p",
                    widget::WIDGET_PACKAGE,
                    "--target",
                    WASM_TARGET,
                    "--all-targets",
                ],
            )
            .map(|()| None)
        },
    },
    Step {
        id: "doc",
        title: "rustdoc -D warnings (every crate's documentation and its links)",
        run: |ctx| {
            Cmd::new("cargo")
                .args(["doc", "--workspace", "--no-deps"])
                .args(ctx.locked())
                .env("RUSTDOCFLAGS", "-D warnings")
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
            // wasm-bindgen-test-runner stops ChromeDriver without ending its session, so each
            // test binary left a Chromium profile (11-36 MB) in the temporary directory, run
            // after run. They go to a directory of ours instead, emptied when the step ends.
            let browser_tmp = ctx.target_dir.join("tmp/widget-browser");
            std::fs::create_dir_all(&browser_tmp)
                .map_err(|e| format!("cannot create {}: {e}", browser_tmp.display()))?;
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
                    .env("TMPDIR", &browser_tmp)
                    .current_dir(&ctx.root),
            );
            // Emptied whether the tests passed or not; a failure to empty it fails no test.
            let _ = std::fs::remove_dir_all(&browser_tmp);
            require_some(counts?)
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

/// `cargo clippy <args>`, every warning an error.
fn clippy(ctx: &Ctx, args: &[&str]) -> Result<()> {
    Cmd::new("cargo")
        .arg("clippy")
        .args(args)
        .args(ctx.locked())
        .args(["--", "-D", "warnings"])
        .current_dir(&ctx.root)
        .run()
}

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

pub fn test(ctx: &Ctx, args: &[String]) -> Result<()> {
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
