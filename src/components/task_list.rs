//! Tasks read back through `GET /api/tasks`.

use model::Task;
use yew::prelude::*;

use crate::components::calendar_view::{ListProps, list_body};
use crate::hooks::use_list;
use crate::services::tasks;

#[component]
pub fn TaskList(props: &ListProps) -> Html {
    let items = {
        let config = props.config.clone();
        use_list(props.version, move || {
            let config = config.clone();
            async move { tasks::list(&config.api).await }
        })
    };
    let locale = &props.config.locale;
    let t = locale.t();
    let heading_id = props.config.id("tasks-heading");
    let on_refresh = props.on_refresh.reform(|_: MouseEvent| ());
    html! {
        <section class="xf-list" aria-labelledby={heading_id.clone()}>
            <div class="xf-list-header">
                <h3 id={heading_id}>{ t.tasks_heading }</h3>
                <button type="button" class="xf-link" onclick={on_refresh}>{ t.refresh }</button>
            </div>
            { list_body(&items, locale, t.no_tasks, |task: &Task| html! {
                <li class="xf-item" key={task.id.clone()}>
                    <span class="xf-item-title">{ task.subject.clone() }</span>
                    <span class="xf-item-meta">
                        { match task.due_date {
                            Some(d) => locale.format_date(&d.to_string()),
                            None => t.no_due_date.to_owned(),
                        } }
                        { format!(" · {}", locale.status_label(task.status)) }
                    </span>
                </li>
            }) }
        </section>
    }
}
