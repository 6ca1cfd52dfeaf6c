//! The sandbox: everything the forms need to run where no Exchange tenant can be reached.
//!
//! * [`mailbox`]: a fake Exchange. An EWS SOAP endpoint (`/sandbox/ews/Exchange.asmx`) over a
//!   SQLite mailbox store, answering like Exchange does, and a Microsoft Graph REST endpoint
//!   (`/sandbox/graph/v1.0/…`) over the same store.
//! * [`dev_auth`]: a development OAuth 2.0 / OpenID Connect sign-in server
//!   (`/sandbox/oauth/…`) whose users own the sandbox mailboxes.
//!
//! Each part has its own state, router (`router(state) -> axum::Router`) and SQLite migrations;
//! the proxy mounts them in sandbox mode only. Both open their database on a pool the caller
//! hands them, so the caller decides where files live and how they are protected.

pub mod dev_auth;
pub mod mailbox;
mod support;
