//! What the agenda and the task list share: the frame with its heading and Refresh, the line
//! saying why there are no rows, and the page buttons ("More…" when the page is not the last).

use std::rc::Rc;

use yew::prelude::*;

use crate::components::item_actions::ItemCommand;
use crate::config::WidgetConfig;
use crate::error::ApiError;
use crate::hooks::PageLoad;
use crate::view_state::{ViewAction, ViewState};

/// Props of a list view: it fetches again whenever `refresh` changes.
#[derive(Properties, PartialEq)]
pub struct ListProps {
    pub config: Rc<WidgetConfig>,
    /// Changes whenever what the list shows may have changed (an item created, a sign-in).
    pub refresh: u32,
    /// A row's Edit or action on its item.
    pub on_item: Callback<ItemCommand>,
}

/// The list's section: its heading (id `xf1-<name>-heading`), Refresh, and `children`; `busy`
/// while a page is being fetched. A function: no component of its own in the wasm.
pub fn list_frame(
    config: &WidgetConfig,
    name: &str,
    heading: &'static str,
    busy: bool,
    view: &UseReducerHandle<ViewState>,
    children: Html,
) -> Html {
    let t = config.locale.t();
    let heading_id = config.id(&format!("{name}-heading"));
    let on_refresh = {
        let view = view.dispatcher();
        Callback::from(move |_: MouseEvent| view.dispatch(ViewAction::Reload))
    };
    html! {
        // Named by its visible heading, or by the heading with the page's own (`aria-label`
        // only applies without `aria-labelledby`).
        <section class="xf-list"
            aria-labelledby={config.heading.is_none().then(|| heading_id.clone())}
            aria-label={config.heading.is_some().then(|| config.landmark_name(heading))}
            aria-busy={if busy { "true" } else { "false" }}>
            <div class="xf-list-header">
                <h3 id={heading_id}>{ heading }</h3>
                <button type="button" class="xf-link" onclick={on_refresh}>{ t.refresh }</button>
            </div>
            { children }
        </section>
    }
}

/// The page's rows (`row` renders one, keyed), or why there are none.
pub fn rows<T>(
    load: &PageLoad<T>,
    config: &WidgetConfig,
    empty: &'static str,
    row: impl Fn(&Rc<T>) -> Html,
) -> Html {
    without_rows(load, config, empty).unwrap_or_else(|| {
        let items = load
            .page
            .as_ref()
            .map(|p| p.items.as_slice())
            .unwrap_or_default();
        html! { <ul class="xf-items">{ for items.iter().map(row) }</ul> }
    })
}

/// What shows instead of rows: loading, an error, or the list's `empty` text; `None` when there
/// are rows to show.
fn without_rows<T>(load: &PageLoad<T>, config: &WidgetConfig, empty: &'static str) -> Option<Html> {
    let locale = &config.locale;
    let t = locale.t();
    if let Some(error) = &load.error {
        return Some(match error {
            ApiError::AuthorizationRequired => {
                html! { <p class="xf-muted">{ t.list_needs_sign_in }</p> }
            }
            error => {
                html! { <p class="xf-notice xf-notice--error">{ locale.api_error(error) }</p> }
            }
        });
    }
    match &load.page {
        None => Some(html! { <p class="xf-muted">{ t.loading }</p> }),
        Some(page) if page.items.is_empty() => Some(html! { <p class="xf-muted">{ empty }</p> }),
        Some(_) => None,
    }
}

/// "‹ Back" and "More…" of the shown page: the listing pages instead of stopping at what one
/// page holds. Back when a page comes before the shown one, More when the shown page is not the
/// last.
pub fn pager<T>(
    config: &WidgetConfig,
    view: &UseReducerHandle<ViewState>,
    load: &PageLoad<T>,
) -> Html {
    let next = load.page.as_ref().and_then(|p| p.next_cursor.as_deref());
    page_buttons(config, view, next)
}

fn page_buttons(
    config: &WidgetConfig,
    view: &UseReducerHandle<ViewState>,
    next: Option<&str>,
) -> Html {
    let back = view.page_index() > 0;
    let next = next.map(Rc::<str>::from);
    if !back && next.is_none() {
        return html! {};
    }
    let t = config.locale.t();
    let on_back = {
        let view = view.dispatcher();
        Callback::from(move |_: MouseEvent| view.dispatch(ViewAction::PreviousPage))
    };
    let on_more = next.map(|cursor| {
        let view = view.dispatcher();
        Callback::from(move |_: MouseEvent| view.dispatch(ViewAction::NextPage(cursor.clone())))
    });
    html! {
        <nav class="xf-list-header xf-pager" aria-label={config.landmark_name(t.pages)}>
            if back {
                <button type="button" class="xf-link" onclick={on_back}>{ t.previous_page }</button>
            }
            if let Some(onclick) = on_more {
                <button type="button" class="xf-link xf-more" {onclick}>{ t.more }</button>
            }
        </nav>
    }
}
