//! `ResolveNames`: mailbox and contact results for a (partial) name or address.
//!
//! [ResolveNames](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/resolvenames-operation)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_status;
use crate::response::{MessageResult, ResponseError, read_response_messages_raw};
use crate::soap::ServerVersionInfo;
use crate::types::{BaseShape, FolderId, Mailbox, ResolveNamesSearchScope};
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

/// `m:ResolveNames`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolveNames {
    pub unresolved_entry: String,
    pub return_full_contact_data: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_scope: Option<ResolveNamesSearchScope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_data_shape: Option<BaseShape>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parent_folder_ids: Vec<FolderId>,
}

impl ResolveNames {
    /// Directory + contacts lookup with full contact data.
    pub fn new(entry: impl Into<String>) -> Self {
        ResolveNames {
            unresolved_entry: entry.into(),
            return_full_contact_data: true,
            search_scope: Some(ResolveNamesSearchScope::ActiveDirectoryContacts),
            contact_data_shape: None,
            parent_folder_ids: Vec::new(),
        }
    }

    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if self.unresolved_entry.is_empty() {
            return Err(EwsError::InvalidRequest(
                "ResolveNames needs a non-empty UnresolvedEntry".into(),
            ));
        }
        let mut a = vec![(
            "ReturnFullContactData",
            if self.return_full_contact_data {
                "true"
            } else {
                "false"
            },
        )];
        if let Some(s) = &self.search_scope {
            a.push(("SearchScope", s.as_str()));
        }
        if let Some(s) = &self.contact_data_shape {
            a.push(("ContactDataShape", s.as_str()));
        }
        w.start("m:ResolveNames", &a)?;
        if !self.parent_folder_ids.is_empty() {
            w.start("m:ParentFolderIds", &[])?;
            for f in &self.parent_folder_ids {
                f.write(w)?;
            }
            w.end("m:ParentFolderIds")?;
        }
        w.elem("m:UnresolvedEntry", &self.unresolved_entry)?;
        w.end("m:ResolveNames")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Self, EwsError> {
        let mut v = ResolveNames {
            unresolved_entry: String::new(),
            return_full_contact_data: r.required_attr(e, "ReturnFullContactData")?,
            search_scope: r.attr_value(e, "SearchScope")?,
            contact_data_shape: r.attr_value(e, "ContactDataShape")?,
            parent_folder_ids: Vec::new(),
        };
        let mut entry = None;
        while let Some(c) = r.next_child()? {
            match (c.ns, c.local()) {
                (Ns::Messages, b"UnresolvedEntry") => entry = Some(r.text()?),
                (Ns::Messages, b"ParentFolderIds") => v.parent_folder_ids = FolderId::read_list(r)?,
                _ => r.skip()?,
            }
        }
        v.unresolved_entry =
            entry.ok_or_else(|| r.err("ResolveNames without m:UnresolvedEntry"))?;
        Ok(v)
    }
}

/// A dictionary entry (`t:Entry Key="EmailAddress1"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub key: String,
    pub value: String,
}

/// The contact part of a resolution (directory data).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Contact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Keys `EmailAddress1..3`; values like `SMTP:user@example.com`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_addresses: Vec<Entry>,
    /// Keys like `BusinessPhone`, `MobilePhone`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<Entry>,
    /// `ActiveDirectory` or `Store`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
}

fn read_entries(r: &mut XmlReader<'_>) -> Result<Vec<Entry>, EwsError> {
    let mut v = Vec::new();
    while let Some(c) = r.next_child()? {
        if c.local() == b"Entry" {
            let key = r.attr(&c, "Key")?.unwrap_or_default();
            v.push(Entry {
                key,
                value: r.text()?,
            });
        } else {
            r.skip()?;
        }
    }
    Ok(v)
}

#[cfg(feature = "server")]
fn write_entries(w: &mut XmlWriter, name: &str, v: &[Entry]) -> Result<(), EwsError> {
    if v.is_empty() {
        return Ok(());
    }
    w.start(name, &[])?;
    for e in v {
        w.elem_with("t:Entry", &[("Key", &e.key)], &e.value)?;
    }
    w.end(name)
}

impl Contact {
    fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut c = Contact::default();
        while let Some(f) = r.next_child()? {
            if f.ns != Ns::Types {
                r.skip()?;
                continue;
            }
            match f.local() {
                b"DisplayName" => c.display_name = Some(r.text()?),
                b"GivenName" => c.given_name = Some(r.text()?),
                b"CompanyName" => c.company_name = Some(r.text()?),
                b"EmailAddresses" => c.email_addresses = read_entries(r)?,
                b"PhoneNumbers" => c.phone_numbers = read_entries(r)?,
                b"ContactSource" => c.contact_source = Some(r.text()?),
                b"Department" => c.department = Some(r.text()?),
                b"JobTitle" => c.job_title = Some(r.text()?),
                b"OfficeLocation" => c.office_location = Some(r.text()?),
                b"Surname" => c.surname = Some(r.text()?),
                _ => r.skip()?,
            }
        }
        Ok(c)
    }

    #[cfg(feature = "server")]
    fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("t:Contact", &[])?;
        w.opt("t:DisplayName", &self.display_name)?;
        w.opt("t:GivenName", &self.given_name)?;
        w.opt("t:CompanyName", &self.company_name)?;
        write_entries(w, "t:EmailAddresses", &self.email_addresses)?;
        write_entries(w, "t:PhoneNumbers", &self.phone_numbers)?;
        w.opt("t:ContactSource", &self.contact_source)?;
        w.opt("t:Department", &self.department)?;
        w.opt("t:JobTitle", &self.job_title)?;
        w.opt("t:OfficeLocation", &self.office_location)?;
        w.opt("t:Surname", &self.surname)?;
        w.end("t:Contact")
    }
}

/// `t:Resolution`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    pub mailbox: Mailbox,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// One ResolveNames result.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResolveNamesResult {
    pub resolutions: Vec<Resolution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items_in_view: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub includes_last_item_in_range: Option<bool>,
    /// Set when Exchange answered `ResponseClass="Warning"`, e.g.
    /// `ErrorNameResolutionMultipleResults` (ambiguous name: several resolutions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<ResponseError>,
}

/// Response of `ResolveNames`. `ErrorNameResolutionNoResults` is an `Err`; a Warning with
/// resolutions is an `Ok` with `warning` set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResolveNamesResponse {
    pub responses: Vec<MessageResult<ResolveNamesResult>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl ResolveNamesResponse {
    #[cfg(feature = "server")]
    pub fn new(responses: Vec<MessageResult<ResolveNamesResult>>) -> Self {
        ResolveNamesResponse {
            responses,
            server_version_info: None,
        }
    }

    /// The resolutions of the first message; NoResults -> empty list; other errors -> Err.
    pub fn into_resolutions(self) -> Result<Vec<Resolution>, EwsError> {
        match self.responses.into_iter().next() {
            Some(Ok(r)) => Ok(r.resolutions),
            Some(Err(e)) if e.response_code == "ErrorNameResolutionNoResults" => Ok(Vec::new()),
            Some(Err(e)) => Err(EwsError::Response(e)),
            None => Err(EwsError::InvalidRequest(
                "ResolveNames response without a response message".into(),
            )),
        }
    }

    pub(crate) fn read_body(r: &mut XmlReader<'_>, _e: &Elem<'_>) -> Result<Self, EwsError> {
        let raw = read_response_messages_raw(r, |r, c, res: &mut ResolveNamesResult| {
            if !(c.ns == Ns::Messages && c.local() == b"ResolutionSet") {
                return Ok(false);
            }
            res.total_items_in_view = r.attr_value(c, "TotalItemsInView")?;
            res.includes_last_item_in_range = r.attr_value(c, "IncludesLastItemInRange")?;
            while let Some(rs) = r.next_child()? {
                if rs.local() != b"Resolution" {
                    r.skip()?;
                    continue;
                }
                let mut reso = Resolution::default();
                while let Some(f) = r.next_child()? {
                    match f.local() {
                        b"Mailbox" => reso.mailbox = Mailbox::read(r)?,
                        b"Contact" => reso.contact = Some(Contact::read(r)?),
                        _ => r.skip()?,
                    }
                }
                res.resolutions.push(reso);
            }
            Ok(true)
        })?;
        let responses = raw
            .into_iter()
            .map(|(mut v, status)| match status.response_class {
                crate::types::ResponseClass::Success => Ok(v),
                crate::types::ResponseClass::Warning if !v.resolutions.is_empty() => {
                    v.warning = Some(status);
                    Ok(v)
                }
                _ => Err(status),
            })
            .collect();
        Ok(ResolveNamesResponse {
            responses,
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("m:ResolveNamesResponse", &[])?;
        w.start("m:ResponseMessages", &[])?;
        for res in &self.responses {
            let status = match res {
                Ok(v) => v.warning.as_ref(),
                Err(e) => Some(e),
            };
            let class = status
                .map(|s| s.response_class.as_str())
                .unwrap_or("Success");
            w.start("m:ResolveNamesResponseMessage", &[("ResponseClass", class)])?;
            write_status(w, status)?;
            if let Ok(v) = res {
                let total = v.total_items_in_view.map(|n| n.to_string());
                let mut a: Vec<(&str, &str)> = Vec::new();
                if let Some(t) = &total {
                    a.push(("TotalItemsInView", t));
                }
                if let Some(b) = v.includes_last_item_in_range {
                    a.push(("IncludesLastItemInRange", if b { "true" } else { "false" }));
                }
                w.start("m:ResolutionSet", &a)?;
                for reso in &v.resolutions {
                    w.start("t:Resolution", &[])?;
                    reso.mailbox.write(w, "t:Mailbox")?;
                    if let Some(c) = &reso.contact {
                        c.write(w)?;
                    }
                    w.end("t:Resolution")?;
                }
                w.end("m:ResolutionSet")?;
            }
            w.end("m:ResolveNamesResponseMessage")?;
        }
        w.end("m:ResponseMessages")?;
        w.end("m:ResolveNamesResponse")
    }
}

operation!(ResolveNames, ResolveNamesResponse, "ResolveNames");
