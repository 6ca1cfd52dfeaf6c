//! Builds the widget into `pkg/` (release wasm + wasm-bindgen `--target web` glue) and reports
//! its download size, and builds the proxy binary.

use crate::sh::Cmd;
use crate::tools::WASM_TARGET;
use crate::{Ctx, Result};
use std::path::{Path, PathBuf};

pub const WIDGET_PACKAGE: &str = "exchange-forms";
pub const PROXY_PACKAGE: &str = "exchange-forms-proxy";

pub fn build_pkg(ctx: &Ctx) -> Result<()> {
    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            WASM_TARGET,
            "-p",
            WIDGET_PACKAGE,
        ])
        .args(ctx.locked())
        .current_dir(&ctx.root)
        .run()?;
    let wasm = ctx
        .target_dir
        .join(WASM_TARGET)
        .join("release/exchange_forms.wasm");
    // --remove-name-section: the function-name table is debug info nobody downloads on purpose;
    // with it alone, the gzip size matched wasm-opt -Oz's on a probe app.
    Cmd::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--out-dir",
            "pkg",
            "--remove-name-section",
        ])
        .arg(&wasm)
        .current_dir(&ctx.root)
        .run()?;
    let pkg = ctx.root.join("pkg");
    for file in ["exchange_forms_bg.wasm", "exchange_forms.js"] {
        let path = pkg.join(file);
        println!("size: pkg/{file}: {}", describe_size(&path)?);
    }
    Ok(())
}

pub fn build_proxy(ctx: &Ctx) -> Result<PathBuf> {
    Cmd::new("cargo")
        .args(["build", "-p", PROXY_PACKAGE])
        .args(ctx.locked())
        .current_dir(&ctx.root)
        .run()?;
    let binary = ctx.proxy_binary();
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "the proxy build succeeded but {} is missing",
            binary.display()
        ))
    }
}

/// `123456 bytes raw (120.6 KiB), 45678 bytes gzip -9 (44.6 KiB)`.
fn describe_size(path: &Path) -> Result<String> {
    let raw = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    let gzip = gzip_size(path)
        .map(|n| format!("{n} bytes gzip -9 ({})", kib(n)))
        .unwrap_or_else(|e| format!("gzip size unknown ({e})"));
    Ok(format!("{raw} bytes raw ({}), {gzip}", kib(raw)))
}

fn gzip_size(path: &Path) -> Result<u64> {
    let output = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if output.status.success() {
        Ok(output.stdout.len() as u64)
    } else {
        Err(format!("gzip failed ({})", output.status))
    }
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}
