//! The widget's state and its reducer: every change goes through an [`Action`].
//!
//! Invariant: no action ever clears what the user typed except [`Action::Created`] (the
//! item exists, the form resets for the next entry), [`Action::Changed`] of the edited item
//! (saved, deleted or cancelled), and the user's own choices ([`Action::Open`] of an item,
//! [`Action::CloseEditor`]) — errors, conflicts, cancellations and authorization problems all
//! keep the drafts as they are.

use std::rc::Rc;

use model::{Appointment, AppointmentDraft, Field, FieldErrors, ReplyKind, Task, TaskDraft};
use serde::Serialize;
use yew::Reducible;

use crate::error::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    Appointment,
    Task,
}

impl Kind {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "appointment" => Ok(Kind::Appointment),
            "task" => Ok(Kind::Task),
            other => Err(format!(
                "kind must be \"appointment\" or \"task\", not \"{other}\""
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Appointment => "appointment",
            Kind::Task => "task",
        }
    }
}

/// How the widget gets the user authorized when an action needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    Popup,
    Redirect,
}

impl AuthMode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "popup" => Ok(AuthMode::Popup),
            "redirect" => Ok(AuthMode::Redirect),
            other => Err(format!(
                "authMode must be \"popup\" or \"redirect\", not \"{other}\""
            )),
        }
    }
}

/// What the user asked to create, exactly as typed (plus the browser's time zone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "draft", rename_all = "camelCase")]
pub enum Draft {
    Appointment(AppointmentDraft),
    Task(TaskDraft),
}

impl Draft {
    /// Nothing typed over `blank` (the empty or prefilled form); an appointment's zone does
    /// not count, the form keeps the last one chosen.
    pub fn is_like(&self, blank: &Draft) -> bool {
        match (self, blank) {
            (Draft::Appointment(a), Draft::Appointment(blank)) => {
                *a == AppointmentDraft {
                    time_zone: a.time_zone.clone(),
                    ..blank.clone()
                }
            }
            (Draft::Task(t), Draft::Task(blank)) => t == blank,
            _ => false,
        }
    }
}

/// An action waiting to be sent, or in flight: replayed with the same key after sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    /// What the form holds: created when there is no `target`, saved for [`Change::Save`],
    /// and kept across a full-page sign-in in every case.
    pub draft: Draft,
    pub idempotency_key: String,
    /// The existing item the action changes; `None`: create the draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

/// What an action does to an existing item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    /// Replace its fields with the form's.
    Save,
    /// A task marked complete from the list.
    Complete,
    Delete,
    /// The organiser cancels the meeting, with a message to the attendees.
    Cancel(String),
    /// The invitee answers, with a message to the organiser.
    Reply(ReplyKind, String),
}

/// An existing item and what to do with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub id: String,
    /// The version the user saw (the item's ETag, its change key): sent as `If-Match`.
    pub version: String,
    /// To name the item in messages.
    pub subject: String,
    pub change: Change,
}

/// The item the form edits, and the version it was loaded at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editing {
    pub id: String,
    pub version: String,
}

/// An item as the form edits it: loaded to be edited, or the newer version a save met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    pub id: String,
    pub version: String,
    pub draft: Draft,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Created {
    Appointment(Appointment),
    Task(Task),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthState {
    /// Not asked yet, or the proxy could not say.
    Unknown,
    Unauthorized,
    Authorized {
        user: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Editing,
    Sending,
    /// A sign-in popup (or another tab's) is open; Cancel goes back to editing.
    Authorizing {
        other_tab: bool,
    },
    /// The top window is being sent to the sign-in page.
    Redirecting,
}

/// A message shown above the submit button until the next action.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Api(ApiError),
    PopupBlocked,
    AuthorizationCancelled,
    AuthorizationDenied,
    AuthorizationExpired,
    AuthorizationFailed(Option<String>),
    /// Another tab's sign-in ended without a session: this tab needs a fresh click.
    ConnectNeeded,
    SignedOut,
}

impl Notice {
    /// Whether to show the Connect button (a fresh user gesture for the popup).
    pub fn offers_connect(&self) -> bool {
        matches!(
            self,
            Notice::PopupBlocked
                | Notice::ConnectNeeded
                | Notice::AuthorizationExpired
                | Notice::AuthorizationFailed(_)
                | Notice::Api(ApiError::AuthorizationRequired)
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FormState {
    pub kind: Kind,
    pub appointment: AppointmentDraft,
    pub task: TaskDraft,
    /// Inline messages keyed by field name (from `parse()` or from a 422).
    pub errors: FieldErrors,
    pub phase: Phase,
    pub notice: Option<Notice>,
    pub confirmation: Option<Created>,
    /// The action that is in flight or waits for authorization.
    pub pending: Option<Pending>,
    pub auth: AuthState,
    /// Bumped whenever what the read-back list shows may have changed (an item created, a
    /// sign-in or sign-out); the list itself keeps which days and page it shows.
    pub list_version: u32,
    /// The existing item the form edits (Save instead of Create).
    pub editing: Option<Editing>,
    /// A save met a newer version: the user chooses to reload it or to overwrite it.
    pub conflict: Option<Opened>,
    /// The last change to an existing item that succeeded, announced until the next action.
    pub done: Option<Target>,
    /// What a fresh form holds: empty, or the host page's prefilled values.
    pub blank: Rc<Draft>,
}

impl FormState {
    pub fn new(kind: Kind) -> Self {
        Self::with_blank(match kind {
            Kind::Appointment => Draft::Appointment(AppointmentDraft::default()),
            Kind::Task => Draft::Task(TaskDraft::default()),
        })
    }

    /// A form that opens with `blank` and goes back to it after each item it creates.
    pub fn with_blank(blank: Draft) -> Self {
        let (kind, appointment, task) = match &blank {
            Draft::Appointment(a) => (Kind::Appointment, a.clone(), TaskDraft::default()),
            Draft::Task(t) => (Kind::Task, AppointmentDraft::default(), t.clone()),
        };
        Self {
            kind,
            appointment,
            task,
            errors: FieldErrors::new(),
            phase: Phase::Editing,
            notice: None,
            confirmation: None,
            pending: None,
            auth: AuthState::Unknown,
            list_version: 0,
            editing: None,
            conflict: None,
            done: None,
            blank: Rc::new(blank),
        }
    }

    /// The blank form again (an appointment keeps the chosen time zone: the next one is
    /// likely in the same).
    fn reset_draft(&mut self) {
        match &*self.blank {
            Draft::Appointment(blank) => {
                self.appointment = AppointmentDraft {
                    time_zone: self.appointment.time_zone.take(),
                    ..blank.clone()
                }
            }
            Draft::Task(blank) => self.task = blank.clone(),
        }
    }

    /// A fresh form of this kind, editing nothing.
    fn close_editor(&mut self) {
        self.reset_draft();
        self.editing = None;
        self.conflict = None;
        self.errors = FieldErrors::new();
    }

    /// The draft of the current form; an appointment without a chosen zone (none, or the
    /// field left empty, as when an item without one is edited) gets `time_zone`.
    pub fn draft(&self, time_zone: Option<String>) -> Draft {
        match self.kind {
            Kind::Appointment => Draft::Appointment(AppointmentDraft {
                time_zone: self
                    .appointment
                    .time_zone
                    .clone()
                    .filter(|zone| !zone.trim().is_empty())
                    .or(time_zone),
                ..self.appointment.clone()
            }),
            Kind::Task => Draft::Task(self.task.clone()),
        }
    }

    pub fn busy(&self) -> bool {
        !matches!(self.phase, Phase::Editing)
    }
}

pub enum Action {
    /// The user typed into `field`.
    Edit {
        field: Field,
        value: String,
    },
    /// Client-side validation failed: nothing is sent.
    Invalid(FieldErrors),
    /// The action is being sent now.
    Send(Pending),
    /// The proxy created the item: confirm, reset the form, refresh the list.
    Created(Created),
    /// The action failed; drafts stay as they are.
    Failed(ApiError),
    /// Waiting for the sign-in popup (or another tab's); keeps the pending action.
    AwaitAuthorization {
        pending: Option<Pending>,
        other_tab: bool,
    },
    /// The authorization could not go on; the pending action stays for a Connect click
    /// only when the notice offers Connect.
    AuthorizationStopped(Notice),
    Redirecting(Option<Pending>),
    /// The page came back from the browser's back/forward cache, exactly as it was left.
    ShownAgain,
    /// Drafts restored after a full-page sign-in.
    Restore(Draft),
    Auth(AuthState),
    SignedOut,
    /// Back to editing with nothing to say (e.g. signed in without a pending action).
    Idle,
    /// An existing item fills the form, to be edited and saved.
    Open(Opened),
    /// "Cancel editing": a fresh form.
    CloseEditor,
    /// A change to an existing item succeeded.
    Changed(Target),
    /// A save met a newer version of the item; the drafts stay until the user chooses.
    Conflict(Opened),
}

impl Reducible for FormState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit { field, value } => {
                next.errors.remove(field);
                if field == Field::Start || field == Field::End {
                    // "end must be after start" depends on both.
                    next.errors.remove(Field::End);
                }
                if !next.set_field(field, value) {
                    return self;
                }
            }
            Action::Invalid(errors) => {
                next.errors = errors;
                next.phase = Phase::Editing;
                next.notice = None;
                next.confirmation = None;
            }
            Action::Send(pending) => {
                next.errors = FieldErrors::new();
                next.phase = Phase::Sending;
                next.notice = None;
                next.confirmation = None;
                next.done = None;
                next.conflict = None;
                next.pending = Some(pending);
            }
            Action::Created(created) => {
                next.reset_draft();
                next.confirmation = Some(created);
                next.done = None;
                next.errors = FieldErrors::new();
                next.phase = Phase::Editing;
                next.notice = None;
                next.pending = None;
                next.list_version = next.list_version.wrapping_add(1);
            }
            Action::Failed(error) => {
                if let ApiError::Validation(fields) = &error {
                    next.errors = fields.clone();
                }
                next.phase = Phase::Editing;
                // Still unauthorized after a sign-in: keep the action for the Connect button.
                if error != ApiError::AuthorizationRequired {
                    next.pending = None;
                }
                if matches!(error, ApiError::Conflict(_) | ApiError::NotFound(_)) {
                    // The list showed an older version (or a deleted item): show the current.
                    next.list_version = next.list_version.wrapping_add(1);
                }
                next.notice = Some(Notice::Api(error));
            }
            Action::AwaitAuthorization { pending, other_tab } => {
                next.phase = Phase::Authorizing { other_tab };
                next.notice = None;
                next.confirmation = None;
                next.errors = FieldErrors::new();
                if pending.is_some() {
                    next.pending = pending;
                }
            }
            Action::AuthorizationStopped(notice) => {
                next.phase = Phase::Editing;
                if !notice.offers_connect() {
                    next.pending = None;
                }
                next.notice = Some(notice);
            }
            Action::Redirecting(pending) => {
                next.phase = Phase::Redirecting;
                next.notice = None;
                next.pending = pending;
            }
            // Left for a full-page sign-in and shown again: the user came Back from the
            // sign-in page (Firefox and Safari keep the page as it was), so that sign-in was
            // given up. Without this the form would say "Redirecting…" and stay disabled.
            Action::ShownAgain if self.phase == Phase::Redirecting => {
                return self.reduce(Action::AuthorizationStopped(Notice::AuthorizationCancelled));
            }
            Action::ShownAgain => return self,
            Action::Restore(draft) => match draft {
                Draft::Appointment(a) => next.appointment = a,
                Draft::Task(t) => next.task = t,
            },
            Action::Auth(auth) => {
                if next.auth == auth {
                    return self;
                }
                let became_authorized = matches!(auth, AuthState::Authorized { .. })
                    && !matches!(next.auth, AuthState::Authorized { .. });
                next.auth = auth;
                if became_authorized {
                    next.list_version = next.list_version.wrapping_add(1);
                    if matches!(
                        next.notice,
                        Some(
                            Notice::SignedOut
                                | Notice::ConnectNeeded
                                | Notice::PopupBlocked
                                | Notice::AuthorizationCancelled
                        )
                    ) && next.pending.is_none()
                    {
                        next.notice = None;
                    }
                }
            }
            Action::SignedOut => {
                next.auth = AuthState::Unauthorized;
                next.notice = Some(Notice::SignedOut);
                next.confirmation = None;
                next.list_version = next.list_version.wrapping_add(1);
            }
            Action::Idle => {
                next.phase = Phase::Editing;
                next.notice = None;
                next.pending = None;
            }
            Action::Open(opened) => {
                match opened.draft {
                    Draft::Appointment(a) => next.appointment = a,
                    Draft::Task(t) => next.task = t,
                }
                next.editing = Some(Editing {
                    id: opened.id,
                    version: opened.version,
                });
                next.conflict = None;
                next.errors = FieldErrors::new();
                next.notice = None;
                next.confirmation = None;
                next.done = None;
            }
            Action::CloseEditor => {
                next.close_editor();
                next.notice = None;
            }
            Action::Changed(target) => {
                let edited = next.editing.as_ref().is_some_and(|e| e.id == target.id);
                // The edited item saved or gone: the form is free for the next entry. A task
                // completed from the list while edited keeps the form (its next save conflicts).
                if matches!(target.change, Change::Save)
                    || (edited && matches!(target.change, Change::Delete | Change::Cancel(_)))
                {
                    next.close_editor();
                }
                next.done = Some(target);
                next.phase = Phase::Editing;
                next.notice = None;
                next.pending = None;
                next.list_version = next.list_version.wrapping_add(1);
            }
            Action::Conflict(newer) => {
                next.phase = Phase::Editing;
                next.notice = None;
                next.pending = None;
                next.conflict = Some(newer);
            }
        }
        Rc::new(next)
    }
}
