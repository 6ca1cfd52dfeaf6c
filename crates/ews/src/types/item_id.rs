//! Item and folder identifiers.
//!
//! - [ItemId](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/itemid)
//! - [FolderId](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/folderid)
//! - [DistinguishedFolderId](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/distinguishedfolderid)

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::enums::DistinguishedFolderName;
use super::mailbox::Mailbox;
use crate::error::EwsError;
use crate::xml::{Elem, XmlReader, XmlWriter};

/// `t:ItemId` (Id + ChangeKey).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemId {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_key: Option<String>,
}

impl ItemId {
    pub fn new(id: impl Into<String>) -> Self {
        ItemId {
            id: id.into(),
            change_key: None,
        }
    }
    pub fn with_change_key(id: impl Into<String>, change_key: impl Into<String>) -> Self {
        ItemId {
            id: id.into(),
            change_key: Some(change_key.into()),
        }
    }

    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Self, EwsError> {
        // Every item carries two ids (ItemId, ParentFolderId): one pass over the attributes.
        let [id, change_key] = r.attrs(e, ["Id", "ChangeKey"])?;
        let Some(id) = id else {
            return Err(r.missing_attr("Id"));
        };
        let v = ItemId {
            id: id.into_owned(),
            change_key: change_key.map(Cow::into_owned),
        };
        r.skip()?;
        Ok(v)
    }

    pub(crate) fn write(&self, w: &mut XmlWriter, name: &str) -> Result<(), EwsError> {
        match &self.change_key {
            Some(ck) => w.empty(name, &[("Id", &self.id), ("ChangeKey", ck)]),
            None => w.empty(name, &[("Id", &self.id)]),
        }
    }
}

/// A reference to an item in requests (`t:ItemId`, `t:OccurrenceItemId`, `t:RecurringMasterItemId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BaseItemId {
    #[serde(rename_all = "camelCase")]
    ItemId {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        change_key: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    OccurrenceItemId {
        recurring_master_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        change_key: Option<String>,
        instance_index: i32,
    },
    #[serde(rename_all = "camelCase")]
    RecurringMasterItemId {
        occurrence_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        change_key: Option<String>,
    },
}

impl From<ItemId> for BaseItemId {
    fn from(i: ItemId) -> Self {
        BaseItemId::ItemId {
            id: i.id,
            change_key: i.change_key,
        }
    }
}

impl From<&ItemId> for BaseItemId {
    fn from(i: &ItemId) -> Self {
        i.clone().into()
    }
}

impl BaseItemId {
    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        match self {
            BaseItemId::ItemId { id, change_key } => ItemId {
                id: id.clone(),
                change_key: change_key.clone(),
            }
            .write(w, "t:ItemId"),
            BaseItemId::OccurrenceItemId {
                recurring_master_id,
                change_key,
                instance_index,
            } => {
                let idx = instance_index.to_string();
                let mut a = vec![("RecurringMasterId", recurring_master_id.as_str())];
                if let Some(ck) = change_key {
                    a.push(("ChangeKey", ck));
                }
                a.push(("InstanceIndex", &idx));
                w.empty("t:OccurrenceItemId", &a)
            }
            BaseItemId::RecurringMasterItemId {
                occurrence_id,
                change_key,
            } => {
                let mut a = vec![("OccurrenceId", occurrence_id.as_str())];
                if let Some(ck) = change_key {
                    a.push(("ChangeKey", ck));
                }
                w.empty("t:RecurringMasterItemId", &a)
            }
        }
    }

    #[cfg(feature = "server")]
    /// Reads one of the id elements; returns None (element skipped) for unknown ones.
    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Option<Self>, EwsError> {
        let v = match e.local() {
            b"ItemId" => {
                let i = ItemId::read(r, e)?;
                return Ok(Some(i.into()));
            }
            b"OccurrenceItemId" => BaseItemId::OccurrenceItemId {
                recurring_master_id: r.required_attr(e, "RecurringMasterId")?,
                change_key: r.attr(e, "ChangeKey")?,
                instance_index: r.required_attr(e, "InstanceIndex")?,
            },
            b"RecurringMasterItemId" => BaseItemId::RecurringMasterItemId {
                occurrence_id: r.required_attr(e, "OccurrenceId")?,
                change_key: r.attr(e, "ChangeKey")?,
            },
            _ => {
                r.skip()?;
                return Ok(None);
            }
        };
        r.skip()?;
        Ok(Some(v))
    }
}

/// `t:DistinguishedFolderId` or `t:FolderId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FolderId {
    #[serde(rename_all = "camelCase")]
    Distinguished {
        id: DistinguishedFolderName,
        /// Another user's mailbox (delegate access).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mailbox: Option<Mailbox>,
    },
    #[serde(rename_all = "camelCase")]
    Folder {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        change_key: Option<String>,
    },
}

impl FolderId {
    pub fn calendar() -> Self {
        FolderId::Distinguished {
            id: DistinguishedFolderName::Calendar,
            mailbox: None,
        }
    }
    pub fn tasks() -> Self {
        FolderId::Distinguished {
            id: DistinguishedFolderName::Tasks,
            mailbox: None,
        }
    }
    pub fn distinguished(id: DistinguishedFolderName) -> Self {
        FolderId::Distinguished { id, mailbox: None }
    }

    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        match self {
            FolderId::Distinguished { id, mailbox: None } => {
                w.empty("t:DistinguishedFolderId", &[("Id", id.as_str())])
            }
            FolderId::Distinguished {
                id,
                mailbox: Some(m),
            } => {
                w.start("t:DistinguishedFolderId", &[("Id", id.as_str())])?;
                m.write(w, "t:Mailbox")?;
                w.end("t:DistinguishedFolderId")
            }
            FolderId::Folder { id, change_key } => ItemId {
                id: id.clone(),
                change_key: change_key.clone(),
            }
            .write(w, "t:FolderId"),
        }
    }

    #[cfg(feature = "server")]
    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Option<Self>, EwsError> {
        match e.local() {
            b"DistinguishedFolderId" => {
                let id = r.required_attr(e, "Id")?;
                let mut mailbox = None;
                while let Some(c) = r.next_child()? {
                    if c.local() == b"Mailbox" {
                        mailbox = Some(Mailbox::read(r)?);
                    } else {
                        r.skip()?;
                    }
                }
                Ok(Some(FolderId::Distinguished { id, mailbox }))
            }
            b"FolderId" => {
                let i = ItemId::read(r, e)?;
                Ok(Some(FolderId::Folder {
                    id: i.id,
                    change_key: i.change_key,
                }))
            }
            _ => {
                r.skip()?;
                Ok(None)
            }
        }
    }

    #[cfg(feature = "server")]
    /// Reads the children of a folder-id container (e.g. `m:ParentFolderIds`).
    pub(crate) fn read_list(r: &mut XmlReader<'_>) -> Result<Vec<Self>, EwsError> {
        let mut v = Vec::new();
        while let Some(c) = r.next_child()? {
            if let Some(f) = FolderId::read(r, &c)? {
                v.push(f);
            }
        }
        Ok(v)
    }
}
