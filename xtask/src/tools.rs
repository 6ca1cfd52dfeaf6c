//! Installs what the two commands need on a fresh machine, and skips (saying so) what is there.
//!
//! Everything comes from the registries this kind of machine can reach: rustup for the wasm32
//! target and the standard library's source, crates.io for wasm-bindgen-cli, Debian for the browsers (Chromium, Firefox ESR, WebKitGTK's
//! MiniBrowser and their drivers, Xvfb), xmllint, sqlite3, PostgreSQL and the MIT Kerberos KDC (the
//! Kerberos tests start a throwaway one), and npm for the end-to-end test packages (pinned in
//! `tests/e2e/package-lock.json`).

use crate::sh::{self, Cmd};
use crate::{Ctx, Result};
use std::path::{Path, PathBuf};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Which tools to make sure of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `cargo xtask run`: building the widget and the proxy.
    Run,
    /// `cargo xtask test`: also browsers, schema validation and the Node test packages.
    Test,
}

/// Debian packages providing the commands the test suite calls.
const SYSTEM_TOOLS: &[(&str, &str)] = &[
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
    ("firefox-esr", "firefox-esr"),
    // Brings WebKitGTK (libwebkit2gtk-4.1-0) and its MiniBrowser, which it drives.
    ("WebKitWebDriver", "webkit2gtk-driver"),
    // WebKitGTK's automation needs a display; the tests give it a private virtual one.
    ("Xvfb", "xvfb"),
    ("xmllint", "libxml2-utils"),
    ("sqlite3", "sqlite3"),
    ("node", "nodejs"),
    ("npm", "npm"),
    // A throwaway KDC for the Kerberos tests (`crates/proxy/tests/suite/kdc_support`); test-only,
    // the proxy itself links no Kerberos library.
    ("krb5kdc", "krb5-kdc"),
    ("kadmin.local", "krb5-admin-server"),
];

pub fn ensure_tools(ctx: &Ctx, purpose: Purpose) -> Result<()> {
    ensure_wasm_target()?;
    ensure_rust_src()?;
    ensure_wasm_bindgen(ctx, purpose)?;
    if purpose == Purpose::Test {
        ensure_system_packages()?;
        ensure_npm_packages(ctx)?;
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    ensure_rustup("target", WASM_TARGET)
}

/// The standard library's source: the widget's release build compiles its own copy, for size
/// (see `widget::build_pkg`).
fn ensure_rust_src() -> Result<()> {
    ensure_rustup("component", "rust-src")
}

/// Adds rustup's `kind` (`target` or `component`) `name` to the toolchain unless it is there
/// (`rustup component list` names a component with its target after it).
fn ensure_rustup(kind: &str, name: &str) -> Result<()> {
    let installed = Cmd::new("rustup")
        .args([kind, "list", "--installed"])
        .output_text()?;
    if installed.lines().any(|l| l.trim().starts_with(name)) {
        println!("skip: rust {kind} {name} is installed");
        return Ok(());
    }
    Cmd::new("rustup").args([kind, "add", name]).run()
}

/// wasm-bindgen-cli must be exactly the `wasm-bindgen` version in Cargo.lock: the CLI refuses
/// (or worse, miscompiles) output of any other version.
fn ensure_wasm_bindgen(ctx: &Ctx, purpose: Purpose) -> Result<()> {
    let lock_path = ctx.root.join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let wanted = locked_version(&lock, "wasm-bindgen").ok_or_else(|| {
        format!(
            "no `wasm-bindgen` package in {}; run `cargo generate-lockfile`",
            lock_path.display()
        )
    })?;
    let mut binaries = vec!["wasm-bindgen"];
    if purpose == Purpose::Test {
        binaries.push("wasm-bindgen-test-runner");
    }
    let mismatched: Vec<String> = binaries
        .iter()
        .filter_map(|bin| {
            let found = sh::find_program(bin)
                .and_then(|path| Cmd::new(path).arg("--version").output_text().ok())
                .map(|out| out.trim().to_string());
            match found {
                Some(version) if version.split_whitespace().nth(1) == Some(wanted.as_str()) => None,
                Some(version) => Some(format!("{bin}: found `{version}`")),
                None => Some(format!("{bin}: not installed")),
            }
        })
        .collect();
    if mismatched.is_empty() {
        println!("skip: wasm-bindgen-cli {wanted} is installed (matches Cargo.lock)");
        return Ok(());
    }
    println!(
        "installing wasm-bindgen-cli {wanted} to match Cargo.lock ({}); takes a few minutes",
        mismatched.join("; ")
    );
    // Not `--locked`: one of the CLI's pinned dependency versions is gone from the registry, so
    // a locked install fails; the exact CLI version is what matters.
    Cmd::new("cargo")
        .args(["install", "wasm-bindgen-cli", "--version", &wanted])
        .run()
}

/// The version of `name` recorded in a Cargo.lock (the first one, if several).
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut in_package_named = false;
    for line in lock.lines().map(str::trim) {
        if line == "[[package]]" {
            in_package_named = false;
        } else if let Some(value) = toml_string(line, "name") {
            in_package_named = value == name;
        } else if let Some(value) = toml_string(line, "version")
            && in_package_named
        {
            return Some(value.to_string());
        }
    }
    None
}

/// `key = "value"` -> `value`.
fn toml_string<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

fn ensure_system_packages() -> Result<()> {
    let missing = missing_packages();
    if missing.is_empty() {
        let mut names: Vec<&str> = SYSTEM_TOOLS.iter().map(|(p, _)| *p).collect();
        names.extend(["MiniBrowser", "postgresql"]);
        println!("skip: {} are installed", names.join(", "));
        return Ok(());
    }
    // NodeSource's `nodejs` ships npm and conflicts with Debian's `npm` package: ask for `npm`
    // only if it is still missing once everything else is in.
    let first: Vec<&str> = missing.iter().copied().filter(|p| *p != "npm").collect();
    if !first.is_empty() {
        apt_install(&first)?;
    }
    if missing_packages().contains(&"npm") {
        apt_install(&["npm"])?;
    }
    Ok(())
}

fn missing_packages() -> Vec<&'static str> {
    let mut missing: Vec<&'static str> = SYSTEM_TOOLS
        .iter()
        .filter(|(program, _)| sh::find_program(program).is_none())
        .map(|(_, package)| *package)
        .collect();
    if mini_browser().is_none() && !missing.contains(&"webkit2gtk-driver") {
        missing.push(WEBKIT_PACKAGE);
    }
    if postgres_bin_dir().is_none() {
        missing.push("postgresql");
    }
    missing
}

/// The WebKitGTK build the WebKit end-to-end tests drive; its MiniBrowser lives off PATH.
const WEBKIT_PACKAGE: &str = "libwebkit2gtk-4.1-0";

/// WebKitGTK's MiniBrowser: Debian keeps it under `/usr/lib/<multiarch triplet>/webkit2gtk-4.1/`.
fn mini_browser() -> Option<PathBuf> {
    std::fs::read_dir("/usr/lib")
        .ok()?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join("webkit2gtk-4.1").join("MiniBrowser"))
        .find(|path| path.is_file())
}

/// The store tests start a throwaway PostgreSQL cluster: Debian keeps its server programs
/// (`initdb`, `postgres`) off PATH, under `/usr/lib/postgresql/<version>/bin`.
fn postgres_bin_dir() -> Option<PathBuf> {
    if let Some(initdb) = sh::find_program("initdb") {
        return initdb.parent().map(Path::to_path_buf);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("postgres").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn apt_install(packages: &[&str]) -> Result<()> {
    let install = format!(
        "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y {}",
        packages.join(" ")
    );
    println!("installing Debian packages: {}", packages.join(" "));
    let uid = Cmd::new("id").arg("-u").output_text().unwrap_or_default();
    if uid.trim() == "0" {
        Cmd::new("sh").args(["-c", &install]).run()
    } else if sh::find_program("sudo").is_some() {
        Cmd::new("sudo").args(["sh", "-c", &install]).run()
    } else {
        Err(format!(
            "missing Debian packages ({}), not root and no sudo; as root run:\n  {install}",
            packages.join(", ")
        ))
    }
}

/// `npm ci` when `node_modules` is missing or older than the lockfile (npm records what it
/// installed in `node_modules/.package-lock.json`).
fn ensure_npm_packages(ctx: &Ctx) -> Result<()> {
    let dir = ctx.root.join("tests/e2e");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    if !needs_install(&lock, &installed) {
        println!(
            "skip: npm packages in tests/e2e are installed (node_modules newer than package-lock.json)"
        );
        return Ok(());
    }
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .run()
}

fn needs_install(lock: &Path, installed: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(lock), modified(installed)) {
        (Some(lock), Some(installed)) => lock > installed,
        _ => true,
    }
}

/// Where cargo puts installed binaries, so a fresh `cargo install` is usable even when it is
/// not on PATH yet.
pub fn cargo_bin_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen-futures"
version = "0.4.80"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]
"#;

    #[test]
    fn reads_the_exact_package_version_from_the_lockfile() {
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen-futures").as_deref(),
            Some("0.4.80")
        );
        assert_eq!(locked_version(LOCK, "yew"), None);
    }

    #[test]
    fn a_missing_or_older_install_needs_npm_ci() {
        let dir = std::env::temp_dir().join(format!("xtask-npm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lock = dir.join("package-lock.json");
        let installed = dir.join(".package-lock.json");
        std::fs::write(&lock, "{}").unwrap();
        assert!(needs_install(&lock, &installed), "nothing installed yet");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&installed, "{}").unwrap();
        assert!(
            !needs_install(&lock, &installed),
            "installed after the lockfile changed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&lock, "{ }").unwrap();
        assert!(
            needs_install(&lock, &installed),
            "lockfile changed after the install"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
