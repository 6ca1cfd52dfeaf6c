//! `X-Request-Id`: taken from the client (a load balancer usually sets one) when it is a sane
//! token, else generated; returned on the response and sent to Exchange.

use axum::http::HeaderMap;

pub const HEADER: &str = "x-request-id";
/// Longest incoming id we keep (uuids are 36; some balancers send longer trace ids).
const MAX_LEN: usize = 128;

/// The incoming id if it is a plain token, else a fresh uuid. Anything else (spaces, quotes,
/// control characters, overlong values) could forge or break log lines, so it is replaced.
pub fn choose(headers: &HeaderMap) -> String {
    headers
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_sane(id))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

fn is_sane(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/' | b'+' | b'=')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn keeps_tokens_and_replaces_the_rest() {
        assert_eq!(choose(&with("lb-1234.abcd")), "lb-1234.abcd");
        for bad in ["two words", "a\"quote", "", &"x".repeat(129)] {
            let chosen = choose(&with(bad));
            assert_ne!(chosen, bad);
            assert!(uuid::Uuid::parse_str(&chosen).is_ok(), "{chosen}");
        }
        assert!(uuid::Uuid::parse_str(&choose(&HeaderMap::new())).is_ok());
    }
}
