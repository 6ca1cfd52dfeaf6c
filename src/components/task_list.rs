//! Tasks read back through `GET /api/tasks`, one page at a time: all, open or completed ones,
//! newest first or soonest due first.

use std::rc::Rc;

use model::{Task, TaskFilter, TaskSort};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::item_actions::{ItemActions, ItemCommand, Offer};
use crate::components::list::{ListProps, list_frame, pager, rows};
use crate::config::WidgetConfig;
use crate::hooks::use_page;
use crate::services::tasks::{self, filter_name, sort_name};
use crate::view_state::{ViewAction, ViewState};

/// Everything a page of the task list depends on: a change fetches it again.
#[derive(PartialEq)]
struct TasksPage {
    show: TaskFilter,
    sort: TaskSort,
    cursor: Option<Rc<str>>,
    refresh: u32,
    reloads: u32,
}

#[component]
pub fn TaskList(props: &ListProps) -> Html {
    let view = use_reducer(ViewState::default);
    let show = use_state_eq(TaskFilter::default);
    let sort = use_state_eq(TaskSort::default);
    let key = TasksPage {
        show: *show,
        sort: *sort,
        cursor: view.cursor(),
        refresh: props.refresh,
        reloads: view.reloads,
    };
    let load = {
        let config = props.config.clone();
        use_page(key, move |key: &TasksPage| {
            let config = config.clone();
            let (show, sort, cursor) = (key.show, key.sort, key.cursor.clone());
            async move { tasks::list(&config.api, show, sort, cursor.as_deref()).await }
        })
    };
    let config = &props.config;
    let t = config.locale.t();
    let rows = rows(&load, config, t.no_tasks, |task| {
        task_row(config, task, &props.on_item)
    });
    // Another choice starts again from its first page.
    let choose = |label: &'static str,
                  name: &str,
                  options: &[(&'static str, &'static str)],
                  chosen: &'static str,
                  apply: Callback<String>| {
        let id = config.id(name);
        let view = view.dispatcher();
        let onchange = Callback::from(move |e: Event| {
            apply.emit(e.target_unchecked_into::<HtmlSelectElement>().value());
            view.dispatch(ViewAction::ThisWeek);
        });
        html! {
            <span class="xf-field">
                <label for={id.clone()}>{ label }</label>
                <select {id} name={name.to_owned()} {onchange}>
                    { for options.iter().map(|(value, text)| html! {
                        <option value={*value} selected={*value == chosen}>{ *text }</option>
                    }) }
                </select>
            </span>
        }
    };
    let on_show = {
        let show = show.clone();
        Callback::from(move |value: String| {
            show.set(match value.as_str() {
                "open" => TaskFilter::Open,
                "completed" => TaskFilter::Completed,
                _ => TaskFilter::All,
            })
        })
    };
    let on_sort = {
        let sort = sort.clone();
        Callback::from(move |value: String| {
            sort.set(if value == "due" {
                TaskSort::Due
            } else {
                TaskSort::Created
            })
        })
    };
    let shows = [
        (filter_name(TaskFilter::All), t.all_tasks),
        (filter_name(TaskFilter::Open), t.open_tasks),
        (filter_name(TaskFilter::Completed), t.completed_tasks),
    ];
    let sorts = [
        (sort_name(TaskSort::Created), t.newest_first),
        (sort_name(TaskSort::Due), t.due_first),
    ];
    let children = html! {
        <>
            <div class="xf-list-header xf-task-view">
                { choose(t.show_tasks, "show", &shows, filter_name(*show), on_show) }
                { choose(t.sort_by, "sort", &sorts, sort_name(*sort), on_sort) }
            </div>
            { rows }
            { pager(config, &view, &load) }
        </>
    };
    list_frame(
        config,
        "tasks",
        t.tasks_heading,
        load.loading,
        &view,
        children,
    )
}

/// One task, keyed by its id (a function: no component of its own in the wasm).
fn task_row(config: &Rc<WidgetConfig>, task: &Task, on_item: &Callback<ItemCommand>) -> Html {
    let locale = &config.locale;
    html! {
        <li key={task.id.as_str()} class="xf-item">
            <span class="xf-item-title">{ task.subject.clone() }</span>
            <span class="xf-item-meta">
                { match task.due_date {
                    Some(d) => locale.format_date(&d.to_string()),
                    None => locale.t().no_due_date.to_owned(),
                } }
                { format!(" · {}", locale.status_label(task.status)) }
            </span>
            <ItemActions config={config.clone()} id={task.id.clone()} version={task.change_key.clone()}
                subject={task.subject.clone()} offer={Offer::of_task(task)} on_item={on_item.clone()} />
        </li>
    }
}
