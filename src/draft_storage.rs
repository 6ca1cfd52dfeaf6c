//! The new item's draft as JSON in `localStorage`, kept while the user types.

use crate::browser;
use crate::config::WidgetConfig;
use crate::services::json;
use crate::state::Draft;

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
    json::from_str::<Draft>(&text).ok()
}

/// Keeps `draft` under `key`, or forgets it when nothing was typed over `blank`. Storage that
/// is full or refused only loses the copy, never what the form shows.
pub fn store_unsent(key: &str, draft: &Draft, blank: &Draft) {
    let Some(storage) = browser::local_storage() else {
        return;
    };
    if draft.is_like(blank) {
        let _ = storage.remove_item(key);
    } else if let Ok(text) = json::to_string(draft) {
        let _ = storage.set_item(key, &text);
    }
}
