//! The sandbox mailbox parses requests from any client: arbitrary bytes must give a request
//! or a clear error, never a panic; and a request it accepts must survive our own request
//! writer: parse(write(parse(bytes))) == parse(bytes) (compared as JSON).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(parsed) = ews::server::parse_request(data) else {
        return;
    };
    let Ok(xml) = parsed.request.to_envelope(&parsed.headers) else {
        return;
    };
    let again = ews::server::parse_request(xml.as_bytes())
        .unwrap_or_else(|error| panic!("our own request does not parse: {error}\n{xml}"));
    assert_eq!(
        serde_json::to_value(&parsed.request).ok(),
        serde_json::to_value(&again.request).ok(),
        "request changed in a write/read round trip; written:\n{xml}"
    );
});
