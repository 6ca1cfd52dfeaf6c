//! Calls to the proxy's JSON API (see docs/design.md).

pub mod appointments;
pub mod auth;
pub mod directory;
pub mod dpop;
pub mod flow_secret;
pub mod items;
pub mod json;
pub mod requests;
pub mod session;
pub mod tasks;

pub use requests::{Api, Method, RequestOptions, request};
