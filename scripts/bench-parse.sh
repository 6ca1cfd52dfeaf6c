#!/usr/bin/env bash
# EWS response parser benchmark, one command, one table:
#   our parser (crates/ews) | a bare quick-xml event scan (the ceiling) | exchangelib 5.6 (Python)
# on identical, deterministically generated documents: FindItem CalendarView with 1,000 and
# 10,000 calendar items, GetItem with 1,000 tasks.
#
#   scripts/bench-parse.sh [--quick]      (--quick: shorter criterion/Python timing)
#
# Steps: `cargo bench --bench parse` generates and checks the documents, writes them with a
# manifest to $CARGO_TARGET_DIR/ews-bench-data/ and times the Rust parsers (criterion);
# scripts/bench_exchangelib.py times exchangelib on the same files (in a venv it creates under
# the target dir) and prints the combined table from criterion's estimates.
# A benchmark, not a test: on a shared machine the figures move with the load.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
data=$target/ews-bench-data
venv=$target/venv-exchangelib

criterion_args=()
python_args=(--min-seconds 5)
if [ "${1:-}" = "--quick" ]; then
  criterion_args=(--warm-up-time 1 --measurement-time 3)
  python_args=(--min-seconds 1)
fi

if ! "$venv/bin/python" -c 'import exchangelib, sys; sys.exit(not exchangelib.__version__.startswith("5.6."))' 2>/dev/null; then
  echo "== installing exchangelib 5.6 into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'exchangelib==5.6.*'
fi

echo "== Rust: cargo bench -p exchange-forms-ews --bench parse" >&2
(cd "$root" && CARGO_TARGET_DIR=$target EWS_BENCH_DATA_DIR=$data \
  cargo bench -p exchange-forms-ews --bench parse -- "${criterion_args[@]}" >&2)

echo "== Python: exchangelib" >&2
"$venv/bin/python" "$root/scripts/bench_exchangelib.py" --data-dir "$data" \
  --criterion-dir "$target/criterion" --json "$data/results.json" "${python_args[@]}"
