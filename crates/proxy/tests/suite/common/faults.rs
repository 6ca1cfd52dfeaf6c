//! A fault-injecting EWS upstream: sits between the proxy's EWS client and the sandbox mailbox,
//! and for scripted requests answers 503/429, ErrorServerBusy, or forwards the request and then
//! loses the answer (connection dropped, stalled past the timeout, 502 from a "gateway").
//!
//! It speaks HTTP/1.1 by hand over TCP because a real dropped connection cannot be produced
//! from inside an HTTP framework's handler.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ews::response::ResponseError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer this status (503, 429) with an optional Retry-After, without forwarding.
    Status {
        status: u16,
        retry_after: Option<String>,
    },
    /// HTTP 500 SOAP fault ErrorServerBusy with BackOffMilliseconds, without forwarding.
    ServerBusyHttp500 { back_off_ms: u64 },
    /// HTTP 200 CreateItemResponse whose message is ErrorServerBusy, without forwarding.
    ServerBusyMessage { back_off_ms: u64 },
    /// Close the connection without forwarding or answering.
    DropBeforeForwarding,
    /// Forward (the sandbox runs the request), then close without answering.
    ForwardThenDrop,
    /// Forward, then wait this long before closing (longer than the client's timeout).
    ForwardThenStall(Duration),
    /// Forward, then answer 502 with an HTML page as a broken gateway would.
    ForwardThenBadGateway,
    /// Forward, then answer an HTTP 500 SOAP fault ErrorInternalServerTransientError.
    ForwardThenTransientError,
}

/// One request the injector saw: the EWS operation and the SOAP body.
#[derive(Clone, Debug)]
pub struct Seen {
    pub operation: String,
    /// Request line and headers as received.
    pub head: String,
    pub body: String,
    pub fault: Option<Fault>,
}

#[derive(Default)]
pub struct Injector {
    script: Mutex<VecDeque<(&'static str, Fault)>>,
    seen: Mutex<Vec<Seen>>,
    upstream: Mutex<Option<String>>,
}

impl Injector {
    /// Binds on a free port; point the proxy's `ews.endpoint` at the returned address, then
    /// call [`Injector::set_upstream`] with the sandbox URL once the proxy is bound.
    pub async fn spawn() -> (Arc<Injector>, SocketAddr) {
        let injector = Arc::new(Injector::default());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepting = injector.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let injector = accepting.clone();
                tokio::spawn(async move { injector.serve(stream).await });
            }
        });
        (injector, addr)
    }

    pub fn set_upstream(&self, url: String) {
        *self.upstream.lock().unwrap() = Some(url);
    }

    /// The next request for `operation` (e.g. "CreateItem") gets `fault`.
    pub fn push(&self, operation: &'static str, fault: Fault) {
        self.script.lock().unwrap().push_back((operation, fault));
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn operations(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.operation).collect()
    }

    fn next_fault(&self, operation: &str) -> Option<Fault> {
        let mut script = self.script.lock().unwrap();
        let index = script.iter().position(|(op, _)| *op == operation)?;
        script.remove(index).map(|(_, fault)| fault)
    }

    async fn serve(&self, mut stream: TcpStream) {
        let Some((head, body)) = read_request(&mut stream).await else {
            return;
        };
        let operation = operation_of(&body);
        let fault = self.next_fault(&operation);
        self.seen.lock().unwrap().push(Seen {
            operation: operation.clone(),
            head: head.clone(),
            body: body.clone(),
            fault: fault.clone(),
        });
        match fault {
            None => {
                let (status, answer) = self.forward(&head, &body).await;
                respond(&mut stream, status, &[], &answer).await;
            }
            Some(Fault::Status {
                status,
                retry_after,
            }) => {
                let extra: Vec<(&str, String)> = retry_after
                    .map(|v| ("Retry-After", v))
                    .into_iter()
                    .collect();
                respond(&mut stream, status, &extra, "").await;
            }
            Some(Fault::ServerBusyHttp500 { back_off_ms }) => {
                let xml = ews::server::fault_envelope(&ews::server::server_busy_fault(back_off_ms))
                    .unwrap();
                respond(&mut stream, 500, &[], &xml).await;
            }
            Some(Fault::ServerBusyMessage { back_off_ms }) => {
                let response = ews::operations::create_item::CreateItemResponse::new(vec![Err(
                    ResponseError::server_busy(back_off_ms),
                )]);
                respond(&mut stream, 200, &[], &response.to_envelope().unwrap()).await;
            }
            Some(Fault::DropBeforeForwarding) => drop(stream),
            Some(Fault::ForwardThenDrop) => {
                self.forward(&head, &body).await;
                drop(stream);
            }
            Some(Fault::ForwardThenStall(wait)) => {
                self.forward(&head, &body).await;
                tokio::time::sleep(wait).await;
                drop(stream);
            }
            Some(Fault::ForwardThenTransientError) => {
                self.forward(&head, &body).await;
                let spec = ews::server::FaultSpec {
                    response_code: "ErrorInternalServerTransientError".into(),
                    message: "An internal server error occurred. Try again later.".into(),
                    back_off_milliseconds: None,
                    line: None,
                    position: None,
                };
                respond(
                    &mut stream,
                    500,
                    &[],
                    &ews::server::fault_envelope(&spec).unwrap(),
                )
                .await;
            }
            Some(Fault::ForwardThenBadGateway) => {
                self.forward(&head, &body).await;
                respond(
                    &mut stream,
                    502,
                    &[],
                    "<html><body>502 Bad Gateway</body></html>",
                )
                .await;
            }
        }
    }

    async fn forward(&self, head: &str, body: &str) -> (u16, String) {
        let upstream = self.upstream.lock().unwrap().clone().expect("upstream set");
        let authorization = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("authorization")
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default();
        let response = reqwest::Client::new()
            .post(upstream)
            .header("content-type", "text/xml; charset=utf-8")
            .header("authorization", authorization)
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

fn operation_of(body: &str) -> String {
    let body_start = body.find("Body>").map_or(0, |i| i + 5);
    let rest = &body[body_start..];
    let Some(open) = rest.find('<') else {
        return String::new();
    };
    let name: String = rest[open + 1..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    name.rsplit(':').next().unwrap_or_default().to_owned()
}

async fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned();
    Some((head, body))
}

async fn respond(stream: &mut TcpStream, status: u16, extra: &[(&str, String)], body: &str) {
    let mut head = format!(
        "HTTP/1.1 {status} Injected\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The EWS codec's schema check (Microsoft's XSDs and validate.sh live in its tests).
#[path = "../../../../ews/tests/common/schema.rs"]
mod schema;
#[allow(unused_imports)] // like the rest of the harness, only some test binaries use it
pub use schema::assert_schema_valid;
