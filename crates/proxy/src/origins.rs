//! Web origins: their normal form, the patterns of `allowed_origins`, and [`AllowedOrigins`],
//! the one allow-list that both CORS and the authorization flows consult.

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

/// The embedding origins the proxy answers: the configured patterns plus the proxy's own
/// origin. Built once at start-up; CORS and session binding both ask [`AllowedOrigins::allows`],
/// so a page can never pass one check and fail the other.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    patterns: Vec<OriginPattern>,
}

impl AllowedOrigins {
    /// `configured` (already parsed, see [`OriginPattern::parse`]) and the origin of `own`,
    /// the URL browsers reach the proxy at.
    pub fn new(configured: &[OriginPattern], own: &Url) -> Self {
        let mut patterns: Vec<OriginPattern> = Vec::new();
        let own = origin_of(own).map(OriginPattern::Exact);
        for pattern in configured.iter().cloned().chain(own) {
            if !patterns.contains(&pattern) {
                patterns.push(pattern);
            }
        }
        Self { patterns }
    }

    /// Whether `origin`, as a browser sends it in the `Origin` header (or as
    /// [`normalize_origin`] returns it), is allowed. `null` and anything else that is not an
    /// http(s) origin is not.
    pub fn allows(&self, origin: &str) -> bool {
        normalize_origin(origin).is_some_and(|o| self.patterns.iter().any(|p| p.matches(&o)))
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
    fn the_allow_list_holds_the_configured_patterns_and_the_own_origin() {
        let configured = [
            OriginPattern::parse("https://intranet.example.com").unwrap(),
            OriginPattern::parse("http://localhost:*").unwrap(),
        ];
        let own = Url::parse("http://127.0.0.1:8080/").unwrap();
        let allowed = AllowedOrigins::new(&configured, &own);
        for yes in [
            "https://intranet.example.com",
            "HTTPS://Intranet.Example.com:443",
            "http://localhost:5173",
            "http://127.0.0.1:8080",
        ] {
            assert!(allowed.allows(yes), "{yes}");
        }
        for no in [
            "null",
            "",
            "https://intranet.example.com.evil.test",
            "https://evil-intranet.example.com",
            "http://intranet.example.com",
            "https://intranet.example.com:8443",
            "http://localhost.evil.test:5173",
            "https://localhost:5173",
            "http://127.0.0.1:8081",
            "http://localhost:3000/path",
        ] {
            assert!(!allowed.allows(no), "{no}");
        }
    }
}
