# Shared by scripts/bench-load.sh and scripts/bench-faults.sh (sourced): builds, starts and
# stops the release proxy and the EWS stand-in. Every process started here is stopped by its
# own pid on exit.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
loadbench=$target/release/loadbench
proxy_bin=$target/release/exchange-forms-proxy
origin=http://localhost:5173
started_pids=()

stop_started() {
  local pid
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${started_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_started EXIT

say() { echo "== $*" >&2; }

build_release() {
  say "building the release proxy and loadbench"
  (cd "$root" && CARGO_TARGET_DIR=$target cargo build --release \
    -p exchange-forms-proxy -p exchange-forms-loadbench >&2)
}

# wait_for_url FILE: the URL of the first `listening on URL` line written to FILE.
wait_for_url() {
  local file=$1 url="" i
  for i in $(seq 1 300); do
    url=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$file" 2>/dev/null | head -n1)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "no 'listening on' line in $file" >&2; cat "$file" >&2; exit 1; }
  echo "${url%/}"
}

# start_standin DIR ARGS...: sets standin_url and standin_pid.
start_standin() {
  local dir=$1; shift
  "$loadbench" standin "$@" >"$dir/standin.out" 2>"$dir/standin.err" &
  standin_pid=$!
  started_pids+=("$standin_pid")
  standin_url=$(wait_for_url "$dir/standin.out")
}

# start_proxy DIR EWS_ENDPOINT [EXTRA_EWS_TOML]: sandbox mode (development sign-in server) with
# the EWS client pointed at the stand-in; sets proxy_url and proxy_pid.
start_proxy() {
  local dir=$1 endpoint=$2 extra=${3:-}
  mkdir -p "$dir/data" "$dir/static"
  cat >"$dir/proxy.toml" <<TOML
bind = "127.0.0.1"
port = 0
data_dir = "$dir/data"
static_dir = "$dir/static"
allowed_origins = ["$origin"]
[sandbox]
enabled = true
[ews]
endpoint = "$endpoint"
$extra
[auth.flow_limits]
per_address_per_minute = 0
per_origin_per_minute = 0
max_open = 100000
TOML
  "$proxy_bin" serve --config "$dir/proxy.toml" >"$dir/proxy.out" 2>"$dir/proxy.log" &
  proxy_pid=$!
  started_pids+=("$proxy_pid")
  proxy_url=$(wait_for_url "$dir/proxy.out")
}
