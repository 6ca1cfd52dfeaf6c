//! The invalid requests in tests/fixtures/requests/invalid/ are rejected by validate.sh (so
//! the validator can fail), the valid ones pass, and our builders never make those mistakes.

mod common;
use common::schema::{SchemaBatch, validate_file, validate_files};
use common::{fixture, fixtures_dir};

use std::path::{Path, PathBuf};

use ews::RequestHeaders;
use ews::operations::create_item::CreateItem;
use ews::server::parse_request;
use ews::types::*;

/// Each invalid reference request and a line of the error the schema gives for it.
const INVALID: [(&str, &str); 4] = [
    (
        "CreateItem-CalendarItem.misspelt-Strat.xml",
        "Strat': This element is not expected",
    ),
    (
        "CreateItem-CalendarItem.start-after-location.xml",
        "Start': This element is not expected",
    ),
    (
        "CreateItem-Task.bad-enums.xml",
        "'Exchange2019' is not an element of the set",
    ),
    (
        "CreateItm-misspelt-root.xml",
        "No matching global declaration available for the validation root",
    ),
];

const VALID: [&str; 2] = [
    "CreateItem-CalendarItem.request.xml",
    "CreateItem-Task.request.xml",
];

fn valid_request(file: &str) -> PathBuf {
    fixtures_dir().join("requests").join(file)
}

fn invalid_request(file: &str) -> PathBuf {
    fixtures_dir().join("requests/invalid").join(file)
}

#[test]
fn validator_rejects_each_invalid_request() {
    for (file, want) in INVALID {
        let (ok, out) = validate_file(&invalid_request(file));
        assert!(!ok, "{file} should fail validation");
        assert!(out.contains(want), "{file}: {out}");
    }
    for file in VALID {
        let (ok, out) = validate_file(&valid_request(file));
        assert!(ok, "{file}: {out}");
    }
}

/// One run over valid and invalid files together (how the tests batch their documents)
/// gives each error to its own file and lists exactly the invalid ones.
#[test]
fn validator_batch_names_each_invalid_file() {
    let valid: Vec<PathBuf> = VALID.map(valid_request).to_vec();
    let invalid: Vec<PathBuf> = INVALID.map(|(f, _)| invalid_request(f)).to_vec();
    let mixed: Vec<&Path> = valid
        .iter()
        .zip(&invalid)
        .flat_map(|(v, i)| [v.as_path(), i.as_path()])
        .chain(invalid[2..].iter().map(PathBuf::as_path))
        .collect();
    let (ok, out) = validate_files(&mixed);
    assert!(!ok, "{out}");
    for (path, (_, want)) in invalid.iter().zip(INVALID) {
        let path = path.display().to_string();
        assert!(out.contains(&format!("INVALID {path}\n")), "{path}: {out}");
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("{path}:")) && l.contains(want)),
            "{path}: {out}"
        );
    }
    for path in &valid {
        assert!(!out.contains(&path.display().to_string()), "{out}");
    }
    let refs: Vec<&Path> = valid.iter().map(PathBuf::as_path).collect();
    let (ok, out) = validate_files(&refs);
    assert!(ok && out.ends_with("OK\n"), "{out}");
}

#[test]
#[should_panic(expected = "bad-enums is not schema-valid")]
fn schema_batch_fails_on_one_invalid_document_among_valid_ones() {
    let read = |path: PathBuf| String::from_utf8(std::fs::read(path).unwrap()).unwrap();
    let mut batch = SchemaBatch::new();
    batch.add("valid", read(valid_request(VALID[0])));
    batch.add("bad-enums", read(invalid_request(INVALID[2].0)));
    batch.add("valid too", read(valid_request(VALID[1])));
    batch.assert_all_valid();
}

/// Our builder, given the values of the valid reference requests, writes the same
/// elements in the same order, and reading the reference gives back those values.
#[test]
fn builders_reproduce_the_reference_requests() {
    let parsed = parse_request(&fixture("requests/CreateItem-CalendarItem.request.xml")).unwrap();
    assert_eq!(parsed.headers.server_version, ExchangeVersion::Exchange2016);
    assert_eq!(
        parsed.headers.time_zone.as_deref(),
        Some("W. Europe Standard Time")
    );
    let ews::server::Request::CreateItem(req) = &parsed.request else {
        panic!()
    };
    assert_eq!(
        req.send_meeting_invitations,
        Some(SendMeetingInvitations::SendToAllAndSaveCopy)
    );
    let c = req.items[0].as_calendar_item().unwrap();
    assert_eq!(c.item.subject.as_deref(), Some("Project sync"));
    assert_eq!(c.item.body, Some(Body::html("<p>Weekly project sync.</p>")));
    assert_eq!(
        c.required_attendees[0].mailbox.name.as_deref(),
        Some("Alice Example")
    );
    assert_eq!(
        c.resources[0].mailbox.email_address.as_deref(),
        Some("room412@example.com")
    );

    let ours = CreateItem::calendar_item(c.clone(), SendMeetingInvitations::SendToAllAndSaveCopy)
        .to_envelope(&parsed.headers)
        .unwrap();
    let tags = |xml: &str| -> Vec<String> {
        xml.split('<')
            .skip(1)
            .filter(|t| !t.starts_with('/') && !t.starts_with('?'))
            .map(|t| t.split([' ', '>', '/']).next().unwrap().to_string())
            .collect()
    };
    let reference =
        String::from_utf8(fixture("requests/CreateItem-CalendarItem.request.xml")).unwrap();
    assert_eq!(tags(&ours), tags(&reference));

    let parsed = parse_request(&fixture("requests/CreateItem-Task.request.xml")).unwrap();
    let ews::server::Request::CreateItem(req) = &parsed.request else {
        panic!()
    };
    let t = req.items[0].as_task().unwrap();
    assert_eq!(t.status, Some(TaskStatus::InProgress));
    assert_eq!(t.percent_complete, Some(25.0));
    let ours = CreateItem::task(t.clone())
        .to_envelope(&RequestHeaders::default())
        .unwrap();
    let reference = String::from_utf8(fixture("requests/CreateItem-Task.request.xml")).unwrap();
    assert_eq!(tags(&ours), tags(&reference));
}

#[test]
fn model_cannot_express_the_mistakes() {
    // Bad enum values are rejected when the model is built from JSON (the CLI path).
    let bad = r#"{"items":[{"itemType":"Task","subject":"x","status":"Doing"}]}"#;
    let e = ews::cli::encode_request("CreateItem", bad).unwrap_err();
    assert!(e.to_string().contains("unknown variant `Doing`"), "{e}");
    let bad = r#"{"headers":{"serverVersion":"Exchange2019"},"items":[{"itemType":"Task","subject":"x"}]}"#;
    let e = ews::cli::encode_request("CreateItem", bad).unwrap_err();
    assert!(e.to_string().contains("Exchange2019"), "{e}");
    // The root element name comes from the operation; unknown operations are refused.
    let e = ews::cli::encode_request("CreateItm", "{}").unwrap_err();
    assert!(
        e.to_string().contains("unsupported EWS operation") && e.to_string().contains("CreateItem"),
        "{e}"
    );
    // Server side: the sandbox refuses the misspelt documents instead of guessing.
    let root =
        parse_request(&std::fs::read(invalid_request("CreateItm-misspelt-root.xml")).unwrap())
            .unwrap_err();
    assert!(root.to_string().contains("CreateItm"), "{root}");
    let enums =
        parse_request(&std::fs::read(invalid_request("CreateItem-Task.bad-enums.xml")).unwrap())
            .unwrap_err();
    assert!(
        enums.to_string().contains("Exchange2019") || enums.to_string().contains("Doing"),
        "{enums}"
    );
}
