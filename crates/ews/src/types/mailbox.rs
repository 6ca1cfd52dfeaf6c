//! `t:EmailAddressType` (Mailbox) and attendees.
//!
//! - [Mailbox](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/mailbox)
//! - [Attendee](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/attendee)

use serde::{Deserialize, Serialize};

use super::datetime::EwsDateTime;
use super::enums::{MailboxType, ResponseType};
use super::item_id::ItemId;
use crate::error::EwsError;
use crate::xml::{Ns, XmlReader, XmlWriter};

/// `t:Mailbox` / `t:EmailAddressType`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mailbox {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox_type: Option<MailboxType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemId>,
}

impl Mailbox {
    pub fn new(email: impl Into<String>) -> Self {
        Mailbox {
            email_address: Some(email.into()),
            ..Default::default()
        }
    }
    pub fn named(name: impl Into<String>, email: impl Into<String>) -> Self {
        Mailbox {
            name: Some(name.into()),
            email_address: Some(email.into()),
            ..Default::default()
        }
    }

    /// Writes `<name>` with the EmailAddressType children (in schema order).
    pub(crate) fn write(&self, w: &mut XmlWriter, name: &str) -> Result<(), EwsError> {
        w.start(name, &[])?;
        self.write_children(w)?;
        w.end(name)
    }

    pub(crate) fn write_children(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.opt("t:Name", &self.name)?;
        w.opt("t:EmailAddress", &self.email_address)?;
        w.opt("t:RoutingType", &self.routing_type)?;
        w.opt("t:MailboxType", &self.mailbox_type)?;
        if let Some(id) = &self.item_id {
            id.write(w, "t:ItemId")?;
        }
        Ok(())
    }

    /// Reads the children of the current (mailbox) element.
    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut m = Mailbox::default();
        while let Some(c) = r.next_child()? {
            if c.ns != Ns::Types {
                r.skip()?;
                continue;
            }
            match c.local() {
                b"Name" => m.name = Some(r.text()?),
                b"EmailAddress" => m.email_address = Some(r.text()?),
                b"RoutingType" => m.routing_type = Some(r.text()?),
                b"MailboxType" => m.mailbox_type = Some(r.value()?),
                b"ItemId" => m.item_id = Some(ItemId::read(r, &c)?),
                _ => r.skip()?,
            }
        }
        Ok(m)
    }
}

/// `t:Attendee`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    pub mailbox: Mailbox,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type: Option<ResponseType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_response_time: Option<EwsDateTime>,
}

impl Attendee {
    pub fn new(email: impl Into<String>) -> Self {
        Attendee {
            mailbox: Mailbox::new(email),
            ..Default::default()
        }
    }
    pub fn named(name: impl Into<String>, email: impl Into<String>) -> Self {
        Attendee {
            mailbox: Mailbox::named(name, email),
            ..Default::default()
        }
    }

    pub(crate) fn write_list(
        list: &[Attendee],
        w: &mut XmlWriter,
        name: &str,
    ) -> Result<(), EwsError> {
        if list.is_empty() {
            return Ok(());
        }
        w.start(name, &[])?;
        for a in list {
            w.start("t:Attendee", &[])?;
            a.mailbox.write(w, "t:Mailbox")?;
            w.opt("t:ResponseType", &a.response_type)?;
            w.opt("t:LastResponseTime", &a.last_response_time)?;
            w.end("t:Attendee")?;
        }
        w.end(name)
    }

    pub(crate) fn read_list(r: &mut XmlReader<'_>) -> Result<Vec<Attendee>, EwsError> {
        let mut v = Vec::new();
        while let Some(c) = r.next_child()? {
            if c.local() != b"Attendee" {
                r.skip()?;
                continue;
            }
            let mut a = Attendee::default();
            while let Some(f) = r.next_child()? {
                match f.local() {
                    b"Mailbox" => a.mailbox = Mailbox::read(r)?,
                    b"ResponseType" => a.response_type = Some(r.value()?),
                    b"LastResponseTime" => a.last_response_time = Some(r.value()?),
                    _ => r.skip()?,
                }
            }
            v.push(a);
        }
        Ok(v)
    }
}

/// Reads `<t:Organizer><t:Mailbox>..</t:Mailbox></t:Organizer>` (SingleRecipientType).
pub(crate) fn read_single_recipient(r: &mut XmlReader<'_>) -> Result<Mailbox, EwsError> {
    let mut m = Mailbox::default();
    while let Some(c) = r.next_child()? {
        if c.local() == b"Mailbox" {
            m = Mailbox::read(r)?;
        } else {
            r.skip()?;
        }
    }
    Ok(m)
}

pub(crate) fn write_single_recipient(
    m: &Mailbox,
    w: &mut XmlWriter,
    name: &str,
) -> Result<(), EwsError> {
    w.start(name, &[])?;
    m.write(w, "t:Mailbox")?;
    w.end(name)
}
