//! Tasks read back through `GET /api/tasks`, newest first, one page at a time.

use std::rc::Rc;

use model::Task;
use yew::prelude::*;

use crate::components::list::{ListFrame, ListProps, pager, rows};
use crate::config::WidgetConfig;
use crate::hooks::use_page;
use crate::services::tasks;
use crate::view_state::ViewState;

/// Everything a page of the task list depends on: a change fetches it again.
#[derive(PartialEq)]
struct TasksPage {
    cursor: Option<Rc<str>>,
    refresh: u32,
    reloads: u32,
}

#[component]
pub fn TaskList(props: &ListProps) -> Html {
    let view = use_reducer(ViewState::default);
    let key = TasksPage {
        cursor: view.cursor(),
        refresh: props.refresh,
        reloads: view.reloads,
    };
    let load = {
        let config = props.config.clone();
        use_page(key, move |key: &TasksPage| {
            let config = config.clone();
            let cursor = key.cursor.clone();
            async move { tasks::list(&config.api, cursor.as_deref()).await }
        })
    };
    let config = &props.config;
    let t = config.locale.t();
    let rows = rows(&load, config, t.no_tasks, |task| {
        html! { <TaskRow key={task.id.as_str()} config={config.clone()} task={task.clone()} /> }
    });
    html! {
        <ListFrame config={config.clone()} name="tasks" heading={t.tasks_heading}
            busy={load.loading} view={view.dispatcher()}>
            { rows }
            { pager(config, &view, &load) }
        </ListFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct TaskRowProps {
    pub config: Rc<WidgetConfig>,
    pub task: Rc<Task>,
}

/// One task: rendered again only when the task itself changed.
#[component]
pub fn TaskRow(props: &TaskRowProps) -> Html {
    let locale = &props.config.locale;
    let task = &props.task;
    html! {
        <li class="xf-item">
            <span class="xf-item-title">{ task.subject.clone() }</span>
            <span class="xf-item-meta">
                { match task.due_date {
                    Some(d) => locale.format_date(&d.to_string()),
                    None => locale.t().no_due_date.to_owned(),
                } }
                { format!(" · {}", locale.status_label(task.status)) }
            </span>
        </li>
    }
}
