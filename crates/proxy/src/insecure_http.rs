//! Plain `http://` towards the servers that see tokens: Exchange (the EWS endpoint gets every
//! user's access token) and the authorization server (codes, refresh tokens, the client
//! secret). Outside sandbox mode only `https://` is accepted, except for the origins listed
//! in `allow_insecure_http`, meant for test servers on the same machine.

use url::Url;

use crate::origins::normalize_origin;

/// Which plain-http upstreams the configuration may name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InsecureHttpPolicy {
    /// Sandbox mode: everything runs locally, plain http is the norm.
    pub sandbox: bool,
    /// `allow_insecure_http`: exact `http://host:port` origins.
    pub allowed: Vec<String>,
}

impl InsecureHttpPolicy {
    /// Parses the `allow_insecure_http` entries (each an `http://host[:port]` origin).
    pub fn new(sandbox: bool, entries: &[String]) -> Result<Self, String> {
        let mut allowed = Vec::new();
        for raw in entries {
            match normalize_origin(raw) {
                Some(origin) if origin.starts_with("http://") => allowed.push(origin),
                _ => {
                    return Err(format!(
                        "'{raw}' is not an http:// origin such as http://127.0.0.1:9000"
                    ));
                }
            }
        }
        Ok(Self { sandbox, allowed })
    }

    /// `Ok` unless `url` is plain http outside sandbox mode and its origin is not listed; the
    /// error is a sentence for the operator (the caller prefixes the setting's name).
    pub fn check(&self, url: &Url) -> Result<(), String> {
        if url.scheme() != "http" || self.sandbox {
            return Ok(());
        }
        let origin = url.origin().ascii_serialization();
        if self.allowed.contains(&origin) {
            return Ok(());
        }
        Err(format!(
            "'{url}' is plain http://, refused outside sandbox mode (tokens would cross the \
             network unencrypted): use https://, or for a test server on this machine list \
             \"{origin}\" in allow_insecure_http"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_listed_http_origins_pass_outside_sandbox_mode() {
        let policy = InsecureHttpPolicy::new(false, &["http://127.0.0.1:9000/".into()]).unwrap();
        assert!(policy.check(&url("https://mail.example.com/EWS")).is_ok());
        assert!(policy.check(&url("http://127.0.0.1:9000/token")).is_ok());
        for refused in [
            "http://127.0.0.1:9001/token",
            "http://127.0.0.1/token",
            "http://localhost:9000/token",
            "http://mail.example.com/EWS",
        ] {
            let err = policy.check(&url(refused)).unwrap_err();
            assert!(err.contains("allow_insecure_http"), "{err}");
        }
        let sandbox = InsecureHttpPolicy::new(true, &[]).unwrap();
        assert!(sandbox.check(&url("http://localhost:8080/")).is_ok());
    }

    #[test]
    fn entries_must_be_http_origins() {
        for bad in ["https://a.example", "http://a.example/path", "a.example"] {
            assert!(
                InsecureHttpPolicy::new(false, &[bad.into()]).is_err(),
                "{bad}"
            );
        }
    }
}
