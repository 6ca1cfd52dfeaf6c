//! The cursors of paged listings, and how a calendar page is cut from a view of the calendar.
//!
//! Tasks page by offset (EWS IndexedPageItemView Offset, Graph `$skip`): the cursor is the next
//! page's offset.
//!
//! A calendar view (EWS CalendarView, Graph `calendarView`) has no stable offset: it returns
//! the items overlapping [start, end) in start order, at most a given count, and says whether
//! the window holds more. The next page is read by moving the start to where the last page ended.
//! The cursor keeps that instant (`after`, the start of the page's last item) and how many items
//! starting exactly then were returned already (`skip`); everything starting earlier was on
//! earlier pages. This relies on Exchange ordering items with equal start times the same way
//! in every request (the sandbox orders them by end, then creation).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use model::{Appointment, CalendarWindow, FieldErrors, Page};

use super::MailboxError;

/// Where the next calendar page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarCursor {
    /// The start of the last item returned so far.
    pub after: DateTime<Utc>,
    /// How many items starting exactly at `after` were returned so far.
    pub skip: u32,
}

/// Where the next task page starts (IndexedPageItemView Offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskCursor {
    pub offset: u32,
}

const CALENDAR_TAG: &str = "c1";
const TASK_TAG: &str = "t1";

fn encode(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// The cursor's fields after its tag, or `None` for anything this proxy did not give out.
fn decode<'a>(raw: &str, tag: &str, buffer: &'a mut String) -> Option<Vec<&'a str>> {
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
    *buffer = String::from_utf8(bytes).ok()?;
    let mut parts = buffer.split(':');
    (parts.next()? == tag).then(|| parts.collect())
}

fn bad_cursor() -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add(
        model::Field::Cursor,
        "This is not a cursor of this listing: use the nextCursor of the previous page, or leave it out for the first page.",
    );
    errors
}

impl CalendarCursor {
    pub fn encode(&self) -> String {
        encode(&format!(
            "{CALENDAR_TAG}:{}:{}",
            self.after.timestamp_millis(),
            self.skip
        ))
    }

    /// A cursor given out for a page of `window` (only its end bounds where a page can start).
    pub fn parse(raw: &str, window: &CalendarWindow) -> Result<Self, FieldErrors> {
        let mut buffer = String::new();
        let cursor = match decode(raw, CALENDAR_TAG, &mut buffer).as_deref() {
            Some([millis, skip]) => millis
                .parse()
                .ok()
                .and_then(DateTime::from_timestamp_millis)
                .zip(skip.parse().ok())
                .map(|(after, skip)| Self { after, skip }),
            _ => None,
        };
        cursor
            .filter(|c| c.after < window.end)
            .ok_or_else(bad_cursor)
    }

    /// The CalendarView's StartDate for the page after this cursor. A second early, so that
    /// items starting at `after` come back whatever their length (a zero-length item there
    /// does not overlap [after, end)); never before the window, which returns them as well.
    pub fn view_start(&self, window: &CalendarWindow) -> DateTime<Utc> {
        // A forged cursor may hold the earliest instant there is: nothing lies before it.
        let second_early = self.after.checked_sub_signed(Duration::seconds(1));
        second_early.unwrap_or(self.after).max(window.start)
    }
}

impl TaskCursor {
    pub fn encode(&self) -> String {
        encode(&format!("{TASK_TAG}:{}", self.offset))
    }

    pub fn parse(raw: &str) -> Result<Self, FieldErrors> {
        let mut buffer = String::new();
        match decode(raw, TASK_TAG, &mut buffer).as_deref() {
            // EWS offsets are xs:int.
            Some([offset]) => offset
                .parse::<u32>()
                .ok()
                .filter(|o| i32::try_from(*o).is_ok())
                .map(|offset| Self { offset })
                .ok_or_else(bad_cursor),
            _ => Err(bad_cursor()),
        }
    }
}

/// The view for the page after `cursor`: where it starts, and how many items to ask of it
/// (the view returns again what still overlaps its start, so a page more than those), at
/// most `cap`.
pub fn view_request(
    window: &CalendarWindow,
    cursor: Option<&CalendarCursor>,
    limit: usize,
    cap: usize,
) -> (DateTime<Utc>, usize) {
    let start = cursor.map_or(window.start, |c| c.view_start(window));
    let skip = cursor.map_or(0, |c| c.skip as usize);
    (start, (2 * limit + 1).saturating_add(skip).min(cap))
}

/// Of a CalendarView answer (in start order), the items no earlier page returned: those
/// starting after the cursor, and those starting at it beyond the first `skip`.
pub fn unseen(items: Vec<Appointment>, cursor: Option<&CalendarCursor>) -> Vec<Appointment> {
    let Some(cursor) = cursor else {
        return items;
    };
    let mut at_cursor = 0u32;
    items
        .into_iter()
        .filter(|a| {
            if a.start == cursor.after {
                at_cursor += 1;
                at_cursor > cursor.skip
            } else {
                a.start > cursor.after
            }
        })
        .collect()
}

/// The page of `limit` items out of `fresh` (the unseen items of a view, in start order, one
/// more than `limit` when available); `view_has_more`: the view stopped at MaxEntriesReturned.
pub fn calendar_page(
    mut fresh: Vec<Appointment>,
    limit: usize,
    cursor: Option<&CalendarCursor>,
    view_has_more: bool,
) -> Result<Page<Appointment>, MailboxError> {
    let more = fresh.len() > limit || view_has_more;
    fresh.truncate(limit);
    if !more {
        return Ok(Page::last(fresh));
    }
    let Some(last) = fresh.last() else {
        // Every item the largest view returned was on earlier pages.
        return Err(MailboxError::Unreadable(
            "too many appointments start at the same time for the calendar to be paged past them"
                .into(),
        ));
    };
    let after = last.start;
    let here = fresh.iter().filter(|a| a.start == after).count();
    let earlier = cursor.filter(|c| c.after == after).map_or(0, |c| c.skip);
    let next = CalendarCursor {
        after,
        skip: earlier.saturating_add(u32::try_from(here).unwrap_or(u32::MAX)),
    };
    Ok(Page::followed_by(fresh, next.encode()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        format!("2026-12-01T{hour:02}:{minute:02}:00Z")
            .parse()
            .unwrap()
    }

    fn item(id: &str, start: DateTime<Utc>) -> Appointment {
        Appointment {
            id: id.into(),
            change_key: "ck".into(),
            subject: id.into(),
            start,
            end: start + Duration::minutes(30),
            ..Appointment::default()
        }
    }

    fn december() -> CalendarWindow {
        CalendarWindow::parse("2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z").unwrap()
    }

    fn ids(items: &[Appointment]) -> Vec<&str> {
        items.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let window = december();
        let cursor = CalendarCursor {
            after: at(9, 30),
            skip: 2,
        };
        assert_eq!(
            CalendarCursor::parse(&cursor.encode(), &window).unwrap(),
            cursor
        );
        let task = TaskCursor { offset: 150 };
        assert_eq!(TaskCursor::parse(&task.encode()).unwrap(), task);

        let beyond = CalendarCursor {
            after: window.end,
            skip: 0,
        };
        for bad in [
            "".to_owned(),
            "not base64!".to_owned(),
            encode("c1:12"),
            encode("c1:x:1"),
            beyond.encode(),
            task.encode(),
        ] {
            let errors = CalendarCursor::parse(&bad, &window).unwrap_err();
            assert!(errors.get(model::Field::Cursor).is_some(), "{bad}");
        }
        for bad in [
            cursor.encode(),
            encode("t1:-1"),
            encode("t1:3000000000"),
            "%%".into(),
        ] {
            assert!(TaskCursor::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_view_starts_a_second_before_the_cursor_but_never_before_the_window() {
        let window = december();
        let inside = CalendarCursor {
            after: at(9, 0),
            skip: 1,
        };
        assert_eq!(
            inside.view_start(&window),
            at(8, 59) + Duration::seconds(59)
        );
        let ongoing = CalendarCursor {
            after: window.start - Duration::hours(3),
            skip: 1,
        };
        assert_eq!(ongoing.view_start(&window), window.start);
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        // Three items at 09:00 (ties), one at 10:00, one at 11:00; pages of two.
        let all = [
            item("a", at(9, 0)),
            item("b", at(9, 0)),
            item("c", at(9, 0)),
            item("d", at(10, 0)),
            item("e", at(11, 0)),
        ];
        let mut seen = Vec::new();
        let mut cursor: Option<CalendarCursor> = None;
        for _ in 0..5 {
            // What a view from the cursor returns: everything still overlapping, in order.
            let from = cursor.map(|c| c.after - Duration::seconds(1));
            let view: Vec<Appointment> = all
                .iter()
                .filter(|a| from.is_none_or(|f| a.end > f))
                .cloned()
                .collect();
            let fresh = unseen(view, cursor.as_ref());
            let page = calendar_page(fresh, 2, cursor.as_ref(), false).unwrap();
            seen.extend(page.items.iter().map(|a| a.id.clone()));
            match page.next_cursor {
                Some(next) => cursor = Some(CalendarCursor::parse(&next, &december()).unwrap()),
                None => break,
            }
        }
        assert_eq!(seen, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn a_full_view_means_more_even_when_the_page_is_short() {
        let fresh = vec![item("a", at(9, 0))];
        let page = calendar_page(fresh.clone(), 2, None, true).unwrap();
        assert!(page.more);
        assert_eq!(ids(&page.items), ["a"]);
        let last = calendar_page(fresh, 2, None, false).unwrap();
        assert_eq!((last.more, last.next_cursor), (false, None));
    }

    #[test]
    fn a_view_of_nothing_new_cannot_be_paged() {
        assert!(calendar_page(Vec::new(), 2, None, true).is_err());
        assert!(!calendar_page(Vec::new(), 2, None, false).unwrap().more);
    }
}
