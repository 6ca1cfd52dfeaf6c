//! One shared value per key while anyone holds it (the single-flight refresh lock of a user,
//! the waiters of a sign-in flow): created on first use, gone when the last holder drops it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// Entries are held weakly; dead ones are pruned once the map grows past this many.
const PRUNE_ABOVE: usize = 1024;

pub(super) struct Keyed<T>(Mutex<HashMap<String, Weak<T>>>);

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed(Mutex::new(HashMap::new()))
    }
}

impl<T> Keyed<T> {
    fn map(&self) -> MutexGuard<'_, HashMap<String, Weak<T>>> {
        // A poisoned map only means another thread panicked mid-insert; the map is still valid.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value for `key`, if someone holds it.
    pub(super) fn get(&self, key: &str) -> Option<Arc<T>> {
        self.map().get(key).and_then(Weak::upgrade)
    }

    /// The value for `key`, made with `make` when nobody holds one.
    pub(super) fn get_or_make(&self, key: &str, make: impl FnOnce() -> T) -> Arc<T> {
        let mut map = self.map();
        if let Some(value) = map.get(key).and_then(Weak::upgrade) {
            return value;
        }
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, w| w.strong_count() > 0);
        }
        let value = Arc::new(make());
        map.insert(key.to_owned(), Arc::downgrade(&value));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_share_one_value_which_goes_with_the_last_holder() {
        let keyed: Keyed<u8> = Keyed::default();
        let a = keyed.get_or_make("k", || 1);
        let b = keyed.get_or_make("k", || 2);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(*b, 1);
        drop((a, b));
        assert!(keyed.get("k").is_none());
        assert_eq!(*keyed.get_or_make("k", || 3), 3);
    }
}
