//! [GetFolder](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation):
//! the calendar and tasks folders, what clients bind to before anything else.

use ews::operations::get_folder::{Folder, FolderKind, GetFolder, GetFolderResponse};
use ews::response::{MessageResult, ResponseError};
use ews::types::{BaseShape, ItemId};

use super::{CALENDAR_FOLDER_ID, TASKS_FOLDER_ID, folder_name};
use crate::mailbox::SandboxError;
use crate::mailbox::items::CALENDAR;
use crate::mailbox::store::ItemStore;

/// The folders never change, so neither does their ChangeKey.
const FOLDER_CHANGE_KEY: &str = "AQAAABYAAAA=";

/// One response message per requested folder; folders other than the calendar and tasks are
/// not found, as in a mailbox that never had them.
pub async fn get_folder(
    store: &ItemStore,
    mailbox: &str,
    request: GetFolder,
) -> Result<GetFolderResponse, SandboxError> {
    let mut results: Vec<MessageResult<Vec<Folder>>> = Vec::new();
    for id in &request.folder_ids {
        let Some(name) = folder_name(id) else {
            results.push(Err(ResponseError::new(
                "ErrorFolderNotFound",
                "The specified folder could not be found in the store.",
            )));
            continue;
        };
        let (kind, folder_id, class, display_name) = if name == CALENDAR {
            (
                FolderKind::CalendarFolder,
                CALENDAR_FOLDER_ID,
                "IPF.Appointment",
                "Calendar",
            )
        } else {
            (
                FolderKind::TasksFolder,
                TASKS_FOLDER_ID,
                "IPF.Task",
                "Tasks",
            )
        };
        let mut folder = Folder {
            kind,
            folder_id: Some(ItemId::with_change_key(folder_id, FOLDER_CHANGE_KEY)),
            ..Folder::default()
        };
        if request.folder_shape.base_shape != BaseShape::IdOnly {
            let total = store.count(mailbox, name).await?;
            folder.folder_class = Some(class.to_owned());
            folder.display_name = Some(display_name.to_owned());
            folder.total_count = Some(i32::try_from(total).unwrap_or(i32::MAX));
            folder.child_folder_count = Some(0);
        }
        results.push(Ok(vec![folder]));
    }
    Ok(GetFolderResponse::new(results))
}
