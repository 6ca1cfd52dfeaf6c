//! The proxy's integration tests, linked into one test binary. Each test file is a module
//! here and the harnesses they share are modules of the same crate: one link of the proxy and
//! its dependencies instead of forty, which keeps `cargo test` quicker and target/ gigabytes
//! smaller. Tests that install a process-wide log subscriber stay binaries of their own
//! (`tests/auth_logs.rs`, `tests/operations_logs.rs`).
//!
//! One file or one test: `cargo test -p exchange-forms-proxy --test suite store::` (a module
//! path filter), or a test's full name.

mod auth_support;
mod common;
mod graph_docs;
mod graph_support;
mod kdc_support;
mod pg_support;
mod service_account_support;
mod token_tamper;

mod api;
mod api_backends;
mod api_changes;
mod api_directory;
mod api_meetings;
mod api_paging;
mod auth_flow;
mod auth_load;
mod auth_refresh;
mod auth_security;
mod autodiscover;
mod check_config;
mod cli;
mod config_examples;
mod config_layers;
mod create_throughput;
mod dpop;
mod flow_load;
mod fuzz_api;
mod graph_api;
mod graph_changes;
mod graph_contract;
mod graph_contract_meetings;
mod graph_resilience;
mod multi_process;
mod openapi;
mod operations;
mod resilience;
mod router;
mod sandbox_mode;
mod security_dev_sign_in;
mod security_dpop;
mod security_flows;
mod security_hygiene;
mod security_id_tokens;
mod service_account;
mod service_account_errors;
mod service_account_kerberos;
mod service_account_negotiate;
mod static_files;
mod store;
