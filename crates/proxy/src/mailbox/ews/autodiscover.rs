//! Each user's EWS URL found with POX Autodiscover (`ews.autodiscover = true`), when the
//! administrator configured no endpoint.
//!
//! Autodiscover is asked the way EWS is: with the user's own token, or as the service account
//! (with `X-AnchorMailbox` naming the user). The URLs tried are `ews.autodiscover_url`, else
//! the two Microsoft derives from the address's domain, in its order
//! (<https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/how-to-generate-a-list-of-autodiscover-endpoints>):
//! `https://<domain>/autodiscover/autodiscover.xml`, then
//! `https://autodiscover.<domain>/autodiscover/autodiscover.xml`. An answer may redirect to
//! another address or another Autodiscover URL; at most [`MAX_REDIRECTS`] are followed, and
//! every URL named by an answer must be https (or plain http allowed by `allow_insecure_http`).
//! HTTP redirects are not followed (the request carries credentials). A found URL is kept per
//! domain for [`CACHE_TTL`]; failures are not kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use ews::autodiscover::PoxResponse;
use secrecy::SecretString;
use url::Url;

use super::transport::Transport;
use crate::config::EwsConfig;
use crate::insecure_http::InsecureHttpPolicy;
use crate::mailbox::MailboxError;

/// Redirections followed for one address (Microsoft's clients stop after 10).
pub const MAX_REDIRECTS: usize = 4;
/// How long a domain's EWS URL is reused before Autodiscover is asked again.
pub const CACHE_TTL: Duration = Duration::from_secs(3600);

/// Domains whose URL is kept before expired ones are dropped.
const MAX_DOMAINS: usize = 1000;

/// An EWS URL and the connections to it.
pub struct Route {
    pub endpoint: Url,
    pub transport: Transport,
}

impl Route {
    pub fn new(endpoint: Url, config: &EwsConfig) -> Result<Self, String> {
        Ok(Self {
            transport: Transport::new(&endpoint, config)?,
            endpoint,
        })
    }
}

pub struct Autodiscovery {
    config: EwsConfig,
    insecure_http: InsecureHttpPolicy,
    /// `ews.autodiscover_url` (or the sandbox's own): asked for every address.
    fixed_url: Option<Url>,
    /// Domain → its route and until when it is reused.
    found: Mutex<HashMap<String, (Arc<Route>, Instant)>>,
    /// One route per EWS URL, so that users of several domains on one server share its
    /// connections (a service account's sign-in holds per connection).
    routes: Mutex<HashMap<Url, Arc<Route>>>,
    /// One client per Autodiscover URL, for the same reason.
    askers: Mutex<HashMap<Url, Arc<Transport>>>,
    /// One lookup per domain at a time: concurrent first calls wait for it.
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Autodiscovery {
    pub fn new(
        fixed_url: Option<Url>,
        config: &EwsConfig,
        insecure_http: InsecureHttpPolicy,
    ) -> Self {
        Self {
            config: config.clone(),
            insecure_http,
            fixed_url,
            found: Mutex::default(),
            routes: Mutex::default(),
            askers: Mutex::default(),
            in_flight: Mutex::default(),
        }
    }

    /// The route to `address`'s EWS: cached for its domain, else discovered.
    pub async fn route(
        &self,
        address: &str,
        token: &SecretString,
    ) -> Result<Arc<Route>, MailboxError> {
        let address = address.trim().to_lowercase();
        let domain = domain_of(&address)?.to_owned();
        if let Some(route) = self.cached(&domain) {
            return Ok(route);
        }
        let gate = locked(&self.in_flight)
            .entry(domain.clone())
            .or_default()
            .clone();
        let _turn = gate.lock().await;
        if let Some(route) = self.cached(&domain) {
            return Ok(route);
        }
        let endpoint = self.discover(&address, token).await?;
        tracing::info!(%domain, %endpoint, "Autodiscover found the EWS URL");
        let route = self.route_to(endpoint)?;
        let mut found = locked(&self.found);
        if found.len() >= MAX_DOMAINS {
            let now = Instant::now();
            found.retain(|_, (_, until)| now < *until);
        }
        found.insert(domain, (route.clone(), Instant::now() + CACHE_TTL));
        drop(found);
        Ok(route)
    }

    fn cached(&self, domain: &str) -> Option<Arc<Route>> {
        locked(&self.found)
            .get(domain)
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(route, _)| route.clone())
    }

    fn route_to(&self, endpoint: Url) -> Result<Arc<Route>, MailboxError> {
        let mut routes = locked(&self.routes);
        if let Some(route) = routes.get(&endpoint) {
            return Ok(route.clone());
        }
        let route = Arc::new(
            Route::new(endpoint.clone(), &self.config).map_err(MailboxError::Misconfigured)?,
        );
        routes.insert(endpoint, route.clone());
        Ok(route)
    }

    /// The URLs to ask about `address`, in order.
    fn candidates(&self, address: &str) -> Result<Vec<Url>, MailboxError> {
        if let Some(url) = &self.fixed_url {
            return Ok(vec![url.clone()]);
        }
        let domain = domain_of(address)?;
        [
            format!("https://{domain}/autodiscover/autodiscover.xml"),
            format!("https://autodiscover.{domain}/autodiscover/autodiscover.xml"),
        ]
        .iter()
        .map(|raw| {
            Url::parse(raw).map_err(|_| {
                MailboxError::Misconfigured(format!(
                    "Autodiscover cannot be asked about {address}: its domain is not a host name."
                ))
            })
        })
        .collect()
    }

    /// Asks Autodiscover about `address`, following redirections, until an answer names the
    /// EWS URL; else a sentence for the administrator naming each URL tried and what it said.
    pub async fn discover(&self, address: &str, token: &SecretString) -> Result<Url, MailboxError> {
        let original = address;
        let mut address = address.to_owned();
        let mut candidates = self.candidates(&address)?;
        let mut redirects = 0;
        let mut tried = Vec::new();
        let mut next = 0;
        while let Some(url) = candidates.get(next).cloned() {
            next += 1;
            let answer = match self.ask(&url, &address, token).await {
                Ok(answer) => answer,
                Err(problem) => {
                    tracing::warn!(%url, %problem, "Autodiscover did not answer");
                    tried.push(format!("{url}: {problem}"));
                    continue;
                }
            };
            let redirected = match answer {
                PoxResponse::Settings(settings) => {
                    let Some(found) = settings.ews_url() else {
                        return Err(failure(
                            original,
                            &format!("{url} answered without an EWS URL (no EwsUrl or ASUrl)"),
                        ));
                    };
                    return self
                        .checked(found, "EWS URL")
                        .map_err(|problem| failure(original, &format!("{url}: {problem}")));
                }
                PoxResponse::Error { code, message } => {
                    return Err(MailboxError::Misconfigured(format!(
                        "Autodiscover at {url} does not know {address} (error {code}: \
                         {message}): check that the sign-in server's email (or upn) claim is \
                         the user's primary SMTP address and that the user has a mailbox, or \
                         set ews.endpoint to the EWS URL."
                    )));
                }
                PoxResponse::RedirectAddr { address: to } => {
                    if domain_of(&to).is_err() {
                        return Err(failure(
                            original,
                            &format!("{url} redirected to '{to}', which is not an address"),
                        ));
                    }
                    address = to.trim().to_lowercase();
                    self.candidates(&address)?
                }
                PoxResponse::RedirectUrl { url: to } => vec![
                    self.checked(&to, "redirection")
                        .map_err(|problem| failure(original, &format!("{url}: {problem}")))?,
                ],
            };
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(failure(
                    original,
                    &format!("more than {MAX_REDIRECTS} redirections (the last from {url})"),
                ));
            }
            tracing::info!(%url, %address, "Autodiscover redirected");
            candidates = redirected;
            next = 0;
        }
        Err(failure(original, &tried.join("; ")))
    }

    /// A URL an answer named, if it is one the proxy may send credentials to.
    fn checked(&self, raw: &str, what: &str) -> Result<Url, String> {
        let url = Url::parse(raw.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some())
            .ok_or_else(|| format!("the {what} '{raw}' is not an https:// URL"))?;
        self.insecure_http
            .check(&url)
            .map_err(|problem| format!("the {what} {problem}"))?;
        Ok(url)
    }

    /// One POX request; `Err` says why this URL gave no readable answer.
    async fn ask(
        &self,
        url: &Url,
        address: &str,
        token: &SecretString,
    ) -> Result<PoxResponse, String> {
        let body = ews::autodiscover::request(address).map_err(|e| e.to_string())?;
        let asker = self.asker(url)?;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        );
        if self.config.auth.service_account().is_some() {
            // Routes the request to the user's server, as for EWS with impersonation.
            let anchor = HeaderValue::try_from(address)
                .map_err(|_| "the address cannot be sent in a header".to_owned())?;
            headers.insert("x-anchormailbox", anchor);
        }
        let reply = asker
            .post(url, token, headers, &body)
            .await
            .map_err(|e| e.to_string())?;
        match reply.status {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => {
                return Err("HTTP 401: the credentials were refused".into());
            }
            status if status.is_redirection() => {
                let to = reply
                    .headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("?");
                return Err(format!(
                    "HTTP {status} to {to}, not followed (set ews.autodiscover_url to the \
                     Autodiscover URL)"
                ));
            }
            status => return Err(format!("HTTP {status}")),
        }
        let body = reply.body?;
        PoxResponse::parse(&body).map_err(|e| format!("not an Autodiscover answer ({e})"))
    }

    fn asker(&self, url: &Url) -> Result<Arc<Transport>, String> {
        let mut askers = locked(&self.askers);
        if let Some(asker) = askers.get(url) {
            return Ok(asker.clone());
        }
        let asker = Arc::new(Transport::new(url, &self.config)?);
        askers.insert(url.clone(), asker.clone());
        Ok(asker)
    }
}

/// The domain of an address (`user@domain`).
fn domain_of(address: &str) -> Result<&str, MailboxError> {
    match address.trim().rsplit_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.is_empty()
                && !domain.contains(['/', ':', '?', '#', '@', ' ']) =>
        {
            Ok(domain)
        }
        _ => Err(MailboxError::Misconfigured(format!(
            "'{address}' is not an e-mail address, so Autodiscover cannot be asked about it: the \
             sign-in server must send the user's address (email or upn claim)."
        ))),
    }
}

fn failure(address: &str, detail: &str) -> MailboxError {
    MailboxError::Misconfigured(format!(
        "Autodiscover did not find the EWS URL of {address} ({detail}): check that the \
         Autodiscover URL answers from the proxy's host (DNS, firewall, certificate), set \
         ews.autodiscover_url to it, or set ews.endpoint to the EWS URL."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ConfigLayer};

    fn discovery(fixed: Option<&str>, sandbox: bool) -> Autodiscovery {
        let layer = ConfigLayer::from_toml("[sandbox]\nenabled = true\n", "t.toml".as_ref());
        let config = Config::resolve([layer.unwrap()]).unwrap().ews;
        let policy = InsecureHttpPolicy::new(sandbox, &["http://127.0.0.1:9000".into()]).unwrap();
        Autodiscovery::new(fixed.map(|u| Url::parse(u).unwrap()), &config, policy)
    }

    /// A POX Autodiscover server answering `answer` (given its own base URL) and counting
    /// requests; its base URL.
    async fn pox_server(
        answer: fn(&str) -> String,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (count, own) = (asked.clone(), base.clone());
        let router = axum::Router::new().route(
            "/autodiscover/autodiscover.xml",
            axum::routing::post(move || {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let body = answer(&own);
                async move { body }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (base, asked)
    }

    fn account_answer(action: &str) -> String {
        format!(
            "<Autodiscover xmlns=\"{}\"><Response xmlns=\"{}\"><Account>{action}</Account>\
             </Response></Autodiscover>",
            ews::autodiscover::OUTER_RESPONSE_SCHEMA,
            ews::autodiscover::RESPONSE_SCHEMA
        )
    }

    #[tokio::test]
    async fn a_redirection_to_plain_http_gets_no_credentials_unless_allowed() {
        let (evil, evil_asked) = pox_server(|own| {
            account_answer(&format!(
                "<Action>settings</Action><Protocol><Type>EXPR</Type>\
                 <EwsUrl>{own}/EWS/Exchange.asmx</EwsUrl></Protocol>"
            ))
        })
        .await;
        // The answers are plain fns: the front finds the other server's URL in a static.
        static EVIL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        EVIL.set(evil.clone()).unwrap();
        let (front, _) = pox_server(|_| {
            account_answer(&format!(
                "<Action>redirectUrl</Action><RedirectUrl>{}/autodiscover/autodiscover.xml\
                 </RedirectUrl>",
                EVIL.get().unwrap()
            ))
        })
        .await;
        let layer = ConfigLayer::from_toml("[sandbox]\nenabled = true\n", "t.toml".as_ref());
        let config = Config::resolve([layer.unwrap()]).unwrap().ews;
        let front_url = Url::parse(&format!("{front}/autodiscover/autodiscover.xml")).unwrap();
        let token = SecretString::from("user-token".to_owned());

        let only_front = InsecureHttpPolicy::new(false, std::slice::from_ref(&front)).unwrap();
        let strict = Autodiscovery::new(Some(front_url.clone()), &config, only_front);
        let Err(MailboxError::Misconfigured(message)) =
            strict.discover("dana@contoso.com", &token).await
        else {
            panic!("followed a plain-http redirection");
        };
        assert!(
            message.contains("redirection") && message.contains("allow_insecure_http"),
            "{message}"
        );
        assert_eq!(evil_asked.load(std::sync::atomic::Ordering::SeqCst), 0);

        // Listed in allow_insecure_http, the same redirection is followed.
        let both = InsecureHttpPolicy::new(false, &[front, evil.clone()]).unwrap();
        let allowed = Autodiscovery::new(Some(front_url), &config, both);
        let found = allowed.discover("dana@contoso.com", &token).await.unwrap();
        assert_eq!(found.as_str(), format!("{evil}/EWS/Exchange.asmx"));
        assert_eq!(evil_asked.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn candidates_follow_microsofts_order_unless_a_url_is_configured() {
        let derived = discovery(None, false)
            .candidates("dana@contoso.com")
            .unwrap();
        let derived: Vec<_> = derived.iter().map(Url::as_str).collect();
        assert_eq!(
            derived,
            [
                "https://contoso.com/autodiscover/autodiscover.xml",
                "https://autodiscover.contoso.com/autodiscover/autodiscover.xml"
            ]
        );
        let fixed = discovery(
            Some("https://ad.contoso.com/autodiscover/autodiscover.xml"),
            false,
        );
        assert_eq!(fixed.candidates("dana@contoso.com").unwrap().len(), 1);
        for bad in ["dana", "@contoso.com", "dana@", "dana@evil.com/x"] {
            assert!(discovery(None, false).candidates(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_may_name_https_urls_or_allowed_plain_http_only() {
        let strict = discovery(None, false);
        assert!(
            strict
                .checked("https://mail.contoso.com/EWS/Exchange.asmx", "EWS URL")
                .is_ok()
        );
        assert!(
            strict
                .checked("http://127.0.0.1:9000/EWS/Exchange.asmx", "EWS URL")
                .is_ok()
        );
        let refused = strict
            .checked("http://mail.contoso.com/EWS/Exchange.asmx", "EWS URL")
            .unwrap_err();
        assert!(refused.contains("allow_insecure_http"), "{refused}");
        for bad in ["ftp://mail.contoso.com/x", "/EWS/Exchange.asmx", ""] {
            assert!(strict.checked(bad, "redirection").is_err(), "{bad}");
        }
        // Sandbox mode runs on plain http.
        assert!(
            discovery(None, true)
                .checked("http://mail.contoso.com/EWS/Exchange.asmx", "EWS URL")
                .is_ok()
        );
    }
}
