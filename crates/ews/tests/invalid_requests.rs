//! The invalid requests in ../shared/ews/requests/invalid/ are rejected by validate.sh (so
//! the validator can fail), the valid ones pass, and our builders never make those mistakes.

mod common;
use common::{fixture, shared_dir, validate_file};

use ews::RequestHeaders;
use ews::operations::create_item::CreateItem;
use ews::server::parse_request;
use ews::types::*;

#[test]
fn validator_rejects_each_invalid_request() {
    let cases = [
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
    for (file, want) in cases {
        let path = shared_dir().join("requests/invalid").join(file);
        let (ok, out) = validate_file(&path);
        assert!(!ok, "{file} should fail validation");
        assert!(out.contains(want), "{file}: {out}");
    }
    for file in [
        "CreateItem-CalendarItem.request.xml",
        "CreateItem-Task.request.xml",
    ] {
        let (ok, out) = validate_file(&shared_dir().join("requests").join(file));
        assert!(ok, "{file}: {out}");
    }
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
    assert_eq!(c.subject.as_deref(), Some("Project sync"));
    assert_eq!(c.body, Some(Body::html("<p>Weekly project sync.</p>")));
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
    let root = parse_request(
        &std::fs::read(shared_dir().join("requests/invalid/CreateItm-misspelt-root.xml")).unwrap(),
    )
    .unwrap_err();
    assert!(root.to_string().contains("CreateItm"), "{root}");
    let enums = parse_request(
        &std::fs::read(shared_dir().join("requests/invalid/CreateItem-Task.bad-enums.xml"))
            .unwrap(),
    )
    .unwrap_err();
    assert!(
        enums.to_string().contains("Exchange2019") || enums.to_string().contains("Doing"),
        "{enums}"
    );
}
