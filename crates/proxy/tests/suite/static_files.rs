//! The widget's files: index.html, www/ and pkg/ with the MIME types browsers require, served
//! precompressed by `Accept-Encoding`, revalidated by `ETag` or cached for good when their name
//! carries a hash of their content.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::*;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

const HASHED_WASM: &str = "pkg/exchange_forms_bg-0123456789abcdef.wasm";
/// Any file named by content is cached for good, whatever its type.
const HASHED_JS: &str = "pkg/chunk-fedcba9876543210.js";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The files of a build: the hashed wasm with brotli and gzip copies (marked so that a test
/// can tell which one came back), the glue at its stable name, and a gzip copy of the loader.
fn write_build(static_dir: &Path) {
    let wasm = b"\0asm\x01\0\0\0 the wasm itself";
    std::fs::write(static_dir.join(HASHED_WASM), wasm).unwrap();
    std::fs::write(static_dir.join(format!("{HASHED_WASM}.br")), b"brotli copy").unwrap();
    std::fs::write(static_dir.join(format!("{HASHED_WASM}.gz")), b"gzip copy").unwrap();
    std::fs::write(static_dir.join(HASHED_JS), "export const chunk = 1;").unwrap();
    std::fs::write(
        static_dir.join("pkg/exchange_forms.js"),
        "const wasm = new URL('exchange_forms_bg-0123456789abcdef.wasm', import.meta.url);",
    )
    .unwrap();
    std::fs::write(static_dir.join("www/exchange-form.js.gz"), b"gzip loader").unwrap();
}

fn static_dir_of(harness: &Harness) -> PathBuf {
    harness.dir.path().join("static")
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
}

#[tokio::test]
async fn widget_files_are_served_with_correct_mime_types() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    write_build(&static_dir_of(&harness));
    for (path, mime) in [
        ("/", "text/html"),
        ("/index.html", "text/html"),
        ("/www/exchange-forms.css", "text/css"),
        ("/www/exchange-form.js", "text/javascript"),
        ("/pkg/exchange_forms.js", "text/javascript"),
        ("/pkg/chunk-fedcba9876543210.js", "text/javascript"),
        (
            "/pkg/exchange_forms_bg-0123456789abcdef.wasm",
            "application/wasm",
        ),
    ] {
        for encoding in ["identity", "br, gzip"] {
            let response = get(&app, path, &[("accept-encoding", encoding)]).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let content_type = header(response.headers(), "content-type").unwrap();
            assert!(
                content_type.starts_with(mime),
                "{path} ({encoding}): {content_type}"
            );
        }
    }
    let wasm = get(&app, "/pkg/exchange_forms_bg-0123456789abcdef.wasm", &[]).await;
    assert_eq!(header(wasm.headers(), "content-encoding"), None);
    assert_eq!(&wasm.bytes().await.unwrap()[..4], b"\0asm");
}

#[tokio::test]
async fn the_encoding_follows_accept_encoding_and_its_q_values() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    write_build(&static_dir_of(&harness));
    let path = "/pkg/exchange_forms_bg-0123456789abcdef.wasm";
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), &b"brotli copy"[..]),
        (Some("gzip"), Some("gzip"), b"gzip copy"),
        (Some("br;q=0, gzip"), Some("gzip"), b"gzip copy"),
        (Some("br;q=0.1, gzip;q=0.9"), Some("gzip"), b"gzip copy"),
        (Some("gzip;q=0.5, br;q=0.8"), Some("br"), b"brotli copy"),
        (
            Some("br;q=0, gzip;q=0"),
            None,
            b"\0asm\x01\0\0\0 the wasm itself",
        ),
        (Some("identity"), None, b"\0asm\x01\0\0\0 the wasm itself"),
        (None, None, b"\0asm\x01\0\0\0 the wasm itself"),
    ] {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let response = get(&app, path, &headers).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(
            header(response.headers(), "content-encoding"),
            encoding,
            "{accept:?}"
        );
        assert_eq!(
            header(response.headers(), "vary"),
            Some("accept-encoding"),
            "{accept:?}"
        );
        assert_eq!(
            header(response.headers(), "content-type"),
            Some("application/wasm"),
            "{accept:?}"
        );
        assert_eq!(&response.bytes().await.unwrap()[..], body, "{accept:?}");
    }
}

#[tokio::test]
async fn content_hashed_files_are_cached_for_good_and_the_rest_revalidates() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    write_build(&static_dir_of(&harness));
    for path in [
        "/pkg/exchange_forms_bg-0123456789abcdef.wasm",
        "/pkg/chunk-fedcba9876543210.js",
    ] {
        let response = get(&app, path, &[("accept-encoding", "br")]).await;
        assert_eq!(
            header(response.headers(), "cache-control"),
            Some(IMMUTABLE),
            "{path}"
        );
    }
    for path in [
        "/",
        "/index.html",
        "/www/exchange-form.js",
        "/www/exchange-forms.css",
        "/pkg/exchange_forms.js",
    ] {
        let response = get(&app, path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(
            header(response.headers(), "cache-control"),
            Some("no-cache"),
            "{path}"
        );
        assert!(header(response.headers(), "etag").is_some(), "{path}");
    }
    // A missing hashed name must not be remembered as missing for a year.
    let missing = get(&app, "/pkg/exchange_forms_bg-00000000000000aa.wasm", &[]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(missing.headers(), "cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn an_unchanged_file_answers_304_to_its_etag_and_a_changed_one_does_not() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let static_dir = static_dir_of(&harness);
    write_build(&static_dir);
    let path = "/www/exchange-form.js";

    let first = get(&app, path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(first.headers(), "content-encoding"), Some("gzip"));
    let etag = header(first.headers(), "etag").unwrap().to_owned();
    let plain = get(&app, path, &[]).await;
    let plain_etag = header(plain.headers(), "etag").unwrap().to_owned();
    assert_ne!(etag, plain_etag, "each encoding is its own representation");

    let again = get(
        &app,
        path,
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(again.headers(), "etag"), Some(etag.as_str()));
    assert_eq!(header(again.headers(), "cache-control"), Some("no-cache"));
    assert_eq!(header(again.headers(), "vary"), Some("accept-encoding"));
    assert!(again.bytes().await.unwrap().is_empty());

    let weak = format!("\"other\", W/{etag}");
    let listed = get(
        &app,
        path,
        &[("accept-encoding", "gzip"), ("if-none-match", &weak)],
    )
    .await;
    assert_eq!(
        listed.status(),
        StatusCode::NOT_MODIFIED,
        "weak comparison, any of a list"
    );
    let star = get(&app, path, &[("if-none-match", "*")]).await;
    assert_eq!(star.status(), StatusCode::NOT_MODIFIED);

    // If-None-Match wins over an If-Modified-Since that alone would give 304.
    let other = get(
        &app,
        path,
        &[
            ("accept-encoding", "gzip"),
            ("if-none-match", "\"something-else\""),
            ("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT"),
        ],
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(&other.bytes().await.unwrap()[..], b"gzip loader");

    // A rebuild rewrites the copy: the old tag no longer matches.
    std::fs::write(
        static_dir.join("www/exchange-form.js.gz"),
        b"rebuilt gzip loader",
    )
    .unwrap();
    let changed = get(
        &app,
        path,
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(header(changed.headers(), "etag"), Some(etag.as_str()));
    assert_eq!(&changed.bytes().await.unwrap()[..], b"rebuilt gzip loader");
}

#[tokio::test]
async fn a_file_edited_after_the_build_is_not_hidden_by_its_older_compressed_copy() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let static_dir = static_dir_of(&harness);
    write_build(&static_dir);
    let loader = static_dir.join("www/exchange-form.js");
    let copy = static_dir.join("www/exchange-form.js.gz");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&copy)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    std::fs::write(&loader, "export const edited = true;").unwrap();

    let response = get(
        &app,
        "/www/exchange-form.js",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(response.headers(), "content-encoding"), None);
    assert_eq!(
        response.text().await.unwrap(),
        "export const edited = true;"
    );
}

#[tokio::test]
async fn nothing_else_of_the_static_directory_is_exposed() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    write_build(&static_dir_of(&harness));
    std::fs::write(
        static_dir_of(&harness).join("Cargo.toml.gz"),
        b"gzip of sources",
    )
    .unwrap();
    for path in [
        "/Cargo.toml",
        "/Cargo.toml.gz",
        "/www/../Cargo.toml",
        "/pkg/%2e%2e/Cargo.toml",
        "/pkg/missing.js",
        "/src/lib.rs",
    ] {
        for encoding in ["identity", "gzip"] {
            let response = get(&app, path, &[("accept-encoding", encoding)]).await;
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{path} ({encoding})"
            );
        }
    }
}
