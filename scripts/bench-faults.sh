#!/usr/bin/env bash
# Fault run of the proxy, one command, one list of counts:
#   scripts/bench-faults.sh
# Clients create appointments through the release proxy, each action with its own
# Idempotency-Key and retried with the same key after a retryable error (network error, 429,
# 5xx), as the widget's "Try again" does. The EWS stand-in behind the proxy (`loadbench standin
# --mailbox`) records every created item by the client request id extended property it
# carries, and answers a share of requests with a fault: HTTP 503 + Retry-After,
# ErrorServerBusy + BackOffMilliseconds, an answer slower than the proxy's EWS timeout (the item
# is created), or a connection cut halfway through the answer (the item is created).
# Afterwards it counts: actions that succeeded exactly once, actions that ended with a clear
# error, duplicates in the mailbox (must be 0) and lost inputs (must be 0).
#
# Environment: BENCH_ACTIONS (400), BENCH_CONCURRENCY (16), BENCH_ATTEMPTS (5 sends per action),
# BENCH_FAULT_RATE (0.3), BENCH_SLOW_MS (3000; the proxy's EWS timeout here is 2 s),
# BENCH_DB_RESTART_CMD (see restart_database below).
# A benchmark, not a test: the counts that must be 0 are checked, the others vary run to run.
set -euo pipefail
source "$(dirname "$0")/bench/common.sh"

actions=${BENCH_ACTIONS:-400}
concurrency=${BENCH_CONCURRENCY:-16}
attempts=${BENCH_ATTEMPTS:-5}
fault_rate=${BENCH_FAULT_RATE:-0.3}
slow_ms=${BENCH_SLOW_MS:-3000}

build_release
work=$target/bench-faults
rm -rf "$work"
mkdir -p "$work"

start_standin "$work" --port 0 --mailbox --fault-rate "$fault_rate" --slow-ms "$slow_ms"
start_proxy "$work" "$standin_url/EWS/Exchange.asmx" "timeout_seconds = 2
retry_budget_seconds = 10
max_retries = 6"
say "stand-in $standin_url (fault rate $fault_rate), proxy $proxy_url"

# ---------------------------------------------------------------------------------------------
# DATABASE RESTART MID-RUN (PostgreSQL): the proxy's store runs on SQLite inside the proxy
# process today, so there is no database to restart. Once the store can live in PostgreSQL,
# start the proxy on it above and set BENCH_DB_RESTART_CMD to what restarts that server
# (e.g. `pg_ctl -D "$PGDATA" restart -m fast`): it runs once, a few seconds into the run, and
# the counts below must stay the same (no duplicate, no lost input).
restart_database() {
  if [ -n "${BENCH_DB_RESTART_CMD:-}" ]; then
    sleep "${BENCH_DB_RESTART_AFTER:-5}"
    say "restarting the database: $BENCH_DB_RESTART_CMD"
    bash -c "$BENCH_DB_RESTART_CMD" >&2
  fi
}
restart_database &
restart_pid=$!
started_pids+=("$restart_pid")
# ---------------------------------------------------------------------------------------------

"$loadbench" faults --proxy "$proxy_url" --origin "$origin" --standin "$standin_url" \
  --actions "$actions" --concurrency "$concurrency" --attempts "$attempts" | tee "$work/counts.txt"
wait "$restart_pid" 2>/dev/null || true

echo "proxy log: $work/proxy.log"
duplicates=$(sed -n 's/^duplicates in the mailbox: *\([0-9]*\).*/\1/p' "$work/counts.txt")
lost=$(sed -n 's/^lost inputs: *\([0-9]*\).*/\1/p' "$work/counts.txt")
if [ "$duplicates" != 0 ] || [ "$lost" != 0 ]; then
  echo "FAILED: $duplicates duplicates, $lost lost inputs (both must be 0)" >&2
  exit 1
fi
