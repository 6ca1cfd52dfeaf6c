//! The draft as JSON in the browser's storage: the new item's fields kept in `localStorage` while
//! the user types, and the action kept in `sessionStorage` across a full-page sign-in.

use serde::Deserialize;
use wasm_bindgen::JsValue;

use crate::browser;
use crate::config::WidgetConfig;
use crate::services::json;
use crate::state::{Draft, Kind};

/// A stored [`Draft`] read back. `Draft`'s own (adjacently tagged) deserializer would bring
/// serde's buffering deserializer into the wasm, a quarter of the widget's serde code: the
/// inner draft is kept as the JS value the browser parsed and decoded once its kind is known.
#[derive(Deserialize)]
pub struct StoredDraft {
    kind: Kind,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    draft: JsValue,
}

impl StoredDraft {
    /// The draft; `None` when its fields cannot be read (written by another version).
    pub fn into_draft(self) -> Option<Draft> {
        Some(match self.kind {
            Kind::Appointment => {
                Draft::Appointment(serde_wasm_bindgen::from_value(self.draft).ok()?)
            }
            Kind::Task => Draft::Task(serde_wasm_bindgen::from_value(self.draft).ok()?),
        })
    }
}

/// Where one widget keeps its unsent draft: per proxy, page, form and place on the page (two
/// forms of one kind on a page keep one draft each).
pub fn unsent_key(config: &WidgetConfig) -> String {
    let page = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    format!(
        "exchange-forms:draft:{}:{page}:{}:{}",
        config.api.base(),
        config.kind.as_str(),
        config.instance
    )
}

/// The unsent draft stored under `key`, if any can be read.
pub fn load_unsent(key: &str) -> Option<Draft> {
    let text = browser::local_storage()?.get_item(key).ok()??;
    json::from_str::<StoredDraft>(&text).ok()?.into_draft()
}

/// Keeps `draft` under `key`, or forgets it when there is nothing worth keeping. Storage that is
/// full or refused only loses the copy, never what the form shows.
pub fn store_unsent(key: &str, draft: &Draft) {
    let Some(storage) = browser::local_storage() else {
        return;
    };
    if draft.is_blank() {
        let _ = storage.remove_item(key);
    } else if let Ok(text) = json::to_string(draft) {
        let _ = storage.set_item(key, &text);
    }
}
