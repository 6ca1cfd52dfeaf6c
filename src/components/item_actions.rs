//! What a list row offers for its item: Edit, Delete, Cancel meeting, the answers to an
//! invitation, Mark complete. An action that cannot be undone, or that says something to other
//! people, first asks (with an optional message where one goes along).

use std::rc::Rc;

use model::{Appointment, ReplyKind, ResponseStatus, Task, TaskStatus};
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::state::{Change, Target};

/// A row's request to the widget.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemCommand {
    /// Load the item into the form.
    Edit(String),
    Act(Target),
}

/// Which actions an item offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// The user's own appointment: edit, delete.
    Own,
    /// A meeting the user organises: edit, cancel it for everyone.
    Organised,
    /// Someone else's meeting the user is invited to: its answer so far, and the answers.
    Invitation(ResponseStatus),
    Task {
        completed: bool,
    },
}

impl Offer {
    pub fn of_appointment(a: &Appointment) -> Self {
        let invites = !(a.required_attendees.is_empty()
            && a.optional_attendees.is_empty()
            && a.rooms.is_empty());
        match a.my_response {
            // A meeting its organiser called off has nothing left to answer: it can go.
            _ if a.cancelled => Offer::Own,
            ResponseStatus::Organizer if invites => Offer::Organised,
            ResponseStatus::Organizer => Offer::Own,
            // Invitations name their organiser; the user's own appointments may not.
            response if a.organizer.is_some() => Offer::Invitation(response),
            _ => Offer::Own,
        }
    }

    pub fn of_task(t: &Task) -> Self {
        Offer::Task {
            completed: t.status == TaskStatus::Completed,
        }
    }
}

/// An action that asks first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ask {
    Delete,
    Cancel,
    Reply(ReplyKind),
}

#[derive(Properties, PartialEq)]
pub struct ItemActionsProps {
    pub config: Rc<WidgetConfig>,
    pub id: AttrValue,
    /// The item's version as listed (its change key).
    pub version: AttrValue,
    pub subject: AttrValue,
    pub offer: Offer,
    pub on_item: Callback<ItemCommand>,
}

#[component]
pub fn ItemActions(props: &ItemActionsProps) -> Html {
    let locale = &props.config.locale;
    let t = locale.t();
    let asking = use_state_eq(|| None::<Ask>);
    let message = use_node_ref();
    let first = use_node_ref();
    {
        // The question's first control takes the focus when it opens.
        let (message, first) = (message.clone(), first.clone());
        use_effect_with(*asking, move |asking| {
            let control = message.cast::<HtmlElement>().or_else(|| first.cast());
            if let (Some(_), Some(control)) = (asking, control) {
                let _ = control.focus();
            }
        });
    }
    let target = {
        let props_id = props.id.to_string();
        let version = props.version.to_string();
        let subject = props.subject.to_string();
        move |change: Change| Target {
            id: props_id.clone(),
            version: version.clone(),
            subject: subject.clone(),
            change,
        }
    };
    let act = |change: Change| {
        let on_item = props.on_item.clone();
        let target = target.clone();
        Callback::from(move |_: MouseEvent| on_item.emit(ItemCommand::Act(target(change.clone()))))
    };
    let ask = |what: Ask| {
        let asking = asking.clone();
        Callback::from(move |_: MouseEvent| asking.set(Some(what)))
    };
    let button = |label: &'static str, onclick: Callback<MouseEvent>| {
        html! {
            <button type="button" class="xf-link" aria-label={format!("{label}: {}", props.subject)}
                {onclick}>{ label }</button>
        }
    };
    let edit = {
        let on_item = props.on_item.clone();
        let id = props.id.to_string();
        button(
            t.edit,
            Callback::from(move |_: MouseEvent| on_item.emit(ItemCommand::Edit(id.clone()))),
        )
    };
    let buttons = match props.offer {
        Offer::Own => html! { <>{ edit }{ button(t.delete, ask(Ask::Delete)) }</> },
        Offer::Organised => html! { <>{ edit }{ button(t.cancel_meeting, ask(Ask::Cancel)) }</> },
        Offer::Invitation(response) => html! {
            <>
                <span class="xf-muted">{ locale.response_label(response) }</span>
                { button(t.accept, ask(Ask::Reply(ReplyKind::Accept))) }
                { button(t.tentative, ask(Ask::Reply(ReplyKind::Tentative))) }
                { button(t.decline, ask(Ask::Reply(ReplyKind::Decline))) }
            </>
        },
        Offer::Task { completed } => html! {
            <>
                { edit }
                if !completed { { button(t.mark_complete, act(Change::Complete)) } }
                { button(t.delete, ask(Ask::Delete)) }
            </>
        },
    };
    let question = asking.map(|what| {
        let (action, message_label) = match what {
            Ask::Delete => (t.delete, None),
            Ask::Cancel => (t.cancel_meeting, Some(t.message_to_attendees)),
            Ask::Reply(ReplyKind::Accept) => (t.accept, Some(t.message_to_organiser)),
            Ask::Reply(ReplyKind::Tentative) => (t.tentative, Some(t.message_to_organiser)),
            Ask::Reply(ReplyKind::Decline) => (t.decline, Some(t.message_to_organiser)),
        };
        let confirm = {
            let (on_item, asking, message) = (props.on_item.clone(), asking.clone(), message.clone());
            let target = target.clone();
            Callback::from(move |_: MouseEvent| {
                let text = message
                    .cast::<HtmlTextAreaElement>()
                    .map(|m| m.value())
                    .unwrap_or_default();
                let change = match what {
                    Ask::Delete => Change::Delete,
                    Ask::Cancel => Change::Cancel(text),
                    Ask::Reply(kind) => Change::Reply(kind, text),
                };
                asking.set(None);
                on_item.emit(ItemCommand::Act(target(change)));
            })
        };
        let back = {
            let asking = asking.clone();
            Callback::from(move |_: MouseEvent| asking.set(None))
        };
        let question = locale.question(action, &props.subject);
        html! {
            <div class="xf-ask" role="group" aria-label={question.clone()}>
                <p>{ question }</p>
                if let Some(label) = message_label {
                    <label class="xf-field">
                        { format!("{label} ({})", t.optional) }
                        <textarea ref={message.clone()} rows="2" maxlength="4000" />
                    </label>
                }
                <button type="button" class="xf-button" ref={first.clone()} onclick={confirm}>{ action }</button>
                <button type="button" class="xf-button xf-button--secondary" onclick={back}>{ t.back }</button>
            </div>
        }
    });
    html! {
        <>
            <span class="xf-item-actions">{ buttons }</span>
            { question.unwrap_or_default() }
        </>
    }
}
