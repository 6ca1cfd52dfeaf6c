//! Loading a read-back list (calendar view, task list) from the proxy.

use std::future::Future;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::error::ApiError;

#[derive(Clone, PartialEq)]
pub enum Loaded<T> {
    Loading,
    Ready(Vec<T>),
    Failed(ApiError),
}

/// Fetches the list with `fetch` on mount and whenever `version` changes. Only the answer to
/// the latest request may land: an older one can arrive later and must not overwrite it.
#[hook]
pub fn use_list<T, F, Fut>(version: u32, fetch: F) -> UseStateHandle<Loaded<T>>
where
    T: 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<Vec<T>, ApiError>> + 'static,
{
    let items = use_state(|| Loaded::<T>::Loading);
    let latest = use_mut_ref(|| 0u32);
    {
        let items = items.setter();
        use_effect_with(version, move |version| {
            let version = *version;
            *latest.borrow_mut() = version;
            spawn_local(async move {
                let result = fetch().await;
                if *latest.borrow() != version {
                    return;
                }
                items.set(match result {
                    Ok(list) => Loaded::Ready(list),
                    Err(error) => Loaded::Failed(error),
                });
            });
        });
    }
    items
}
