#!/usr/bin/env bash
# Load benchmark of the proxy, one command, one table:
#   scripts/bench-load.sh
# POST /api/appointments and GET /api/appointments (calendar view) through the release proxy,
# against nginx reverse-proxying the same SOAP requests to the same EWS stand-in (the ceiling
# for a proxy that does no work): wrk, 2 threads, 64 connections, --latency. Then the proxy's
# resident memory per idle session and per waiting long-poll.
#
# Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_PROOFS (proofs signed per
# proxy run; more than the run can send, 250000), BENCH_SESSIONS and BENCH_POLLS (1000 each).
#
# The proxy runs in sandbox mode (its development sign-in server) with its EWS endpoint set to
# the stand-in (`loadbench standin`: Microsoft's sample CreateItem and FindItem answers as
# fixed bytes). The session is a real sign-in, bound to a key `loadbench` keeps; wrk cannot
# sign, so `loadbench proofs` signs a distinct DPoP proof per request beforehand.
# A benchmark, not a test: on a shared machine the figures move with the load.
set -euo pipefail
source "$(dirname "$0")/bench/common.sh"

seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-64}
proofs=${BENCH_PROOFS:-250000}
sessions=${BENCH_SESSIONS:-1000}
polls=${BENCH_POLLS:-1000}
window="start=2026-12-01T00:00:00Z&end=2026-12-08T00:00:00Z"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (Debian packages)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
build_release
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$target/bench-load
rm -rf "$work"
mkdir -p "$work"
say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

start_standin "$work" --port 0
start_proxy "$work" "$standin_url/EWS/Exchange.asmx"
say "stand-in $standin_url, proxy $proxy_url (pid $proxy_pid)"

# nginx: the same stand-in behind a keep-alive upstream, like the proxy's pooled EWS client.
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  upstream standin { server ${standin_url#http://}; keepalive 128; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://standin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
started_pids+=("$!")
nginx_url=http://127.0.0.1:$nginx_port

"$loadbench" soap create >"$work/create.xml"
"$loadbench" soap find >"$work/find.xml"
cat >"$work/appointment.json" <<'JSON'
{"subject":"Load test","start":"2026-12-01T09:00","end":"2026-12-01T10:30","location":"Room 4.12","body":"Agenda","timeZone":"Europe/Paris"}
JSON

say "memory: $sessions idle sessions, $polls waiting long-polls"
"$loadbench" memory --proxy "$proxy_url" --origin "$origin" --pid "$proxy_pid" \
  --sessions "$sessions" --polls "$polls" | tee "$work/memory.txt"

say "signing in the load session"
handle=$("$loadbench" sign-in --proxy "$proxy_url" --origin "$origin" --key "$work/key")

wrk_run() { # NAME URL LUA ARGS... -> RESULT line saved as $work/NAME.result
  local name=$1 url=$2 lua=$3; shift 3
  say "wrk: $name (${seconds}s, $connections connections)"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$lua" "$url" -- "$@" >"$work/$name.wrk"
  grep -v '^RESULT' "$work/$name.wrk" >&2
  grep '^RESULT' "$work/$name.wrk" | tail -n1 >"$work/$name.result"
}

# Proofs are dated 20 s back (signing them all takes a while; they stay acceptable for 40 s).
proxy_run() { # NAME METHOD PATH [BODY]
  local name=$1 method=$2 path=$3 body=${4:-}
  "$loadbench" proofs --proxy "$proxy_url" --origin "$origin" --method "$method" \
    --path "${path%%\?*}" --handle "$handle" --key "$work/key" --count "$proofs" \
    --iat-offset -20 --out "$work/$name.proofs"
  wrk_run "$name" "$proxy_url$path" "$root/scripts/bench/wrk-api.lua" \
    "$work/$name.proofs" "$method" "$path" "$origin" "$handle" 2 $body
  rm -f "$work/$name.proofs" # tens of MB, and spent
}

proxy_run proxy-create POST /api/appointments "$work/appointment.json"
wrk_run nginx-create "$nginx_url/EWS/Exchange.asmx" "$root/scripts/bench/wrk-soap.lua" "$work/create.xml"
wrk_run nginx-find "$nginx_url/EWS/Exchange.asmx" "$root/scripts/bench/wrk-soap.lua" "$work/find.xml"
proxy_run proxy-list GET "/api/appointments?$window"

echo
echo "proxy vs nginx, $(nproc) cores, wrk -t2 -c$connections -d${seconds}s (latency in ms):"
printf '| %-28s | %9s | %9s | %6s | %8s | %8s | %8s | %8s | %8s |\n' \
  request "proxy r/s" "nginx r/s" ratio "proxy p50" "proxy p99" "nginx p50" "nginx p99" "proxy non-2xx/errors"
row() { # LABEL PROXY_RESULT NGINX_RESULT
  read -r _ prs pp50 pp99 pbad perr <"$2"
  read -r _ nrs np50 np99 _ _ <"$3"
  printf '| %-28s | %9s | %9s | %5sx | %8s | %8s | %8s | %8s | %s/%s |\n' "$1" "$prs" "$nrs" \
    "$(awk -v a="$prs" -v b="$nrs" 'BEGIN { printf "%.2f", a / b }')" "$pp50" "$pp99" "$np50" "$np99" "$pbad" "$perr"
}
row "POST /api/appointments" "$work/proxy-create.result" "$work/nginx-create.result"
row "GET /api/appointments (week)" "$work/proxy-list.result" "$work/nginx-find.result"
echo
cat "$work/memory.txt"
echo "targets: proxy >= 0.5x nginx req/s, proxy p99 < 10 ms at $connections connections"
echo "proxy log: $work/proxy.log"
