//! "Signed in as …" with Sign out.

use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::state::AuthState;

/// Rendered with the root component (a function: no component of its own in the wasm).
pub fn auth_panel(
    config: &WidgetConfig,
    auth: &AuthState,
    busy: bool,
    on_sign_out: &Callback<()>,
) -> Html {
    let t = config.locale.t();
    match auth {
        AuthState::Authorized { user } => {
            let onclick = on_sign_out.reform(|_: MouseEvent| ());
            html! {
                <div class="xf-auth">
                    <span class="xf-auth-user">
                        { t.signed_in_as }{ " " }
                        <strong>{ user.clone().unwrap_or_else(|| "…".into()) }</strong>
                    </span>
                    <button type="button" class="xf-link" {onclick} disabled={busy}>{ t.sign_out }</button>
                </div>
            }
        }
        AuthState::Unauthorized => html! {
            <div class="xf-auth xf-muted">{ t.not_signed_in }</div>
        },
        AuthState::Unknown => html! {},
    }
}
