//! User-visible text in English and French (chosen from the BCP 47 `locale` option); dates
//! in that locale are formatted in [`format`].

use js_sys::Array;
use model::{Field, Problem, ReplyKind, ResponseStatus, TaskStatus};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::error::ApiError;
use crate::state::Change;

mod en;
mod format;
mod fr;

pub use format::{browser_time_zone, time_zones};

#[wasm_bindgen]
extern "C" {
    /// `Intl.getCanonicalLocales`, which throws a RangeError for a malformed tag.
    #[wasm_bindgen(catch, js_namespace = Intl, js_name = getCanonicalLocales)]
    fn canonical_locales(tag: &str) -> Result<Array, JsValue>;
}

/// A validated BCP 47 tag plus the language of our texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locale {
    /// Canonical BCP 47 tag, used for `Intl` formatting (e.g. `fr-CA`).
    pub tag: String,
    pub lang: Lang,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Locale {
    /// Canonicalises `tag` with `Intl.getCanonicalLocales`; `Err` names the bad tag.
    pub fn parse(tag: &str) -> Result<Self, String> {
        let tag = tag.trim();
        if tag.is_empty() {
            return Err("locale must be a BCP 47 language tag such as \"en\" or \"fr-FR\"".into());
        }
        let canonical = canonical_locales(tag)
            .ok()
            .and_then(|list| list.get(0).as_string())
            .ok_or_else(|| {
                format!("locale \"{tag}\" is not a BCP 47 language tag such as \"en\" or \"fr-FR\"")
            })?;
        let lang = if canonical.to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        };
        Ok(Self {
            tag: canonical,
            lang,
        })
    }

    /// The browser's preferred language, or English.
    pub fn from_browser() -> Self {
        web_sys::window()
            .and_then(|w| w.navigator().language())
            .and_then(|tag| Self::parse(&tag).ok())
            .unwrap_or_else(|| Self {
                tag: "en".into(),
                lang: Lang::En,
            })
    }

    pub fn t(&self) -> &'static Texts {
        match self.lang {
            Lang::En => &en::EN,
            Lang::Fr => &fr::FR,
        }
    }
}

/// Every fixed text of the widget.
pub struct Texts {
    pub appointment_title: &'static str,
    pub task_title: &'static str,
    pub subject: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    pub location: &'static str,
    pub body: &'static str,
    pub due_date: &'static str,
    pub status: &'static str,
    pub start_date: &'static str,
    pub percent_complete: &'static str,
    pub remind_at: &'static str,
    pub create: &'static str,
    pub creating: &'static str,
    pub optional: &'static str,
    pub fix_errors: &'static str,
    pub calendar_heading: &'static str,
    pub tasks_heading: &'static str,
    pub loading: &'static str,
    pub no_appointments: &'static str,
    pub no_tasks: &'static str,
    pub refresh: &'static str,
    pub previous_week: &'static str,
    pub next_week: &'static str,
    pub this_week: &'static str,
    /// `aria-label` of the week navigation.
    pub weeks: &'static str,
    pub more: &'static str,
    pub previous_page: &'static str,
    /// `aria-label` of the page navigation.
    pub pages: &'static str,
    pub list_needs_sign_in: &'static str,
    pub no_due_date: &'static str,
    pub waiting_for_authorization: &'static str,
    pub waiting_other_tab: &'static str,
    pub cancel: &'static str,
    pub connect: &'static str,
    pub popup_blocked: &'static str,
    pub authorization_cancelled: &'static str,
    pub authorization_denied: &'static str,
    pub authorization_expired: &'static str,
    pub authorization_failed: &'static str,
    pub authorization_required: &'static str,
    pub redirecting: &'static str,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    pub signed_out: &'static str,
    pub not_signed_in: &'static str,
    pub retry: &'static str,
    pub network: &'static str,
    pub busy: &'static str,
    pub server: &'static str,
    pub forbidden: &'static str,
    pub unexpected: &'static str,
    pub input_kept: &'static str,
    pub all_day: &'static str,
    pub time_zone: &'static str,
    pub reminder: &'static str,
    /// The reminder choices: none, at the start, 5, 15, 30 minutes, 1 hour, 1 day, custom.
    pub reminders: [&'static str; 8],
    pub minutes_before: &'static str,
    pub show_as_label: &'static str,
    /// In the order of `ShowAs::ALL`.
    pub show_as: [&'static str; 5],
    pub importance: &'static str,
    /// In the order of `Importance::ALL`.
    pub importance_levels: [&'static str; 3],
    pub private: &'static str,
    pub categories: &'static str,
    pub repeat: &'static str,
    /// Does not repeat, then in the order of `Repeat::ALL`.
    pub repeats: [&'static str; 6],
    pub interval: &'static str,
    pub on_days: &'static str,
    pub ends: &'static str,
    /// In the order of `Ends::ALL`.
    pub ends_choices: [&'static str; 3],
    pub until: &'static str,
    pub count: &'static str,
    pub edit_appointment_title: &'static str,
    pub edit_task_title: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub cancel_editing: &'static str,
    pub edit: &'static str,
    pub delete: &'static str,
    pub back: &'static str,
    pub cancel_meeting: &'static str,
    pub message_to_attendees: &'static str,
    pub message_to_organiser: &'static str,
    pub accept: &'static str,
    pub tentative: &'static str,
    pub decline: &'static str,
    pub accepted: &'static str,
    pub declined: &'static str,
    pub not_answered: &'static str,
    pub invitation_from: &'static str,
    pub mark_complete: &'static str,
    pub show_tasks: &'static str,
    pub all_tasks: &'static str,
    pub open_tasks: &'static str,
    pub completed_tasks: &'static str,
    pub sort_by: &'static str,
    pub newest_first: &'static str,
    pub due_first: &'static str,
    pub conflict: &'static str,
    pub reload: &'static str,
    pub overwrite: &'static str,
    pub changed_meanwhile: &'static str,
    pub required_attendees: &'static str,
    pub optional_attendees: &'static str,
    pub rooms: &'static str,
    /// Before the value a chip's remove button takes away.
    pub remove: &'static str,
    pub room_list: &'static str,
    pub choose: &'static str,
    /// `aria-label` of the rooms of the chosen list.
    pub rooms_of_list: &'static str,
    pub book_anyway: &'static str,
    pub choose_another_room: &'static str,
    pub pickers_need_sign_in: &'static str,
    pub you_are_busy: &'static str,
    pub find_a_time: &'static str,
    pub no_free_time: &'static str,
    /// `aria-label` of the suggested times.
    pub free_for_everyone: &'static str,
}

impl Locale {
    pub fn status_label(&self, status: TaskStatus) -> &'static str {
        match (self.lang, status) {
            (Lang::En, s) => s.label(),
            (Lang::Fr, TaskStatus::NotStarted) => "Non commencée",
            (Lang::Fr, TaskStatus::InProgress) => "En cours",
            (Lang::Fr, TaskStatus::Completed) => "Terminée",
            (Lang::Fr, TaskStatus::WaitingOnOthers) => "En attente d’autres personnes",
            (Lang::Fr, TaskStatus::Deferred) => "Reportée",
        }
    }

    /// The message for `field`'s problem in this language (the model words it in English;
    /// what only the server says stays as it said it).
    pub fn problem(&self, field: Field, problem: &Problem) -> String {
        if self.lang == Lang::En {
            return problem.english(field);
        }
        let what = match field {
            Field::Subject => "un objet",
            Field::Location => "le lieu",
            Field::Body => "la description",
            Field::Start | Field::End => "la date et l’heure",
            _ => "la valeur",
        };
        match problem {
            Problem::Missing => format!("Saisissez {what}."),
            Problem::Malformed => match field {
                Field::Start | Field::End | Field::ReminderAt => {
                    "Date et heure invalides (AAAA-MM-JJTHH:MM)."
                }
                Field::TimeZone => "Fuseau horaire inconnu.",
                Field::Status => "État de tâche inconnu.",
                _ => "Date invalide (AAAA-MM-JJ).",
            }
            .into(),
            Problem::TooLong { max } => format!("Texte trop long : {max} caractères au plus."),
            Problem::ControlCharacters => "Le texte contient des caractères de contrôle.".into(),
            Problem::BeforeStart if field == Field::End => {
                "La fin doit être après le début.".into()
            }
            Problem::BeforeStart => "Ne peut pas précéder le début.".into(),
            Problem::NotAnAddress(text) => format!("« {text} » n’est pas une adresse e-mail."),
            Problem::OutOfRange { min, max } => {
                format!("Saisissez un nombre entier de {min} à {max}.")
            }
            Problem::TooMany { max } => format!("{max} au plus."),
            Problem::Text(text) => text.clone(),
        }
    }

    pub fn field_label(&self, field: Field) -> &'static str {
        let t = self.t();
        match field {
            Field::Subject => t.subject,
            Field::Start => t.start,
            Field::End => t.end,
            Field::Location => t.location,
            Field::Body => t.body,
            Field::DueDate => t.due_date,
            Field::Status => t.status,
            Field::StartDate => t.start_date,
            Field::PercentComplete => t.percent_complete,
            Field::ReminderAt => t.remind_at,
            Field::AllDay => t.all_day,
            Field::TimeZone => t.time_zone,
            Field::Reminder => t.reminder,
            Field::ShowAs => t.show_as_label,
            Field::Importance => t.importance,
            Field::Private => t.private,
            Field::Categories => t.categories,
            Field::Recurrence => t.repeat,
            Field::RecurrenceInterval => t.interval,
            Field::RecurrenceDays => t.on_days,
            Field::RecurrenceEnds => t.ends,
            Field::RecurrenceUntil => t.until,
            Field::RecurrenceCount => t.count,
            Field::RequiredAttendees => t.required_attendees,
            Field::OptionalAttendees => t.optional_attendees,
            Field::Rooms => t.rooms,
            _ => "",
        }
    }

    /// A sentence for an error from the proxy (field errors are shown inline instead).
    pub fn api_error(&self, error: &ApiError) -> String {
        let t = self.t();
        match error {
            ApiError::Validation(_) => t.fix_errors.to_owned(),
            ApiError::AuthorizationRequired => t.authorization_required.to_owned(),
            ApiError::Network(_) => t.network.to_owned(),
            ApiError::Busy {
                retry_after: Some(seconds),
            } => match self.lang {
                Lang::En => format!("{} in {seconds} s. {}", t.busy, t.input_kept),
                Lang::Fr => format!("{} dans {seconds} s. {}", t.busy, t.input_kept),
            },
            ApiError::Busy { retry_after: None } => {
                let later = if self.lang == Lang::Fr {
                    "plus tard"
                } else {
                    "in a moment"
                };
                format!("{} {later}. {}", t.busy, t.input_kept)
            }
            ApiError::Forbidden(m) => format!("{}: {m}. {}", t.forbidden, t.input_kept),
            ApiError::Conflict(_) => format!("{} {}", t.changed_meanwhile, t.input_kept),
            ApiError::Server(m) | ApiError::BadRequest(m) | ApiError::NotFound(m) => {
                format!("{}: {m}. {}", t.server, t.input_kept)
            }
            ApiError::Decode(m) => format!("{}: {m}. {}", t.unexpected, t.input_kept),
            ApiError::Aborted => t.authorization_cancelled.to_owned(),
        }
    }

    pub fn created_appointment(&self, subject: &str, range: &str) -> String {
        match self.lang {
            Lang::En => format!("Created \u{201c}{subject}\u{201d} on {range}"),
            Lang::Fr => format!("« {subject} » créé le {range}"),
        }
    }

    pub fn created_task(&self, subject: &str, due: Option<&str>) -> String {
        match (self.lang, due) {
            (Lang::En, Some(due)) => format!("Created task \u{201c}{subject}\u{201d} due {due}"),
            (Lang::En, None) => format!("Created task \u{201c}{subject}\u{201d}"),
            (Lang::Fr, Some(due)) => format!("Tâche « {subject} » créée, échéance {due}"),
            (Lang::Fr, None) => format!("Tâche « {subject} » créée"),
        }
    }

    /// What a change to an existing item did, naming it.
    pub fn outcome(&self, change: &Change, subject: &str) -> String {
        let (en, fr) = match change {
            Change::Save => ("Saved", "enregistré"),
            Change::Complete => ("Completed", "terminée"),
            Change::Delete => ("Deleted", "supprimé"),
            Change::Cancel(_) => (
                "Cancelled for everyone",
                "annulée pour tous les participants",
            ),
            Change::Reply(ReplyKind::Accept, _) => ("You accepted", "vous avez accepté"),
            Change::Reply(ReplyKind::Tentative, _) => (
                "You tentatively accepted",
                "vous avez accepté provisoirement",
            ),
            Change::Reply(ReplyKind::Decline, _) => ("You declined", "vous avez refusé"),
        };
        match self.lang {
            Lang::En => format!("{en} \u{201c}{subject}\u{201d}."),
            Lang::Fr => format!("« {subject} » : {fr}."),
        }
    }

    /// The warning before a room that is taken at the chosen time is booked.
    pub fn room_busy(&self, room: &str) -> String {
        match self.lang {
            Lang::En => format!("{room} is already booked at this time."),
            Lang::Fr => format!("{room} est déjà réservée à cette heure."),
        }
    }

    /// "Delete “Weekly sync”?": what confirming an action on an item will do.
    pub fn question(&self, action: &str, subject: &str) -> String {
        match self.lang {
            Lang::En => format!("{action} \u{201c}{subject}\u{201d}?"),
            Lang::Fr => format!("{action} « {subject} » ?"),
        }
    }

    /// The user's answer to an invitation, as the agenda shows it.
    pub fn response_label(&self, response: ResponseStatus) -> &'static str {
        let t = self.t();
        match response {
            ResponseStatus::Accepted => t.accepted,
            ResponseStatus::Tentative => t.tentative,
            ResponseStatus::Declined => t.declined,
            _ => t.not_answered,
        }
    }

    pub fn authorization_failed(&self, reason: Option<&str>) -> String {
        match reason {
            Some(reason) if !reason.trim().is_empty() => {
                format!("{}: {reason}", self.t().authorization_failed)
            }
            _ => format!("{}.", self.t().authorization_failed),
        }
    }
}
