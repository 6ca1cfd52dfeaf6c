//! Builds the widget into `pkg/` (release wasm + wasm-bindgen `--target web` glue, content-hashed
//! wasm name, precompressed copies) and reports its download size, and builds the proxy binary.

use crate::assets;
use crate::minify;
use crate::npm_package;
use crate::sh::Cmd;
use crate::tools::WASM_TARGET;
use crate::{Ctx, Result};
use std::path::{Path, PathBuf};

pub const WIDGET_PACKAGE: &str = "exchange-forms";
pub const PROXY_PACKAGE: &str = "exchange-forms-proxy";
/// The cargo profile the widget's wasm is built with (smallest download; the workspace's
/// `release` profile is for native speed).
pub const WASM_PROFILE: &str = "wasm-release";

/// How the widget's standard library is built: from source (the `rust-src` component), for
/// size (`optimize_for_size`), with panics that abort at once and carry no source location. A
/// panic in the widget ends it either way (wasm has no unwinding); with the prebuilt library
/// each panic site also carries the machinery that formats its message and the file, line and
/// column it names, which the page never shows (the wasm: 9 KB less gzip, 4.5%). These flags
/// are unstable: `RUSTC_BOOTSTRAP=1` lets the stable compiler take them, for this one build
/// only; the tests' builds of the widget use the prebuilt library and keep their panic messages.
const BUILD_STD_ARGS: [&str; 2] = [
    "-Zbuild-std=std,panic_abort",
    "-Zbuild-std-features=optimize_for_size",
];
const BUILD_STD_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none";

pub fn build_pkg(ctx: &Ctx) -> Result<()> {
    Cmd::new("cargo")
        .args([
            "build",
            "--profile",
            WASM_PROFILE,
            "--target",
            WASM_TARGET,
            "-p",
            WIDGET_PACKAGE,
        ])
        .args(BUILD_STD_ARGS)
        .args(ctx.locked())
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTFLAGS", BUILD_STD_RUSTFLAGS)
        .current_dir(&ctx.root)
        .run()?;
    let wasm = ctx
        .target_dir
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join("exchange_forms.wasm");
    // --remove-name-section: the function-name table is debug info nobody downloads on purpose;
    // with it alone, the gzip size matched wasm-opt -Oz's on a probe app.
    Cmd::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--out-dir",
            "pkg",
            "--remove-name-section",
            "--remove-producers-section",
        ])
        .arg(&wasm)
        .current_dir(&ctx.root)
        .run()?;
    let pkg = ctx.root.join("pkg");
    let published = assets::publish(&pkg)?;
    let name = |path: &PathBuf| path.file_name().map(|n| n.to_string_lossy().into_owned());
    println!(
        "pkg: {} loads {}",
        name(&published.glue).unwrap_or_default(),
        name(&published.wasm).unwrap_or_default()
    );
    inline_snippets(&pkg, &published.glue)?;
    minify::file_in_place(&published.glue)?;
    // Precompressed copies of everything the proxy serves (it picks one by Accept-Encoding).
    let mut served = assets::compressible_files(&pkg)?;
    served.extend(assets::compressible_files(&ctx.root.join("www"))?);
    served.push(ctx.root.join("index.html"));
    for file in &served {
        assets::write_compressed_copies(file)?;
    }
    npm_package::write(ctx)
}

/// Puts wasm-bindgen's snippets (`pkg/snippets/`) into the glue: see
/// [`inline_snippets`](crate::inline_snippets). The files stay, unused by pages: the end-to-end
/// tests import the DPoP module from there to sign their own calls with the widget's key.
fn inline_snippets(pkg: &Path, glue: &Path) -> Result<()> {
    let snippets = pkg.join("snippets");
    if !snippets.is_dir() {
        return Ok(());
    }
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let mut text = read(glue)?;
    let modules = assets::compressible_files(&snippets)?
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "js"));
    for (index, module) in modules.enumerate() {
        let relative = module.strip_prefix(pkg).map_err(|e| e.to_string())?;
        let parts: Vec<_> = relative.iter().map(|part| part.to_string_lossy()).collect();
        let specifier = format!("./{}", parts.join("/"));
        text = crate::inline_snippets::inline(
            &text,
            &specifier,
            &read(&module)?,
            &format!("__snippet{index}"),
        )
        .map_err(|e| format!("{}: {e}", module.display()))?;
    }
    std::fs::write(glue, text).map_err(|e| format!("cannot write {}: {e}", glue.display()))
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
