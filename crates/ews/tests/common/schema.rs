//! Schema validation for tests: `tests/schema/validate.sh` (Microsoft's EWS XSDs, xmllint).
//!
//! Also compiled into the proxy's tests (`#[path]` from `crates/proxy/tests/common/faults.rs`),
//! so paths are built as `<manifest dir>/../ews/...`: the same folder from either crate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `crates/ews/tests/schema`: the XSDs and validate.sh.
pub fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ews/tests/schema")
}

/// Runs validate.sh once over all `paths`; returns (all valid, output). Invalid files are
/// named in the output ("INVALID <path>" lines when there are several). Panics (test FAILS)
/// when the validator or xmllint is missing or cannot run — never a silent pass.
pub fn validate_files(paths: &[&Path]) -> (bool, String) {
    assert!(!paths.is_empty(), "nothing to validate");
    let script = schema_dir().join("validate.sh");
    assert!(
        script.is_file(),
        "validate.sh not found at {}",
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
        .args(paths)
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

pub fn validate_file(path: &Path) -> (bool, String) {
    validate_files(&[path])
}

/// Documents collected during a test and validated together by one validate.sh run (compiling
/// the schema costs far more than checking a document). Dropping a batch with documents that
/// were never checked fails the test, so a forgotten `assert_all_valid` cannot pass silently.
#[derive(Default)]
pub struct SchemaBatch {
    documents: Vec<(String, String)>,
}

impl SchemaBatch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, label: impl Into<String>, xml: impl Into<String>) {
        self.documents.push((label.into(), xml.into()));
    }

    /// Asserts validate.sh accepts every document; on failure names each invalid one with
    /// its text.
    pub fn assert_all_valid(mut self) {
        let documents = std::mem::take(&mut self.documents);
        assert!(!documents.is_empty(), "no document was added to the batch");
        let dir = tempfile::tempdir().expect("tempdir");
        let paths: Vec<PathBuf> = (0..documents.len())
            .map(|i| dir.path().join(format!("doc-{i:04}.xml")))
            .collect();
        for (path, (_, xml)) in paths.iter().zip(&documents) {
            std::fs::write(path, xml).expect("write");
        }
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        let (ok, out) = validate_files(&refs);
        if ok {
            return;
        }
        let invalid: Vec<String> = paths
            .iter()
            .zip(&documents)
            .filter(|(path, _)| {
                documents.len() == 1 || out.contains(&format!("INVALID {}", path.display()))
            })
            .map(|(path, (label, xml))| {
                format!("{label} is not schema-valid ({}):\n{xml}", path.display())
            })
            .collect();
        panic!(
            "schema validation failed:\n{out}\n--- documents ---\n{}",
            invalid.join("\n\n")
        );
    }
}

impl Drop for SchemaBatch {
    fn drop(&mut self) {
        if !self.documents.is_empty() && !std::thread::panicking() {
            panic!(
                "{} document(s) added to a SchemaBatch were never validated (call assert_all_valid)",
                self.documents.len()
            );
        }
    }
}

/// Asserts validate.sh accepts one document.
pub fn assert_schema_valid(label: &str, xml: &str) {
    let mut batch = SchemaBatch::new();
    batch.add(label, xml);
    batch.assert_all_valid();
}
