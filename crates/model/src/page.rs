//! Paged listings: `GET /api/appointments?start&end&limit&cursor` and `GET /api/tasks?limit&cursor`.
//!
//! A listing never answers more than [`PageLimit::MAX`] items at once. `more` says that the
//! window (or folder) holds items beyond this page, and `nextCursor` is what to send as `cursor`
//! to get them. Cursors are opaque to clients: only the proxy that gave one out reads it.

use serde::{Deserialize, Serialize};

use crate::fields::FieldErrors;

/// One page of a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// More items exist after this page (in the same window or folder).
    pub more: bool,
    /// The `cursor` of the next page; present exactly when `more` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The last page: nothing follows.
    pub fn last(items: Vec<T>) -> Self {
        Self {
            items,
            more: false,
            next_cursor: None,
        }
    }

    /// A page followed by more, reachable with `next_cursor`.
    pub fn followed_by(items: Vec<T>, next_cursor: String) -> Self {
        Self {
            items,
            more: true,
            next_cursor: Some(next_cursor),
        }
    }
}

/// How many items one page may hold (`limit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLimit(u32);

impl PageLimit {
    /// A page without `limit`: what one screen of the widget shows.
    pub const DEFAULT: u32 = 50;
    /// The most one page may hold: bounds every answer, whatever the mailbox holds.
    pub const MAX: u32 = 200;

    /// `limit` from a query string: absent = [`Self::DEFAULT`], else 1 ..= [`Self::MAX`].
    pub fn parse(raw: Option<&str>) -> Result<Self, FieldErrors> {
        let Some(raw) = raw else {
            return Ok(Self(Self::DEFAULT));
        };
        match raw.trim().parse::<u32>() {
            Ok(n) if (1..=Self::MAX).contains(&n) => Ok(Self(n)),
            _ => {
                let mut errors = FieldErrors::new();
                errors.add(
                    crate::fields::Field::Limit,
                    format!(
                        "'{raw}' is not a page size: use a whole number from 1 to {}.",
                        Self::MAX
                    ),
                );
                Err(errors)
            }
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_serialize_in_the_documented_shape() {
        let last = serde_json::to_value(Page::last(vec![1, 2])).unwrap();
        assert_eq!(last, serde_json::json!({"items": [1, 2], "more": false}));
        let more = serde_json::to_value(Page::followed_by(vec![1], "c2".into())).unwrap();
        assert_eq!(
            more,
            serde_json::json!({"items": [1], "more": true, "nextCursor": "c2"})
        );
        let back: Page<i32> = serde_json::from_value(more).unwrap();
        assert_eq!(back.next_cursor.as_deref(), Some("c2"));
    }

    #[test]
    fn limits_default_and_stay_bounded() {
        assert_eq!(PageLimit::parse(None).unwrap().get(), PageLimit::DEFAULT);
        assert_eq!(PageLimit::parse(Some("7")).unwrap().get(), 7);
        assert_eq!(PageLimit::parse(Some("200")).unwrap().get(), 200);
        for bad in ["0", "201", "-1", "ten", "", "1e3"] {
            let errors = PageLimit::parse(Some(bad)).unwrap_err();
            assert!(errors.get(crate::fields::Field::Limit).is_some(), "{bad}");
        }
    }
}
