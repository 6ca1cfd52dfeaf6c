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

#[derive(Properties, PartialEq)]
pub struct ListFrameProps {
    pub config: Rc<WidgetConfig>,
    /// Names the heading's id (`xf1-<name>-heading`).
    pub name: AttrValue,
    pub heading: AttrValue,
    /// A page is being fetched.
    pub busy: bool,
    pub view: UseReducerDispatcher<ViewState>,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn ListFrame(props: &ListFrameProps) -> Html {
    let t = props.config.locale.t();
    let heading_id = props.config.id(&format!("{}-heading", props.name));
    let on_refresh = {
        let view = props.view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(ViewAction::Reload))
    };
    html! {
        <section class="xf-list" aria-labelledby={heading_id.clone()}
            aria-busy={if props.busy { "true" } else { "false" }}>
            <div class="xf-list-header">
                <h3 id={heading_id}>{ props.heading.clone() }</h3>
                <button type="button" class="xf-link" onclick={on_refresh}>{ t.refresh }</button>
            </div>
            { props.children.clone() }
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

/// The page buttons of the shown page.
pub fn pager<T>(
    config: &Rc<WidgetConfig>,
    view: &UseReducerHandle<ViewState>,
    load: &PageLoad<T>,
) -> Html {
    let next = load
        .page
        .as_ref()
        .and_then(|p| p.next_cursor.as_deref())
        .map(Rc::from);
    html! {
        <Pager config={config.clone()} back={view.page_index() > 0} {next} view={view.dispatcher()} />
    }
}

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub config: Rc<WidgetConfig>,
    /// A page comes before the shown one.
    pub back: bool,
    /// The next page's cursor, when the shown page is not the last.
    pub next: Option<Rc<str>>,
    pub view: UseReducerDispatcher<ViewState>,
}

/// "‹ Back" and "More…": the listing pages instead of stopping at what one page holds.
#[component]
pub fn Pager(props: &PagerProps) -> Html {
    if !props.back && props.next.is_none() {
        return html! {};
    }
    let t = props.config.locale.t();
    let on_back = {
        let view = props.view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(ViewAction::PreviousPage))
    };
    let on_more = props.next.clone().map(|cursor| {
        let view = props.view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(ViewAction::NextPage(cursor.clone())))
    });
    html! {
        <nav class="xf-list-header xf-pager" aria-label={t.pages}>
            if props.back {
                <button type="button" class="xf-link" onclick={on_back}>{ t.previous_page }</button>
            }
            if let Some(onclick) = on_more {
                <button type="button" class="xf-link xf-more" {onclick}>{ t.more }</button>
            }
        </nav>
    }
}
