//! The small HTML pages of the sign-in: the flow's start page (waits for the secret from the
//! widget that opened it) and the callback page (says what happened, tells the opener, closes).
//! Each page has a fresh CSP nonce; no page carries a token, a code or a session handle.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use url::Url;

use super::callback::CallbackOutcome;
use super::crypto::random_token;
use super::flows::START_PATH;
use super::store::FlowStatus;

/// The `postMessage` types between the widget and the proxy's pages.
pub const MESSAGE_FLOW_READY: &str = "exchange-forms:flow-ready";
pub const MESSAGE_FLOW_PROOF: &str = "exchange-forms:flow-proof";
pub const MESSAGE_AUTH: &str = "exchange-forms:auth";

struct Page<'a> {
    title: &'a str,
    message: &'a str,
    /// Markup after the message (already escaped / trusted).
    extra: &'a str,
    /// Script body (trusted; values inside went through [`script_json`]).
    script: Option<&'a str>,
    /// Where forms on the page may post to, and where their redirects may go.
    form_action: &'a str,
    nonce: &'a str,
    /// `no-referrer`, except where the page posts to the proxy: browsers send `Origin: null`
    /// under `no-referrer`, and the proxy needs the real origin of that post.
    referrer_policy: &'static str,
}

fn render(status: StatusCode, page: &Page<'_>) -> Response {
    let nonce = page.nonce;
    let script = page
        .script
        .map(|body| format!("<script nonce=\"{nonce}\">{body}</script>"))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Exchange Forms</title>\
         <style nonce=\"{nonce}\">body{{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:30rem;padding:0 1rem;color:#1b1b1b}}</style>\
         </head><body><main><h1>{title}</h1><p id=\"message\">{message}</p>{extra}</main>{script}</body></html>",
        title = html_escape(page.title),
        message = html_escape(page.message),
        extra = page.extra,
    );
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; base-uri 'none'; \
         form-action {}; frame-ancestors 'none'",
        page.form_action
    );
    let mut response = (status, axum::response::Html(html)).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(page.referrer_policy),
    );
    response
}

/// A page that only says something (refusals, links opened on their own).
pub fn plain(status: StatusCode, title: &str, message: &str) -> Response {
    render(
        status,
        &Page {
            title,
            message,
            extra: "",
            script: None,
            form_action: "'none'",
            nonce: &random_token(16),
            referrer_policy: "no-referrer",
        },
    )
}

/// The start page of a popup flow. Without an opener it stays a plain "open this from the form"
/// page. With one, it tells the opener it is ready (only the flow's embedding origin can
/// receive that), and submits the secret the opener answers with (only from that opener, on
/// that origin) to the proxy, which sets the binding cookie and redirects to the authorization
/// server — all while `window.opener` still exists, before any sign-in page can cut it.
pub fn start(flow_id: &str, origin: &str, authorization_server: &Url) -> Response {
    let nonce = random_token(16);
    let action = format!("{START_PATH}/{flow_id}");
    let form = format!(
        "<form id=\"proceed\" method=\"post\" action=\"{}\" hidden>\
         <input type=\"hidden\" name=\"secret\" value=\"\"></form>",
        html_escape(&action)
    );
    let script = format!(
        "(function(){{var id={id},origin={origin};\
         if(!window.opener){{return;}}\
         var text=document.getElementById('message');\
         text.textContent='Connecting to the sign-in page…';\
         window.addEventListener('message',function(e){{\
         if(e.source!==window.opener||e.origin!==origin){{return;}}\
         var d=e.data;if(!d||d.type!=={proof}||d.flowId!==id||typeof d.secret!=='string'){{return;}}\
         var f=document.getElementById('proceed');f.elements.secret.value=d.secret;f.submit();}});\
         try{{window.opener.postMessage({{type:{ready},flowId:id}},origin);}}catch(e){{}}}})();",
        id = script_json(&serde_json::Value::String(flow_id.to_owned())),
        origin = script_json(&serde_json::Value::String(origin.to_owned())),
        proof = script_json(&serde_json::Value::String(MESSAGE_FLOW_PROOF.to_owned())),
        ready = script_json(&serde_json::Value::String(MESSAGE_FLOW_READY.to_owned())),
    );
    // The form's 303 goes to the authorization server: CSP form-action covers that redirect.
    let server = super::origin::origin_of(authorization_server).unwrap_or_default();
    let form_action = format!("'self' {server}");
    render(
        StatusCode::OK,
        &Page {
            title: "Sign in",
            message: "Open this sign-in from the form you were using.",
            extra: &form,
            script: Some(&script),
            form_action: &form_action,
            nonce: &nonce,
            referrer_policy: "same-origin",
        },
    )
}

/// The page the popup lands on after the authorization server: says what happened, tells the
/// opener (exact target origin, so no other page can read it) and closes itself.
pub fn callback(outcome: &CallbackOutcome) -> Response {
    let nonce = random_token(16);
    let (title, status_code) = match (outcome.status, &outcome.flow) {
        (_, None) => ("Sign-in not valid", StatusCode::BAD_REQUEST),
        (FlowStatus::Done, _) => ("Signed in", StatusCode::OK),
        (FlowStatus::Denied, _) => ("Authorization denied", StatusCode::OK),
        (FlowStatus::Expired, _) => ("Sign-in expired", StatusCode::OK),
        _ => ("Sign-in failed", StatusCode::OK),
    };
    let script = outcome.flow.as_ref().map(|target| {
        let message = serde_json::json!({
            "type": MESSAGE_AUTH,
            "flowId": target.id,
            "status": outcome.status.as_str(),
        });
        format!(
            "(function(){{var m={};var t={};\
             try{{if(window.opener&&!window.opener.closed){{window.opener.postMessage(m,t);}}}}catch(e){{}}\
             window.close();}})();",
            script_json(&message),
            script_json(&serde_json::Value::String(target.origin.clone())),
        )
    });
    render(
        status_code,
        &Page {
            title,
            message: &outcome.message,
            extra: "",
            script: script.as_deref(),
            form_action: "'none'",
            nonce: &nonce,
            referrer_policy: "no-referrer",
        },
    )
}

/// JSON for inside a `<script>`: no `</script>`, no HTML comment openers, no line separators.
pub fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({"a": "</script><script>alert(1)</script>"});
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
        assert_eq!(
            html_escape("<b a=\"x\">&'"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
