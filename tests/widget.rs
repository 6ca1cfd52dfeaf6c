//! Browser tests of the widget (wasm-bindgen-test, headless Chromium):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p exchange-forms`
//!
//! `fetch` is replaced by a scripted fake (installed on `window` by each test) that records
//! every call, so the tests can prove what was (and was not) sent.

mod common;

use common::*;
use exchange_forms::services::requests::error_from_response;
use exchange_forms::{ApiError, mount};
use model::Field;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The default fake proxy: not signed in is irrelevant (auth disabled), lists are empty.
const OPEN_PROXY: &str = r#"(method, url, body) => {
    if (url.includes('/api/auth/status')) return [200, { authorized: true, user: 'alice' }];
    if (method === 'GET') return [200, { items: [], more: false }];
    if (url.endsWith('/api/appointments')) return [201, {
        id: 'AAMk1', changeKey: 'CK1', subject: body.subject.trim(),
        start: '2026-12-01T08:00:00Z', end: '2026-12-01T09:00:00Z', location: body.location, body: body.body }];
    if (url.endsWith('/api/tasks')) return [201, {
        id: 'T1', changeKey: 'CK', subject: body.subject.trim(), dueDate: body.dueDate || null,
        status: body.status, body: body.body }];
    return [404, { error: 'not_found', message: 'no route' }];
}"#;

// ----- mounting ---------------------------------------------------------------------

#[wasm_bindgen_test]
async fn appointment_form_has_labelled_inputs_named_like_the_model() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    for (name, tag, kind, label) in [
        ("subject", "INPUT", Some("text"), "Subject"),
        ("start", "INPUT", Some("datetime-local"), "Start"),
        ("end", "INPUT", Some("datetime-local"), "End"),
        ("location", "INPUT", Some("text"), "Location"),
        ("body", "TEXTAREA", None, "Description"),
    ] {
        let control = query(&host, &format!("[name='{name}']"));
        assert_eq!(control.tag_name(), tag, "{name}");
        if let Some(kind) = kind {
            assert_eq!(
                control.get_attribute("type").as_deref(),
                Some(kind),
                "{name}"
            );
        }
        assert!(
            label_text(&host, name).starts_with(label),
            "label of {name}"
        );
    }
    assert_eq!(
        submit_button(&host).text_content().as_deref(),
        Some("Create")
    );
    assert!(host.query_selector("[name='dueDate']").unwrap().is_none());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn every_control_is_named_by_a_model_field_that_round_trips() {
    for field in Field::ALL {
        assert_eq!(Field::from_name(field.name()), Some(*field), "{field}");
    }
    install_fetch(OPEN_PROXY);
    for kind in ["appointment", "task"] {
        let (host, mut handle) = mounted(&format!(
            r#"{{"kind":"{kind}","proxy":"http://127.0.0.1:9","locale":"en"}}"#
        ))
        .await;
        let named = host.query_selector_all("form [name]").unwrap();
        assert!(named.length() >= 4, "{kind}");
        for i in 0..named.length() {
            let element: web_sys::Element = named.item(i).unwrap().unchecked_into();
            let name = element.get_attribute("name").unwrap();
            assert!(Field::from_name(&name).is_some(), "{kind}: {name}");
        }
        handle.destroy();
    }
}

#[wasm_bindgen_test]
async fn task_form_has_date_status_select_and_body() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"task","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    assert_eq!(
        query(&host, "[name='dueDate']")
            .get_attribute("type")
            .as_deref(),
        Some("date")
    );
    let status: HtmlSelectElement = query(&host, "select[name='status']").unchecked_into();
    let values: Vec<String> = (0..status.length())
        .filter_map(|i| status.item(i))
        .filter_map(|o| o.get_attribute("value"))
        .collect();
    assert_eq!(
        values,
        [
            "NotStarted",
            "InProgress",
            "Completed",
            "WaitingOnOthers",
            "Deferred"
        ]
    );
    assert_eq!(status.value(), "NotStarted");
    assert_eq!(query(&host, "[name='body']").tag_name(), "TEXTAREA");
    assert!(label_text(&host, "dueDate").starts_with("Due date"));
    assert!(label_text(&host, "status").starts_with("Status"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn invalid_options_throw_a_clear_error() {
    for (json, expected) in [
        (
            r#"{"kind":"meeting"}"#,
            "kind must be \"appointment\" or \"task\"",
        ),
        (r#"{"proxy":"ftp://example.com"}"#, "proxy must be"),
        (r#"{"proxy":""}"#, "proxy must be"),
        (r#"{"locale":"not a locale!"}"#, "locale"),
        (r#"{"authMode":"iframe"}"#, "authMode must be"),
        (r#"{"colour":"red"}"#, "unknown field `colour`"),
        (r#""appointment""#, "options must be an object"),
        (
            r#"{"readOnly":["nope"]}"#,
            "readOnly: unknown field name `nope`",
        ),
        (
            r#"{"hidden":"body"}"#,
            "hidden must be a list of field names",
        ),
        (
            r#"{"values":{"subjet":"x"}}"#,
            "values: unknown field `subjet`, expected one of `subject`",
        ),
        (
            r#"{"kind":"task","values":{"start":"2030-01-01T10:00"}}"#,
            "values: unknown field `start`",
        ),
        (
            r#"{"values":{"start":"2030-01-01T10:00","durationMinutes":"soon"}}"#,
            "durationMinutes must be a whole number of minutes",
        ),
        // serde's wording for a value of the wrong type, numbers included (the widget writes
        // them through JavaScript: Rust's float printing is not in the wasm).
        (
            r#"{"proxy":1.5}"#,
            "invalid type: floating point `1.5`, expected a string",
        ),
        (
            r#"{"proxy":-0.25}"#,
            "invalid type: floating point `-0.25`, expected a string",
        ),
        (
            r#"{"proxy":12345678901234567}"#,
            "invalid type: floating point `12345678901234568.0`, expected a string",
        ),
        (
            r#"{"proxy":7}"#,
            "invalid type: floating point `7.0`, expected a string",
        ),
        (
            r#"{"locale":false}"#,
            "invalid type: boolean `false`, expected a string",
        ),
        (r#"{"heading":"   "}"#, "heading must not be empty"),
        (
            format!(r#"{{"heading":"{}"}}"#, "x".repeat(121)).as_str(),
            "heading must be at most 120 characters",
        ),
    ] {
        let Err(error) = mount(host(), options(json)) else {
            panic!("{json} was accepted");
        };
        let error: js_sys::Error = error.dyn_into().expect("a JS Error");
        let message = String::from(error.message());
        assert!(message.contains(expected), "{json}: {message}");
        assert!(
            message.starts_with("exchange-forms: invalid options"),
            "{message}"
        );
    }
}

#[wasm_bindgen_test]
async fn the_page_given_heading_titles_the_form_and_names_its_landmarks() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"proxy":"http://127.0.0.1:9","heading":"  Book the training room "}"#).await;
    let title = host.query_selector("form h2").unwrap().expect("a title");
    assert_eq!(
        title.text_content().as_deref(),
        Some("Book the training room")
    );
    let list = host
        .query_selector("section.xf-list")
        .unwrap()
        .expect("the agenda");
    assert_eq!(
        list.get_attribute("aria-label").as_deref(),
        Some("Upcoming appointments (Book the training room)")
    );
    assert_eq!(list.get_attribute("aria-labelledby"), None);
    let weeks = host
        .query_selector("nav.xf-weeks")
        .unwrap()
        .expect("the weeks");
    assert_eq!(
        weeks.get_attribute("aria-label").as_deref(),
        Some("Days shown (Book the training room)")
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn destroy_removes_the_widget_from_the_dom() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) = mounted(r#"{"kind":"task","proxy":"http://127.0.0.1:9"}"#).await;
    assert!(host.query_selector("form").unwrap().is_some());
    handle.destroy();
    settle().await;
    assert!(
        host.query_selector("form").unwrap().is_none(),
        "{}",
        host.inner_html()
    );
    assert_eq!(host.child_element_count(), 0);
    assert!(handle.destroyed());
    handle.destroy(); // idempotent
}

#[wasm_bindgen_test]
async fn french_locale_translates_labels_and_errors() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"fr-FR"}"#).await;
    assert!(label_text(&host, "subject").starts_with("Objet"));
    assert!(label_text(&host, "start").starts_with("Début"));
    assert!(label_text(&host, "location").starts_with("Lieu"));
    assert_eq!(
        submit_button(&host).text_content().as_deref(),
        Some("Créer")
    );
    submit(&host).await;
    let error = query(&host, "[id$='-subject-error']");
    assert_eq!(
        error.text_content().unwrap().trim_start_matches("⚠ "),
        "Saisissez un objet."
    );
    handle.destroy();
}

// ----- validation -------------------------------------------------------------------

#[wasm_bindgen_test]
async fn end_before_start_shows_an_inline_error_and_sends_nothing() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    fill_appointment(
        &host,
        "Design review",
        "2026-12-01T10:00",
        "2026-12-01T09:00",
    );
    settle().await;
    let before = calls().len();
    submit(&host).await;
    assert_eq!(calls().len(), before, "no request after an invalid submit");
    assert!(posts().is_empty());

    let end = query(&host, "[name='end']");
    assert_eq!(end.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = end
        .get_attribute("aria-describedby")
        .expect("aria-describedby");
    let message = query(&host, &format!("[id='{described}']"))
        .text_content()
        .unwrap();
    assert!(
        message.contains("The end must be after the start."),
        "{message}"
    );
    let summary = query(&host, "[role='alert']").text_content().unwrap();
    assert!(
        summary.contains("End: The end must be after the start."),
        "{summary}"
    );
    assert_eq!(
        query(&host, "[name='start']")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("false")
    );
    // Nothing typed is lost.
    assert_eq!(value(&host, "subject"), "Design review");
    assert_eq!(value(&host, "start"), "2026-12-01T10:00");
    assert_eq!(value(&host, "location"), "Room 4.12");

    // Correcting the field clears its error.
    type_into(&host, "end", "2026-12-01T11:00");
    settle().await;
    assert_eq!(
        query(&host, "[name='end']")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("false")
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn every_missing_field_is_reported_at_once() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    submit(&host).await;
    for name in ["subject", "start", "end"] {
        assert_eq!(
            query(&host, &format!("[name='{name}']"))
                .get_attribute("aria-invalid")
                .as_deref(),
            Some("true"),
            "{name}"
        );
    }
    assert!(posts().is_empty());
    handle.destroy();
}

// ----- sending ----------------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_valid_appointment_is_sent_confirmed_announced_and_the_form_resets() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9/","locale":"en-GB"}"#).await;
    js_sys::eval(
        "window.__xfEvents = []; document.addEventListener('exchange-form:created', e => window.__xfEvents.push(e.detail));",
    )
    .unwrap();
    fill_appointment(
        &host,
        "Design review",
        "2026-12-01T09:00",
        "2026-12-01T10:00",
    );
    settle().await;
    submit(&host).await;

    let posts = posts();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(
        field(post, "url").as_string().as_deref(),
        Some("http://127.0.0.1:9/api/appointments")
    );
    let key = field(post, "idempotencyKey")
        .as_string()
        .expect("Idempotency-Key");
    assert_eq!(key.len(), 36);
    let body: serde_json::Value =
        serde_json::from_str(&field(post, "body").as_string().unwrap()).unwrap();
    assert_eq!(body["subject"], "Design review");
    assert_eq!(body["start"], "2026-12-01T09:00");
    assert_eq!(body["end"], "2026-12-01T10:00");
    assert_eq!(body["location"], "Room 4.12");
    assert!(
        body["timeZone"].as_str().is_some_and(|z| !z.is_empty()),
        "{body}"
    );

    let status = query(&host, ".xf-status[role='status']")
        .text_content()
        .unwrap();
    assert!(
        status.contains("Created \u{201c}Design review\u{201d} on"),
        "{status}"
    );
    let events = js_sys::eval("window.__xfEvents")
        .unwrap()
        .dyn_into::<js_sys::Array>()
        .unwrap();
    assert_eq!(events.length(), 1);
    let detail = events.get(0);
    assert_eq!(
        js_sys::Reflect::get(&detail, &"subject".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("Design review")
    );
    assert_eq!(
        js_sys::Reflect::get(&detail, &"id".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("AAMk1")
    );
    assert_eq!(value(&host, "subject"), "");
    assert_eq!(value(&host, "start"), "");
    assert_eq!(
        submit_button(&host).text_content().as_deref(),
        Some("Create")
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn moving_the_start_keeps_the_length_and_the_meeting_options_are_sent() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    fill_appointment(
        &host,
        "Design review",
        "2026-12-01T09:00",
        "2026-12-01T10:30",
    );
    settle().await;
    type_into(&host, "start", "2026-12-03T14:00");
    settle().await;
    assert_eq!(value(&host, "end"), "2026-12-03T15:30");

    // All day: the dates stay, the inputs become date pickers, and the length still holds.
    query(&host, "[name='allDay']")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert_eq!(
        query(&host, "[name='start']")
            .get_attribute("type")
            .as_deref(),
        Some("date")
    );
    assert_eq!(value(&host, "end"), "2026-12-03");
    type_into(&host, "start", "2026-12-07");
    settle().await;
    assert_eq!(value(&host, "end"), "2026-12-07");

    type_into(&host, "reminder", "custom");
    settle().await;
    let minutes = query(&host, "input[type='number']");
    assert_eq!(label_of(&host, &minutes), "Minutes before");
    minutes.unchecked_ref::<HtmlInputElement>().set_value("45");
    minutes
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    type_into(&host, "showAs", "4");
    type_into(&host, "importance", "2");
    type_into(&host, "categories", "Blue,Project X");
    type_into(&host, "timeZone", "America/New_York");
    query(&host, "[name='private']")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert_eq!(value(&host, "reminder"), "custom");
    submit(&host).await;
    let posts = posts();
    assert_eq!(posts.len(), 1);
    let body: serde_json::Value =
        serde_json::from_str(&field(&posts[0], "body").as_string().unwrap()).unwrap();
    assert_eq!(body["allDay"], true);
    assert_eq!(body["start"], "2026-12-07");
    assert_eq!(body["reminder"], "45");
    assert_eq!(body["showAs"], "workingElsewhere");
    assert_eq!(body["importance"], "high");
    assert_eq!(body["private"], true);
    assert_eq!(body["categories"], serde_json::json!(["Blue", "Project X"]));
    assert_eq!(body["timeZone"], "America/New_York");
    handle.destroy();
}

/// The text of the `<label>` of `control`.
fn label_of(host: &web_sys::Element, control: &web_sys::Element) -> String {
    query(host, &format!("label[for='{}']", control.id()))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn server_field_errors_are_shown_inline_and_input_is_kept() {
    install_fetch(
        r#"(method, url) => {
            if (url.includes('/api/auth/status')) return [200, { authorized: true }];
            if (method === 'GET') return [200, { items: [], more: false }];
            return [422, { error: 'validation_failed', message: 'Some fields need attention.',
                           fields: { location: 'Exchange refused this room.' } }];
        }"#,
    );
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    fill_appointment(
        &host,
        "Design review",
        "2026-12-01T09:00",
        "2026-12-01T10:00",
    );
    settle().await;
    submit(&host).await;
    let location = query(&host, "[name='location']");
    assert_eq!(
        location.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let described = location.get_attribute("aria-describedby").unwrap();
    assert!(
        query(&host, &format!("[id='{described}']"))
            .text_content()
            .unwrap()
            .contains("Exchange refused this room.")
    );
    assert_eq!(value(&host, "subject"), "Design review");
    assert_eq!(value(&host, "end"), "2026-12-01T10:00");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn busy_and_network_errors_keep_the_input_and_allow_a_retry() {
    install_fetch(
        r#"(method, url) => {
            if (url.includes('/api/auth/status')) return [200, { authorized: true }];
            if (method === 'GET') return [200, { items: [], more: false }];
            if (url.endsWith('/api/tasks') && !window.__xfOffline) return [503, { error: 'exchange_busy',
                message: 'Exchange is throttling.', details: { retryAfterSeconds: 30 } }];
            return 'reject';
        }"#,
    );
    let (host, mut handle) =
        mounted(r#"{"kind":"task","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    type_into(&host, "subject", "File the report");
    type_into(&host, "dueDate", "2026-12-04");
    type_into(&host, "status", "InProgress");
    settle().await;
    submit(&host).await;
    let alert = query(&host, ".xf-notice[role='alert']")
        .text_content()
        .unwrap();
    assert!(
        alert.contains("Exchange is busy right now. Try again in 30 s."),
        "{alert}"
    );
    assert_eq!(value(&host, "subject"), "File the report");
    assert_eq!(value(&host, "status"), "InProgress");

    js_sys::eval("window.__xfOffline = true").unwrap();
    submit(&host).await;
    let alert = query(&host, ".xf-notice[role='alert']")
        .text_content()
        .unwrap();
    assert!(alert.contains("could not be reached"), "{alert}");
    assert_eq!(value(&host, "dueDate"), "2026-12-04");
    assert_eq!(posts().len(), 2, "each click sent once");
    let keys: Vec<String> = posts()
        .iter()
        .filter_map(|p| field(p, "idempotencyKey").as_string())
        .collect();
    assert_ne!(keys[0], keys[1], "a new submit is a new action");
    handle.destroy();
}

// ----- error mapping ----------------------------------------------------------------

#[wasm_bindgen_test]
fn http_statuses_map_to_typed_errors() {
    let body = r#"{"error":"validation_failed","message":"m","fields":{"end":"bad"}}"#;
    match error_from_response(422, body, None) {
        ApiError::Validation(f) => assert_eq!(f.message(Field::End).as_deref(), Some("bad")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error_from_response(401, "{}", None),
        ApiError::AuthorizationRequired
    );
    let busy = r#"{"error":"exchange_busy","message":"m","details":{"retryAfterSeconds":30}}"#;
    assert_eq!(
        error_from_response(503, busy, Some(5)),
        ApiError::Busy {
            retry_after: Some(30)
        }
    );
    assert_eq!(
        error_from_response(503, "oops", Some(5)),
        ApiError::Busy {
            retry_after: Some(5)
        }
    );
    assert_eq!(
        error_from_response(
            502,
            r#"{"error":"exchange_error","message":"EWS down"}"#,
            None
        ),
        ApiError::Server("EWS down".into())
    );
    assert_eq!(
        error_from_response(500, "", None),
        ApiError::Server("HTTP 500".into())
    );
    assert_eq!(
        error_from_response(
            400,
            r#"{"error":"malformed_request","message":"unknown field"}"#,
            None
        ),
        ApiError::BadRequest("unknown field".into())
    );
    // A stale If-Match: the proxy's 409, or a plain HTTP server's 412.
    for status in [409, 412] {
        assert_eq!(
            error_from_response(status, r#"{"error":"conflict","message":"changed"}"#, None),
            ApiError::Conflict("changed".into())
        );
    }
}

#[wasm_bindgen_test]
async fn what_is_sent_is_what_is_on_screen_even_before_a_render() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"task","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    // Values set without input events (autofill, a script, a submit in the same tick).
    let subject: web_sys::HtmlInputElement = query(&host, "[name='subject']").unchecked_into();
    subject.set_value("Typed just now");
    let status: HtmlSelectElement = query(&host, "[name='status']").unchecked_into();
    status.set_value("Completed");
    submit(&host).await;
    let posts = posts();
    assert_eq!(posts.len(), 1);
    let body: serde_json::Value =
        serde_json::from_str(&field(&posts[0], "body").as_string().unwrap()).unwrap();
    assert_eq!(body["subject"], "Typed just now");
    assert_eq!(body["status"], "Completed");
    handle.destroy();
}
