//! Web origins: the allow-list of embedding pages and the origin a request comes from.

use axum::http::HeaderMap;
use url::Url;

/// `scheme://host[:port]` of a URL, as browsers serialise it in the `Origin` header
/// (default ports omitted). `None` for opaque origins (`data:`, `file:`…).
pub fn origin_of(u: &Url) -> Option<String> {
    match u.origin() {
        o @ url::Origin::Tuple(..) => Some(o.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

/// Normalises an origin string (lower-case scheme and host, default port dropped:
/// `HTTPS://Example.COM:443` → `https://example.com`). `None` unless it is exactly an origin:
/// http(s), a host, no path, query, fragment or credentials.
pub fn normalize_origin(raw: &str) -> Option<String> {
    let u = Url::parse(raw.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https")
        || u.host_str().is_none()
        || !u.username().is_empty()
        || u.password().is_some()
        || u.query().is_some()
        || u.fragment().is_some()
        || u.path() != "/"
    {
        return None;
    }
    // Hostnames only (the URL parser lets characters such as `*` through).
    if let Some(url::Host::Domain(d)) = u.host()
        && !d
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return None;
    }
    // `Url` turns "https://a.example" into "https://a.example/": reject explicit paths only.
    let trimmed = raw.trim().trim_end_matches('/');
    if trimmed.matches('/').count() != 2 {
        return None;
    }
    origin_of(&u)
}

/// One entry of `allowed_origins`: an exact origin, or `scheme://host:*` for any port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginPattern {
    Exact(String),
    AnyPort { scheme: String, host: String },
}

impl OriginPattern {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if let Some(prefix) = raw.strip_suffix(":*") {
            let origin = normalize_origin(prefix)
                .ok_or_else(|| format!("'{raw}' is not an origin pattern"))?;
            let u = Url::parse(&origin).map_err(|e| format!("'{raw}': {e}"))?;
            let host = u.host_str().ok_or_else(|| format!("'{raw}' has no host"))?;
            return Ok(OriginPattern::AnyPort {
                scheme: u.scheme().to_owned(),
                host: host.to_owned(),
            });
        }
        normalize_origin(raw)
            .map(OriginPattern::Exact)
            .ok_or_else(|| format!("'{raw}' is not an origin (scheme://host[:port], nothing else)"))
    }

    /// `origin` must already be normalised (see [`normalize_origin`]).
    pub fn matches(&self, origin: &str) -> bool {
        match self {
            OriginPattern::Exact(o) => o == origin,
            OriginPattern::AnyPort { scheme, host } => Url::parse(origin)
                .ok()
                .is_some_and(|u| u.scheme() == scheme && u.host_str() == Some(host.as_str())),
        }
    }
}

/// Whether a normalised origin is on the allow-list.
pub fn is_allowed(patterns: &[OriginPattern], origin: &str) -> bool {
    patterns.iter().any(|p| p.matches(origin))
}

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
    fn origins_normalise_and_reject_non_origins() {
        assert_eq!(
            normalize_origin("HTTPS://Example.COM:443").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:5173").as_deref(),
            Some("http://127.0.0.1:5173")
        );
        assert_eq!(
            normalize_origin("https://a.example/").as_deref(),
            Some("https://a.example")
        );
        for bad in [
            "null",
            "https://a.example/x",
            "https://u@a.example",
            "ftp://a.example",
            "https://a.example?x",
            "",
        ] {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn patterns_match_exactly_or_any_port() {
        let exact = OriginPattern::parse("https://host.example").unwrap();
        assert!(exact.matches("https://host.example"));
        assert!(!exact.matches("https://host.example:8443"));
        assert!(!exact.matches("https://host.example.evil.test"));
        let any = OriginPattern::parse("http://127.0.0.1:*").unwrap();
        assert!(any.matches("http://127.0.0.1:5173"));
        assert!(any.matches("http://127.0.0.1"));
        assert!(!any.matches("https://127.0.0.1:5173"));
        assert!(!any.matches("http://127.0.0.2:5173"));
        assert!(OriginPattern::parse("https://*.example").is_err());
    }

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
