//! Test helpers: fixtures and the schema validator.
#![allow(dead_code)]

pub mod schema;

use std::path::PathBuf;

/// `crates/ews/tests/fixtures`: Microsoft's sample responses and the reference requests.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(name: &str) -> Vec<u8> {
    let p = fixtures_dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// Position of `needle` in `hay` (panics if absent).
pub fn pos(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("{needle} not found in\n{hay}"))
}
