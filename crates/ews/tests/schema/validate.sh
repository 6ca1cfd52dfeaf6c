#!/usr/bin/env bash
# Validate EWS requests/responses against Microsoft's EWS schema in ./ (xmllint).
#
#   validate.sh FILE...   each FILE = a full SOAP 1.1/1.2 envelope, or a bare element
#                         (e.g. <m:CreateItem ...> or <t:RequestServerVersion .../>)
#
# Prints xmllint's errors (prefixed with the FILE and its line) and exits 1 when a FILE is
# invalid; prints "OK" and exits 0 when all are valid; exit 2 on usage/tool problems.
# With several FILEs, the invalid ones are also listed at the end, one "INVALID FILE" line each.
#
# How: the SOAP envelope schema is not part of the EWS schema set, so for an envelope
# every soap:Header child and the soap:Body child are cut out (python3, stdlib only)
# into stand-alone documents, and all of them, from all FILEs, are checked by ONE
#     xmllint --noout --schema ews-validate.xsd PART.xml...
# (compiling the 700 KB schema is most of xmllint's time, so one run per batch, not per file).
# ews-validate.xsd imports xml.xsd (hand-written stand-in for the W3C xml.xsd, which
# types.xsd imports without a schemaLocation) and then messages.xsd/types.xsd.
# Each part is padded with leading newlines so xmllint's line numbers match FILE.
# A soap:Fault body is only checked for well-formedness (not covered by the EWS XSDs).
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 FILE.xml..." >&2; exit 2; }
for f in "$@"; do
  [ -f "$f" ] || { echo "$f: no such file" >&2; exit 2; }
done
command -v xmllint >/dev/null || { echo "xmllint missing: apt-get install -y libxml2-utils" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 missing" >&2; exit 2; }

exec python3 - "$here/ews-validate.xsd" "$@" <<'PY'
import re, subprocess, sys, tempfile, xml.parsers.expat, xml.etree.ElementTree as ET

SOAP = {"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"}
xsd, files = sys.argv[1], sys.argv[2:]


class Invalid(Exception):
    """The file is rejected before the schema is consulted (not well-formed, not one Body child…)."""


def ns(e):
    return e.tag[1:].split("}")[0] if e.tag.startswith("{") else ""


def local(e):
    return e.tag.split("}")[-1]


def schema_parts(src):
    """The elements the EWS schema checks, each as (its text, the line it starts on in src)."""
    data = open(src, "rb").read()
    # pass 1: start line of every element, in document order (ET keeps the same order)
    lines = []
    p = xml.parsers.expat.ParserCreate()
    p.StartElementHandler = lambda n, a: lines.append(p.CurrentLineNumber)
    try:
        p.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        raise Invalid(f"{src}: not well-formed: {e}")
    # pass 2: tree + namespace prefixes as written in the file
    for _, (pfx, uri) in ET.iterparse(src, events=("start-ns",)):
        if pfx:
            try:
                ET.register_namespace(pfx, uri)
            except ValueError:
                pass
    root = ET.fromstring(data)
    order = {id(e): i for i, e in enumerate(root.iter())}

    parts = []
    if ns(root) in SOAP and local(root) == "Envelope":
        env = ns(root)
        for sec in root:
            if ns(sec) != env:
                raise Invalid(f"{src}:{lines[order[id(sec)]]}: unexpected {sec.tag} in Envelope")
            kids = list(sec)
            if local(sec) == "Body":
                if len(kids) != 1:
                    raise Invalid(f"{src}: soap:Body must hold exactly one element, has {len(kids)}")
                if ns(kids[0]) == env and local(kids[0]) == "Fault":
                    fc = (kids[0].findtext("faultcode") or kids[0].findtext(f"{{{env}}}faultcode")
                          or kids[0].findtext(f"{{{env}}}Code/{{{env}}}Value"))
                    print(f"{src}: note: soap:Fault (faultcode {fc}) - well-formed; not covered by EWS schema")
                    continue
            parts += kids
    else:
        parts = [root]
        if ns(root).startswith("https://schemas."):
            print(f"{src}: hint: {ns(root)} - EWS/SOAP namespace URIs start with http://, not https://")
    out = []
    for e in parts:
        e.tail = None
        out.append((ET.tostring(e, encoding="unicode"), lines[order[id(e)]]))
    return out


invalid = set()
part_source = {}    # part path -> the file it was cut from
with tempfile.TemporaryDirectory() as tmp:
    for i, src in enumerate(files):
        try:
            parts = schema_parts(src)
        except Invalid as e:
            print(e)
            invalid.add(src)
            continue
        for j, (body, line) in enumerate(parts):
            path = f"{tmp}/d{i:05d}p{j:03d}.xml"
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n" * (line - 1) + body + "\n")
            part_source[path] = src

    if part_source:
        run = subprocess.run(["xmllint", "--noout", "--schema", xsd, *part_source],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        part_name = re.compile(re.escape(tmp) + r"/d[0-9]{5}p[0-9]{3}[.]xml")
        failed = set()
        for msg in run.stdout.splitlines():
            if msg.endswith(" validates"):
                continue
            if msg.endswith(" fails to validate"):
                failed.add(part_source[msg[: -len(" fails to validate")]])
                continue
            print(part_name.sub(lambda m: part_source[m.group(0)], msg))
        # 3 = some document failed validation; anything else (schema did not compile…) is a tool problem.
        if run.returncode not in (0, 3) or (run.returncode == 3) != bool(failed):
            print(f"xmllint exit {run.returncode}", file=sys.stderr)
            sys.exit(2)
        invalid |= failed

if not invalid:
    print("OK")
    sys.exit(0)
if len(files) > 1:
    for src in files:
        if src in invalid:
            print(f"INVALID {src}")
sys.exit(1)
PY
