//! Changes to existing items — open one in the form, save it, delete it, cancel a meeting,
//! answer an invitation, complete a task — sent as the same pending action as a create, so that
//! a sign-in in between finishes them exactly once too.

use model::{Appointment, Task};
use serde::Serialize;
use wasm_bindgen::JsValue;
use yew::platform::spawn_local;

use super::Controller;
use crate::browser;
use crate::error::ApiError;
use crate::i18n::browser_time_zone;
use crate::item_draft::{appointment_draft, completed_task_draft, task_draft};
use crate::services::items;
use crate::state::{Action, Change, Draft, FormState, Kind, Opened, Target};

/// A successful action: the event for the host page (`exchange-form:<event>`) and the state.
pub struct Finished {
    pub event: &'static str,
    pub detail: JsValue,
    pub action: Action,
}

/// `detail` of `deleted`, `cancelled` and `responded`: which item, and what was said.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeDetail<'a> {
    id: &'a str,
    subject: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

fn said(target: &Target, reply: Option<&'static str>, message: &str) -> JsValue {
    browser::detail(&ChangeDetail {
        id: &target.id,
        subject: &target.subject,
        reply,
        message: Some(message.trim()).filter(|m| !m.is_empty()),
    })
}

pub fn draft_subject(draft: &Draft) -> String {
    match draft {
        Draft::Appointment(d) => d.subject.trim().to_owned(),
        Draft::Task(d) => d.subject.trim().to_owned(),
    }
}

impl Controller {
    /// Loads item `id` into the form, to be edited and saved.
    pub fn open(&self, id: String) {
        let this = self.clone();
        spawn_local(async move {
            let opened = this.fetch(&id).await;
            if !this.alive.get() {
                return;
            }
            match opened {
                Ok(opened) => {
                    this.send(Action::Open(opened));
                    browser::focus_soon(&this.config.host, this.config.id("subject"));
                }
                Err(error) => this.send(Action::Failed(error)),
            }
        });
    }

    /// A list's action on one of its items (delete, cancel, answer, complete). What the form
    /// holds goes along untouched, so that a full-page sign-in brings it back too.
    pub fn act(&self, state: &FormState, target: Target) {
        if !state.busy() {
            self.start(state, state.draft(browser_time_zone()), Some(target));
        }
    }

    /// The item as it is now, as the form edits it.
    async fn fetch(&self, id: &str) -> Result<Opened, ApiError> {
        let api = &self.config.api;
        let kind = self.config.kind;
        let (version, draft) = match kind {
            Kind::Appointment => {
                let a: Appointment = items::get(api, kind, id).await?;
                (
                    a.change_key.clone(),
                    Draft::Appointment(appointment_draft(&a, self.config.time_zone())),
                )
            }
            Kind::Task => {
                let t: Task = items::get(api, kind, id).await?;
                (t.change_key.clone(), Draft::Task(task_draft(&t)))
            }
        };
        Ok(Opened {
            id: id.to_owned(),
            version,
            draft,
        })
    }

    /// A save met a newer version: fetch it, and let the user choose (the drafts stay).
    pub(super) fn show_conflict(&self, id: String) {
        let this = self.clone();
        spawn_local(async move {
            let newer = this.fetch(&id).await;
            if this.alive.get() {
                match newer {
                    Ok(newer) => {
                        this.send(Action::Conflict(newer));
                        browser::focus_soon(&this.config.host, this.config.id("conflict"));
                    }
                    Err(error) => this.send(Action::Failed(error)),
                }
            }
        });
    }

    pub(super) async fn change(
        &self,
        draft: &Draft,
        target: &Target,
    ) -> Result<Finished, ApiError> {
        let api = &self.config.api;
        let kind = self.config.kind;
        let (id, version) = (target.id.as_str(), target.version.as_str());
        let (event, detail) = match (&target.change, draft) {
            (Change::Save, Draft::Appointment(d)) => {
                ("updated", items::put(api, kind, id, version, d).await?)
            }
            (Change::Save, Draft::Task(d)) => {
                ("updated", items::put(api, kind, id, version, d).await?)
            }
            (Change::Complete, _) => {
                // The list has no description (EWS lists none): complete the whole task as it is.
                let task: Task = items::get(api, Kind::Task, id).await?;
                let draft = completed_task_draft(&task);
                let done = items::put(api, Kind::Task, id, &task.change_key, &draft).await?;
                ("updated", done)
            }
            (Change::Delete, _) => {
                items::delete(api, kind, id, version).await?;
                ("deleted", said(target, None, ""))
            }
            (Change::Cancel(message), _) => {
                items::cancel(api, id, version, message).await?;
                ("cancelled", said(target, None, message))
            }
            (Change::Reply(reply, message), _) => {
                items::reply(api, id, version, *reply, message).await?;
                let name = items::reply_name(*reply);
                ("responded", said(target, Some(name), message))
            }
        };
        Ok(Finished {
            event,
            detail,
            action: Action::Changed(target.clone()),
        })
    }

    /// Announces the action to the host page, then shows it (focus on what was said about an
    /// existing item: its row, or the form's button, may be gone).
    pub(super) fn finish(&self, finished: Finished) {
        browser::dispatch(&self.config.host, finished.event, &finished.detail);
        let changed = matches!(finished.action, Action::Changed(_));
        self.send(finished.action);
        if changed {
            browser::focus_soon(&self.config.host, self.config.id("outcome"));
        }
    }
}
