//! Small, panic-free wrappers around browser APIs the widget needs.

use js_sys::Date;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, Element};

/// A random RFC 4122 v4 UUID from `crypto.getRandomValues` (works outside secure
/// contexts, unlike `crypto.randomUUID`); falls back to `Math.random` if crypto is missing.
pub fn uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        hex[0..4].concat(),
        hex[4..6].concat(),
        hex[6..8].concat(),
        hex[8..10].concat(),
        hex[10..16].concat()
    )
}

/// The agenda's days: 7 days from local midnight, `weeks` weeks from today (0 = today and the
/// next 6 days), as RFC 3339 UTC instants `[start, end)`. Midnights are computed in the local
/// calendar, so a week across a daylight-saving change still starts and ends at midnight.
pub fn agenda_week(weeks: i32) -> (String, String) {
    let now = Date::new_0();
    let midnight = |days: i32| {
        Date::new_with_year_month_day(
            now.get_full_year(),
            now.get_month() as i32,
            now.get_date() as i32 + days,
        )
    };
    let first = weeks.saturating_mul(7);
    (
        String::from(midnight(first).to_iso_string()),
        String::from(midnight(first.saturating_add(7)).to_iso_string()),
    )
}

/// Milliseconds since the epoch, as an integer (no float formatting in the bundle).
pub fn now_ms() -> u64 {
    Date::now() as u64
}

/// `item` as a plain JS object, for an event's `detail` (`null` if it cannot be converted).
pub fn detail(item: &impl serde::Serialize) -> JsValue {
    crate::json_writer::to_string(item)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL)
}

/// Dispatches `exchange-form:<name>` (bubbles, composed) on the host element with `detail`.
pub fn dispatch(host: &Element, name: &str, detail: &JsValue) {
    let init = CustomEventInit::new();
    init.set_detail(detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) =
        CustomEvent::new_with_event_init_dict(&format!("exchange-form:{name}"), &init)
    {
        let _ = host.dispatch_event(&event);
    }
}

/// Focuses the element with `id` inside `host`, if there is one. Looked up from the widget's
/// host element rather than the document: inside a shadow root the document does not see it.
pub fn focus(host: &Element, id: &str) {
    if let Some(element) = host
        .query_selector(&format!("#{id}"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// Focuses the element with `id` inside `host` once the render in progress is on the page.
pub fn focus_soon(host: &Element, id: String) {
    let host = host.clone();
    yew::platform::spawn_local(async move {
        yew::platform::time::sleep(std::time::Duration::ZERO).await;
        focus(&host, &id);
    });
}

pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The value of `name` in the page URL's fragment (`#a=1&xf_flow=…`).
pub fn fragment_param(name: &str) -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.trim_start_matches('#')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| js_sys::decode_uri_component(value).ok())
        .map(String::from)
        .filter(|v| !v.is_empty())
}

/// Removes `name=…` for each of `names` from the fragment in one history rewrite, without
/// reloading or adding a history entry.
pub fn remove_fragment_params(names: &[&str]) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let Ok(hash) = location.hash() else { return };
    let rest: Vec<&str> = hash
        .trim_start_matches('#')
        .split('&')
        .filter(|pair| {
            !pair.is_empty() && !pair.split('=').next().is_some_and(|k| names.contains(&k))
        })
        .collect();
    let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
        return;
    };
    let url = if rest.is_empty() {
        format!("{path}{search}")
    } else {
        format!("{path}{search}#{}", rest.join("&"))
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The page URL without its fragment: where a full-page sign-in comes back to.
pub fn page_url_without_fragment() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    Some(href.split('#').next().unwrap_or_default().to_owned())
}
