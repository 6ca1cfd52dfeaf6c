//! The cross-tab lock: one sign-in at a time per proxy, shared by every tab of the browser
//! through `localStorage` (`tab-id expiry-ms`), so that two tabs acting at once open one popup.

use super::Controller;
use crate::browser;

/// A flow's lock lives this long unless its tab renews it (every few seconds while the flow
/// runs), so a tab closed mid-flow does not leave the others waiting for long.
const LOCK_MILLIS: u64 = 20_000;
const LOCK_RENEW_BELOW_MILLIS: u64 = 15_000;

impl Controller {
    fn lock_key(&self) -> String {
        format!("exchange-forms:auth-lock:{}", self.config.api.base())
    }

    /// `tab-id expiry-ms` of the tab currently running a flow, if it has not expired.
    fn lock_holder(&self) -> Option<String> {
        let value = browser::local_storage()?
            .get_item(&self.lock_key())
            .ok()??;
        let (owner, until) = value.split_once(' ')?;
        let until: u64 = until.parse().ok()?;
        (until > browser::now_ms()).then(|| owner.to_owned())
    }

    pub(super) fn lock_held_elsewhere(&self) -> bool {
        self.lock_holder()
            .is_some_and(|owner| owner != *self.tab_id)
    }

    pub(super) fn take_lock(&self) {
        if let Some(storage) = browser::local_storage() {
            let value = format!("{} {}", self.tab_id, browser::now_ms() + LOCK_MILLIS);
            let _ = storage.set_item(&self.lock_key(), &value);
        }
    }

    pub(super) fn release_lock(&self) {
        if self.lock_holder().as_deref() == Some(&*self.tab_id)
            && let Some(storage) = browser::local_storage()
        {
            let _ = storage.remove_item(&self.lock_key());
        }
    }

    /// Keeps our lock alive while our flow runs (no-op when another tab holds it).
    pub(super) fn renew_lock(&self) {
        let Some(value) =
            browser::local_storage().and_then(|s| s.get_item(&self.lock_key()).ok().flatten())
        else {
            return;
        };
        let Some((owner, until)) = value.split_once(' ') else {
            return;
        };
        let until: u64 = until.parse().unwrap_or(0);
        if owner == &*self.tab_id && until < browser::now_ms() + LOCK_RENEW_BELOW_MILLIS {
            self.take_lock();
        }
    }
}
