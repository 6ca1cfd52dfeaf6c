//! `GetRooms`: the rooms of a room list.
//!
//! [GetRooms](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getrooms-operation)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_status;
use crate::response::{MessageResult, read_one_message, to_result};
use crate::soap::ServerVersionInfo;
use crate::types::Mailbox;
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

/// `m:GetRooms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRooms {
    /// The room list (e.g. `{ "emailAddress": "RoomList@contoso.com" }`).
    pub room_list: Mailbox,
}

impl GetRooms {
    pub fn new(room_list_email: impl Into<String>) -> Self {
        GetRooms {
            room_list: Mailbox::new(room_list_email),
        }
    }
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("m:GetRooms", &[])?;
        self.room_list.write(w, "m:RoomList")?;
        w.end("m:GetRooms")
    }
    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, _e: &Elem<'_>) -> Result<Self, EwsError> {
        let mut list = None;
        while let Some(c) = r.next_child()? {
            if c.local() == b"RoomList" {
                list = Some(Mailbox::read(r)?);
            } else {
                r.skip()?;
            }
        }
        Ok(GetRooms {
            room_list: list.ok_or_else(|| r.err("GetRooms without m:RoomList"))?,
        })
    }
}

/// Response of `GetRooms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRoomsResponse {
    /// The rooms (`t:Room/t:Id`).
    pub result: MessageResult<Vec<Mailbox>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl GetRoomsResponse {
    #[cfg(feature = "server")]
    pub fn new(result: MessageResult<Vec<Mailbox>>) -> Self {
        GetRoomsResponse {
            result,
            server_version_info: None,
        }
    }

    pub(crate) fn read_body<'a>(r: &mut XmlReader<'a>, e: &Elem<'a>) -> Result<Self, EwsError> {
        let res = read_one_message(r, e, &mut |r, c, rooms: &mut Vec<Mailbox>| {
            if c.ns == Ns::Messages && c.local() == b"Rooms" {
                while let Some(room) = r.next_child()? {
                    if room.local() != b"Room" {
                        r.skip()?;
                        continue;
                    }
                    while let Some(id) = r.next_child()? {
                        if id.local() == b"Id" {
                            rooms.push(Mailbox::read(r)?);
                        } else {
                            r.skip()?;
                        }
                    }
                }
                Ok(true)
            } else {
                Ok(false)
            }
        })?;
        Ok(GetRoomsResponse {
            result: to_result(res),
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        let class = match &self.result {
            Ok(_) => "Success",
            Err(e) => e.response_class.as_str(),
        };
        w.start("m:GetRoomsResponse", &[("ResponseClass", class)])?;
        write_status(w, self.result.as_ref().err())?;
        if let Ok(rooms) = &self.result {
            w.start("m:Rooms", &[])?;
            for room in rooms {
                w.start("t:Room", &[])?;
                room.write(w, "t:Id")?;
                w.end("t:Room")?;
            }
            w.end("m:Rooms")?;
        }
        w.end("m:GetRoomsResponse")
    }
}

operation!(GetRooms, GetRoomsResponse, "GetRooms");
