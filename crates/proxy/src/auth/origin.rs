//! The origin a browser request comes from (what sessions and flows are bound to).

use axum::http::HeaderMap;

use crate::origins::normalize_origin;
// The flow code checks `returnTo` against a flow's origin with it.
pub use crate::origins::origin_of;

/// The origin a browser request comes from: its `Origin` header; for a same-origin GET (where
/// browsers send no `Origin`) `Sec-Fetch-Site: same-origin` says the page is on this server, at
/// the host the request names (`Host`, with the public URL's scheme: the proxy may be reached
/// as `localhost` as well as `127.0.0.1`). `None` when unknown: callers refuse such requests
/// rather than guess.
pub fn request_origin(headers: &HeaderMap, public_origin: &str) -> Option<String> {
    if let Some(value) = headers.get(axum::http::header::ORIGIN) {
        // "null" (sandboxed iframes, file: pages) is not an origin anything can be bound to.
        return value.to_str().ok().and_then(normalize_origin);
    }
    let same_origin = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("same-origin"));
    if !same_origin {
        return None;
    }
    let scheme = public_origin.split_once("://").map_or("http", |(s, _)| s);
    match headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
    {
        Some(host) => normalize_origin(&format!("{scheme}://{host}")),
        None => Some(public_origin.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_origin_uses_header_or_same_origin_fetch() {
        let mut h = HeaderMap::new();
        assert_eq!(request_origin(&h, "http://proxy"), None);
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert_eq!(
            request_origin(&h, "http://proxy").as_deref(),
            Some("http://proxy")
        );
        h.insert("origin", "https://host.example".parse().unwrap());
        assert_eq!(
            request_origin(&h, "http://proxy").as_deref(),
            Some("https://host.example")
        );
        h.insert("origin", "null".parse().unwrap());
        assert_eq!(request_origin(&h, "http://proxy"), None);
        // Same-origin fetches name their origin through Host.
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        h.insert("host", "localhost:8080".parse().unwrap());
        assert_eq!(
            request_origin(&h, "http://127.0.0.1:8080").as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(
            request_origin(&h, "https://forms.example").as_deref(),
            Some("https://localhost:8080")
        );
        h.insert("host", "evil.example/path".parse().unwrap());
        assert_eq!(request_origin(&h, "http://proxy"), None);
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        h.insert("host", "localhost:8080".parse().unwrap());
        assert_eq!(request_origin(&h, "http://proxy"), None);
    }
}
