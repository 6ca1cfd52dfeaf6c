//! `GET /healthz`: the process is up and can serve requests (used by xtask and e2e tests).

pub async fn healthz() -> &'static str {
    "ok"
}
