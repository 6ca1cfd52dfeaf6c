//! The sandbox's integration tests, linked into one test binary: each test file is a module
//! here, next to the harness they share (`common`). One link instead of ten.
//!
//! One file: `cargo test -p exchange-forms-sandbox --test suite paging::`.

mod common;

mod ews_endpoint;
mod graph_directory;
mod graph_errors;
mod graph_events;
mod graph_interop;
mod graph_meetings;
mod graph_todo;
mod operations;
mod paging;
mod security_mailbox;
