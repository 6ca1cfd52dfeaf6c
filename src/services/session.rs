//! Where the session handle lives: the host page's `localStorage`, namespaced per proxy
//! (`exchange-forms:session:<proxy base URL>`). Never a token: an opaque handle only.

use crate::services::requests::Api;

pub const SESSION_KEY_PREFIX: &str = "exchange-forms:session:";
/// Fired on `window` when this document changes the handle (the `storage` event only
/// reaches *other* documents), so that every widget of the page learns it.
pub const SESSION_CHANGED_EVENT: &str = "exchange-forms:session-changed";

pub fn key(api: &Api) -> String {
    format!("{SESSION_KEY_PREFIX}{}", api.base())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load(api: &Api) -> Option<String> {
    storage()?
        .get_item(&key(api))
        .ok()
        .flatten()
        .filter(|h| !h.trim().is_empty())
}

pub fn store(api: &Api, handle: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&key(api), handle);
    }
    announce();
}

pub fn forget(api: &Api) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(api));
    }
    announce();
}

fn announce() {
    if let Some(window) = web_sys::window()
        && let Ok(event) = web_sys::Event::new(SESSION_CHANGED_EVENT)
    {
        let _ = window.dispatch_event(&event);
    }
}
