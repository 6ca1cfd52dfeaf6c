//! A real sign-in through the proxy's flow endpoints and the sandbox's development sign-in
//! server, walked with plain HTTP as the widget and its popup would: the session handle it
//! yields is bound to the given key, exactly like a browser's.

use p256::ecdsa::SigningKey;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, ORIGIN};
use serde_json::Value;

use crate::dpop;

/// A proxy in sandbox mode at `base` (`http://HOST:PORT`, no trailing slash), used from the
/// embedding page `origin`.
#[derive(Clone)]
pub struct Proxy {
    pub base: String,
    pub origin: String,
}

/// A started flow: its id and the secret that collects its handle.
pub struct Flow {
    pub id: String,
    pub start_url: String,
    pub secret: String,
}

/// One browser: its own cookie jar (the flow's binding cookie), redirects not followed.
pub fn browser() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .map_err(|e| e.to_string())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn expect(response: &reqwest::Response, status: StatusCode, step: &str) -> Result<(), String> {
    if response.status() == status {
        Ok(())
    } else {
        Err(format!(
            "{step}: HTTP {} (expected {status})",
            response.status()
        ))
    }
}

fn location(response: &reqwest::Response, step: &str) -> Result<String, String> {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| format!("{step}: no Location"))
}

/// `name="request" value="…"` of the development server's forms.
fn request_field(html: &str) -> Result<String, String> {
    let marker = "name=\"request\" value=\"";
    let start = html.find(marker).ok_or("no request field in the page")? + marker.len();
    let end = html[start..]
        .find('"')
        .ok_or("unterminated request field")?
        + start;
    Ok(html[start..end].to_owned())
}

impl Proxy {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /api/auth/flows` with a proof of `key` (the session will be bound to it).
    pub async fn start_flow(
        &self,
        client: &reqwest::Client,
        key: &SigningKey,
    ) -> Result<Flow, String> {
        let (secret, hash) = dpop::flow_secret();
        let path = "/api/auth/flows";
        let proof = dpop::proof(key, "POST", &self.url(path), now(), None);
        let response = client
            .post(self.url(path))
            .header(ORIGIN, &self.origin)
            .header("DPoP", proof)
            .json(&serde_json::json!({ "secretHash": hash }))
            .send()
            .await
            .map_err(|e| format!("start flow: {e}"))?;
        expect(&response, StatusCode::CREATED, "start flow")?;
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        let field = |name: &str| {
            body[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("start flow: no {name} in {body}"))
        };
        Ok(Flow {
            id: field("flowId")?,
            start_url: field("authorizeUrl")?,
            secret,
        })
    }

    /// The whole popup sign-in of `user` (any `name@sandbox.test`); returns the session handle.
    pub async fn sign_in(&self, key: &SigningKey, user: &str) -> Result<String, String> {
        let client = browser()?;
        let flow = self.start_flow(&client, key).await?;
        // The start page posts the secret from the proxy's own origin, then redirects to the
        // authorization server.
        let bound = client
            .post(&flow.start_url)
            .header(ORIGIN, &self.base)
            .form(&[("secret", flow.secret.as_str())])
            .send()
            .await
            .map_err(|e| format!("bind: {e}"))?;
        expect(&bound, StatusCode::SEE_OTHER, "bind")?;
        let authorize = location(&bound, "bind")?;
        let page = client
            .get(&authorize)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let html = page.text().await.map_err(|e| e.to_string())?;
        let consent = client
            .post(self.url("/sandbox/oauth/signin"))
            .form(&[("request", request_field(&html)?.as_str()), ("user", user)])
            .send()
            .await
            .map_err(|e| format!("sign in: {e}"))?;
        let html = consent.text().await.map_err(|e| e.to_string())?;
        let decided = client
            .post(self.url("/sandbox/oauth/consent"))
            .form(&[
                ("request", request_field(&html)?.as_str()),
                ("decision", "allow"),
            ])
            .send()
            .await
            .map_err(|e| format!("consent: {e}"))?;
        expect(&decided, StatusCode::SEE_OTHER, "consent")?;
        let callback = location(&decided, "consent")?;
        let done = client
            .get(&callback)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        expect(&done, StatusCode::OK, "callback")?;
        let status: Value = self
            .poll(&client, &flow, 5)
            .await?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        status["sessionHandle"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("sign-in of {user} ended without a handle: {status}"))
    }

    /// `GET /api/auth/flows/{id}?wait=…` with the flow's secret, as the widget long-polls.
    pub async fn poll(
        &self,
        client: &reqwest::Client,
        flow: &Flow,
        wait: u64,
    ) -> Result<reqwest::Response, String> {
        client
            .get(self.url(&format!("/api/auth/flows/{}?wait={wait}", flow.id)))
            .header(ORIGIN, &self.origin)
            .header("Flow-Secret", &flow.secret)
            .send()
            .await
            .map_err(|e| format!("poll: {e}"))
    }
}
