//! [ResolveNames](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/resolvenames-operation)
//! over the seeded directory: an exact address, or the start of a name or address (ambiguous
//! name resolution); several matches answer a Warning with every resolution, like Exchange.

use ews::operations::resolve_names::{
    Contact, Entry, Resolution, ResolveNames, ResolveNamesResponse, ResolveNamesResult,
};
use ews::response::ResponseError;
use ews::types::{Mailbox, ResponseClass};

use crate::mailbox::directory::{self, PEOPLE, Person, Room};

/// Exchange returns at most 100 resolutions.
const MAX_RESOLUTIONS: usize = 100;

enum Entity {
    Person(&'static Person),
    Room(&'static Room),
}

impl Entity {
    fn email(&self) -> &'static str {
        match self {
            Entity::Person(p) => p.email,
            Entity::Room(r) => r.email,
        }
    }

    fn name(&self) -> String {
        match self {
            Entity::Person(p) => p.display_name(),
            Entity::Room(r) => r.name.to_owned(),
        }
    }

    fn mailbox(&self) -> Mailbox {
        match self {
            Entity::Person(p) => directory::person_mailbox(p),
            Entity::Room(r) => directory::room_mailbox(r),
        }
    }

    fn contact(&self) -> Contact {
        let email = Entry {
            key: "EmailAddress1".into(),
            value: format!("SMTP:{}", self.email()),
        };
        match self {
            Entity::Person(p) => Contact {
                display_name: Some(p.display_name()),
                given_name: Some(p.given_name.into()),
                surname: Some(p.surname.into()),
                email_addresses: vec![email],
                contact_source: Some("ActiveDirectory".into()),
                department: Some(p.department.into()),
                job_title: Some(p.job_title.into()),
                office_location: Some(p.office.into()),
                ..Contact::default()
            },
            Entity::Room(r) => Contact {
                display_name: Some(r.name.into()),
                email_addresses: vec![email],
                contact_source: Some("ActiveDirectory".into()),
                ..Contact::default()
            },
        }
    }

    /// Ambiguous name resolution: the entry starts the address or any word of the name.
    fn matches(&self, entry: &str) -> bool {
        let entry = entry.to_lowercase();
        let email = self.email();
        if email.eq_ignore_ascii_case(&entry) || email.starts_with(&entry) {
            return true;
        }
        let name = self.name().to_lowercase();
        name.starts_with(&entry) || name.split_whitespace().any(|word| word.starts_with(&entry))
    }
}

pub fn resolve_names(request: &ResolveNames) -> ResolveNamesResponse {
    let raw = request.unresolved_entry.trim();
    let entry = raw
        .strip_prefix("SMTP:")
        .or_else(|| raw.strip_prefix("smtp:"))
        .unwrap_or(raw)
        .trim();
    if entry.is_empty() {
        return ResolveNamesResponse::new(vec![Err(no_results())]);
    }
    let everyone = PEOPLE
        .iter()
        .map(Entity::Person)
        .chain(directory::rooms().map(Entity::Room));
    // An exact address wins over prefixes (alice@… must not also match alice.smith@…).
    let all: Vec<Entity> = everyone.collect();
    let exact: Vec<&Entity> = all
        .iter()
        .filter(|e| e.email().eq_ignore_ascii_case(entry))
        .collect();
    let found: Vec<&Entity> = if exact.is_empty() {
        all.iter().filter(|e| e.matches(entry)).collect()
    } else {
        exact
    };
    if found.is_empty() {
        return ResolveNamesResponse::new(vec![Err(no_results())]);
    }
    let total = found.len();
    let resolutions: Vec<Resolution> = found
        .iter()
        .take(MAX_RESOLUTIONS)
        .map(|e| Resolution {
            mailbox: e.mailbox(),
            contact: request.return_full_contact_data.then(|| e.contact()),
        })
        .collect();
    let warning = (total > 1).then(|| {
        let mut warning = ResponseError::new(
            "ErrorNameResolutionMultipleResults",
            "Multiple results were found.",
        );
        warning.response_class = ResponseClass::Warning;
        warning
    });
    ResolveNamesResponse::new(vec![Ok(ResolveNamesResult {
        includes_last_item_in_range: Some(total <= MAX_RESOLUTIONS),
        total_items_in_view: Some(total as i32),
        resolutions,
        warning,
    })])
}

fn no_results() -> ResponseError {
    ResponseError::new("ErrorNameResolutionNoResults", "No results were found.")
}
