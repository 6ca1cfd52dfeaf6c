//! [GetRoomLists](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getroomlists-operation)
//! and [GetRooms](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getrooms-operation)
//! over the seeded room lists.

use ews::operations::get_room_lists::GetRoomListsResponse;
use ews::operations::get_rooms::{GetRooms, GetRoomsResponse};
use ews::response::ResponseError;

use crate::mailbox::directory::{self, ROOM_LISTS};

pub fn get_room_lists() -> GetRoomListsResponse {
    GetRoomListsResponse::new(Ok(ROOM_LISTS
        .iter()
        .map(directory::room_list_mailbox)
        .collect()))
}

pub fn get_rooms(request: &GetRooms) -> GetRoomsResponse {
    let wanted = request
        .room_list
        .email_address
        .as_deref()
        .unwrap_or("")
        .trim();
    match ROOM_LISTS
        .iter()
        .find(|list| list.email.eq_ignore_ascii_case(wanted))
    {
        Some(list) => {
            GetRoomsResponse::new(Ok(list.rooms.iter().map(directory::room_mailbox).collect()))
        }
        None => GetRoomsResponse::new(Err(ResponseError::new(
            "ErrorNameResolutionNoResults",
            "No results were found.",
        ))),
    }
}
