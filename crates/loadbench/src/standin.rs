//! A fast EWS stand-in: answers the EWS requests the proxy sends with responses the codec
//! reads, so that a load run measures the proxy and not a mailbox.
//!
//! * Canned mode (the load run): CreateItem gets Microsoft's sample response and FindItem its
//!   CalendarView sample (the test fixtures of `crates/ews`), as fixed bytes.
//! * Mailbox mode (the fault run): CreateItem requests are parsed, and the created item is
//!   recorded by the client request id extended property it carries (what makes a retried
//!   create idempotent); a FindItem restricted to that property answers the recorded items.
//!   With `--fault-rate`, that share of requests is answered with a fault instead.
//!
//! `GET /bench/created` answers the recorded items and the faults served, as JSON.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use ews::operations::create_item::CreateItemResponse;
use ews::operations::find_item::{FindItem, FindItemResponse, FindItemResult};
use ews::server::{Request, fault_envelope, server_busy_fault};
use ews::types::{
    CalendarItem, ExtendedFieldUri, Item, ItemFields, ItemId, PropertyPath, SearchExpression, Task,
};
use http_body::Frame;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rand::Rng as _;
use tokio::net::TcpListener;

const CREATE_RESPONSE: &str =
    include_str!("../../ews/tests/fixtures/CreateItem-CalendarItem.response.xml");
const FIND_RESPONSE: &str =
    include_str!("../../ews/tests/fixtures/FindItem-CalendarView.response.xml");

/// What the fault run injects, each with the same share of `rate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// HTTP 503 with `Retry-After: 1`: IIS queue full; the request did not run.
    Unavailable,
    /// HTTP 500 SOAP fault ErrorServerBusy with BackOffMilliseconds; the request did not run.
    ServerBusy,
    /// The request runs, the answer comes after the proxy's timeout.
    Slow,
    /// The request runs, the connection is cut halfway through the answer.
    Reset,
}

impl Fault {
    const ALL: [Fault; 4] = [
        Fault::Unavailable,
        Fault::ServerBusy,
        Fault::Slow,
        Fault::Reset,
    ];

    fn name(self) -> &'static str {
        match self {
            Fault::Unavailable => "http503",
            Fault::ServerBusy => "serverBusy",
            Fault::Slow => "slow",
            Fault::Reset => "reset",
        }
    }
}

pub struct Settings {
    /// Parse requests and record creates (else canned answers).
    pub mailbox: bool,
    /// Share of requests answered with a fault (mailbox mode).
    pub fault_rate: f64,
    /// How long a slow answer takes.
    pub slow: Duration,
}

struct Created {
    item_id: String,
    subject: String,
}

#[derive(Default)]
struct Mailbox {
    /// Client request id -> the items created with it (more than one is a duplicate).
    created: Mutex<HashMap<String, Vec<Created>>>,
    faults: Mutex<HashMap<&'static str, u64>>,
    requests: AtomicU64,
}

struct StandIn {
    settings: Settings,
    find_canned: Bytes,
    mailbox: Mailbox,
}

type Body = BoxBody<Bytes, std::io::Error>;

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

fn xml(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}

/// A body that sends its first half, then fails: hyper cuts the connection mid-answer.
struct CutHalfway(Option<Bytes>);

impl http_body::Body for CutHalfway {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(match self.0.take() {
            Some(half) => Ok(Frame::data(half)),
            None => Err(std::io::Error::other("connection cut by the fault run")),
        }))
    }
}

/// Binds `port` on loopback, prints `listening on http://127.0.0.1:PORT/` and serves forever.
pub async fn run(port: u16, settings: Settings) -> Result<(), String> {
    let stand_in = Arc::new(StandIn::new(settings)?);
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on port {port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{addr}/");
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let stand_in = stand_in.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let stand_in = stand_in.clone();
                async move { Ok::<_, Infallible>(stand_in.answer(request).await) }
            });
            // Errors here are clients going away (or the cut answers of the fault run).
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

impl StandIn {
    fn new(settings: Settings) -> Result<Self, String> {
        let find_canned = FIND_RESPONSE.replace(
            "IncludesLastItemInRange=\"false\"",
            "IncludesLastItemInRange=\"true\"",
        );
        // The sample is a page of a longer view; answered as the whole view, one FindItem
        // serves one listing (else the proxy asks for more pages).
        if find_canned == FIND_RESPONSE {
            return Err("the FindItem sample no longer has IncludesLastItemInRange".into());
        }
        Ok(StandIn {
            settings,
            find_canned: Bytes::from(find_canned),
            mailbox: Mailbox::default(),
        })
    }

    async fn answer(&self, request: hyper::Request<Incoming>) -> Response<Body> {
        if request.method() == Method::GET && request.uri().path() == "/bench/created" {
            return self.report();
        }
        if request.method() != Method::POST {
            // The proxy's readiness probe: any answer means "reachable".
            return xml(StatusCode::METHOD_NOT_ALLOWED, "");
        }
        let body = match request.into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return xml(StatusCode::BAD_REQUEST, ""),
        };
        self.mailbox.requests.fetch_add(1, Ordering::Relaxed);
        if !self.settings.mailbox {
            return self.canned(&body);
        }
        let fault = self.draw_fault();
        if let Some(fault @ (Fault::Unavailable | Fault::ServerBusy)) = fault {
            self.count(fault);
            return not_run(fault);
        }
        let answer = self.run_request(&body);
        match fault {
            Some(Fault::Slow) => {
                self.count(Fault::Slow);
                tokio::time::sleep(self.settings.slow).await;
                answer
            }
            Some(Fault::Reset) => {
                self.count(Fault::Reset);
                cut_halfway(answer).await
            }
            _ => answer,
        }
    }

    fn canned(&self, body: &[u8]) -> Response<Body> {
        if contains(body, b"CreateItem") {
            xml(StatusCode::OK, CREATE_RESPONSE)
        } else if contains(body, b"FindItem") {
            xml(StatusCode::OK, self.find_canned.clone())
        } else {
            let fault = ews::server::schema_validation_fault(
                "the stand-in answers CreateItem and FindItem only",
            );
            xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                fault_envelope(&fault).unwrap_or_default(),
            )
        }
    }

    fn draw_fault(&self) -> Option<Fault> {
        let mut rng = rand::thread_rng();
        if !rng.gen_bool(self.settings.fault_rate.clamp(0.0, 1.0)) {
            return None;
        }
        Some(Fault::ALL[rng.gen_range(0..Fault::ALL.len())])
    }

    fn count(&self, fault: Fault) {
        let mut faults = self
            .mailbox
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *faults.entry(fault.name()).or_default() += 1;
    }

    /// Runs a CreateItem or FindItem against the recorded items.
    fn run_request(&self, body: &[u8]) -> Response<Body> {
        let parsed = match ews::server::parse_request(body) {
            Ok(parsed) => parsed,
            Err(e) => {
                let fault = ews::server::schema_validation_fault(e.to_string());
                return xml(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    fault_envelope(&fault).unwrap_or_default(),
                );
            }
        };
        let envelope = match parsed.request {
            Request::CreateItem(create) => {
                let items = create
                    .items
                    .into_iter()
                    .map(|item| self.create(item))
                    .collect();
                CreateItemResponse::new(vec![Ok(items)]).to_envelope()
            }
            Request::FindItem(find) => {
                let items = match client_request_id_sought(&find) {
                    Some(id) => self.created_with(&id),
                    None => return xml(StatusCode::OK, self.find_canned.clone()),
                };
                FindItemResponse::new(vec![Ok(FindItemResult {
                    total_items_in_view: i32::try_from(items.len()).ok(),
                    includes_last_item_in_range: Some(true),
                    items,
                    ..FindItemResult::default()
                })])
                .to_envelope()
            }
            other => {
                let fault = ews::server::schema_validation_fault(format!(
                    "the stand-in does not run {}",
                    other.operation()
                ));
                fault_envelope(&fault)
            }
        };
        match envelope {
            Ok(text) => xml(StatusCode::OK, text),
            Err(e) => xml(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    }

    /// Records `item` under its client request id; answers it with a new ItemId.
    fn create(&self, item: Item) -> Item {
        let (subject, properties) = match &item {
            Item::CalendarItem(c) => (
                c.item.subject.clone(),
                c.item.extended_properties.as_slice(),
            ),
            Item::Task(t) => (
                t.item.subject.clone(),
                t.item.extended_properties.as_slice(),
            ),
            _ => (None, &[][..]),
        };
        let client_request_id = properties
            .iter()
            .find(|p| p.field == ExtendedFieldUri::client_request_id())
            .and_then(|p| p.value.clone())
            .unwrap_or_default();
        let id = ItemId {
            id: uuid::Uuid::new_v4().to_string(),
            change_key: Some("CQAAABYAAAA".into()),
        };
        self.mailbox
            .created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(client_request_id)
            .or_default()
            .push(Created {
                item_id: id.id.clone(),
                subject: subject.unwrap_or_default(),
            });
        with_id(&item, id)
    }

    fn created_with(&self, client_request_id: &str) -> Vec<Item> {
        let created = self
            .mailbox
            .created
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        created
            .get(client_request_id)
            .into_iter()
            .flatten()
            .map(|c| {
                Item::CalendarItem(CalendarItem {
                    item: ItemFields {
                        item_id: Some(ItemId {
                            id: c.item_id.clone(),
                            change_key: Some("CQAAABYAAAA".into()),
                        }),
                        ..Default::default()
                    },
                    ..CalendarItem::default()
                })
            })
            .collect()
    }

    fn report(&self) -> Response<Body> {
        let created = self
            .mailbox
            .created
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let items: Vec<_> = created
            .iter()
            .flat_map(|(request_id, items)| {
                items.iter().map(move |c| {
                    serde_json::json!({
                        "clientRequestId": request_id,
                        "itemId": c.item_id,
                        "subject": c.subject,
                    })
                })
            })
            .collect();
        let faults = self
            .mailbox
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let report = serde_json::json!({
            "requests": self.mailbox.requests.load(Ordering::Relaxed),
            "faults": faults,
            "items": items,
        });
        let mut response = Response::new(full(report.to_string()));
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// The answer to a request that was not run (throttled).
fn not_run(fault: Fault) -> Response<Body> {
    match fault {
        Fault::Unavailable => {
            let mut response = xml(StatusCode::SERVICE_UNAVAILABLE, "");
            response.headers_mut().insert(
                hyper::header::RETRY_AFTER,
                hyper::header::HeaderValue::from_static("1"),
            );
            response
        }
        _ => {
            let back_off_ms = rand::thread_rng().gen_range(50..=500);
            xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                fault_envelope(&server_busy_fault(back_off_ms)).unwrap_or_default(),
            )
        }
    }
}

/// `answer` with its full length announced and only half of it sent.
async fn cut_halfway(answer: Response<Body>) -> Response<Body> {
    let (parts, body) = answer.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    let mut response = Response::from_parts(parts, CutHalfway(Some(half)).boxed());
    response.headers_mut().insert(
        hyper::header::CONTENT_LENGTH,
        hyper::header::HeaderValue::from(bytes.len()),
    );
    response
}

fn with_id(item: &Item, id: ItemId) -> Item {
    match item {
        Item::Task(_) => Item::Task(Task {
            item: ItemFields {
                item_id: Some(id),
                ..Default::default()
            },
            ..Task::default()
        }),
        _ => Item::CalendarItem(CalendarItem {
            item: ItemFields {
                item_id: Some(id),
                ..Default::default()
            },
            ..CalendarItem::default()
        }),
    }
}

/// The client request id a FindItem looks for (the proxy's check after an unknown outcome).
fn client_request_id_sought(find: &FindItem) -> Option<String> {
    match &find.restriction.as_ref()?.expression {
        SearchExpression::IsEqualTo {
            path: PropertyPath::Extended(field),
            value,
        } if *field == ExtendedFieldUri::client_request_id() => Some(value.clone()),
        _ => None,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ews::RequestHeaders;
    use ews::operations::create_item::CreateItem;
    use ews::types::{ExchangeVersion, ExtendedProperty, FolderId, SendMeetingInvitations};

    fn stand_in(mailbox: bool) -> StandIn {
        StandIn::new(Settings {
            mailbox,
            fault_rate: 0.0,
            slow: Duration::ZERO,
        })
        .expect("stand-in")
    }

    async fn body(response: Response<Body>) -> Bytes {
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
    }

    fn headers() -> RequestHeaders {
        RequestHeaders::new(ExchangeVersion::Exchange2016)
    }

    #[tokio::test]
    async fn canned_answers_are_read_by_the_codec_as_one_create_and_one_whole_view() {
        let stand_in = stand_in(false);
        let create = crate::soap("create", "", "").expect("create request");
        let created = body(stand_in.canned(create.as_bytes())).await;
        let item = CreateItemResponse::parse_response(&created)
            .and_then(CreateItemResponse::into_single)
            .expect("a created item");
        assert!(item.item_id().is_some());

        let find = crate::soap("find", "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z")
            .expect("find request");
        let found = body(stand_in.canned(find.as_bytes())).await;
        let view = FindItemResponse::parse_response(&found)
            .and_then(FindItemResponse::into_single)
            .expect("a calendar view");
        assert_eq!(view.items.len(), 5);
        assert!(!view.more_in_range(), "one FindItem must answer a listing");
    }

    #[tokio::test]
    async fn the_mailbox_finds_a_created_item_by_its_client_request_id_and_counts_it_once() {
        let stand_in = stand_in(true);
        let item = CalendarItem {
            item: ItemFields {
                subject: Some("once".into()),
                extended_properties: vec![ExtendedProperty::client_request_id("request-1")],
                ..Default::default()
            },
            ..CalendarItem::default()
        };
        let create = CreateItem::calendar_item(item, SendMeetingInvitations::SendToNone)
            .to_envelope(&headers())
            .expect("envelope");
        let created = body(stand_in.run_request(create.as_bytes())).await;
        let created_id = CreateItemResponse::parse_response(&created)
            .and_then(CreateItemResponse::into_single)
            .expect("created")
            .item_id()
            .cloned()
            .expect("an id");

        let lookup = |id: &str| {
            FindItem::by_client_request_id(FolderId::calendar(), id)
                .to_envelope(&headers())
                .expect("envelope")
        };
        let found = body(stand_in.run_request(lookup("request-1").as_bytes())).await;
        let found = FindItemResponse::parse_response(&found)
            .and_then(FindItemResponse::into_single)
            .expect("found");
        assert_eq!(found.items.len(), 1);
        assert_eq!(
            found.items[0].item_id().map(|i| &i.id),
            Some(&created_id.id)
        );
        let other = body(stand_in.run_request(lookup("request-2").as_bytes())).await;
        let other = FindItemResponse::parse_response(&other)
            .and_then(FindItemResponse::into_single)
            .expect("found");
        assert!(other.items.is_empty());

        let report: serde_json::Value =
            serde_json::from_slice(&body(stand_in.report()).await).expect("JSON");
        assert_eq!(report["items"][0]["clientRequestId"], "request-1");
        assert_eq!(report["items"][0]["subject"], "once");
        assert_eq!(report["items"].as_array().map(Vec::len), Some(1));
    }
}
