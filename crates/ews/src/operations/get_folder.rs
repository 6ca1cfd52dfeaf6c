//! `GetFolder`: what clients ask first (the calendar and tasks folders by distinguished id).
//!
//! [GetFolder](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_response_messages;
use crate::response::{MessageResult, first_item, first_message, read_response_messages};
use crate::soap::ServerVersionInfo;
use crate::types::{FolderId, ItemId, ItemShape};
#[cfg(feature = "server")]
use crate::xml::Elem;
use crate::xml::{Ns, XmlReader, XmlWriter};

/// `m:GetFolder`. The folder shape has the same parts as an item shape (`t:BaseShape`,
/// `t:AdditionalProperties`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetFolder {
    pub folder_shape: ItemShape,
    pub folder_ids: Vec<FolderId>,
}

impl GetFolder {
    pub fn new(folder_shape: ItemShape, ids: impl IntoIterator<Item = FolderId>) -> Self {
        GetFolder {
            folder_shape,
            folder_ids: ids.into_iter().collect(),
        }
    }

    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if self.folder_ids.is_empty() {
            return Err(EwsError::InvalidRequest(
                "GetFolder needs at least one folder id".into(),
            ));
        }
        w.start("m:GetFolder", &[])?;
        self.folder_shape.write(w, "m:FolderShape")?;
        w.start("m:FolderIds", &[])?;
        for id in &self.folder_ids {
            id.write(w)?;
        }
        w.end("m:FolderIds")?;
        w.end("m:GetFolder")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, _e: &Elem<'_>) -> Result<Self, EwsError> {
        let mut shape = None;
        let mut folder_ids = Vec::new();
        while let Some(c) = r.next_child()? {
            match (c.ns, c.local()) {
                (Ns::Messages, b"FolderShape") => shape = Some(ItemShape::read(r)?),
                (Ns::Messages, b"FolderIds") => folder_ids = FolderId::read_list(r)?,
                _ => r.skip()?,
            }
        }
        let folder_shape = shape.ok_or_else(|| r.err("GetFolder without m:FolderShape"))?;
        Ok(GetFolder {
            folder_shape,
            folder_ids,
        })
    }
}

crate::xml::str_enum! {
    /// The folder's element: what kind of items it holds.
    #[derive(Default)]
    FolderKind {
        #[default]
        Folder = "Folder",
        CalendarFolder = "CalendarFolder",
        ContactsFolder = "ContactsFolder",
        SearchFolder = "SearchFolder",
        TasksFolder = "TasksFolder",
    }
}

/// A folder (`t:Folder`, `t:CalendarFolder`, `t:TasksFolder`, ...), the properties of
/// `t:BaseFolderType` in schema order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Folder {
    pub kind: FolderKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder_id: Option<ItemId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_folder_id: Option<ItemId>,
    /// e.g. `IPF.Appointment`, `IPF.Task`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_count: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_folder_count: Option<i32>,
}

impl Folder {
    fn read(r: &mut XmlReader<'_>, kind: FolderKind) -> Result<Self, EwsError> {
        let mut f = Folder {
            kind,
            ..Folder::default()
        };
        while let Some(c) = r.next_child()? {
            if c.ns != Ns::Types {
                r.skip()?;
                continue;
            }
            match c.local() {
                b"FolderId" => f.folder_id = Some(ItemId::read(r, &c)?),
                b"ParentFolderId" => f.parent_folder_id = Some(ItemId::read(r, &c)?),
                b"FolderClass" => f.folder_class = Some(r.text()?),
                b"DisplayName" => f.display_name = Some(r.text()?),
                b"TotalCount" => f.total_count = Some(r.value()?),
                b"ChildFolderCount" => f.child_folder_count = Some(r.value()?),
                _ => r.skip()?,
            }
        }
        Ok(f)
    }

    #[cfg(feature = "server")]
    fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        let name = format!("t:{}", self.kind.as_str());
        w.start(&name, &[])?;
        if let Some(id) = &self.folder_id {
            id.write(w, "t:FolderId")?;
        }
        if let Some(id) = &self.parent_folder_id {
            id.write(w, "t:ParentFolderId")?;
        }
        if let Some(class) = &self.folder_class {
            w.elem("t:FolderClass", class)?;
        }
        if let Some(display_name) = &self.display_name {
            w.elem("t:DisplayName", display_name)?;
        }
        w.opt("t:TotalCount", &self.total_count)?;
        w.opt("t:ChildFolderCount", &self.child_folder_count)?;
        w.end(&name)
    }
}

/// Response of `GetFolder`: one result per requested folder, in request order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetFolderResponse {
    pub responses: Vec<MessageResult<Vec<Folder>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl GetFolderResponse {
    #[cfg(feature = "server")]
    pub fn new(responses: Vec<MessageResult<Vec<Folder>>>) -> Self {
        GetFolderResponse {
            responses,
            server_version_info: None,
        }
    }

    /// The single folder of the first message, or its error.
    pub fn into_single(self) -> Result<Folder, EwsError> {
        first_item(first_message(self.responses, "GetFolder")?, "GetFolder")
    }

    pub(crate) fn read_body(
        r: &mut XmlReader<'_>,
        _e: &crate::xml::Elem<'_>,
    ) -> Result<Self, EwsError> {
        let responses = read_response_messages(r, |r, c, folders: &mut Vec<Folder>| {
            if c.ns != Ns::Messages || c.local() != b"Folders" {
                return Ok(false);
            }
            while let Some(f) = r.next_child()? {
                let kind = std::str::from_utf8(f.local())
                    .ok()
                    .and_then(|name| name.parse::<FolderKind>().ok());
                match kind {
                    Some(kind) if f.ns == Ns::Types => folders.push(Folder::read(r, kind)?),
                    _ => r.skip()?,
                }
            }
            Ok(true)
        })?;
        Ok(GetFolderResponse {
            responses,
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        write_response_messages(
            w,
            "GetFolderResponse",
            "GetFolderResponseMessage",
            &self.responses,
            |w, folders| {
                let Some(folders) = folders else {
                    return Ok(());
                };
                w.start("m:Folders", &[])?;
                for folder in folders {
                    folder.write(w)?;
                }
                w.end("m:Folders")
            },
        )
    }
}

operation!(GetFolder, GetFolderResponse, "GetFolder");
