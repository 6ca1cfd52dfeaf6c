//! The widget's files: index.html, www/ and pkg/ with the MIME types browsers require.

mod common;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn widget_files_are_served_with_correct_mime_types() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for (path, mime) in [
        ("/", "text/html"),
        ("/index.html", "text/html"),
        ("/www/exchange-forms.css", "text/css"),
        ("/www/exchange-form.js", "text/javascript"),
        ("/pkg/exchange_forms.js", "text/javascript"),
        ("/pkg/exchange_forms_bg.wasm", "application/wasm"),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with(mime), "{path}: {content_type}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
    }
    let wasm = app
        .client
        .get(format!("{}/pkg/exchange_forms_bg.wasm", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(&wasm.bytes().await.unwrap()[..4], b"\0asm");
}

#[tokio::test]
async fn nothing_else_of_the_static_directory_is_exposed() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for path in [
        "/Cargo.toml",
        "/www/../Cargo.toml",
        "/pkg/%2e%2e/Cargo.toml",
        "/pkg/missing.js",
        "/src/lib.rs",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
