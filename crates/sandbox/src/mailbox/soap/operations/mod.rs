//! The EWS operations the sandbox mailbox answers, with Exchange's semantics; one module per
//! operation.

mod cancel_calendar_item;
mod create_item;
mod delete_item;
mod find_item;
mod get_folder;
mod get_item;
mod get_user_availability;
mod meeting_response;
mod resolve_names;
mod rooms;
mod update_item;

pub use cancel_calendar_item::cancel_calendar_item;
pub use create_item::create_item;
pub use delete_item::delete_item;
pub use find_item::find_item;
pub use get_folder::get_folder;
pub use get_item::get_item;
pub use get_user_availability::get_user_availability;
pub use meeting_response::meeting_response;
pub use resolve_names::resolve_names;
pub use rooms::{get_room_lists, get_rooms};
pub use update_item::update_item;

use ews::response::ResponseError;
use ews::types::{DistinguishedFolderName, FolderId};

use crate::mailbox::items::{CALENDAR, TASKS};

/// The ids GetFolder gives the calendar and tasks folders (clients send them back instead of
/// the distinguished names). Every mailbox has its own two folders, so the same ids serve all.
const CALENDAR_FOLDER_ID: &str = "AAMkSBXFolderCalendar";
const TASKS_FOLDER_ID: &str = "AAMkSBXFolderTasks";

/// The sandbox's folders are the calendar and tasks folders, named by their distinguished names
/// or by their folder ids.
fn folder_name(folder: &FolderId) -> Option<&'static str> {
    match folder {
        FolderId::Distinguished {
            id: DistinguishedFolderName::Calendar,
            ..
        } => Some(CALENDAR),
        FolderId::Distinguished {
            id: DistinguishedFolderName::Tasks,
            ..
        } => Some(TASKS),
        FolderId::Folder { id, .. } if id == CALENDAR_FOLDER_ID => Some(CALENDAR),
        FolderId::Folder { id, .. } if id == TASKS_FOLDER_ID => Some(TASKS),
        _ => None,
    }
}

pub fn item_not_found() -> ResponseError {
    ResponseError::new(
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}
