//! `GetRoomLists` and `GetRooms`' shared single-message response handling.
//!
//! [GetRoomLists](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getroomlists-operation)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_status;
use crate::response::{MessageResult, read_one_message, to_result};
use crate::soap::ServerVersionInfo;
use crate::types::Mailbox;
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

/// `m:GetRoomLists` (no parameters).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRoomLists {}

impl GetRoomLists {
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.empty("m:GetRoomLists", &[])
    }
    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, _e: &Elem<'_>) -> Result<Self, EwsError> {
        r.skip()?;
        Ok(GetRoomLists {})
    }
}

/// Response of `GetRoomLists`: the room lists (distribution lists of rooms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRoomListsResponse {
    pub result: MessageResult<Vec<Mailbox>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl GetRoomListsResponse {
    #[cfg(feature = "server")]
    pub fn new(result: MessageResult<Vec<Mailbox>>) -> Self {
        GetRoomListsResponse {
            result,
            server_version_info: None,
        }
    }

    pub(crate) fn read_body<'a>(r: &mut XmlReader<'a>, e: &Elem<'a>) -> Result<Self, EwsError> {
        let res = read_one_message(r, e, &mut |r, c, lists: &mut Vec<Mailbox>| {
            if c.ns == Ns::Messages && c.local() == b"RoomLists" {
                while let Some(a) = r.next_child()? {
                    if a.local() == b"Address" {
                        lists.push(Mailbox::read(r)?);
                    } else {
                        r.skip()?;
                    }
                }
                Ok(true)
            } else {
                Ok(false)
            }
        })?;
        Ok(GetRoomListsResponse {
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
        w.start("m:GetRoomListsResponse", &[("ResponseClass", class)])?;
        write_status(w, self.result.as_ref().err())?;
        if let Ok(lists) = &self.result {
            w.start("m:RoomLists", &[])?;
            for l in lists {
                l.write(w, "t:Address")?;
            }
            w.end("m:RoomLists")?;
        }
        w.end("m:GetRoomListsResponse")
    }
}

operation!(GetRoomLists, GetRoomListsResponse, "GetRoomLists");
