//! Answers to a meeting: the invitee's reply, and the organiser's cancellation.

use serde::{Deserialize, Serialize};

use crate::fields::FieldErrors;

/// Longest note sent along with a reply or a cancellation.
pub const MAX_NOTE_CHARS: usize = 4_000;

/// What an invitee tells the organiser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ReplyKind {
    Accept,
    Tentative,
    Decline,
}

impl ReplyKind {
    pub const ALL: [ReplyKind; 3] = [ReplyKind::Accept, ReplyKind::Tentative, ReplyKind::Decline];
}

/// `POST /api/appointments/{id}/reply`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplyDraft {
    /// `accept`, `tentative` or `decline`.
    pub reply: String,
    #[serde(default)]
    pub message: String,
}

/// A validated reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub kind: ReplyKind,
    /// Sent to the organiser; `None` when the user wrote nothing.
    pub message: Option<String>,
}

impl ReplyDraft {
    pub fn parse(&self) -> Result<Reply, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = match self.reply.trim() {
            "accept" => Some(ReplyKind::Accept),
            "tentative" => Some(ReplyKind::Tentative),
            "decline" => Some(ReplyKind::Decline),
            _ => {
                errors.add(
                    crate::fields::Field::Reply,
                    "Choose accept, tentative or decline.",
                );
                None
            }
        };
        let message = note(&self.message, &mut errors);
        match kind {
            Some(kind) if errors.is_empty() => Ok(Reply { kind, message }),
            _ => Err(errors),
        }
    }
}

/// `POST /api/appointments/{id}/cancel`: the organiser cancels a meeting for everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelDraft {
    #[serde(default)]
    pub message: String,
}

impl CancelDraft {
    /// The note to the attendees (`None` when empty).
    pub fn parse(&self) -> Result<Option<String>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let message = note(&self.message, &mut errors);
        if errors.is_empty() {
            Ok(message)
        } else {
            Err(errors)
        }
    }
}

fn note(text: &str, errors: &mut FieldErrors) -> Option<String> {
    let text = text.trim();
    if text.chars().count() > MAX_NOTE_CHARS {
        errors.add(
            crate::fields::Field::Message,
            format!("The message can be at most {MAX_NOTE_CHARS} characters."),
        );
    }
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_named_and_notes_trimmed() {
        let draft = ReplyDraft {
            reply: "decline".into(),
            message: "  On leave that week. ".into(),
        };
        assert_eq!(
            draft.parse().unwrap(),
            Reply {
                kind: ReplyKind::Decline,
                message: Some("On leave that week.".into())
            }
        );
        let bad = ReplyDraft {
            reply: "maybe".into(),
            message: "x".repeat(MAX_NOTE_CHARS + 1),
        };
        let errors = bad.parse().unwrap_err();
        assert!(
            errors.get(crate::fields::Field::Reply).is_some()
                && errors.get(crate::fields::Field::Message).is_some()
        );
        assert_eq!(CancelDraft::default().parse().unwrap(), None);
    }
}
