//! The EWS SOAP front end of the sandbox mailbox: authenticate, parse, dispatch to one module
//! per operation, answer like Exchange.

pub mod handler;
pub mod operations;
pub mod shape;
pub mod updates;

use ews::ServerVersionInfo;

/// What the sandbox announces in every response's `t:ServerVersionInfo` (Exchange 2016 CU-like,
/// the version clients see on a real server).
pub fn server_version() -> ServerVersionInfo {
    ServerVersionInfo {
        major_version: Some(15),
        minor_version: Some(1),
        major_build_number: Some(2507),
        minor_build_number: Some(6),
        version: Some("V2017_07_11".into()),
    }
}
