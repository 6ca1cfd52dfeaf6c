//! Turns wasm-bindgen's output into what the proxy serves: the wasm under a content-hashed
//! name (cached for a year), the JS glue at its stable name pointing at it (revalidated on every
//! load), and brotli and gzip copies of every text and wasm file next to them.
//!
//! Layout of `pkg/` after [`publish`]:
//! - `exchange_forms.js`: wasm-bindgen's glue, imported by `index.html`, the loader and host
//!   pages at this stable URL (`Cache-Control: no-cache`, 304 while unchanged), loading
//! - `exchange_forms_bg-<hash>.wasm` (`immutable`);
//! - `exchange_forms_bg.wasm`: the same bytes at a stable name (revalidated), for the loader
//!   (`www/exchange-form.js`) and preload hints: they fetch and compile the wasm while the glue
//!   is still loading, before the hashed name is known.
//!
//! wasm-bindgen's snippets (`snippets/…/dpop.js`) are then put into the glue
//! (`crate::inline_snippets`): a page loads one module, not a module and then its import.
//!
//! Only the wasm gets a hashed name: the glue is small, and hashing it too would put one more
//! module (a stable entry importing the hashed glue) in front of the wasm on every first visit.

use crate::Result;
use crate::import_names;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The stem wasm-bindgen gives the widget's files.
const STEM: &str = "exchange_forms";

/// What [`publish`] wrote: the glue at its stable name and the wasm it loads.
pub struct Published {
    pub glue: PathBuf,
    pub wasm: PathBuf,
}

/// Gives the glue's imports short names (in the wasm and the glue), writes the wasm under a
/// content-hashed name, points the glue at it, and leaves the same bytes at the stable name.
/// Hashed files of earlier builds are removed: only the current ones are served.
pub fn publish(pkg: &Path) -> Result<Published> {
    remove_earlier_builds(pkg)?;
    let plain_wasm = pkg.join(format!("{STEM}_bg.wasm"));
    let glue = pkg.join(format!("{STEM}.js"));
    let glue_text =
        String::from_utf8(read(&glue)?).map_err(|_| format!("{} is not UTF-8", glue.display()))?;
    let (wasm_bytes, glue_text) = import_names::shorten(&read(&plain_wasm)?, &glue_text)?;

    let wasm_name = format!("{STEM}_bg-{}.wasm", content_hash(&wasm_bytes));
    let wasm = pkg.join(&wasm_name);
    write(&wasm, &wasm_bytes)?;
    write(&plain_wasm, &wasm_bytes)?;
    let glue_text = point_glue_at(&glue_text, &format!("{STEM}_bg.wasm"), &wasm_name)?;
    write(&glue, glue_text.as_bytes())?;
    Ok(Published { glue, wasm })
}

/// The glue with its default wasm URL (`new URL('<plain>', import.meta.url)`) renamed.
fn point_glue_at(glue: &str, plain: &str, hashed: &str) -> Result<String> {
    let quoted = format!("'{plain}'");
    match glue.matches(&quoted).count() {
        1 => Ok(glue.replace(&quoted, &format!("'{hashed}'"))),
        n => Err(format!(
            "expected the wasm-bindgen glue to name {quoted} once, found it {n} times \
             (did wasm-bindgen change its output?)"
        )),
    }
}

/// The first 16 hex digits of the SHA-256 of `bytes`: names change exactly when content does.
pub fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `file_name` is one the build named by content (`exchange_forms_bg-<hash>.wasm` and
/// its compressed copies).
pub fn is_hashed_output(file_name: &str) -> bool {
    file_name.starts_with(&format!("{STEM}_bg-"))
}

fn remove_earlier_builds(pkg: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(pkg) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_hashed_output(&name) {
            std::fs::remove_file(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// The served files worth compressing under `dir` (recursively): wasm, JS, CSS and HTML.
pub fn compressible_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "html")
            ) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) next to `file`,
/// for the proxy to serve as they are. A copy that would not be smaller is not written (and an
/// older one is removed), so the proxy serves the file itself.
pub fn write_compressed_copies(file: &Path) -> Result<()> {
    let raw = read(file)?;
    for (extension, compressed) in [("br", brotli_bytes(&raw)?), ("gz", gzip_bytes(&raw)?)] {
        let copy = with_extra_extension(file, extension);
        if compressed.len() < raw.len() {
            write(&copy, &compressed)?;
        } else if copy.exists() {
            std::fs::remove_file(&copy)
                .map_err(|e| format!("cannot remove {}: {e}", copy.display()))?;
        }
    }
    Ok(())
}

pub fn with_extra_extension(file: &Path, extension: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

pub fn brotli_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params).map_err(|e| format!("brotli: {e}"))?;
    Ok(out)
}

/// Gzip as small as the format allows: zopfli searches far harder than zlib's `-9` (about a
/// second for the wasm), which a build made once and served many times can afford.
pub fn gzip_bytes(raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        raw,
        &mut out,
    )
    .map_err(|e| format!("gzip: {e}"))?;
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn publishing_hashes_the_wasm_name_and_points_the_glue_at_it() {
        let pkg = std::env::temp_dir().join(format!("xtask-publish-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&pkg);
        std::fs::create_dir_all(&pkg).unwrap();
        let stale = pkg.join("exchange_forms_bg-00000000000000aa.wasm.br");
        std::fs::write(&stale, "old").unwrap();
        std::fs::write(pkg.join("exchange_forms_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(
            pkg.join("exchange_forms.js"),
            "export default function init() { return new URL('exchange_forms_bg.wasm', import.meta.url); }\n",
        )
        .unwrap();

        let published = publish(&pkg).unwrap();
        let wasm_name = published.wasm.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            wasm_name,
            format!(
                "exchange_forms_bg-{}.wasm",
                content_hash(b"\0asm\x01\0\0\0")
            )
        );
        assert_eq!(content_hash(b"").len(), 16);
        assert_eq!(published.glue, pkg.join("exchange_forms.js"));
        let glue = std::fs::read_to_string(&published.glue).unwrap();
        assert!(
            glue.contains(&format!("new URL('{wasm_name}', import.meta.url)")),
            "{glue}"
        );
        assert!(
            !stale.exists(),
            "a hashed file of an earlier build is still there"
        );
        assert_eq!(
            std::fs::read(pkg.join("exchange_forms_bg.wasm")).unwrap(),
            std::fs::read(&published.wasm).unwrap(),
            "the stable name does not hold the hashed wasm's bytes"
        );
        std::fs::remove_dir_all(&pkg).unwrap();
    }

    #[test]
    fn glue_that_does_not_name_the_wasm_once_is_refused() {
        assert!(point_glue_at("no url here", "a.wasm", "b.wasm").is_err());
        assert!(point_glue_at("'a.wasm' 'a.wasm'", "a.wasm", "b.wasm").is_err());
    }

    #[test]
    fn compressed_copies_decompress_to_the_original() {
        let raw = "body { color: red }\n".repeat(50).into_bytes();
        let mut from_gzip = Vec::new();
        flate2::read::GzDecoder::new(&gzip_bytes(&raw).unwrap()[..])
            .read_to_end(&mut from_gzip)
            .unwrap();
        assert_eq!(from_gzip, raw);
        let mut from_brotli = Vec::new();
        brotli::BrotliDecompress(&mut &brotli_bytes(&raw).unwrap()[..], &mut from_brotli).unwrap();
        assert_eq!(from_brotli, raw);
    }
}
