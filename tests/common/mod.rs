//! Helpers shared by the browser test files: a scripted fake `fetch`, mounting, DOM access.
#![allow(dead_code)]

use std::time::Duration;

use exchange_forms::{WidgetHandle, mount};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// Installs a fake `fetch`: `routes` is a JS expression evaluating to a function
/// `(method, url, body, headers) => [status, bodyObjectOrString] | "reject"`.
pub fn install_fetch(routes: &str) {
    let script = format!(
        r#"
        window.__xfCalls = [];
        window.__xfRoute = {routes};
        window.fetch = async (input, init = {{}}) => {{
            const url = String(input);
            const method = init.method || 'GET';
            const headers = new Headers(init.headers || {{}});
            const body = init.body === undefined ? null : String(init.body);
            window.__xfCalls.push({{ method, url, body,
                authorization: headers.get('Authorization'),
                idempotencyKey: headers.get('Idempotency-Key'), ifMatch: headers.get('If-Match') }});
            const answer = await window.__xfRoute(method, url, body ? JSON.parse(body) : null, headers);
            if (answer === 'reject') throw new TypeError('Failed to fetch');
            const [status, payload] = answer;
            const text = payload === null ? '' : (typeof payload === 'string' ? payload : JSON.stringify(payload));
            return new Response(status === 204 ? null : text, {{ status, headers: {{ 'Content-Type': 'application/json' }} }});
        }};
        "#
    );
    js_sys::eval(&script).expect("install fake fetch");
}

pub fn calls() -> Vec<JsValue> {
    let calls = js_sys::eval("window.__xfCalls").unwrap_or(JsValue::UNDEFINED);
    calls
        .dyn_into::<js_sys::Array>()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

pub fn field(call: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(call, &name.into()).unwrap()
}

pub fn posts() -> Vec<JsValue> {
    calls()
        .into_iter()
        .filter(|c| field(c, "method").as_string().as_deref() == Some("POST"))
        .collect()
}

/// Where the widget keeps its session handle for the fake proxy `http://127.0.0.1:9`.
pub const SESSION_KEY: &str = "exchange-forms:session:http://127.0.0.1:9";

/// A signed-in browser: a session handle for the fake proxy (without one the widget does
/// not ask for the lists the proxy would refuse). `signed_out` removes it again.
pub fn signed_in() {
    local_storage().set_item(SESSION_KEY, "h1").unwrap();
}

pub fn signed_out() {
    local_storage().remove_item(SESSION_KEY).unwrap();
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

pub fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("options JSON")
}

pub fn host() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host
}

pub async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(60)).await;
}

/// Waits until `ready` holds (a fake proxy's answer rendered), for 3 s at most; says whether
/// it did. For what arrives after requests, which a busy machine can hold up past one
/// [`settle`].
pub async fn until(ready: impl Fn() -> bool) -> bool {
    for _ in 0..50 {
        if ready() {
            return true;
        }
        settle().await;
    }
    ready()
}

/// Forgets the unsent drafts earlier tests left in this page's storage: each test starts
/// with the form it asks for, not with what another test typed.
fn forget_drafts() {
    let storage = local_storage();
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with("exchange-forms:draft:"))
        .collect();
    for key in keys {
        storage.remove_item(&key).unwrap();
    }
}

pub async fn mounted(json: &str) -> (Element, WidgetHandle) {
    forget_drafts();
    let host = host();
    let handle = mount(host.clone(), options(json)).expect("mount");
    settle().await;
    (host, handle)
}

pub fn query(host: &Element, selector: &str) -> Element {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}: {}", host.inner_html()))
}

pub fn fire(element: &Element, event: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(event, &init).unwrap();
    element.dispatch_event(&event).unwrap();
}

pub fn type_into(host: &Element, name: &str, value: &str) {
    let element = query(host, &format!("[name='{name}']"));
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
        fire(&element, "input");
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(value);
        fire(&element, "input");
    } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        select.set_value(value);
        fire(&element, "change");
    }
}

pub fn value(host: &Element, name: &str) -> String {
    let element = query(host, &format!("[name='{name}']"));
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.value()
    } else {
        element.unchecked_ref::<HtmlSelectElement>().value()
    }
}

/// The first element matching `selector` (a kind of button) whose text is `text`, if shown.
pub fn button_in(host: &Element, selector: &str, text: &str) -> Option<HtmlElement> {
    let buttons = host.query_selector_all(selector).unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.get(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .find(|b| b.text_content().unwrap_or_default().trim() == text)
}

pub fn submit_button(host: &Element) -> HtmlElement {
    query(host, "button[type='submit']").unchecked_into()
}

pub async fn submit(host: &Element) {
    submit_button(host).click();
    settle().await;
    settle().await;
}

pub fn label_text(host: &Element, name: &str) -> String {
    let control = query(host, &format!("[name='{name}']"));
    let id = control.id();
    assert!(!id.is_empty(), "{name} has an id");
    query(host, &format!("label[for='{id}']"))
        .text_content()
        .unwrap_or_default()
}

pub fn fill_appointment(host: &Element, subject: &str, start: &str, end: &str) {
    type_into(host, "subject", subject);
    type_into(host, "start", start);
    type_into(host, "end", end);
    type_into(host, "location", "Room 4.12");
    type_into(host, "body", "Agenda");
}
