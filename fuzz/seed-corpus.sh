#!/usr/bin/env bash
# Fills corpus/<target>/ with the seeds of each fuzz target, before `cargo fuzz run`:
#   parse_response, roundtrip_response: the sample responses of crates/ews/tests/fixtures/
#                                       (incl. third-party/) + seeds/responses/*.xml
#   parse_request:                      the requests of crates/ews/tests/fixtures/requests/
#                                       (valid and invalid/) + seeds/requests/*.xml
# The fixtures stay the only copy in git; corpus/ is libFuzzer's working folder (ignored by git),
# and running this again refreshes the seeds without touching what libFuzzer added.
#
#   ./seed-corpus.sh [TARGET...]        (default: all three targets)
set -euo pipefail
fuzz=$(cd "$(dirname "$0")" && pwd)
fixtures="$fuzz/../crates/ews/tests/fixtures"

seeds_of() {
  case "$1" in
    parse_response | roundtrip_response)
      printf '%s\n' "$fixtures"/*.response.xml "$fixtures"/third-party/*.xml "$fuzz"/seeds/responses/*.xml ;;
    parse_request)
      printf '%s\n' "$fixtures"/requests/*.xml "$fixtures"/requests/invalid/*.xml "$fuzz"/seeds/requests/*.xml ;;
    *)
      echo "unknown fuzz target: $1 (parse_response, roundtrip_response, parse_request)" >&2
      return 2 ;;
  esac
}

[ $# -gt 0 ] || set -- parse_response roundtrip_response parse_request
for target in "$@"; do
  seeds=$(seeds_of "$target")
  dir="$fuzz/corpus/$target"
  mkdir -p "$dir"
  count=0
  while IFS= read -r seed; do
    [ -f "$seed" ] || { echo "missing seed: $seed" >&2; exit 1; }
    cp "$seed" "$dir/"
    count=$((count + 1))
  done <<<"$seeds"
  echo "$target: $count seeds in corpus/$target"
done
