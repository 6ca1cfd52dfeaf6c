//! Browser tests of the meeting parts of the appointment form (wasm-bindgen-test, headless
//! Chromium): the recurrence summary in English and French, and the rule the form sends.

mod common;

use common::*;
use exchange_forms::i18n::Lang;
use exchange_forms::recurrence_text::{rule, summary};
use model::{Ends, RecurrenceDraft, Repeat, Weekday};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const OPEN_PROXY: &str = r#"(method, url, body) => {
    if (url.includes('/api/auth/status')) return [200, { authorized: true, user: 'alice' }];
    if (method === 'GET') return [200, { items: [], more: false }];
    return [201, { id: 'AAMk1', changeKey: 'CK1', subject: body.subject,
        start: '2026-12-01T08:00:00Z', end: '2026-12-01T09:00:00Z' }];
}"#;

fn draft(repeat: Repeat) -> RecurrenceDraft {
    RecurrenceDraft::new(repeat)
}

fn both(draft: &RecurrenceDraft, start: &str) -> (String, String) {
    let rule = rule(draft, start).expect("a complete rule");
    (summary(&rule, Lang::En), summary(&rule, Lang::Fr))
}

#[wasm_bindgen_test]
fn summaries_read_naturally_in_english_and_french() {
    // Tuesday 8 December 2026, the second Tuesday of its month.
    let start = "2026-12-08T09:00";
    let mut weekly = draft(Repeat::Weekly);
    weekly.interval = "2".into();
    weekly.days = vec![Weekday::Thursday, Weekday::Monday];
    weekly.ends = Ends::On;
    weekly.until = "2027-03-31".into();
    assert_eq!(
        both(&weekly, start),
        (
            "Every 2 weeks on Mon and Thu until 31 Mar 2027".into(),
            "Toutes les 2 semaines le lun. et jeu. jusqu’au 31 mars 2027".into()
        )
    );
    assert_eq!(
        both(&draft(Repeat::Daily), start),
        ("Every day".into(), "Tous les jours".into())
    );
    let mut nth = draft(Repeat::MonthlyNth);
    nth.ends = Ends::After;
    nth.count = "10".into();
    assert_eq!(
        both(&nth, start),
        (
            "Every month on the second Tuesday, 10 times".into(),
            "Tous les mois le deuxième mardi, 10 fois".into()
        )
    );
    let mut monthly = draft(Repeat::Monthly);
    monthly.interval = "3".into();
    assert_eq!(
        both(&monthly, start),
        (
            "Every 3 months on day 8".into(),
            "Tous les 3 mois le 8".into()
        )
    );
    assert_eq!(
        both(&draft(Repeat::Yearly), start),
        (
            "Every year on 8 Dec".into(),
            "Tous les ans le 8 déc.".into()
        )
    );
    // A weekly rule without days repeats on the start's weekday.
    assert_eq!(both(&draft(Repeat::Weekly), start).0, "Every week on Tue");
    // No rule until the start is a date.
    assert!(rule(&draft(Repeat::Daily), "").is_none());
}

#[wasm_bindgen_test]
async fn the_form_shows_the_rule_in_its_language_and_sends_it() {
    install_fetch(OPEN_PROXY);
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"fr"}"#).await;
    fill_appointment(&host, "Point hebdo", "2026-12-08T09:00", "2026-12-08T09:30");
    type_into(&host, "recurrence", "1");
    settle().await;
    type_into(&host, "recurrence.interval", "2");
    // Monday and Thursday, by their labelled checkboxes.
    for day in ["lundi", "jeudi"] {
        let labels = host.query_selector_all("label.xf-day").unwrap();
        let label: web_sys::Element = (0..labels.length())
            .filter_map(|i| labels.item(i))
            .map(|n| n.unchecked_into::<web_sys::Element>())
            .find(|l| l.text_content().unwrap_or_default().contains(day))
            .expect(day);
        label
            .query_selector("input")
            .unwrap()
            .unwrap()
            .unchecked_into::<web_sys::HtmlElement>()
            .click();
    }
    type_into(&host, "recurrence.ends", "1");
    settle().await;
    type_into(&host, "recurrence.until", "2027-03-31");
    settle().await;
    let line = query(&host, ".xf-summary-line").text_content().unwrap();
    assert_eq!(
        line,
        "Toutes les 2 semaines le lun. et jeu. jusqu’au 31 mars 2027"
    );
    submit(&host).await;
    let posts = posts();
    assert_eq!(posts.len(), 1);
    let body: serde_json::Value =
        serde_json::from_str(&field(&posts[0], "body").as_string().unwrap()).unwrap();
    assert_eq!(
        body["recurrence"],
        serde_json::json!({"repeat": "weekly", "interval": "2", "days": ["monday", "thursday"],
            "ends": "on", "until": "2027-03-31", "count": ""})
    );
    handle.destroy();
}

/// The user's own calendar over two pages: each holds one busy hour, counted from the start
/// asked for, and the first points at the second.
const TWO_PAGE_CALENDAR: &str = r#"(method, url) => {
    if (url.includes('/api/auth/status')) return [200, { authorized: true, user: 'alice' }];
    if (method === 'GET' && url.includes('/api/appointments?')) {
        const query = new URL(url).searchParams;
        const at = (h) => new Date(Date.parse(query.get('start')) + h * 3600e3).toISOString();
        const busy = (id, h) => ({ id, changeKey: 'k', subject: id, start: at(h), end: at(h + 1),
            location: '', body: '' });
        return [200, query.get('cursor') === 'P2'
            ? { items: [busy('second', 1)], more: false }
            : { items: [busy('first', 0)], more: true, nextCursor: 'P2' }];
    }
    if (method === 'GET') return [200, { items: [], more: false }];
    return [404, { error: 'not_found', message: 'no route' }];
}"#;

#[wasm_bindgen_test]
async fn find_a_time_reads_every_page_of_the_users_own_calendar() {
    install_fetch(TWO_PAGE_CALENDAR);
    signed_in();
    let (host, mut handle) =
        mounted(r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#).await;
    // The button shows once the proxy has said the user is signed in.
    let find_button = || button_in(&host, "button.xf-button--secondary", "Find a time");
    assert!(
        until(|| find_button().is_some()).await,
        "a Find a time button"
    );
    fill_appointment(&host, "Planning", "2030-01-07T09:00", "2030-01-07T09:30");
    settle().await;
    find_button().unwrap().click();
    let suggestion = || host.query_selector(".xf-suggestions button").unwrap();
    assert!(until(|| suggestion().is_some()).await, "suggestions");
    let first: web_sys::HtmlElement = suggestion().unwrap().unchecked_into();
    first.click();
    settle().await;
    // 09:00 is taken on the first page, 10:00 on the second: the first free half hour is 11:00.
    assert_eq!(value(&host, "start"), "2030-01-07T11:00");
    assert_eq!(value(&host, "end"), "2030-01-07T11:30");
    // Both pages were read, at the largest page size.
    let searched: Vec<String> = calls()
        .iter()
        .filter_map(|c| field(c, "url").as_string())
        .filter(|url| url.contains("/api/appointments?") && url.contains("limit=200"))
        .collect();
    assert!(
        searched.iter().any(|url| url.contains("cursor=P2")),
        "{searched:?}"
    );
    signed_out();
    handle.destroy();
}
