//! DPoP proofs (RFC 9449) for requests to the proxy, signed with a key the page cannot
//! export: a copied session handle is useless without it. WebCrypto and IndexedDB do the work
//! (`src/js/dpop.js`); this module gives it typed Rust signatures.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/dpop.js")]
extern "C" {
    #[wasm_bindgen(js_name = keyFor)]
    fn key_for_js(store_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = thumbprint)]
    fn thumbprint_js(store_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = proof)]
    fn proof_js(
        store_name: &str,
        method: &str,
        url: &str,
        access_token: Option<String>,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = setServerTime)]
    fn set_server_time_js(epoch_millis: f64);
    #[wasm_bindgen(js_name = flowSecret)]
    fn flow_secret_js() -> js_sys::Promise;
}

/// The browser cannot make a proof: no WebCrypto (pages served over plain http from another
/// host than localhost are not a secure context) or the key could not be created.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("this browser cannot sign requests: {0}")]
pub struct DpopError(pub String);

impl From<JsValue> for DpopError {
    fn from(e: JsValue) -> Self {
        let message = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "unknown error".to_owned());
        DpopError(message)
    }
}

/// The public half of the key used for one proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// JWK `{kty, crv, x, y}` as JSON.
    pub jwk: String,
    /// `false` when IndexedDB is unavailable: the key lasts as long as the page, so the next
    /// page load needs a new session.
    pub persistent: bool,
}

/// The key pair for `store_name` (use the proxy's base URL): loaded from IndexedDB, or
/// created there (non-extractable) on first use.
pub async fn key_for(store_name: &str) -> Result<PublicKey, DpopError> {
    let info = JsFuture::from(key_for_js(store_name)).await?;
    let jwk = js_sys::Reflect::get(&info, &"jwk".into())?;
    let jwk = js_sys::JSON::stringify(&jwk)?
        .as_string()
        .ok_or_else(|| DpopError("the public key is not JSON".to_owned()))?;
    let persistent = js_sys::Reflect::get(&info, &"persistent".into())?.is_truthy();
    Ok(PublicKey { jwk, persistent })
}

/// RFC 7638 thumbprint of the public key for `store_name` (what the proxy stores as `jkt`).
pub async fn thumbprint(store_name: &str) -> Result<String, DpopError> {
    let value = JsFuture::from(thumbprint_js(store_name)).await?;
    value
        .as_string()
        .ok_or_else(|| DpopError("the thumbprint is not a string".to_owned()))
}

/// A proof for one request, for the `DPoP` header: `method` as sent (`"POST"`), `url` the
/// full request URL (query and fragment are left out of the proof), `session_handle` the
/// handle sent as `Authorization`, if any. Make a new proof for every request, retries
/// included: the proxy accepts each one once.
pub async fn proof(
    store_name: &str,
    method: &str,
    url: &str,
    session_handle: Option<&str>,
) -> Result<String, DpopError> {
    let promise = proof_js(store_name, method, url, session_handle.map(str::to_owned));
    let value = JsFuture::from(promise).await?;
    value
        .as_string()
        .ok_or_else(|| DpopError("the proof is not a string".to_owned()))
}

/// Dates later proofs by the server's clock, given as epoch milliseconds.
pub fn set_server_time(epoch_millis: f64) {
    set_server_time_js(epoch_millis);
}

/// Dates later proofs by the server's clock, from a response's `Date` header (an HTTP date;
/// the proxy must list `Date` in `Access-Control-Expose-Headers` for a cross-origin page to
/// read it). Returns `false` and changes nothing when the value is not a date.
pub fn set_server_date(http_date: &str) -> bool {
    let millis = js_sys::Date::parse(http_date);
    if millis.is_nan() {
        return false;
    }
    set_server_time(millis);
    true
}

/// A sign-in flow's secret and the base64url SHA-256 of it: `(secret, hash)`.
pub async fn flow_secret() -> Result<(String, String), DpopError> {
    let value = JsFuture::from(flow_secret_js()).await?;
    let field = |name: &str| -> Result<String, DpopError> {
        js_sys::Reflect::get(&value, &name.into())?
            .as_string()
            .ok_or_else(|| DpopError(format!("the flow {name} is not a string")))
    };
    Ok((field("secret")?, field("hash")?))
}
