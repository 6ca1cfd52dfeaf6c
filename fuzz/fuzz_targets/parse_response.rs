//! Any bytes given to the EWS response decoder must give a value or a clear error, never a
//! panic, a hang or unbounded memory (libFuzzer's -rss_limit_mb / -timeout catch those).
//! `decode_response` is what the proxy's `ews decode FILE` and EWS client run on whatever an
//! Exchange server (or a man in the middle) sends back; it dispatches on the soap:Body
//! element to every operation's `parse_response`, so the seeds cover each operation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match ews::cli::decode_response(data) {
        Ok(value) => {
            // What `ews decode` prints must always serialize.
            assert!(serde_json::to_string(&value).is_ok());
        }
        Err(error) => {
            // Errors are shown to people: they must render, and never be empty.
            assert!(!error.to_string().is_empty());
        }
    }
});
