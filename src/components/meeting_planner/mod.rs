//! Planning a meeting against everyone's calendars: the room picker with each room's
//! free/busy at the chosen time (`rooms.rs`), the user's own appointments that overlap it, and
//! "Find a time" (`times.rs`).

mod rooms;
mod times;

pub use rooms::{Rooms, room_picker};
pub use times::{Times, meeting_times};

use std::time::Duration;

use model::directory::BusySlot;

use crate::components::appointment_form::FieldsProps;
use crate::state::AuthState;
use crate::wall_clock::slot;

/// How long the times must stay put before calendars are asked again.
const SETTLE: Duration = Duration::from_millis(300);

/// The chosen start and end in whole milliseconds, when both read as times.
type SlotKey = Option<(i64, i64)>;

/// Whether `busy` is the edited meeting's own booking: the same start and end as the meeting
/// had when it was opened (free/busy names no item, so its times identify it).
fn is_own(busy: &BusySlot, own: SlotKey) -> bool {
    own == Some((busy.start.timestamp_millis(), busy.end.timestamp_millis()))
}

/// The edited meeting's time as it was opened, kept in `seen` (`(item id, time)`) across
/// renders: the draft's times move as the user edits, the booking stays where it was.
fn own_booking(seen: &mut (Option<String>, SlotKey), props: &FieldsProps) -> SlotKey {
    let editing = props.state.editing.as_ref().map(|e| e.id.clone());
    if seen.0 != editing {
        *seen = (editing.clone(), editing.and(slot_key(props)));
    }
    seen.1
}

fn signed_in(props: &FieldsProps) -> bool {
    matches!(props.state.auth, AuthState::Authorized { .. })
}

/// The slot as whole milliseconds, to tell whether it changed since calendars were asked.
fn slot_key(props: &FieldsProps) -> SlotKey {
    slot(&props.state.appointment).map(|(s, e)| (s as i64, e as i64))
}
