//! What a page downloads for the forms, raw, gzip and brotli, and the budget that
//! `cargo xtask test` holds it to.

use crate::assets;
use crate::{Ctx, Result};
use std::path::{Path, PathBuf};

/// The most the forms may weigh over the wire, gzip-compressed, in bytes: the wasm, its JS
/// glue (with the wasm-bindgen snippets inlined), the loader and the stylesheet.
///
/// Not yet the goal of 120 KiB: a ratchet just above the size reached (177.0 KiB). The last
/// steps down: the gzip copies written by zopfli rather than zlib's `-9` (same format, 4.5%
/// smaller); the wasm's standard library built from source for size, without panic messages
/// and locations (see `widget::build_pkg`); the decoders' generic helpers as plain loops
/// rather than iterator chains (instantiated for each type read); JSON text written by the
/// widget's own serializer (`src/json_writer.rs`) rather than JS objects built call by call.
/// Of the wasm, what is left is the forms' own code (mostly the async state machines of the
/// sign-in flows and the form controller, the reducer and the meeting planner), and yew with
/// the collections it instantiates (its own code, hashbrown, B-trees, event names).
pub const GZIP_BUDGET_BYTES: u64 = 178 * 1024;

pub struct FileSize {
    /// Relative to the repository root.
    pub path: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

pub struct Report {
    pub files: Vec<FileSize>,
}

impl Report {
    /// Measures the built bundle (after `cargo xtask build`).
    pub fn measure(ctx: &Ctx) -> Result<Report> {
        let files = bundle_files(&ctx.root)?
            .iter()
            .map(|path| measure_file(&ctx.root, path))
            .collect::<Result<Vec<_>>>()?;
        Ok(Report { files })
    }

    pub fn total(&self) -> FileSize {
        FileSize {
            path: "total".to_string(),
            raw: self.files.iter().map(|f| f.raw).sum(),
            gzip: self.files.iter().map(|f| f.gzip).sum(),
            brotli: self.files.iter().map(|f| f.brotli).sum(),
        }
    }

    pub fn print(&self) {
        let width = self.files.iter().map(|f| f.path.len()).max().unwrap_or(5);
        println!(
            "{:<width$}  {:>9}  {:>9}  {:>9}",
            "file", "raw", "gzip", "brotli"
        );
        let total = self.total();
        for file in self.files.iter().chain([&total]) {
            println!(
                "{:<width$}  {:>9}  {:>9}  {:>9}",
                file.path,
                thousands(file.raw),
                thousands(file.gzip),
                thousands(file.brotli)
            );
        }
        println!(
            "(bytes; {} KiB raw, {} KiB gzip, {} KiB brotli)",
            kib(total.raw),
            kib(total.gzip),
            kib(total.brotli)
        );
    }

    /// Fails when the gzip total is over [`GZIP_BUDGET_BYTES`].
    pub fn check_budget(&self) -> Result<()> {
        let gzip = self.total().gzip;
        let verdict = format!(
            "{} bytes gzip against a budget of {} ({}%; the budget is GZIP_BUDGET_BYTES in \
             xtask/src/size.rs)",
            thousands(gzip),
            thousands(GZIP_BUDGET_BYTES),
            gzip * 100 / GZIP_BUDGET_BYTES
        );
        if gzip <= GZIP_BUDGET_BYTES {
            println!("size: within budget: {verdict}");
            Ok(())
        } else {
            Err(format!("the widget is over its size budget: {verdict}"))
        }
    }
}

/// The files a page loads for the forms, in loading order: loader, stylesheet, glue, wasm.
fn bundle_files(root: &Path) -> Result<Vec<PathBuf>> {
    let pkg = root.join("pkg");
    let hashed = |prefix: &str, extension: &str| -> Result<PathBuf> {
        let matches: Vec<PathBuf> = std::fs::read_dir(&pkg)
            .map_err(|e| {
                format!(
                    "cannot list {} (run `cargo xtask build`): {e}",
                    pkg.display()
                )
            })?
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|name| {
                        name.starts_with(prefix)
                            && name.ends_with(extension)
                            && assets::is_hashed_output(name)
                    })
            })
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.clone()),
            _ => Err(format!(
                "expected one {prefix}<hash>{extension} in {}, found {} (run `cargo xtask build`)",
                pkg.display(),
                matches.len()
            )),
        }
    };
    Ok(vec![
        root.join("www/exchange-form.js"),
        root.join("www/exchange-forms.css"),
        pkg.join("exchange_forms.js"),
        hashed("exchange_forms_bg-", ".wasm")?,
    ])
}

/// Sizes as served: a fresh precompressed copy if the build wrote one, else the file itself
/// (which is what the proxy sends when there is no copy).
fn measure_file(root: &Path, path: &Path) -> Result<FileSize> {
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let raw = metadata.len();
    let served = |extension: &str| -> u64 {
        let copy = assets::with_extra_extension(path, extension);
        match (std::fs::metadata(&copy), metadata.modified()) {
            (Ok(copy), Ok(original))
                if copy.modified().is_ok_and(|modified| modified >= original) =>
            {
                copy.len()
            }
            _ => raw,
        }
    };
    Ok(FileSize {
        path: path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned(),
        raw,
        gzip: served("gz"),
        brotli: served("br"),
    })
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn kib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_and_the_budget_bites() {
        let report = Report {
            files: vec![
                FileSize {
                    path: "a".into(),
                    raw: 300,
                    gzip: GZIP_BUDGET_BYTES - 10,
                    brotli: 90,
                },
                FileSize {
                    path: "b".into(),
                    raw: 30,
                    gzip: 10,
                    brotli: 9,
                },
            ],
        };
        assert_eq!(report.total().raw, 330);
        assert_eq!(report.total().gzip, GZIP_BUDGET_BYTES);
        assert!(report.check_budget().is_ok());
        let over = Report {
            files: vec![FileSize {
                path: "a".into(),
                raw: 0,
                gzip: GZIP_BUDGET_BYTES + 1,
                brotli: 0,
            }],
        };
        assert!(over.check_budget().is_err());
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
