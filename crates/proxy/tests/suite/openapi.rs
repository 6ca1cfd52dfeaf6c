//! `GET /api/openapi.json`: an OpenAPI 3 document that lists exactly the `/api` routes the
//! router serves, with the model's schemas. The router's routes are read from the router
//! itself (not from a list kept here), so a route added without its documentation fails.

use crate::auth_support;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

/// The methods axum's `MethodRouter` keeps one endpoint each for, in its `Debug` order.
const METHODS: [&str; 9] = [
    "get", "head", "delete", "options", "patch", "post", "put", "trace", "connect",
];

/// `(METHOD, path)` of every route under `/api/` in the router's own routing table.
///
/// axum offers no listing of routes, but its `Debug` output prints the routing table: the
/// path of each route id (`RouteId(3): "/api/tasks"`) and each route id's method router
/// (`RouteId(3): MethodRouter(MethodRouter { get: Route, head: None, … })`). Only the main path
/// router counts (the fallback router's ids restart). The test below checks this reading
/// against the live server, so a change of that format fails loudly instead of passing.
fn router_api_routes(router: &axum::Router) -> BTreeSet<(String, String)> {
    let text = format!("{router:?}");
    let table = text
        .split_once("path_router: PathRouter {")
        .and_then(|(_, rest)| rest.split_once("fallback_router:"))
        .map(|(table, _)| table)
        .unwrap_or_else(|| panic!("no path router in the router's Debug output: {text}"));
    let mut paths = std::collections::HashMap::new();
    let mut methods = std::collections::HashMap::new();
    for entry in table.split("RouteId(").skip(1) {
        let Some((id, rest)) = entry.split_once("): ") else {
            continue;
        };
        if let Some(path) = rest.strip_prefix('"') {
            let path = path.split('"').next().unwrap_or_default();
            paths.insert(id.to_owned(), path.to_owned());
        } else if let Some(fields) = rest.strip_prefix("MethodRouter(MethodRouter { ") {
            let mut present = Vec::new();
            let mut rest = fields;
            for method in METHODS {
                let value;
                (value, rest) = rest
                    .strip_prefix(&format!("{method}: "))
                    .and_then(|r| r.split_once(", "))
                    .unwrap_or_else(|| panic!("no `{method}` in method router: {fields}"));
                if value != "None" {
                    present.push(method.to_uppercase());
                }
            }
            methods.insert(id.to_owned(), present);
        }
    }
    let mut routes = BTreeSet::new();
    for (id, path) in &paths {
        if !path.starts_with("/api/") {
            continue;
        }
        let found = methods
            .get(id)
            .unwrap_or_else(|| panic!("{path} is served by no method router"));
        for method in found {
            routes.insert((method.clone(), path.clone()));
        }
    }
    routes
}

/// `(METHOD, path)` of every operation in the document.
fn documented(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

/// A concrete URL path for a route's template (`{id}` → `x`).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "x"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_the_router_serves() {
    let dir = TempDir::new().unwrap();
    // Sandbox mode with its sign-in server: the sign-in routes are mounted too.
    let app = auth_support::spawn(&dir).await;

    let response = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let document: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let version = document["openapi"].as_str().expect("an `openapi` version");
    assert!(version.starts_with("3."), "OpenAPI 3.x, not {version}");

    let served = router_api_routes(&proxy::app(app.state.clone()));
    assert!(
        served.len() >= 20,
        "the router's /api routes were not read: {served:?}"
    );
    assert!(served.contains(&("POST".to_owned(), "/api/auth/flows".to_owned())));
    assert_eq!(
        documented(&document),
        served,
        "documented operations (left) differ from the router's /api routes (right)"
    );

    // The reading of the routing table matches what the server does: every route read
    // answers its method (no 405, not the "nothing here" 404), and every other common method
    // on the same path is 405.
    let paths: BTreeSet<&String> = served.iter().map(|(_, path)| path).collect();
    for path in paths {
        let url = app.url(&concrete(path));
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            let routed = served.contains(&(method.to_owned(), path.clone()));
            let response = app
                .client
                .request(Method::from_bytes(method.as_bytes()).unwrap(), &url)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            if routed {
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                assert!(
                    !body.contains("There is nothing at"),
                    "{method} {path}: {body}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is served but was not read from the router: {body}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_document_carries_the_model_schemas_and_the_error_shape() {
    let dir = TempDir::new().unwrap();
    let app = auth_support::spawn(&dir).await;
    let document = auth_support::json(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let schemas = &document["components"]["schemas"];

    // The appointment create body is the model's draft: subject, start and end are required,
    // the rest has defaults.
    let create = &document["paths"]["/api/appointments"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/AppointmentDraft"
    );
    let required: BTreeSet<&str> = schemas["AppointmentDraft"]["required"]
        .as_array()
        .expect("required fields")
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(required, BTreeSet::from(["subject", "start", "end"]));
    assert!(schemas["AppointmentDraft"]["properties"]["requiredAttendees"].is_object());

    // Error codes: the enum's values are exactly what the proxy sends in `error`.
    let codes = schemas["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode enum");
    assert_eq!(codes.len(), 15, "{codes:?}");
    for code in codes {
        let parsed: model::ErrorCode = serde_json::from_value(code.clone())
            .unwrap_or_else(|e| panic!("{code} is not an ErrorCode: {e}"));
        assert_eq!(parsed.as_str(), code.as_str().unwrap());
        assert_eq!(&serde_json::to_value(parsed).unwrap(), code);
    }
    assert_eq!(
        schemas["ApiErrorBody"]["properties"]["error"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    let body_required = schemas["ApiErrorBody"]["required"].as_array().unwrap();
    assert!(
        body_required.contains(&Value::from("error"))
            && body_required.contains(&Value::from("message"))
    );

    // Answers per status, with the error body where an error occurs.
    let error_ref = "#/components/schemas/ApiErrorBody";
    let update = &document["paths"]["/api/appointments/{id}"]["put"];
    for status in ["401", "404", "409", "422", "428", "502", "503"] {
        assert_eq!(
            update["responses"][status]["content"]["application/json"]["schema"]["$ref"], error_ref,
            "PUT appointment answers {status} with the error body"
        );
    }
    assert!(update["responses"]["200"]["headers"]["ETag"].is_object());
    assert!(update["responses"]["503"]["headers"]["Retry-After"].is_object());
    assert_eq!(
        document["paths"]["/api/auth/flows"]["post"]["responses"]["429"]["content"]["application/json"]
            ["schema"]["$ref"],
        error_ref
    );

    // Headers that matter: If-Match on changes, Idempotency-Key on creations, the session
    // and its DPoP proof as security schemes.
    let header_names = |operation: &Value| -> Vec<String> {
        operation["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "header")
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(header_names(update).contains(&"If-Match".to_owned()));
    assert!(header_names(create).contains(&"Idempotency-Key".to_owned()));
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["scheme"], "bearer");
    assert_eq!(schemes["dpop"]["in"], "header");
    assert_eq!(schemes["dpop"]["name"], "DPoP");
}
