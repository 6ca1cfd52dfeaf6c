//! Browser tests of changes to existing items (wasm-bindgen-test, headless Chromium): the
//! reducer's editing, conflict and outcome states, and what the widget sends when a row's item
//! is edited, completed or answered.
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p exchange-forms`

mod common;

use std::rc::Rc;

use common::*;
use exchange_forms::ApiError;
use exchange_forms::state::{Action, Change, Draft, FormState, Kind, Opened, Pending, Target};
use model::{AppointmentDraft, Field, ReplyKind};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::Reducible;

wasm_bindgen_test_configure!(run_in_browser);

fn opened(id: &str, version: &str, subject: &str) -> Opened {
    Opened {
        id: id.into(),
        version: version.into(),
        draft: Draft::Appointment(AppointmentDraft {
            subject: subject.into(),
            start: "2026-12-01T09:00".into(),
            end: "2026-12-01T10:00".into(),
            required_attendees: vec!["bob@example.com".into()],
            ..AppointmentDraft::default()
        }),
    }
}

fn target(id: &str, change: Change) -> Target {
    Target {
        id: id.into(),
        version: "k1".into(),
        subject: "Review".into(),
        change,
    }
}

fn run(state: Rc<FormState>, actions: Vec<Action>) -> Rc<FormState> {
    actions.into_iter().fold(state, |s, a| s.reduce(a))
}

fn typed(subject: &str) -> Action {
    Action::Edit {
        field: Field::Subject,
        value: subject.into(),
    }
}

#[wasm_bindgen_test]
fn a_conflict_keeps_the_edit_until_the_user_chooses() {
    let start = Rc::new(FormState::new(Kind::Appointment));
    let editing = run(
        start,
        vec![Action::Open(opened("a1", "k1", "Review")), typed("Mine")],
    );
    assert_eq!(editing.editing.as_ref().unwrap().version, "k1");
    assert_eq!(
        editing.appointment.required_attendees,
        ["bob@example.com"],
        "what the form does not show is kept for the save"
    );
    let pending = Pending {
        draft: editing.draft(None),
        idempotency_key: "key".into(),
        target: Some(target("a1", Change::Save)),
    };
    let conflicted = run(
        editing,
        vec![
            Action::Send(pending),
            Action::Conflict(opened("a1", "k2", "Theirs")),
        ],
    );
    assert_eq!(
        conflicted.appointment.subject, "Mine",
        "nothing typed is lost"
    );
    assert!(!conflicted.busy());
    assert_eq!(conflicted.conflict.as_ref().unwrap().version, "k2");

    // Reload: the newer version replaces the edit, and is what the next save names.
    let reloaded = conflicted
        .clone()
        .reduce(Action::Open(conflicted.conflict.clone().unwrap()));
    assert_eq!(reloaded.appointment.subject, "Theirs");
    assert_eq!(reloaded.editing.as_ref().unwrap().version, "k2");
    assert!(reloaded.conflict.is_none());

    // Saved: a fresh form, the list fetched again, the outcome said.
    let saved = reloaded
        .clone()
        .reduce(Action::Changed(target("a1", Change::Save)));
    assert!(saved.editing.is_none());
    assert_eq!(saved.appointment, AppointmentDraft::default());
    assert_eq!(saved.list_version, reloaded.list_version + 1);
    assert_eq!(saved.done.as_ref().unwrap().change, Change::Save);
}

#[wasm_bindgen_test]
fn list_actions_keep_the_form_unless_they_remove_the_edited_item() {
    let editing = run(
        Rc::new(FormState::new(Kind::Appointment)),
        vec![Action::Open(opened("a1", "k1", "Review")), typed("Mine")],
    );
    let other = editing
        .clone()
        .reduce(Action::Changed(target("a2", Change::Delete)));
    assert_eq!(other.appointment.subject, "Mine");
    assert!(other.editing.is_some());
    let answered = editing.clone().reduce(Action::Changed(target(
        "a1",
        Change::Reply(ReplyKind::Accept, String::new()),
    )));
    assert_eq!(answered.appointment.subject, "Mine");
    let cancelled = editing.clone().reduce(Action::Changed(target(
        "a1",
        Change::Cancel("Moved".into()),
    )));
    assert!(cancelled.editing.is_none(), "the edited meeting is gone");
    assert_eq!(cancelled.appointment.subject, "");

    // A stale list action: the list shows the item as it is now, the form is untouched.
    let stale = editing
        .clone()
        .reduce(Action::Failed(ApiError::Conflict("changed".into())));
    assert_eq!(stale.list_version, editing.list_version + 1);
    assert_eq!(stale.appointment.subject, "Mine");
    let closed = stale.reduce(Action::CloseEditor);
    assert!(closed.editing.is_none());
    assert_eq!(closed.appointment.subject, "");
}

const APPOINTMENT: &str = r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#;
const TASK: &str = r#"{"kind":"task","proxy":"http://127.0.0.1:9","locale":"en"}"#;

/// One own appointment `a1` (`window.__xfVersion`, first `k1`; each PUT naming another version is
/// a 409, each one naming it makes a new version), one invitation `a2`, one task `t1`.
const ITEMS_PROXY: &str = r#"(method, url, body, headers) => {
    window.__xfVersion ??= 'k1';
    if (url.includes('/api/auth/status')) return [200, { authorized: true, user: 'alice' }];
    const own = () => ({ id: 'a1', changeKey: window.__xfVersion, subject: window.__xfSubject ?? 'Review',
        start: '2026-12-01T08:00:00Z', end: '2026-12-01T09:00:00Z', location: 'Room 1', body: 'Agenda',
        organizer: 'alice@example.com', myResponse: 'organizer' });
    const invitation = { id: 'a2', changeKey: 'i1', subject: 'Offsite', start: '2026-12-02T08:00:00Z',
        end: '2026-12-02T09:00:00Z', organizer: 'bob@example.com', myResponse: 'none',
        requiredAttendees: [{ email: 'alice@example.com' }] };
    const task = { id: 't1', changeKey: 'tk1', subject: 'Report', dueDate: '2026-12-04', status: 'InProgress',
        body: 'Numbers', percentComplete: 40 };
    if (method === 'GET' && url.includes('/api/appointments?')) return [200, { items: [own(), invitation], more: false }];
    if (method === 'GET' && url.includes('/api/tasks?')) return [200, { items: [task], more: false }];
    if (method === 'GET' && url.endsWith('/api/appointments/a1')) return [200, own()];
    if (method === 'GET' && url.endsWith('/api/tasks/t1')) return [200, task];
    if (method === 'PUT' && url.endsWith('/api/appointments/a1')) {
        if (headers.get('If-Match') !== `"${window.__xfVersion}"`) return [409, { error: 'conflict', message: 'changed' }];
        window.__xfVersion += '+';
        window.__xfSubject = body.subject;
        return [200, own()];
    }
    if (method === 'PUT' && url.endsWith('/api/tasks/t1')) return [200, { ...task, status: body.status, changeKey: 'tk2' }];
    if (method === 'POST' && url.endsWith('/api/appointments/a2/reply')) return [204, null];
    return [404, { error: 'not_found', message: 'no route' }];
}"#;

fn requests(method: &str) -> Vec<(String, String, String)> {
    calls()
        .into_iter()
        .filter(|c| field(c, "method").as_string().as_deref() == Some(method))
        .map(|c| {
            let text = |name| field(&c, name).as_string().unwrap_or_default();
            (text("url"), text("ifMatch"), text("body"))
        })
        .collect()
}

/// The first button whose text is `text` (anywhere in the widget).
async fn click(host: &Element, text: &str) {
    button_in(host, "button", text)
        .unwrap_or_else(|| panic!("no button {text:?}: {}", host.inner_html()))
        .click();
    settle().await;
    settle().await;
}

/// Exactly one request was sent: `a2` declined at version `i1` with a message.
fn declined_once() {
    let posts = requests("POST");
    assert_eq!(posts.len(), 1, "sent exactly once: {posts:?}");
    assert!(posts[0].0.ends_with("/api/appointments/a2/reply"));
    assert_eq!(posts[0].1, "\"i1\"");
    assert_eq!(posts[0].2, r#"{"reply":"decline","message":"On leave."}"#);
}

/// Saves the form as it stands; the body of the one PUT that sent.
async fn saved_unchanged(host: &Element) -> serde_json::Value {
    submit(host).await;
    settle().await;
    let puts = requests("PUT");
    assert_eq!(puts.len(), 1, "sent exactly once: {puts:?}");
    serde_json::from_str(&puts[0].2).unwrap()
}

/// The id of the focused element.
fn focused() -> String {
    let document = web_sys::window().unwrap().document().unwrap();
    document
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

fn events(name: &str) -> Vec<wasm_bindgen::JsValue> {
    let all = js_sys::eval(&format!("window.__xfSeen?.['{name}'] ?? []")).unwrap();
    all.dyn_into::<js_sys::Array>().unwrap().iter().collect()
}

fn listen(host: &Element) {
    let record = js_sys::Function::new_with_args(
        "host",
        "window.__xfSeen = {};
         for (const name of ['updated', 'deleted', 'cancelled', 'responded']) {
             host.addEventListener(`exchange-form:${name}`, (e) => (window.__xfSeen[name] ??= []).push(e.detail));
         }",
    );
    record.call1(&wasm_bindgen::JsValue::NULL, host).unwrap();
}

#[wasm_bindgen_test]
async fn an_edit_saves_with_if_match_and_a_conflict_is_overwritten_with_the_newer_version() {
    js_sys::eval("delete window.__xfVersion; delete window.__xfSubject").unwrap();
    signed_in();
    install_fetch(ITEMS_PROXY);
    let (host, mut handle) = mounted(APPOINTMENT).await;
    listen(&host);
    settle().await;
    click(&host, "Edit").await;
    assert_eq!(value(&host, "subject"), "Review");
    assert_eq!(value(&host, "body"), "Agenda");
    assert_eq!(submit_button(&host).text_content().unwrap(), "Save");

    // Someone else saves first: the PUT names the version the form loaded, and meets a conflict.
    js_sys::eval("window.__xfVersion = 'k9'").unwrap();
    type_into(&host, "subject", "Mine");
    submit(&host).await;
    settle().await;
    let puts = requests("PUT");
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].1, "\"k1\"");
    let prompt = query(&host, "[id$='-conflict']");
    assert_eq!(prompt.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(focused(), prompt.id(), "the choice takes the focus");
    assert_eq!(value(&host, "subject"), "Mine", "the edit is kept");
    click(&host, "Overwrite with yours").await;
    let puts = requests("PUT");
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[1].1, "\"k9\"", "overwrites the version it was shown");
    assert!(puts[1].2.contains("\"subject\":\"Mine\""));
    let outcome = query(&host, "[role='status'][id$='-outcome']");
    assert_eq!(outcome.text_content().unwrap(), "✓ Saved “Mine”.");
    assert_eq!(focused(), outcome.id(), "what happened takes the focus");
    let updated = events("updated");
    assert_eq!(updated.len(), 1);
    assert_eq!(
        field(&updated[0], "subject").as_string().as_deref(),
        Some("Mine")
    );
    assert_eq!(value(&host, "subject"), "", "a fresh form");
    assert_eq!(submit_button(&host).text_content().unwrap(), "Create");
    handle.destroy();
    signed_out();
}

/// An item opens on the clock new appointments are typed on: the page's `timeZone`, which the
/// zone field shows (not the browser's own clock under an empty zone field), and goes back at
/// the instants it came with.
#[wasm_bindgen_test]
async fn an_item_opens_on_the_clock_of_the_forms_time_zone() {
    js_sys::eval("delete window.__xfVersion; delete window.__xfSubject").unwrap();
    signed_in();
    install_fetch(ITEMS_PROXY);
    // 08:00 UTC is 17:00 in Tokyo, whatever the browser's own zone.
    let (host, mut handle) = mounted(
        r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en","timeZone":"Asia/Tokyo"}"#,
    )
    .await;
    assert_eq!(value(&host, "timeZone"), "Asia/Tokyo", "a new appointment");
    assert!(until(|| host.text_content().unwrap().contains("Edit")).await);
    click(&host, "Edit").await;
    assert_eq!(value(&host, "start"), "2026-12-01T17:00");
    assert_eq!(value(&host, "end"), "2026-12-01T18:00");
    assert_eq!(value(&host, "timeZone"), "Asia/Tokyo");
    let body = saved_unchanged(&host).await;
    assert_eq!(body["start"], "2026-12-01T17:00");
    assert_eq!(body["end"], "2026-12-01T18:00");
    assert_eq!(body["timeZone"], "Asia/Tokyo");
    handle.destroy();
    signed_out();
}

/// An all-day item made on a Tokyo page: it starts at midnight in Tokyo (15:00 UTC the day
/// before). The agenda lists it on its own days, and it opens on them in the form's date fields
/// (not empty, and not on the UTC day before).
#[wasm_bindgen_test]
async fn an_all_day_item_opens_on_its_own_days_in_the_forms_time_zone() {
    signed_in();
    install_fetch(
        r#"(method, url) => {
            if (url.includes('/api/auth/status')) return [200, { authorized: true, user: 'alice' }];
            const day = { id: 'd1', changeKey: 'c1', subject: 'Offsite', allDay: true,
                start: '2026-11-30T15:00:00Z', end: '2026-12-02T15:00:00Z', organizer: 'alice@example.com',
                myResponse: 'organizer' };
            if (method === 'GET' && url.includes('/api/appointments?')) return [200, { items: [day], more: false }];
            if (method === 'GET' && url.endsWith('/api/appointments/d1')) return [200, day];
            if (method === 'PUT' && url.endsWith('/api/appointments/d1')) return [200, { ...day, changeKey: 'c2' }];
            return [404, { error: 'not_found', message: 'no route' }];
        }"#,
    );
    let (host, mut handle) = mounted(
        r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en","timeZone":"Asia/Tokyo"}"#,
    )
    .await;
    assert!(until(|| host.text_content().unwrap().contains("Edit")).await);
    // The agenda names its days too, with no midnight times.
    let when = query(&host, ".xf-item time").text_content().unwrap();
    assert!(
        when.starts_with("Tue, Dec 1")
            && when.contains("Wed, Dec 2")
            && when.ends_with(" · All day"),
        "{when}"
    );
    click(&host, "Edit").await;
    assert_eq!(value(&host, "subject"), "Offsite");
    assert_eq!(value(&host, "start"), "2026-12-01");
    assert_eq!(value(&host, "end"), "2026-12-02", "both days included");
    assert_eq!(value(&host, "timeZone"), "Asia/Tokyo");
    // Saved unchanged, it goes back as the same two days in the same zone.
    let body = saved_unchanged(&host).await;
    assert_eq!(body["allDay"], true);
    assert_eq!(body["start"], "2026-12-01");
    assert_eq!(body["end"], "2026-12-02");
    assert_eq!(body["timeZone"], "Asia/Tokyo");
    handle.destroy();
    signed_out();
}

#[wasm_bindgen_test]
async fn a_form_the_page_named_keeps_its_name_while_it_edits() {
    signed_in();
    install_fetch(ITEMS_PROXY);
    let (host, mut handle) = mounted(
        r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en","heading":"Team room"}"#,
    )
    .await;
    let form = query(&host, "form");
    assert_eq!(form.get_attribute("aria-label"), None);
    let title = query(&host, "form h2");
    assert_eq!(form.get_attribute("aria-labelledby"), Some(title.id()));
    assert_eq!(title.text_content().as_deref(), Some("Team room"));
    assert!(until(|| host.text_content().unwrap().contains("Edit")).await);
    click(&host, "Edit").await;
    let form = query(&host, "form");
    assert_eq!(
        form.get_attribute("aria-label").as_deref(),
        Some("Edit appointment (Team room)")
    );
    assert_eq!(form.get_attribute("aria-labelledby"), None);
    handle.destroy();
    signed_out();
}

#[wasm_bindgen_test]
async fn an_invitation_is_declined_with_a_message() {
    signed_in();
    install_fetch(ITEMS_PROXY);
    let (host, mut handle) = mounted(APPOINTMENT).await;
    listen(&host);
    assert!(until(|| host.text_content().unwrap().contains("Not answered yet")).await);
    click(&host, "Decline").await;
    let question = query(&host, "[role='group']");
    assert_eq!(
        question.get_attribute("aria-label").as_deref(),
        Some("Decline “Offsite”?")
    );
    let message = query(&question, "textarea");
    message
        .unchecked_ref::<web_sys::HtmlTextAreaElement>()
        .set_value("On leave.");
    let confirm = question
        .query_selector("button.xf-button")
        .unwrap()
        .unwrap();
    confirm.unchecked_ref::<HtmlElement>().click();
    settle().await;
    settle().await;
    declined_once();
    let responded = events("responded");
    assert_eq!(responded.len(), 1);
    assert_eq!(
        field(&responded[0], "reply").as_string().as_deref(),
        Some("decline")
    );
    handle.destroy();
    signed_out();
}

#[wasm_bindgen_test]
async fn a_task_is_completed_whole_and_the_list_filters_and_sorts() {
    signed_in();
    install_fetch(ITEMS_PROXY);
    let (host, mut handle) = mounted(TASK).await;
    settle().await;
    click(&host, "Mark complete").await;
    let puts = requests("PUT");
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].1, "\"tk1\"");
    let body: serde_json::Value = serde_json::from_str(&puts[0].2).unwrap();
    assert_eq!(body["status"], "Completed");
    assert_eq!(body["percentComplete"], "100");
    assert_eq!(
        body["body"], "Numbers",
        "the task is read whole before it is saved"
    );

    type_into(&host, "show", "open");
    type_into(&host, "sort", "due");
    settle().await;
    let last = requests("GET")
        .into_iter()
        .map(|(url, _, _)| url)
        .rfind(|url| url.contains("/api/tasks?"))
        .unwrap();
    assert!(
        last.contains("show=open") && last.contains("sort=due"),
        "{last}"
    );
    handle.destroy();
    signed_out();
}

#[wasm_bindgen_test]
fn a_pending_change_survives_a_full_page_sign_in() {
    use exchange_forms::services::json;
    for change in [
        Change::Save,
        Change::Complete,
        Change::Delete,
        Change::Cancel("Moved".into()),
        Change::Reply(ReplyKind::Tentative, "Maybe".into()),
    ] {
        let pending = Pending {
            draft: opened("a1", "k1", "Review").draft,
            idempotency_key: "key".into(),
            target: Some(target("a1", change)),
        };
        let text = json::to_string(&pending).unwrap();
        assert_eq!(json::from_str::<Pending>(&text).unwrap(), pending, "{text}");
    }
}

#[wasm_bindgen_test]
async fn an_answer_waiting_for_a_full_page_sign_in_is_sent_once_on_return() {
    install_fetch(ITEMS_PROXY);
    js_sys::eval(
        r#"
        sessionStorage.setItem('exchange-forms:pending:http://127.0.0.1:9:appointment', JSON.stringify({
            flowId: 'f7',
            pending: {
                draft: { kind: 'appointment', draft: { subject: 'Typed meanwhile', start: '', end: '' } },
                idempotencyKey: '0b4f3c1e-7d43-4c8e-9a51-5e2f8f1d0a77',
                target: { id: 'a2', version: 'i1', subject: 'Offsite', change: { reply: ['decline', 'On leave.'] } },
            },
        }));
        history.replaceState(null, '', location.pathname + location.search + '#xf_flow=f7&xf_session=h7');
        "#,
    )
    .unwrap();
    let (host, mut handle) = mounted(
        r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en","authMode":"redirect"}"#,
    )
    .await;
    settle().await;
    declined_once();
    assert_eq!(
        value(&host, "subject"),
        "Typed meanwhile",
        "the form's input came back too"
    );
    let outcome = query(&host, "[role='status'][id$='-outcome']");
    assert_eq!(outcome.text_content().unwrap(), "✓ You declined “Offsite”.");
    handle.destroy();
    js_sys::eval("localStorage.clear()").unwrap();
}
