//! Loading one page of a listing (agenda, task list) from the proxy.

use std::future::Future;
use std::rc::Rc;

use model::Page;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::error::ApiError;

/// A page as the list shows it: every item behind an `Rc`, so that rows compare and clone
/// cheaply and a row whose item did not change is not rendered again.
pub type ShownPage<T> = Page<Rc<T>>;

/// What a list shows: the page (kept while the next one loads), or why there is none.
pub struct PageLoad<T> {
    pub page: Option<Rc<ShownPage<T>>>,
    pub error: Option<ApiError>,
    pub loading: bool,
    /// The request whose answer may land; answers to older ones arrive too late.
    ticket: u32,
}

impl<T> Default for PageLoad<T> {
    fn default() -> Self {
        Self {
            page: None,
            error: None,
            loading: true,
            ticket: 0,
        }
    }
}

pub enum PageAction<T> {
    Requested(u32),
    Answered(u32, Result<Page<T>, ApiError>),
}

impl<T> Reducible for PageLoad<T> {
    type Action = PageAction<T>;

    fn reduce(self: Rc<Self>, action: PageAction<T>) -> Rc<Self> {
        match action {
            PageAction::Requested(ticket) => Rc::new(Self {
                page: self.page.clone(),
                error: None,
                loading: true,
                ticket,
            }),
            PageAction::Answered(ticket, _) if ticket != self.ticket => self,
            PageAction::Answered(ticket, Ok(page)) => Rc::new(Self {
                page: Some(Rc::new(Page {
                    items: page.items.into_iter().map(Rc::new).collect(),
                    more: page.more,
                    next_cursor: page.next_cursor,
                })),
                error: None,
                loading: false,
                ticket,
            }),
            // Nothing of the mailbox stays on screen once it cannot be read (e.g. signed out).
            PageAction::Answered(ticket, Err(error)) => Rc::new(Self {
                page: None,
                error: Some(error),
                loading: false,
                ticket,
            }),
        }
    }
}

/// Fetches `fetch(&key)` on mount and whenever `key` changes (another page, other days, a
/// refresh). Only the answer to the latest request lands.
#[hook]
pub fn use_page<T, K, F, Fut>(key: K, fetch: F) -> UseReducerHandle<PageLoad<T>>
where
    T: 'static,
    K: PartialEq + 'static,
    F: Fn(&K) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
{
    let load = use_reducer(PageLoad::<T>::default);
    let tickets = use_mut_ref(|| 0u32);
    {
        let dispatch = load.dispatcher();
        use_effect_with(key, move |key| {
            let ticket = {
                let mut last = tickets.borrow_mut();
                *last = last.wrapping_add(1);
                *last
            };
            dispatch.dispatch(PageAction::Requested(ticket));
            let request = fetch(key);
            spawn_local(async move {
                let answer = request.await;
                dispatch.dispatch(PageAction::Answered(ticket, answer));
            });
        });
    }
    load
}
