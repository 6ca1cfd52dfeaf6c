//! What happens on submit, including the authorization flow of issue 4.
//!
//! The decision whether a click needs authorization is synchronous (a stored session
//! handle, and the status the proxy gave on load), so that the popup opens inside the
//! click's user activation. The pending action (draft + Idempotency-Key) is kept in the
//! state through the whole flow and replayed once when the flow is `done`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures::future::{Either, select};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use web_sys::{
    AbortController, HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
    Window,
};
use yew::UseReducerDispatcher;
use yew::platform::spawn_local;
use yew::platform::time::sleep;

use crate::browser;
use crate::config::WidgetConfig;
use crate::error::ApiError;
use crate::i18n::browser_time_zone;
use crate::services::auth::{self, FlowState, FlowStatus};
use crate::services::{appointments, session, tasks};
use crate::state::{Action, AuthMode, AuthState, Created, Draft, FormState, Notice, Pending};

/// Name of the `xf_flow=<id>` fragment parameter the proxy appends to `returnTo`.
pub const FLOW_FRAGMENT: &str = "xf_flow";
const POLL_WAIT_SECONDS: u32 = 25;
/// A flow's cross-tab lock lives this long unless its tab renews it (every few seconds while
/// the flow runs), so a tab closed mid-flow does not leave the others waiting for long.
const LOCK_MILLIS: u64 = 20_000;
const LOCK_RENEW_BELOW_MILLIS: u64 = 15_000;

/// Shared between the flow task and the UI (Cancel button, postMessage listener).
#[derive(Default)]
pub struct FlowControl {
    cancelled: Cell<bool>,
    nudged: Cell<bool>,
    popup: RefCell<Option<Window>>,
}

impl FlowControl {
    fn close_popup(&self) {
        if let Some(popup) = self.popup.borrow_mut().take() {
            let _ = popup.close();
        }
    }
}

/// Everything the handlers and background tasks need; cheap to clone.
#[derive(Clone)]
pub struct Controller {
    pub config: Rc<WidgetConfig>,
    pub dispatch: UseReducerDispatcher<FormState>,
    flow: Rc<RefCell<Option<Rc<FlowControl>>>>,
    /// Whether the component is still mounted: tasks stop touching the page after destroy.
    alive: Rc<Cell<bool>>,
    tab_id: Rc<str>,
}

enum FlowError {
    Cancelled,
    /// The popup looks closed while the flow is still pending. Either the user closed it,
    /// or a Cross-Origin-Opener-Policy on the sign-in page cut our handle to it (then
    /// `closed` reads true although the user is still signing in).
    PopupClosed(String),
    Denied,
    Expired,
    Failed(Option<String>),
    Api(ApiError),
}

enum Watch {
    Cancelled,
    PopupClosed,
    Nudged,
}

/// The draft kept in `sessionStorage` across a full-page sign-in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedPending {
    flow_id: String,
    pending: Option<Pending>,
}

impl Controller {
    pub fn new(
        config: Rc<WidgetConfig>,
        dispatch: UseReducerDispatcher<FormState>,
        flow: Rc<RefCell<Option<Rc<FlowControl>>>>,
        alive: Rc<Cell<bool>>,
        tab_id: Rc<str>,
    ) -> Self {
        Self {
            config,
            dispatch,
            flow,
            alive,
            tab_id,
        }
    }

    fn send(&self, action: Action) {
        if self.alive.get() {
            self.dispatch.dispatch(action);
        }
    }

    // ----- submit -------------------------------------------------------------------

    /// The form's submit handler (runs inside the click's user activation).
    ///
    /// `form` is the submitted `<form>`: its inputs are read directly, so that what is sent
    /// is exactly what is on screen even if an edit has not been rendered into `state` yet.
    pub fn submit(&self, state: &FormState, form: Option<&HtmlFormElement>) {
        if state.busy() {
            return;
        }
        let mut draft = state.draft(browser_time_zone());
        if let Some(form) = form {
            let on_screen = read_form(form, draft.clone());
            if on_screen != draft {
                self.send(Action::Restore(on_screen.clone()));
                draft = on_screen;
            }
        }
        let invalid = match &draft {
            Draft::Appointment(d) => d.parse().err(),
            Draft::Task(d) => d.parse().err(),
        };
        if let Some(errors) = invalid {
            self.send(Action::Invalid(errors));
            return;
        }
        let pending = Pending {
            draft,
            idempotency_key: browser::uuid_v4(),
        };
        let needs_authorization =
            session::load(&self.config.api).is_none() && state.auth == AuthState::Unauthorized;
        if needs_authorization {
            self.authorize(Some(pending));
        } else {
            self.perform(pending, true);
        }
    }

    /// Sends the action; on 401 forgets the handle and authorizes, keeping the action.
    fn perform(&self, pending: Pending, may_authorize: bool) {
        self.send(Action::Send(pending.clone()));
        let this = self.clone();
        spawn_local(async move {
            let api = &this.config.api;
            let result = match &pending.draft {
                Draft::Appointment(d) => appointments::create(api, d, &pending.idempotency_key)
                    .await
                    .map(Created::Appointment),
                Draft::Task(d) => tasks::create(api, d, &pending.idempotency_key)
                    .await
                    .map(Created::Task),
            };
            if !this.alive.get() {
                return;
            }
            match result {
                Ok(created) => {
                    match &created {
                        Created::Appointment(a) => browser::dispatch_created(&this.config.host, a),
                        Created::Task(t) => browser::dispatch_created(&this.config.host, t),
                    }
                    this.send(Action::Created(created));
                }
                Err(ApiError::AuthorizationRequired) if may_authorize => {
                    session::forget(api);
                    this.send(Action::Auth(AuthState::Unauthorized));
                    // Often still inside the click's activation window; if the popup is
                    // blocked the user gets a Connect button and the action stays pending.
                    this.authorize(Some(pending));
                }
                Err(error) => this.send(Action::Failed(error)),
            }
        });
    }

    // ----- authorization ------------------------------------------------------------

    /// Starts (or joins) an authorization, then replays `pending` once if there is one.
    /// Must be called synchronously from a click handler for the popup to open.
    pub fn authorize(&self, pending: Option<Pending>) {
        if self.config.auth_mode == AuthMode::Redirect {
            self.redirect(pending);
            return;
        }
        let control = Rc::new(FlowControl::default());
        self.replace_flow(Some(control.clone()));
        if self.lock_held_elsewhere() {
            self.send(Action::AwaitAuthorization {
                pending: pending.clone(),
                other_tab: true,
            });
            let this = self.clone();
            spawn_local(async move { this.wait_for_other_tab(pending, control).await });
            return;
        }
        let popup = web_sys::window().and_then(|w| {
            w.open_with_url_and_target_and_features(
                "about:blank",
                "exchange-forms-auth",
                "popup=yes,width=520,height=680",
            )
            .ok()
            .flatten()
        });
        let Some(popup) = popup else {
            self.replace_flow(None);
            if let Some(pending) = pending {
                self.send(Action::AwaitAuthorization {
                    pending: Some(pending),
                    other_tab: false,
                });
            }
            self.send(Action::AuthorizationStopped(Notice::PopupBlocked));
            return;
        };
        // Something to read while the flow starts (about:blank is ours until navigated).
        if let Some(body) = popup.document().and_then(|d| d.body()) {
            body.set_text_content(Some(self.config.locale.t().redirecting));
        }
        control.popup.replace(Some(popup.clone()));
        self.take_lock();
        self.send(Action::AwaitAuthorization {
            pending: pending.clone(),
            other_tab: false,
        });
        let this = self.clone();
        spawn_local(async move {
            let result = this.popup_flow(&popup, &control).await;
            this.release_lock();
            control.close_popup();
            this.finish_flow(result, pending, &control);
        });
    }

    /// The Cancel button: stops waiting, closes the popup, keeps the input.
    pub fn cancel(&self) {
        if let Some(control) = self.flow.borrow().as_ref() {
            control.cancelled.set(true);
            control.close_popup();
        }
        self.release_lock();
        self.send(Action::AuthorizationStopped(Notice::AuthorizationCancelled));
    }

    /// A `message` event: only the proxy's origin may speed up the status poll.
    pub fn on_message(&self, origin: &str) {
        if origin != self.config.api.origin() {
            return;
        }
        if let Some(control) = self.flow.borrow().as_ref() {
            control.nudged.set(true);
        }
    }

    /// Unmount: stop every running flow (the popup is closed, the lock released).
    pub fn shutdown(&self) {
        self.alive.set(false);
        if let Some(control) = self.flow.borrow_mut().take() {
            control.cancelled.set(true);
            control.close_popup();
        }
        self.release_lock();
    }

    fn replace_flow(&self, control: Option<Rc<FlowControl>>) {
        let old = std::mem::replace(&mut *self.flow.borrow_mut(), control);
        if let Some(old) = old {
            old.cancelled.set(true);
            old.close_popup();
        }
    }

    fn is_current(&self, control: &Rc<FlowControl>) -> bool {
        self.flow
            .borrow()
            .as_ref()
            .is_some_and(|current| Rc::ptr_eq(current, control))
    }

    async fn popup_flow(
        &self,
        popup: &Window,
        control: &FlowControl,
    ) -> Result<FlowStatus, FlowError> {
        let api = &self.config.api;
        let flow = auth::start_flow(api, None).await.map_err(FlowError::Api)?;
        if control.cancelled.get() {
            return Err(FlowError::Cancelled);
        }
        if popup.closed().unwrap_or(true) || popup.location().set_href(&flow.authorize_url).is_err()
        {
            return Err(FlowError::Cancelled);
        }
        self.follow_flow(&flow.flow_id, control, Some(popup)).await
    }

    /// Long-polls the flow until it settles, watching the Cancel button and the popup.
    ///
    /// One status request at a time, and never abandoned when the proxy may be answering
    /// it: a `done` answer carries the session handle, possibly only once.
    async fn follow_flow(
        &self,
        flow_id: &str,
        control: &FlowControl,
        popup: Option<&Window>,
    ) -> Result<FlowStatus, FlowError> {
        let api = &self.config.api;
        let mut network_failures = 0;
        loop {
            let abort = AbortController::new().ok();
            let signal = abort.as_ref().map(|a| a.signal());
            let mut poll = Box::pin(auth::flow_status(
                api,
                flow_id,
                POLL_WAIT_SECONDS,
                signal.as_ref(),
            ));
            let answer = loop {
                match select(poll, Box::pin(self.watch(control, popup))).await {
                    Either::Left((answer, _)) => break answer,
                    Either::Right((Watch::Cancelled, _)) => {
                        if let Some(abort) = &abort {
                            abort.abort();
                        }
                        return Err(FlowError::Cancelled);
                    }
                    // The proxy's page announced the end: the long-poll in flight answers it.
                    Either::Right((Watch::Nudged, in_flight)) => poll = in_flight,
                    Either::Right((Watch::PopupClosed, in_flight)) => {
                        // The callback page closes itself once the flow is done, and the
                        // proxy answers the long-poll at once then. Otherwise the user closed it.
                        let grace = Box::pin(sleep(Duration::from_millis(3000)));
                        return match select(in_flight, grace).await {
                            Either::Left((Ok(status), _)) => settle(api, status)
                                .unwrap_or_else(|| Err(FlowError::PopupClosed(flow_id.to_owned()))),
                            Either::Left((Err(error), _)) => Err(FlowError::Api(error)),
                            Either::Right(_) => {
                                if let Some(abort) = &abort {
                                    abort.abort();
                                }
                                Err(FlowError::PopupClosed(flow_id.to_owned()))
                            }
                        };
                    }
                }
            };
            match answer {
                Ok(status) => {
                    network_failures = 0;
                    if let Some(result) = settle(api, status) {
                        return result;
                    }
                }
                Err(ApiError::Network(message)) => {
                    network_failures += 1;
                    if network_failures >= 4 {
                        return Err(FlowError::Api(ApiError::Network(message)));
                    }
                    sleep(Duration::from_millis(1000)).await;
                }
                Err(error) => return Err(FlowError::Api(error)),
            }
        }
    }

    fn finish_flow(
        &self,
        result: Result<FlowStatus, FlowError>,
        pending: Option<Pending>,
        control: &Rc<FlowControl>,
    ) {
        if !self.alive.get() || !self.is_current(control) || control.cancelled.get() {
            return;
        }
        self.replace_flow(None);
        match result {
            Ok(status) => {
                if let Some(handle) = status.session_handle.as_deref() {
                    session::store(&self.config.api, handle);
                }
                self.send(Action::Auth(AuthState::Authorized { user: status.user }));
                match pending {
                    Some(pending) => self.perform(pending, false),
                    None => self.send(Action::Idle),
                }
            }
            Err(FlowError::Cancelled) => {
                self.send(Action::AuthorizationStopped(Notice::AuthorizationCancelled))
            }
            Err(FlowError::PopupClosed(flow_id)) => {
                self.send(Action::AuthorizationStopped(Notice::AuthorizationCancelled));
                self.watch_late_completion(flow_id);
            }
            Err(FlowError::Denied) => {
                self.send(Action::AuthorizationStopped(Notice::AuthorizationDenied))
            }
            Err(FlowError::Expired) => {
                self.send(Action::AuthorizationStopped(Notice::AuthorizationExpired))
            }
            Err(FlowError::Failed(reason)) => self.send(Action::AuthorizationStopped(
                Notice::AuthorizationFailed(reason),
            )),
            Err(FlowError::Api(error)) => {
                self.send(Action::AuthorizationStopped(Notice::Api(error)))
            }
        }
    }

    /// After "cancelled by closing the popup", keeps listening to the flow in the background:
    /// if it still completes (a COOP-severed popup the user went on with), the session is
    /// stored so that the next click just works. The cancelled action is not replayed.
    fn watch_late_completion(&self, flow_id: String) {
        let this = self.clone();
        spawn_local(async move {
            let mut failures = 0;
            while this.alive.get() && failures < 3 {
                match auth::flow_status(&this.config.api, &flow_id, POLL_WAIT_SECONDS, None).await {
                    Ok(status) if status.status == FlowState::Pending => failures = 0,
                    Ok(status) => {
                        if status.status == FlowState::Done
                            && this.alive.get()
                            && let Some(handle) = status.session_handle.as_deref()
                        {
                            session::store(&this.config.api, handle);
                            this.send(Action::Auth(AuthState::Authorized { user: status.user }));
                        }
                        return;
                    }
                    Err(_) => {
                        failures += 1;
                        sleep(Duration::from_millis(2000)).await;
                    }
                }
            }
        });
    }

    /// Another tab runs the flow: wait for its session handle, then act once here.
    async fn wait_for_other_tab(&self, pending: Option<Pending>, control: Rc<FlowControl>) {
        loop {
            sleep(Duration::from_millis(400)).await;
            if !self.alive.get() || control.cancelled.get() || !self.is_current(&control) {
                return;
            }
            if session::load(&self.config.api).is_some() {
                self.replace_flow(None);
                self.refresh_status();
                match pending {
                    Some(pending) => self.perform(pending, true),
                    None => self.send(Action::Idle),
                }
                return;
            }
            if !self.lock_held_elsewhere() {
                self.replace_flow(None);
                self.send(Action::AuthorizationStopped(Notice::ConnectNeeded));
                return;
            }
        }
    }

    // ----- full-page redirect fallback ----------------------------------------------

    fn pending_key(&self) -> String {
        format!(
            "exchange-forms:pending:{}:{}",
            self.config.api.base(),
            self.config.kind.as_str()
        )
    }

    fn redirect(&self, pending: Option<Pending>) {
        self.send(Action::Redirecting(pending.clone()));
        let this = self.clone();
        spawn_local(async move {
            let return_to = browser::page_url_without_fragment();
            let flow = match auth::start_flow(&this.config.api, return_to).await {
                Ok(flow) => flow,
                Err(error) => {
                    this.send(Action::Failed(error));
                    return;
                }
            };
            let saved = SavedPending {
                flow_id: flow.flow_id.clone(),
                pending,
            };
            let stored = serde_json::to_string(&saved).ok().and_then(|json| {
                browser::session_storage()?
                    .set_item(&this.pending_key(), &json)
                    .ok()
            });
            if stored.is_none() {
                // Without the saved draft the input would be lost: stay on the page.
                this.send(Action::AuthorizationStopped(Notice::Api(ApiError::Server(
                    "sessionStorage is not available".into(),
                ))));
                return;
            }
            let navigated = web_sys::window()
                .map(|w| w.top().ok().flatten().unwrap_or(w))
                .map(|top| top.location().set_href(&flow.authorize_url).is_ok())
                .unwrap_or(false);
            if !navigated {
                let _ = web_sys::window().map(|w| w.location().set_href(&flow.authorize_url));
            }
        });
    }

    /// On mount: back from a full-page sign-in (`#xf_flow=<id>`)? Restore and resume.
    pub fn resume_after_redirect(&self) {
        let Some(flow_id) = browser::fragment_param(FLOW_FRAGMENT) else {
            return;
        };
        let Some(storage) = browser::session_storage() else {
            return;
        };
        let key = self.pending_key();
        let Some(saved) = storage
            .get_item(&key)
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str::<SavedPending>(&json).ok())
        else {
            return;
        };
        if saved.flow_id != flow_id {
            return;
        }
        let _ = storage.remove_item(&key);
        browser::remove_fragment_param(FLOW_FRAGMENT);
        if let Some(pending) = &saved.pending {
            self.send(Action::Restore(pending.draft.clone()));
        }
        self.send(Action::AwaitAuthorization {
            pending: saved.pending.clone(),
            other_tab: false,
        });
        let control = Rc::new(FlowControl::default());
        self.replace_flow(Some(control.clone()));
        let this = self.clone();
        spawn_local(async move {
            let result = this.follow_flow(&flow_id, &control, None).await;
            this.finish_flow(result, saved.pending, &control);
        });
    }

    // ----- status and sign-out ------------------------------------------------------

    /// Asks the proxy whether the stored handle (if any) is usable; drops a dead handle.
    pub fn refresh_status(&self) {
        let this = self.clone();
        spawn_local(async move {
            let api = &this.config.api;
            let had_handle = session::load(api);
            match auth::status(api).await {
                Ok(status) if status.authorized => {
                    this.send(Action::Auth(AuthState::Authorized { user: status.user }))
                }
                Ok(_) => {
                    // Only forget the handle we asked about (another tab may have stored a
                    // fresh one meanwhile).
                    if had_handle.is_some() && session::load(api) == had_handle {
                        session::forget(api);
                    }
                    this.send(Action::Auth(AuthState::Unauthorized));
                }
                Err(ApiError::AuthorizationRequired) => {
                    if had_handle.is_some() && session::load(api) == had_handle {
                        session::forget(api);
                    }
                    this.send(Action::Auth(AuthState::Unauthorized));
                }
                Err(_) => this.send(Action::Auth(AuthState::Unknown)),
            }
        });
    }

    pub fn sign_out(&self) {
        let this = self.clone();
        spawn_local(async move {
            let api = &this.config.api;
            let result = auth::sign_out(api).await;
            session::forget(api);
            match result {
                Ok(()) | Err(ApiError::AuthorizationRequired) => this.send(Action::SignedOut),
                Err(error) => {
                    this.send(Action::SignedOut);
                    this.send(Action::Failed(error));
                }
            }
        });
    }

    // ----- the cross-tab lock ---------------------------------------------------------

    fn lock_key(&self) -> String {
        format!("exchange-forms:auth-lock:{}", self.config.api.base())
    }

    /// `tab-id expiry-ms` of the tab currently running a flow, if it has not expired.
    fn lock_holder(&self) -> Option<String> {
        let value = browser::local_storage()?
            .get_item(&self.lock_key())
            .ok()??;
        let (owner, until) = value.split_once(' ')?;
        let until: u64 = until.parse().ok()?;
        (until > browser::now_ms()).then(|| owner.to_owned())
    }

    fn lock_held_elsewhere(&self) -> bool {
        self.lock_holder()
            .is_some_and(|owner| owner != *self.tab_id)
    }

    fn take_lock(&self) {
        if let Some(storage) = browser::local_storage() {
            let value = format!("{} {}", self.tab_id, browser::now_ms() + LOCK_MILLIS);
            let _ = storage.set_item(&self.lock_key(), &value);
        }
    }

    fn release_lock(&self) {
        if self.lock_holder().as_deref() == Some(&*self.tab_id)
            && let Some(storage) = browser::local_storage()
        {
            let _ = storage.remove_item(&self.lock_key());
        }
    }
}

/// The current value of the form control named `name`, if there is one.
fn control_value(form: &HtmlFormElement, name: &str) -> Option<String> {
    let element = form.query_selector(&format!("[name='{name}']")).ok()??;
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        Some(input.value())
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        Some(area.value())
    } else {
        element.dyn_ref::<HtmlSelectElement>().map(|s| s.value())
    }
}

/// `draft` with every field replaced by what its control shows.
fn read_form(form: &HtmlFormElement, draft: Draft) -> Draft {
    let read = |name: &str, current: String| control_value(form, name).unwrap_or(current);
    match draft {
        Draft::Appointment(a) => Draft::Appointment(model::AppointmentDraft {
            subject: read("subject", a.subject),
            start: read("start", a.start),
            end: read("end", a.end),
            location: read("location", a.location),
            body: read("body", a.body),
            time_zone: a.time_zone,
        }),
        Draft::Task(t) => Draft::Task(model::TaskDraft {
            subject: read("subject", t.subject),
            due_date: read("dueDate", t.due_date),
            status: read("status", t.status),
            body: read("body", t.body),
        }),
    }
}

fn settle(api: &crate::services::Api, status: FlowStatus) -> Option<Result<FlowStatus, FlowError>> {
    match status.status {
        FlowState::Pending => None,
        // `done` without a handle: it was handed to another request (or another tab) already.
        FlowState::Done if status.session_handle.is_none() && session::load(api).is_none() => {
            Some(Err(FlowError::Failed(Some(
                "the sign-in finished but no session reached this page; please connect again"
                    .into(),
            ))))
        }
        FlowState::Done => Some(Ok(status)),
        FlowState::Denied => Some(Err(FlowError::Denied)),
        FlowState::Expired => Some(Err(FlowError::Expired)),
        FlowState::Failed => Some(Err(FlowError::Failed(status.reason))),
    }
}

impl Controller {
    /// Resolves when the user cancels, the popup is closed, or the proxy's page posts a message.
    async fn watch(&self, control: &FlowControl, popup: Option<&Window>) -> Watch {
        // Checks before sleeping: a poll that answers quickly recreates this future each time.
        let mut first = true;
        loop {
            if !first {
                sleep(Duration::from_millis(300)).await;
            }
            first = false;
            self.renew_lock();
            if control.cancelled.get() {
                return Watch::Cancelled;
            }
            if control.nudged.replace(false) {
                return Watch::Nudged;
            }
            if let Some(popup) = popup
                && popup.closed().unwrap_or(true)
            {
                return Watch::PopupClosed;
            }
        }
    }

    /// Keeps our lock alive while our flow runs (no-op when another tab holds it).
    fn renew_lock(&self) {
        let Some(value) =
            browser::local_storage().and_then(|s| s.get_item(&self.lock_key()).ok().flatten())
        else {
            return;
        };
        let Some((owner, until)) = value.split_once(' ') else {
            return;
        };
        let until: u64 = until.parse().unwrap_or(0);
        if owner == &*self.tab_id && until < browser::now_ms() + LOCK_RENEW_BELOW_MILLIS {
            self.take_lock();
        }
    }
}
