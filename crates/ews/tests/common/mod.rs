//! Test helpers: fixtures and the schema validator.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

pub fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// `$EWS_SHARED_DIR` or `<workspace>/../shared/ews`.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("EWS_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ews"),
    }
}

/// Runs validate.sh on a file; returns (ok, output). Panics (test FAILS) when the
/// validator or xmllint is missing — never a silent pass.
pub fn validate_file(path: &std::path::Path) -> (bool, String) {
    let script = shared_dir().join("validate.sh");
    assert!(
        script.is_file(),
        "validate.sh not found at {} (set EWS_SHARED_DIR to the directory holding validate.sh and schema/)",
        script.display()
    );
    let have_xmllint = Command::new("sh")
        .arg("-c")
        .arg("command -v xmllint")
        .output()
        .map(|o| o.status.success());
    assert!(
        matches!(have_xmllint, Ok(true)),
        "xmllint is missing: install libxml2-utils (apt-get install -y libxml2-utils) to run the schema tests"
    );
    let out = Command::new("bash")
        .arg(&script)
        .arg(path)
        .output()
        .expect("run validate.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => (true, text),
        Some(1) => (false, text),
        other => panic!("validate.sh could not run (exit {other:?}): {text}"),
    }
}

/// Writes the XML to a temp file and asserts validate.sh says OK.
pub fn assert_schema_valid(label: &str, xml: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.xml");
    std::fs::write(&path, xml).expect("write");
    let (ok, out) = validate_file(&path);
    assert!(
        ok,
        "{label}: schema validation failed:\n{out}\n--- document ---\n{xml}"
    );
}

/// Position of `needle` in `hay` (panics if absent).
pub fn pos(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("{needle} not found in\n{hay}"))
}
