//! Free/busy from stored calendars, shared by the front ends (EWS GetUserAvailability, Graph
//! getSchedule): what an item counts as and the merged one-digit-per-interval view.

use chrono::{DateTime, Duration, Utc};
use ews::operations::get_user_availability::FreeBusyView;
use ews::types::LegacyFreeBusy;

/// A cancelled meeting no longer takes the time.
pub fn busy_type(item: &ews::types::CalendarItem) -> LegacyFreeBusy {
    if item.is_cancelled == Some(true) {
        return LegacyFreeBusy::Free;
    }
    item.legacy_free_busy_status.unwrap_or(LegacyFreeBusy::Busy)
}

/// Which status wins when several events share an interval.
fn rank(status: LegacyFreeBusy) -> u8 {
    match status {
        LegacyFreeBusy::Oof => 5,
        LegacyFreeBusy::Busy => 4,
        LegacyFreeBusy::Tentative => 3,
        LegacyFreeBusy::WorkingElsewhere => 2,
        LegacyFreeBusy::Free => 1,
        LegacyFreeBusy::NoData => 0,
    }
}

/// One digit per interval from `start`: the strongest status of the events overlapping it.
pub fn merged_string(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    interval: Duration,
    events: &[(DateTime<Utc>, DateTime<Utc>, LegacyFreeBusy)],
) -> String {
    let mut out = String::new();
    let mut slot = start;
    while slot < end {
        let Some(slot_end) = slot.checked_add_signed(interval) else {
            break;
        };
        let status = events
            .iter()
            .filter(|(s, e, _)| *s < slot_end && *e > slot)
            .map(|(_, _, status)| *status)
            .max_by_key(|status| rank(*status))
            .unwrap_or(LegacyFreeBusy::Free);
        out.push(FreeBusyView::merged_digit(status));
        slot = slot_end;
    }
    out
}
