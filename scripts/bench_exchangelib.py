#!/usr/bin/env python3
"""Time exchangelib 5.6 parsing the benchmark documents, and print the combined table.

The documents are written by the Rust benchmark (crates/ews/benches/parse.rs) together with
`manifest.json`; run everything with `scripts/bench-parse.sh`. This script needs exchangelib
(`pip install 'exchangelib==5.6.*'`); bench-parse.sh makes a venv for it under the cargo
target directory.

What is timed for exchangelib is exactly what its services do with an HTTP response body,
minus the network: `_get_soap_parts` (lxml parse of the bytes, find Header/Body),
`_get_soap_messages` (response messages, SOAP faults), then per message
`_get_element_container`/`_get_page` (ResponseClass/ResponseCode, paging attributes) and
`CalendarItem.from_xml`/`Task.from_xml` for every item (the `_elem_to_obj` of FindItem and
GetItem), producing the same objects `account.calendar.view(...)` or `account.fetch(...)`
return. Nothing is cached between runs.

Rust figures come from criterion's estimates (`<target>/criterion/<doc>/<parser>/new/`).
"""

import argparse
import json
import pathlib
import statistics
import sys
import time

try:
    import exchangelib
    from exchangelib.services import FindItem, GetItem
    from exchangelib.util import DummyResponse
except ImportError as error:  # pragma: no cover - environment problem, explained to the user
    sys.exit(f"exchangelib is not installed ({error}); run scripts/bench-parse.sh or pip install 'exchangelib==5.6.*'")


def service(cls, **attributes):
    """A service object without an account or protocol: parsing needs neither."""
    svc = cls.__new__(cls)
    svc.account = None
    svc.streaming = False
    for name, value in attributes.items():
        setattr(svc, name, value)
    return svc


def parse_find_item(xml: bytes):
    svc = service(FindItem, shape="AllProperties", additional_fields=None)
    _, body = svc._get_soap_parts(response=DummyResponse(content=xml))
    items = []
    for message in svc._get_soap_messages(body=body):
        page, _next_offset = svc._get_page(message)
        if isinstance(page, Exception):
            raise page
        if page is None:
            continue
        for elem in svc._get_elems_from_page(page, max_items=None, total_item_count=0):
            items.append(svc._elem_to_obj(elem))
    return items


def parse_get_item(xml: bytes):
    svc = service(GetItem)
    items = list(svc.parse(xml))
    for item in items:
        if isinstance(item, Exception):
            raise item
    return items


PARSERS = {"FindItem": parse_find_item, "GetItem": parse_get_item}


def time_exchangelib(document, min_runs: int, min_seconds: float):
    xml = pathlib.Path(document["file"]).read_bytes()
    if len(xml) != document["bytes"]:
        sys.exit(f"{document['file']}: {len(xml)} bytes, manifest says {document['bytes']}")
    parse = PARSERS[document["operation"]]
    # Check the output before timing: every item, with its text decoded.
    items = parse(xml)
    if len(items) != document["items"] or items[-1].subject != document["last_subject"]:
        sys.exit(
            f"{document['name']}: exchangelib read {len(items)} items, last subject {items[-1].subject!r}; "
            f"expected {document['items']} and {document['last_subject']!r}"
        )
    kinds = {type(item).__name__ for item in items}
    timings = []
    started = time.perf_counter()
    while len(timings) < min_runs or time.perf_counter() - started < min_seconds:
        begin = time.perf_counter()
        parse(xml)
        timings.append(time.perf_counter() - begin)
    return statistics.median(timings), len(timings), sorted(kinds)


def criterion_seconds(criterion_dir: pathlib.Path, group: str, function: str):
    path = criterion_dir / group / function / "new" / "estimates.json"
    try:
        estimates = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    return estimates["median"]["point_estimate"] / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=pathlib.Path, required=True, help="where the bench wrote manifest.json")
    parser.add_argument("--criterion-dir", type=pathlib.Path, help="<cargo target dir>/criterion, for the Rust figures")
    parser.add_argument("--min-runs", type=int, default=3)
    parser.add_argument("--min-seconds", type=float, default=5.0, help="time each document at least this long")
    parser.add_argument("--json", type=pathlib.Path, help="also write the figures here")
    args = parser.parse_args()

    manifest = json.loads((args.data_dir / "manifest.json").read_text())
    rows = []
    for document in manifest:
        seconds, runs, kinds = time_exchangelib(document, args.min_runs, args.min_seconds)
        print(f"exchangelib {exchangelib.__version__}: {document['name']}: median {seconds * 1e3:.1f} ms over {runs} runs -> {', '.join(kinds)}", file=sys.stderr)
        row = {"document": document, "exchangelib": seconds}
        if args.criterion_dir:
            row["ours"] = criterion_seconds(args.criterion_dir, document["name"], "ours")
            row["bare"] = criterion_seconds(args.criterion_dir, document["name"], "bare_quick_xml")
        rows.append(row)

    def rates(document, seconds):
        if seconds is None:
            return "n/a", "n/a"
        return f"{document['bytes'] / seconds / 1e6:,.1f}", f"{document['items'] / seconds:,.0f}"

    def ratio(a, b):
        return "n/a" if a is None or b is None else f"{b / a:.2f}x"

    header = ["document", "MB", "items", "parser", "median time", "MB/s", "items/s", "ours/this"]
    lines = []
    for row in rows:
        document = row["document"]
        for label, key in (("ours (ews crate)", "ours"), ("bare quick-xml scan", "bare"), (f"exchangelib {exchangelib.__version__}", "exchangelib")):
            seconds = row.get(key)
            mb_s, items_s = rates(document, seconds)
            relative = "" if key == "ours" else ratio(row.get("ours"), seconds)
            time_text = "n/a" if seconds is None else (f"{seconds * 1e3:,.2f} ms" if seconds < 10 else f"{seconds:,.1f} s")
            lines.append([document["name"], f"{document['bytes'] / 1e6:.2f}", f"{document['items']:,}", label, time_text, mb_s, items_s, relative])
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines)]
    print()
    print("  ".join(cell.ljust(width) for cell, width in zip(header, widths)))
    print("  ".join("-" * width for width in widths))
    previous = None
    for line in lines:
        if previous is not None and line[0] != previous:
            print()
        previous = line[0]
        print("  ".join(cell.ljust(width) if index < 4 else cell.rjust(width) for index, (cell, width) in enumerate(zip(line, widths))))
    print()
    print("ours/this = our throughput divided by that parser's throughput on the same bytes (its time / our time);")
    print("targets: >= 0.5x against the bare scan, >= 30x against exchangelib.")
    if args.json:
        args.json.write_text(json.dumps([
            {"document": r["document"]["name"], "bytes": r["document"]["bytes"], "items": r["document"]["items"],
             "seconds": {k: r.get(k) for k in ("ours", "bare", "exchangelib")}} for r in rows
        ], indent=2))


if __name__ == "__main__":
    main()
