//! Browser tests of the widget's DPoP proofs (`src/services/dpop.rs`, `src/js/dpop.js`): real
//! WebCrypto and IndexedDB in headless Chromium. The proxy's side checks one proof printed by
//! `a_proof_is_a_signed_jws_carrying_the_public_key` (see crates/proxy/tests/dpop.rs).

use exchange_forms::services::dpop;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const HANDLE: &str = "k3QdVQ9lY0dCw2a3v7JYxq1b8mZr5nT0pH6sW4eUo2A";
/// base64url(SHA-256(HANDLE)), computed with python3's hashlib, not with the code under test.
const HANDLE_ATH: &str = "kOesu9Evd7VTN_GTbnd4kDIprh4w8PI7rf6rPyCGPko";

// What an independent party (the proxy, or a script on the page) can do with WebCrypto and
// IndexedDB, written apart from the code under test.
#[wasm_bindgen(inline_js = r#"
const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const json = (part) => JSON.parse(new TextDecoder().decode(b64(part)));
const jwkThumbprint = async (jwk) => b64url(await crypto.subtle.digest('SHA-256',
  new TextEncoder().encode(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`)));
const db = () => new Promise((resolve, reject) => {
  const req = indexedDB.open('exchange-forms', 1);
  req.onupgradeneeded = () => req.result.createObjectStore('keys');
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});
const idb = (req) => new Promise((resolve, reject) => { req.onsuccess = () => resolve(req.result); req.onerror = () => reject(req.error); });
let hiddenIndexedDb = null;

export function decode(proof) {
  const parts = proof.split('.');
  return { count: parts.length, header: json(parts[0]), claims: json(parts[1]) };
}
export async function signatureVerifies(proof) {
  const parts = proof.split('.');
  const key = await crypto.subtle.importKey('jwk', json(parts[0]).jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, b64(parts[2]),
    new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
}
export function thumbprintOf(jwk) { return jwkThumbprint(jwk); }
export async function tryExportStoredPrivateKey(name) {
  const d = await db();
  const pair = await idb(d.transaction('keys').objectStore('keys').get(name));
  d.close();
  if (!pair) return 'no key stored';
  if (pair.privateKey.extractable) return 'extractable';
  for (const format of ['jwk', 'pkcs8']) {
    try { await crypto.subtle.exportKey(format, pair.privateKey); return `exported as ${format}`; } catch (_) {}
  }
  return 'refused';
}
export async function storeNewPair(name) {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const d = await db();
  await idb(d.transaction('keys', 'readwrite').objectStore('keys').put(pair, name));
  d.close();
  return jwkThumbprint(await crypto.subtle.exportKey('jwk', pair.publicKey));
}
export function hideIndexedDb() {
  hiddenIndexedDb = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB') || Object.getOwnPropertyDescriptor(Window.prototype, 'indexedDB');
  Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true });
}
export function restoreIndexedDb() {
  delete globalThis.indexedDB;
  if (!('indexedDB' in globalThis)) Object.defineProperty(globalThis, 'indexedDB', hiddenIndexedDb);
}
"#)]
extern "C" {
    fn decode(proof: &str) -> JsValue;
    #[wasm_bindgen(js_name = signatureVerifies)]
    fn signature_verifies(proof: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = thumbprintOf)]
    fn thumbprint_of(jwk: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = tryExportStoredPrivateKey)]
    fn try_export_stored_private_key(name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = storeNewPair)]
    fn store_new_pair(name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = hideIndexedDb)]
    fn hide_indexed_db();
    #[wasm_bindgen(js_name = restoreIndexedDb)]
    fn restore_indexed_db();
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        js_sys::Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

fn text(value: &JsValue, path: &str) -> String {
    get(value, path).as_string().unwrap_or_default()
}

async fn resolve(promise: js_sys::Promise) -> JsValue {
    JsFuture::from(promise).await.expect("promise resolves")
}

async fn verifies(proof: &str) -> bool {
    resolve(signature_verifies(proof)).await.is_truthy()
}

fn now_secs() -> f64 {
    js_sys::Date::now() / 1000.0
}

#[wasm_bindgen_test]
async fn a_proof_is_a_signed_jws_carrying_the_public_key() {
    let store = "http://127.0.0.1:8080";
    let url = "http://127.0.0.1:8080/api/appointments?start=2026-01-01T00:00:00Z#top";
    let proof = dpop::proof(store, "POST", url, Some(HANDLE)).await.unwrap();
    let decoded = decode(&proof);
    assert_eq!(get(&decoded, "count").as_f64(), Some(3.0));
    assert_eq!(text(&decoded, "header.typ"), "dpop+jwt");
    assert_eq!(text(&decoded, "header.alg"), "ES256");
    assert_eq!(text(&decoded, "header.jwk.kty"), "EC");
    assert_eq!(text(&decoded, "header.jwk.crv"), "P-256");
    assert_eq!(text(&decoded, "header.jwk.x").len(), 43);
    assert_eq!(text(&decoded, "header.jwk.y").len(), 43);
    assert!(get(&decoded, "header.jwk.d").is_undefined());
    assert_eq!(text(&decoded, "claims.htm"), "POST");
    assert_eq!(
        text(&decoded, "claims.htu"),
        "http://127.0.0.1:8080/api/appointments"
    );
    assert_eq!(text(&decoded, "claims.ath"), HANDLE_ATH);
    assert_eq!(text(&decoded, "claims.jti").len(), 22);
    let iat = get(&decoded, "claims.iat").as_f64().unwrap();
    assert!((iat - now_secs()).abs() < 5.0, "iat {iat}");
    assert_eq!(iat.fract(), 0.0);
    assert!(
        verifies(&proof).await,
        "WebCrypto verifies the signature with the header's key"
    );

    // The public key and thumbprint match what the header carries.
    let jwk = resolve(thumbprint_of(&get(&decoded, "header.jwk"))).await;
    let thumbprint = dpop::thumbprint(store).await.unwrap();
    assert_eq!(jwk.as_string().unwrap(), thumbprint);
    // Printed for the proxy's cross-check fixture.
    console_log!("DPoP fixture: thumbprint {thumbprint} proof {proof}");

    // A tampered claim no longer verifies (the check above can fail).
    let parts: Vec<&str> = proof.split('.').collect();
    let other_claims = proof_part_of(
        &dpop::proof(store, "GET", url, Some(HANDLE)).await.unwrap(),
        1,
    );
    let tampered = format!("{}.{other_claims}.{}", parts[0], parts[2]);
    assert!(!verifies(&tampered).await);
}

fn proof_part_of(proof: &str, i: usize) -> String {
    proof.split('.').nth(i).unwrap_or_default().to_owned()
}

#[wasm_bindgen_test]
async fn proofs_for_one_proxy_share_a_key_and_never_a_jti() {
    let store = "https://forms.example.com";
    let first = dpop::proof(store, "GET", "https://forms.example.com/api/tasks", None)
        .await
        .unwrap();
    let second = dpop::proof(store, "GET", "https://forms.example.com/api/tasks", None)
        .await
        .unwrap();
    let (a, b) = (decode(&first), decode(&second));
    assert_eq!(text(&a, "header.jwk.x"), text(&b, "header.jwk.x"));
    assert_eq!(text(&a, "header.jwk.y"), text(&b, "header.jwk.y"));
    assert_ne!(text(&a, "claims.jti"), text(&b, "claims.jti"));
    assert!(get(&a, "claims.ath").is_undefined(), "no handle, no ath");
    assert!(verifies(&second).await);
    let key = dpop::key_for(store).await.unwrap();
    assert!(key.persistent, "IndexedDB is available here");
    assert!(key.jwk.contains(&text(&a, "header.jwk.x")), "{}", key.jwk);
    // Another proxy gets another key.
    assert_ne!(
        dpop::thumbprint(store).await.unwrap(),
        dpop::thumbprint("https://other.example.com").await.unwrap()
    );
}

#[wasm_bindgen_test]
async fn the_private_key_cannot_be_exported_even_from_indexeddb() {
    let store = "https://export.example.com";
    dpop::key_for(store).await.unwrap();
    // What a script on the page could try: read the stored pair and export its private half.
    let outcome = resolve(try_export_stored_private_key(store)).await;
    assert_eq!(outcome.as_string().unwrap(), "refused");
}

#[wasm_bindgen_test]
async fn a_key_stored_by_an_earlier_page_is_used_again() {
    let store = "https://reload.example.com";
    // An earlier page load left this pair in IndexedDB; this page has not used the store yet.
    let stored = resolve(store_new_pair(store)).await.as_string().unwrap();
    assert_eq!(dpop::thumbprint(store).await.unwrap(), stored);
    assert!(dpop::key_for(store).await.unwrap().persistent);
}

#[wasm_bindgen_test]
async fn without_indexeddb_proofs_use_a_key_for_this_page() {
    let store = "https://private-mode.example.com";
    hide_indexed_db();
    let key = dpop::key_for(store).await;
    let proof = dpop::proof(
        store,
        "POST",
        "https://private-mode.example.com/api/tasks",
        None,
    )
    .await;
    let again = dpop::thumbprint(store).await;
    restore_indexed_db();
    let key = key.unwrap();
    assert!(!key.persistent);
    assert!(verifies(&proof.unwrap()).await);
    // The page keeps using its in-memory key (no second key once IndexedDB is back).
    assert_eq!(dpop::thumbprint(store).await.unwrap(), again.unwrap());
    let outcome = resolve(try_export_stored_private_key(store)).await;
    assert_eq!(outcome.as_string().unwrap(), "no key stored");
}

#[wasm_bindgen_test]
async fn proofs_are_dated_by_the_servers_clock() {
    let store = "https://clock.example.com";
    let url = "https://clock.example.com/api/tasks";
    let iat = |proof: &str| get(&decode(proof), "claims.iat").as_f64().unwrap();

    // The browser's clock is an hour behind the server's.
    dpop::set_server_time(js_sys::Date::now() + 3_600_000.0);
    let ahead = iat(&dpop::proof(store, "GET", url, None).await.unwrap());
    assert!((ahead - (now_secs() + 3600.0)).abs() < 5.0, "iat {ahead}");

    // From a Date header (seconds resolution).
    assert!(!dpop::set_server_date("not a date"));
    assert!(dpop::set_server_date("Tue, 15 Nov 1994 08:12:31 GMT"));
    assert_eq!(
        iat(&dpop::proof(store, "GET", url, None).await.unwrap()).round(),
        784_887_151.0
    );

    dpop::set_server_time(js_sys::Date::now());
    let back = iat(&dpop::proof(store, "GET", url, None).await.unwrap());
    assert!((back - now_secs()).abs() < 5.0, "iat {back}");
}
