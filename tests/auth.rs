//! Browser tests of the authorization flow (issue 4, widget side), against a scripted fake
//! proxy (`fetch`) and a fake `window.open` that records popups.

mod common;

use common::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Records `window.open` calls; returns a fake popup unless `__xfBlockPopups` is set.
fn install_popups() {
    js_sys::eval(
        r#"
        window.__xfPopups = [];
        window.__xfBlockPopups = false;
        window.open = (url, name, features) => {
            if (window.__xfBlockPopups) { window.__xfPopups.push(null); return null; }
            const popup = { closed: false, location: { href: url }, close() { this.closed = true; } };
            window.__xfPopups.push(popup);
            return popup;
        };
        "#,
    )
    .expect("fake window.open");
}

/// A proxy with a flow `f1`: pending until the test sets `__xfFlow` (e.g. to
/// `{status:'done', sessionHandle:'h1', user:'alice'}`); appointments need `DPoP h1` with a
/// proof; the flow must be started with a secret's hash and a proof, and polled with the secret.
const FLOW_PROXY: &str = r#"async (method, url, body, headers) => {
    const signed = headers.get('Authorization') === 'DPoP h1' && (headers.get('DPoP') || '').split('.').length === 3;
    const auth = signed ? 'DPoP h1' : headers.get('Authorization');
    if (url.includes('/api/auth/status')) return [200, auth === 'DPoP h1' ? { authorized: true, user: 'alice' } : { authorized: false }];
    if (url.endsWith('/api/auth/flows') && method === 'POST') {
        const hash = (body && body.secretHash) || '';
        if (hash.length !== 43 || !headers.get('DPoP')) return [422, { error: 'validation_failed', message: 'no secret hash or proof', fields: { secretHash: 'missing' } }];
        return [201, { flowId: 'f1', authorizeUrl: 'http://127.0.0.1:9/auth/start/f1', expiresAt: '2030-01-01T00:00:00Z' }];
    }
    if (url.includes('/api/auth/flows/f1')) {
        await new Promise((r) => setTimeout(r, 50));
        if ((headers.get('Flow-Secret') || '').length !== 43) return [404, { error: 'not_found', message: 'no such flow' }];
        return [200, window.__xfFlow || { status: 'pending' }];
    }
    if (url.endsWith('/api/auth/signout')) return [204, null];
    if (method === 'GET') return auth === 'DPoP h1' ? [200, { items: [], more: false }] : [401, { error: 'authorization_required', message: 'Sign in.' }];
    if (url.endsWith('/api/appointments')) {
        if (auth !== 'DPoP h1') return [401, { error: 'authorization_required', message: 'Sign in.', details: { flowsUrl: '/api/auth/flows' } }];
        return [201, { id: 'A1', changeKey: 'C', subject: body.subject, start: '2026-12-01T08:00:00Z', end: '2026-12-01T09:00:00Z', location: body.location, body: body.body }];
    }
    return [404, { error: 'not_found', message: 'no route' }];
}"#;

const APPOINTMENT: &str = r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en"}"#;

fn popups() -> js_sys::Array {
    js_sys::eval("window.__xfPopups").unwrap().into()
}

fn popup_href(i: u32) -> String {
    js_sys::eval(&format!("window.__xfPopups[{i}].location.href"))
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

fn appointment_posts() -> Vec<wasm_bindgen::JsValue> {
    posts()
        .into_iter()
        .filter(|c| {
            field(c, "url")
                .as_string()
                .unwrap()
                .ends_with("/api/appointments")
        })
        .collect()
}

fn stored_handle() -> Option<String> {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(SESSION_KEY)
        .unwrap()
}

fn set_handle(handle: Option<&str>) {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    match handle {
        Some(h) => storage.set_item(SESSION_KEY, h).unwrap(),
        None => storage.remove_item(SESSION_KEY).unwrap(),
    }
    let _ = storage.remove_item("exchange-forms:auth-lock:http://127.0.0.1:9");
}

async fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..100 {
        if condition() {
            return;
        }
        settle().await;
    }
    panic!("timed out waiting for {what}");
}

fn text(host: &web_sys::Element) -> String {
    host.text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn first_action_opens_the_popup_in_the_click_and_replays_once_after_sign_in() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    js_sys::eval("window.__xfFlow = null").unwrap();
    let (host, mut handle) = mounted(APPOINTMENT).await;
    // The status answer may take a few turns on a busy machine.
    wait_for("the signed-out status", || {
        text(&host).contains("Not signed in")
    })
    .await;
    fill_appointment(
        &host,
        "Design review",
        "2026-12-01T09:00",
        "2026-12-01T10:00",
    );
    settle().await;

    submit_button(&host).click();
    // Synchronously, inside the click: the popup is already open (popup blockers).
    assert_eq!(
        popups().length(),
        1,
        "window.open ran inside the click handler"
    );
    settle().await;
    wait_for("the proxy's start page in the popup", || {
        popup_href(0).contains("/auth/start/f1")
    })
    .await;
    assert!(text(&host).contains("Waiting for authorization…"));
    assert!(
        appointment_posts().is_empty(),
        "nothing is sent before the sign-in"
    );
    assert_eq!(value(&host, "subject"), "Design review");

    js_sys::eval("window.__xfFlow = { status: 'done', sessionHandle: 'h1', user: 'alice' }")
        .unwrap();
    wait_for("the confirmation", || {
        text(&host).contains("Created \u{201c}Design review\u{201d}")
    })
    .await;
    let posts = appointment_posts();
    assert_eq!(posts.len(), 1, "the action is replayed exactly once");
    assert_eq!(
        field(&posts[0], "authorization").as_string().as_deref(),
        Some("DPoP h1")
    );
    assert_eq!(stored_handle().as_deref(), Some("h1"));
    wait_for("the signed-in indicator", || {
        text(&host).contains("Signed in as alice")
    })
    .await;
    assert!(
        js_sys::eval("window.__xfPopups[0].closed")
            .unwrap()
            .is_truthy(),
        "popup closed"
    );

    // The next action needs no popup.
    fill_appointment(&host, "Second", "2026-12-02T09:00", "2026-12-02T10:00");
    settle().await;
    submit(&host).await;
    wait_for("the second confirmation", || {
        text(&host).contains("Created \u{201c}Second\u{201d}")
    })
    .await;
    assert_eq!(popups().length(), 1);
    handle.destroy();
    set_handle(None);
}

#[wasm_bindgen_test]
async fn a_revoked_session_asks_again_and_replays_with_the_same_idempotency_key() {
    set_handle(Some("revoked"));
    install_popups();
    install_fetch(FLOW_PROXY);
    js_sys::eval("window.__xfFlow = { status: 'done', sessionHandle: 'h1', user: 'alice' }")
        .unwrap();
    // The status check on load would drop the dead handle; act before it (stale tab).
    let host = host();
    let mut handle = exchange_forms::mount(host.clone(), options(APPOINTMENT)).unwrap();
    settle().await;
    set_handle(Some("revoked"));
    fill_appointment(&host, "Retry me", "2026-12-01T09:00", "2026-12-01T10:00");
    settle().await;
    submit(&host).await;
    wait_for("the confirmation", || {
        text(&host).contains("Created \u{201c}Retry me\u{201d}")
    })
    .await;
    let posts = appointment_posts();
    assert_eq!(posts.len(), 2, "one refused, one replayed");
    assert_eq!(
        field(&posts[0], "authorization").as_string().as_deref(),
        Some("DPoP revoked")
    );
    assert_eq!(
        field(&posts[1], "authorization").as_string().as_deref(),
        Some("DPoP h1")
    );
    assert_eq!(
        field(&posts[0], "idempotencyKey"),
        field(&posts[1], "idempotencyKey")
    );
    assert_eq!(stored_handle().as_deref(), Some("h1"));
    handle.destroy();
    set_handle(None);
}

#[wasm_bindgen_test]
async fn a_blocked_popup_offers_connect_which_completes_the_action() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    js_sys::eval("window.__xfFlow = null; window.__xfBlockPopups = true").unwrap();
    let (host, mut handle) = mounted(APPOINTMENT).await;
    fill_appointment(&host, "Blocked", "2026-12-01T09:00", "2026-12-01T10:00");
    settle().await;
    submit(&host).await;
    assert!(
        text(&host).contains("The sign-in window was blocked. Allow popups or click Connect."),
        "{}",
        text(&host)
    );
    assert!(posts().is_empty(), "no flow started, nothing sent");
    assert_eq!(value(&host, "subject"), "Blocked");

    js_sys::eval("window.__xfBlockPopups = false; window.__xfFlow = { status: 'done', sessionHandle: 'h1', user: 'alice' }").unwrap();
    let connect = query(&host, ".xf-notice button");
    assert_eq!(connect.text_content().as_deref(), Some("Connect"));
    wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&connect).click();
    assert_eq!(
        popups().length(),
        2,
        "Connect opens the popup in its own click"
    );
    wait_for("the confirmation", || {
        text(&host).contains("Created \u{201c}Blocked\u{201d}")
    })
    .await;
    assert_eq!(appointment_posts().len(), 1);
    handle.destroy();
    set_handle(None);
}

#[wasm_bindgen_test]
async fn closing_the_popup_cancels_and_keeps_the_input() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    js_sys::eval("window.__xfFlow = null").unwrap();
    let (host, mut handle) = mounted(APPOINTMENT).await;
    fill_appointment(&host, "Closed", "2026-12-01T09:00", "2026-12-01T10:00");
    settle().await;
    submit(&host).await;
    wait_for("the start page", || popup_href(0).contains("/auth/start/")).await;
    js_sys::eval("window.__xfPopups[0].closed = true").unwrap();
    wait_for("the cancellation", || {
        text(&host).contains("Authorization cancelled. Your input is still here.")
    })
    .await;
    assert!(appointment_posts().is_empty());
    assert_eq!(value(&host, "subject"), "Closed");
    assert_eq!(value(&host, "end"), "2026-12-01T10:00");
    assert_eq!(value(&host, "location"), "Room 4.12");
    assert!(!text(&host).contains("Waiting for authorization"));

    // A popup whose opener link was cut (COOP) reads as closed although the user goes on
    // signing in: when the flow still completes, the session is kept (nothing replayed).
    js_sys::eval("window.__xfFlow = { status: 'done', sessionHandle: 'h1', user: 'alice' }")
        .unwrap();
    wait_for("the late sign-in", || {
        text(&host).contains("Signed in as alice")
    })
    .await;
    assert_eq!(stored_handle().as_deref(), Some("h1"));
    assert!(
        appointment_posts().is_empty(),
        "the cancelled action is not replayed"
    );
    assert_eq!(value(&host, "subject"), "Closed");
    handle.destroy();
    set_handle(None);
}

#[wasm_bindgen_test]
async fn cancel_button_and_denied_consent_keep_the_input() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    js_sys::eval("window.__xfFlow = null").unwrap();
    let (host, mut handle) = mounted(APPOINTMENT).await;
    fill_appointment(&host, "Denied", "2026-12-01T09:00", "2026-12-01T10:00");
    settle().await;
    submit(&host).await;
    wait_for("the waiting state", || {
        text(&host).contains("Waiting for authorization…")
    })
    .await;
    let cancel = query(&host, ".xf-waiting button");
    wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&cancel).click();
    wait_for("the cancellation", || {
        text(&host).contains("Authorization cancelled.")
    })
    .await;
    assert!(
        js_sys::eval("window.__xfPopups[0].closed")
            .unwrap()
            .is_truthy()
    );

    js_sys::eval("window.__xfFlow = { status: 'denied' }").unwrap();
    submit(&host).await;
    wait_for("the denial", || {
        text(&host).contains("Access was denied, so nothing was created. Your input is still here.")
    })
    .await;
    assert!(appointment_posts().is_empty());
    assert_eq!(value(&host, "subject"), "Denied");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn sign_out_revokes_and_forgets_the_handle() {
    set_handle(Some("h1"));
    install_popups();
    install_fetch(FLOW_PROXY);
    let (host, mut handle) = mounted(APPOINTMENT).await;
    wait_for("the signed-in indicator", || {
        text(&host).contains("Signed in as alice")
    })
    .await;
    let sign_out = query(&host, ".xf-auth button");
    assert_eq!(sign_out.text_content().as_deref(), Some("Sign out"));
    wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&sign_out).click();
    wait_for("the sign-out", || {
        text(&host).contains("You are signed out.")
    })
    .await;
    let signout = posts()
        .into_iter()
        .find(|c| {
            field(c, "url")
                .as_string()
                .unwrap()
                .ends_with("/api/auth/signout")
        })
        .expect("POST /api/auth/signout");
    assert_eq!(
        field(&signout, "authorization").as_string().as_deref(),
        Some("DPoP h1")
    );
    assert_eq!(stored_handle(), None);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn back_from_a_full_page_sign_in_the_draft_is_restored_and_the_action_resumes_once() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    js_sys::eval(
        r#"
        window.__xfFlow = { status: 'done', sessionHandle: 'h1', user: 'alice' };
        sessionStorage.setItem('exchange-forms:pending:http://127.0.0.1:9:appointment', JSON.stringify({
            flowId: 'f1',
            pending: {
                draft: { kind: 'appointment', draft: { subject: 'After redirect', start: '2026-12-01T09:00',
                         end: '2026-12-01T10:00', location: 'Room 7', body: '', timeZone: 'Europe/Paris' } },
                idempotencyKey: '5b0c8a51-1f6e-4a43-9a53-2f0d1c7e9b10',
            },
        }));
        history.replaceState(null, '', location.pathname + location.search + '#xf_flow=f1&xf_session=h1');
        "#,
    )
    .unwrap();
    let (host, mut handle) = mounted(
        r#"{"kind":"appointment","proxy":"http://127.0.0.1:9","locale":"en","authMode":"redirect"}"#,
    )
    .await;
    wait_for("the confirmation", || {
        text(&host).contains("Created \u{201c}After redirect\u{201d}")
    })
    .await;
    let posts = appointment_posts();
    assert_eq!(posts.len(), 1, "resumed exactly once");
    assert_eq!(
        field(&posts[0], "idempotencyKey").as_string().as_deref(),
        Some("5b0c8a51-1f6e-4a43-9a53-2f0d1c7e9b10")
    );
    let body = field(&posts[0], "body").as_string().unwrap();
    assert!(
        body.contains("\"location\":\"Room 7\"") && body.contains("Europe/Paris"),
        "{body}"
    );
    assert_eq!(stored_handle().as_deref(), Some("h1"));
    assert_eq!(popups().length(), 0, "no popup in redirect mode");
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert!(
        !hash.contains("xf_flow") && !hash.contains("xf_session"),
        "fragment cleaned (the handle does not stay in the address bar): {hash}"
    );
    let saved = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item("exchange-forms:pending:http://127.0.0.1:9:appointment")
        .unwrap();
    assert_eq!(saved, None);
    handle.destroy();
    set_handle(None);
}

#[wasm_bindgen_test]
async fn a_denied_full_page_sign_in_restores_the_draft_without_sending() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    js_sys::eval(
        r#"
        window.__xfFlow = { status: 'denied' };
        sessionStorage.setItem('exchange-forms:pending:http://127.0.0.1:9:task', JSON.stringify({
            flowId: 'f1',
            pending: { draft: { kind: 'task', draft: { subject: 'Kept task', dueDate: '2026-12-04',
                       status: 'Deferred', body: 'notes' } }, idempotencyKey: 'k' },
        }));
        history.replaceState(null, '', location.pathname + location.search + '#xf_flow=f1&xf_status=denied');
        "#,
    )
    .unwrap();
    let (host, mut handle) = mounted(
        r#"{"kind":"task","proxy":"http://127.0.0.1:9","locale":"en","authMode":"redirect"}"#,
    )
    .await;
    wait_for("the denial", || text(&host).contains("Access was denied")).await;
    assert!(posts().is_empty());
    assert_eq!(value(&host, "subject"), "Kept task");
    assert_eq!(value(&host, "dueDate"), "2026-12-04");
    assert_eq!(value(&host, "status"), "Deferred");
    assert_eq!(value(&host, "body"), "notes");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn while_another_tab_signs_in_this_tab_waits_for_its_handle_and_acts_once() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    let (host, mut handle) = mounted(APPOINTMENT).await;
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let until = js_sys::Date::now() as u64 + 60_000;
    storage
        .set_item(
            "exchange-forms:auth-lock:http://127.0.0.1:9",
            &format!("other-tab {until}"),
        )
        .unwrap();
    fill_appointment(&host, "Two tabs", "2026-12-01T09:00", "2026-12-01T10:00");
    settle().await;
    submit(&host).await;
    assert_eq!(popups().length(), 0, "only the other tab runs a flow");
    assert!(
        text(&host).contains("Waiting for authorization in another tab…"),
        "{}",
        text(&host)
    );
    assert!(appointment_posts().is_empty());

    // The other tab finishes: its handle appears in the shared localStorage.
    storage.set_item(SESSION_KEY, "h1").unwrap();
    storage
        .remove_item("exchange-forms:auth-lock:http://127.0.0.1:9")
        .unwrap();
    wait_for("the confirmation", || {
        text(&host).contains("Created \u{201c}Two tabs\u{201d}")
    })
    .await;
    let posts = appointment_posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        field(&posts[0], "authorization").as_string().as_deref(),
        Some("DPoP h1")
    );
    handle.destroy();
    set_handle(None);
}

#[wasm_bindgen_test]
async fn when_the_other_tab_gives_up_this_tab_offers_connect_and_keeps_the_action() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    js_sys::eval("window.__xfFlow = { status: 'done', sessionHandle: 'h1', user: 'alice' }")
        .unwrap();
    let (host, mut handle) = mounted(APPOINTMENT).await;
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let until = js_sys::Date::now() as u64 + 60_000;
    storage
        .set_item(
            "exchange-forms:auth-lock:http://127.0.0.1:9",
            &format!("other-tab {until}"),
        )
        .unwrap();
    fill_appointment(&host, "Given up", "2026-12-01T09:00", "2026-12-01T10:00");
    settle().await;
    submit(&host).await;
    storage
        .remove_item("exchange-forms:auth-lock:http://127.0.0.1:9")
        .unwrap();
    wait_for("the Connect offer", || {
        text(&host).contains("Please sign in to continue.")
    })
    .await;
    assert_eq!(value(&host, "subject"), "Given up");
    let connect = query(&host, ".xf-notice button");
    wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&connect).click();
    assert_eq!(popups().length(), 1);
    wait_for("the confirmation", || {
        text(&host).contains("Created \u{201c}Given up\u{201d}")
    })
    .await;
    assert_eq!(appointment_posts().len(), 1);
    handle.destroy();
    set_handle(None);
}

#[wasm_bindgen_test]
async fn a_popup_that_closes_itself_on_success_does_not_lose_the_once_delivered_handle() {
    set_handle(None);
    install_popups();
    // A real long-poll: answers when the flow changes (with some latency), and hands the
    // session handle out only once, like the proxy.
    let routes = FLOW_PROXY.replace(
        r#"        await new Promise((r) => setTimeout(r, 50));
        if ((headers.get('Flow-Secret') || '').length !== 43) return [404, { error: 'not_found', message: 'no such flow' }];
        return [200, window.__xfFlow || { status: 'pending' }];"#,
        r#"        const started = Date.now();
        while (!window.__xfFlow && Date.now() - started < 1500) await new Promise((r) => setTimeout(r, 20));
        if (window.__xfFlow) await new Promise((r) => setTimeout(r, 400));
        const answer = window.__xfFlow || { status: 'pending' };
        if (answer.sessionHandle) window.__xfFlow = { ...answer, sessionHandle: undefined };
        if ((headers.get('Flow-Secret') || '').length !== 43) return [404, { error: 'not_found', message: 'no such flow' }];
        return [200, answer];"#,
    );
    assert_ne!(routes, FLOW_PROXY, "the long-poll route was replaced");
    install_fetch(&routes);
    js_sys::eval("window.__xfFlow = null").unwrap();
    let (host, mut handle) = mounted(APPOINTMENT).await;
    fill_appointment(&host, "Once", "2026-12-01T09:00", "2026-12-01T10:00");
    settle().await;
    submit(&host).await;
    wait_for("the start page", || popup_href(0).contains("/auth/start/")).await;
    // The callback page: the flow is done, and the page closes itself at once.
    js_sys::eval(
        "window.__xfFlow = { status: 'done', sessionHandle: 'h1', user: 'alice' }; window.__xfPopups[0].closed = true;",
    )
    .unwrap();
    wait_for("the confirmation", || {
        text(&host).contains("Created \u{201c}Once\u{201d}")
    })
    .await;
    assert_eq!(stored_handle().as_deref(), Some("h1"));
    assert_eq!(appointment_posts().len(), 1);
    handle.destroy();
    set_handle(None);
}

#[wasm_bindgen_test]
async fn an_expired_flow_or_a_lost_network_keeps_the_input_and_a_retry_completes_once() {
    set_handle(None);
    install_popups();
    install_fetch(FLOW_PROXY);
    // Flow polls can be cut off as if the network were down.
    js_sys::eval(
        "(() => { const inner = window.__xfRoute; window.__xfFlowDown = false; \
         window.__xfRoute = async (m, u, b, h) => \
           (window.__xfFlowDown && u.includes('/api/auth/flows/f1')) ? 'reject' : inner(m, u, b, h); })()",
    )
    .unwrap();
    js_sys::eval("window.__xfFlow = { status: 'expired' }").unwrap();
    let (host, mut handle) = mounted(APPOINTMENT).await;
    fill_appointment(
        &host,
        "Retry me later",
        "2026-12-01T09:00",
        "2026-12-01T10:00",
    );
    settle().await;

    // The flow expires: a clear message, nothing sent, the input is still there.
    submit(&host).await;
    wait_for("the expiry message", || {
        text(&host).contains("The sign-in took too long and expired. Try again.")
    })
    .await;
    assert!(appointment_posts().is_empty());
    assert_eq!(value(&host, "subject"), "Retry me later");

    // The network goes away while waiting for the flow: a clear message, input kept.
    js_sys::eval("window.__xfFlow = null; window.__xfFlowDown = true").unwrap();
    submit(&host).await;
    let mut seen = false;
    for _ in 0..250 {
        if text(&host).contains("The server could not be reached.") {
            seen = true;
            break;
        }
        settle().await;
    }
    assert!(seen, "no network message: {}", text(&host));
    assert!(appointment_posts().is_empty());
    assert_eq!(value(&host, "subject"), "Retry me later");

    // Back online, the retry signs in and creates the appointment exactly once.
    js_sys::eval(
        "window.__xfFlowDown = false; \
         window.__xfFlow = { status: 'done', sessionHandle: 'h1', user: 'alice' }",
    )
    .unwrap();
    submit(&host).await;
    wait_for("the confirmation", || {
        text(&host).contains("Created \u{201c}Retry me later\u{201d}")
    })
    .await;
    let created: Vec<_> = appointment_posts()
        .into_iter()
        .filter(|c| field(c, "authorization").as_string().as_deref() == Some("DPoP h1"))
        .collect();
    assert_eq!(created.len(), 1);
    handle.destroy();
}
