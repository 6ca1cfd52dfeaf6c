//! Browser tests of the read-back lists (wasm-bindgen-test, headless Chromium): the agenda shows
//! 7 days at a time and pages, the task list pages, and typing in the form never renders a list.
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p exchange-forms`

mod common;

use std::rc::Rc;

use common::*;
use exchange_forms::view_state::{ViewAction, ViewState};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::Reducible;

wasm_bindgen_test_configure!(run_in_browser);

const APPOINTMENT: &str = r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#;
const TASK: &str = r#"{"kind":"task","proxy":"http://127.0.0.1:9","locale":"en"}"#;

/// A proxy whose calendar holds `window.__xfDays` pages: the first page (no cursor) has two
/// appointments and `nextCursor: 'C2'`, the page at `C2` one more and nothing after it.
/// Task pages are the same with tasks.
const PAGED_PROXY: &str = r#"(method, url, body) => {
    if (url.includes('/api/auth/status')) return [200, { authorized: true, user: 'alice' }];
    const query = new URL(url).searchParams;
    const cursor = query.get('cursor');
    if (method === 'GET' && url.includes('/api/appointments?')) {
        const at = (h) => new Date(Date.parse(query.get('start')) + h * 3600e3).toISOString();
        return [200, cursor === 'C2'
            ? { items: [{ id: 'a3', changeKey: 'k', subject: 'Third', start: at(30), end: at(31), location: '', body: '' }], more: false }
            : { items: [
                { id: 'a1', changeKey: 'k', subject: 'First', start: at(9), end: at(10), location: 'Room B', body: '' },
                { id: 'a2', changeKey: 'k', subject: 'Second', start: at(11), end: at(12), location: '', body: '' },
              ], more: true, nextCursor: 'C2' }];
    }
    if (method === 'GET' && url.includes('/api/tasks')) {
        return [200, cursor === 'C2'
            ? { items: [{ id: 't3', changeKey: 'k', subject: 'Oldest task', dueDate: null, status: 'NotStarted', body: '' }], more: false }
            : { items: [
                { id: 't1', changeKey: 'k', subject: 'Newest task', dueDate: '2026-12-04', status: 'InProgress', body: '' },
                { id: 't2', changeKey: 'k', subject: 'Older task', dueDate: null, status: 'NotStarted', body: '' },
              ], more: true, nextCursor: 'C2' }];
    }
    if (url.endsWith('/api/appointments')) return [201, {
        id: 'new', changeKey: 'k', subject: body.subject, start: '2026-12-01T08:00:00Z',
        end: '2026-12-01T09:00:00Z', location: body.location, body: body.body }];
    return [404, { error: 'not_found', message: 'no route' }];
}"#;

fn gets(path: &str) -> Vec<String> {
    calls()
        .into_iter()
        .filter(|c| field(c, "method").as_string().as_deref() == Some("GET"))
        .filter_map(|c| field(&c, "url").as_string())
        .filter(|url| url.contains(path))
        .collect()
}

fn param(url: &str, name: &str) -> Option<String> {
    web_sys::Url::new(url).unwrap().search_params().get(name)
}

fn rows(host: &Element) -> Vec<String> {
    let items = host.query_selector_all("section ul li").unwrap();
    (0..items.length())
        .filter_map(|i| items.get(i))
        .filter_map(|n| n.text_content())
        .collect()
}

/// The button in the list section whose text is `text`, if shown.
fn button(host: &Element, text: &str) -> Option<HtmlElement> {
    button_in(host, "section button", text)
}

async fn click(host: &Element, text: &str) {
    button(host, text)
        .unwrap_or_else(|| panic!("no button {text:?}: {}", host.inner_html()))
        .click();
    settle().await;
}

fn millis(iso: &str) -> f64 {
    js_sys::Date::parse(iso)
}

#[wasm_bindgen_test]
async fn the_agenda_shows_7_days_from_today_and_moves_by_7_days() {
    signed_in();
    install_fetch(PAGED_PROXY);
    let (host, mut handle) = mounted(APPOINTMENT).await;
    settle().await;
    assert_eq!(
        query(&host, "section h3").text_content().unwrap(),
        "Upcoming appointments"
    );
    // (Fetched on mount, and again once the proxy says the session is signed in.)
    let first = gets("/api/appointments?").pop().unwrap();
    let (start, end) = (
        param(&first, "start").unwrap(),
        param(&first, "end").unwrap(),
    );
    // Local midnight today, for 7 days (an hour more or less across a clock change).
    let today = js_sys::Date::new_0();
    today.set_hours(0);
    today.set_minutes(0);
    today.set_seconds(0);
    today.set_milliseconds(0);
    assert_eq!(
        millis(&start),
        today.get_time(),
        "{start} {:?}",
        gets("/api/appointments?")
    );
    let days = (millis(&end) - millis(&start)) / 86_400_000.0;
    assert!((days - 7.0).abs() <= 1.0 / 24.0, "{days} days");
    assert!(param(&first, "cursor").is_none());
    let shown = rows(&host);
    assert_eq!(shown.len(), 2, "{}", host.inner_html());
    assert!(shown[0].contains("First") && shown[0].contains("Room B"));
    assert!(shown[1].contains("Second"));
    assert!(button(&host, "Today").is_none());

    let latest = |name| param(&gets("/api/appointments?").pop().unwrap(), name).unwrap();
    click(&host, "Next 7 days ›").await;
    assert_eq!(latest("start"), end, "the next 7 days follow");
    click(&host, "Today").await;
    assert_eq!(latest("start"), start);
    assert!(button(&host, "Today").is_none());
    click(&host, "‹ Previous 7 days").await;
    assert_eq!(latest("end"), start, "the 7 days before");
    handle.destroy();
    signed_out();
}

#[wasm_bindgen_test]
async fn a_page_that_is_not_the_last_offers_more_then_back() {
    for (options, path, first, last) in [
        (APPOINTMENT, "/api/appointments?", "First", "Third"),
        (TASK, "/api/tasks", "Newest task", "Oldest task"),
    ] {
        signed_in();
        install_fetch(PAGED_PROXY);
        let (host, mut handle) = mounted(options).await;
        settle().await;
        assert!(rows(&host)[0].contains(first), "{}", host.inner_html());
        assert!(button(&host, "‹ Back").is_none());

        click(&host, "More…").await;
        let requests = gets(path);
        assert_eq!(
            param(requests.last().unwrap(), "cursor").as_deref(),
            Some("C2")
        );
        let shown = rows(&host);
        assert_eq!(shown.len(), 1, "the next page replaces the rows");
        assert!(shown[0].contains(last), "{shown:?}");
        assert!(
            button(&host, "More…").is_none(),
            "nothing follows the last page"
        );

        click(&host, "‹ Back").await;
        assert!(param(gets(path).last().unwrap(), "cursor").is_none());
        assert!(rows(&host)[0].contains(first));
        handle.destroy();
        signed_out();
    }
}

#[wasm_bindgen_test]
async fn signed_out_the_lists_ask_for_nothing_and_point_at_the_sign_in() {
    signed_out();
    // A proxy that would refuse every list, as the real one does without a session.
    install_fetch(
        r#"(method, url) => url.includes('/api/auth/status')
            ? [200, { authorized: false }]
            : [401, { error: 'authorization_required', message: 'Sign in.' }]"#,
    );
    for (options, path) in [(APPOINTMENT, "/api/appointments"), (TASK, "/api/tasks")] {
        let (host, mut handle) = mounted(options).await;
        settle().await;
        assert_eq!(
            gets(path),
            Vec::<String>::new(),
            "no request the proxy would refuse"
        );
        let text = host.text_content().unwrap();
        assert!(
            text.contains("Sign in (create an item) to see this list."),
            "{text}"
        );
        handle.destroy();
    }
}

#[wasm_bindgen_test]
async fn typing_and_validating_never_render_the_list() {
    signed_in();
    install_fetch(PAGED_PROXY);
    // Every row and the agenda's days are formatted with formatRange: count its calls.
    js_sys::eval(
        "window.__xfFormats = 0; const original = Intl.DateTimeFormat.prototype.formatRange;
         Intl.DateTimeFormat.prototype.formatRange = function (...args) {
             window.__xfFormats += 1; return original.apply(this, args); };",
    )
    .unwrap();
    let formats = || {
        js_sys::eval("window.__xfFormats")
            .unwrap()
            .as_f64()
            .unwrap()
    };
    let (host, mut handle) = mounted(APPOINTMENT).await;
    settle().await;
    settle().await;
    assert_eq!(rows(&host).len(), 2);
    let (before, requests) = (formats(), calls().len());
    assert!(before >= 2.0, "the rows were formatted once");
    // One render per keystroke, as when a user types.
    let subject = "Quarterly review";
    for typed in 1..=subject.len() {
        type_into(&host, "subject", &subject[..typed]);
        yew::platform::time::sleep(std::time::Duration::ZERO).await;
    }
    type_into(&host, "start", "2026-12-01T10:00");
    type_into(&host, "end", "2026-12-01T09:00");
    settle().await;
    submit(&host).await; // invalid: end before start
    assert_eq!(
        query(&host, "[name='end']")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert_eq!(formats(), before, "the list was rendered again");
    assert_eq!(calls().len(), requests, "nothing was fetched");

    // A created item refreshes the page shown (rendering only what changed).
    let listed = gets("/api/appointments?").len();
    type_into(&host, "end", "2026-12-01T11:00");
    settle().await;
    submit(&host).await;
    settle().await;
    assert_eq!(
        gets("/api/appointments?").len(),
        listed + 1,
        "the list was fetched again"
    );
    // Gone means gone: the conflict check waiting for the typing to pause asks nothing.
    handle.destroy();
    let after = calls().len();
    yew::platform::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(calls().len(), after, "a destroyed widget made a request");
    signed_out();
}

fn apply(actions: Vec<ViewAction>) -> Rc<ViewState> {
    actions
        .into_iter()
        .fold(Rc::new(ViewState::default()), |state, action| {
            state.reduce(action)
        })
}

#[wasm_bindgen_test]
fn pages_go_forward_and_back_and_other_days_start_at_their_first_page() {
    let state = apply(vec![
        ViewAction::NextPage("p2".into()),
        ViewAction::NextPage("p3".into()),
    ]);
    assert_eq!(
        (state.cursor().as_deref(), state.page_index()),
        (Some("p3"), 2)
    );
    let back = state.clone().reduce(ViewAction::PreviousPage);
    assert_eq!(
        (back.cursor().as_deref(), back.page_index()),
        (Some("p2"), 1)
    );
    let later = state.reduce(ViewAction::ShiftWeeks(1));
    assert_eq!(
        (later.week, later.cursor(), later.page_index()),
        (1, None, 0)
    );
    assert_eq!(later.reduce(ViewAction::ThisWeek).week, 0);
    let first = Rc::new(ViewState::default());
    assert!(Rc::ptr_eq(
        &first,
        &first.clone().reduce(ViewAction::PreviousPage)
    ));
}
