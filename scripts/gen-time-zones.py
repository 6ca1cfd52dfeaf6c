#!/usr/bin/env python3
"""Generate crates/ews/src/time_zone/cldr_windows_zones.rs from Unicode CLDR data.

Why generated: EWS names time zones by Windows id ("Romance Standard Time") while browsers
give IANA names ("Europe/Paris"). CLDR's windowsZones table is the authoritative mapping,
and the IANA side needs CLDR's alias list too (windowsZones says "Asia/Calcutta", browsers
may say "Asia/Kolkata"; "US/Eastern" is a link to "America/New_York"). A hand-written list
would drift; regenerate with this script when CLDR is updated.

Sources (the official CLDR JSON packages on the npm registry, maintained by Unicode):
  cldr-core   supplemental/windowsZones.json  (the windowsZones mapTimezones table)
  cldr-bcp47  bcp47/timezone.json             (every IANA name and alias of each zone)

Usage:
  python3 scripts/gen-time-zones.py                 # fetches with `npm pack` (registry)
  python3 scripts/gen-time-zones.py --from DIR      # DIR holds the two unpacked packages
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tarfile
import tempfile

CLDR_VERSION = "48.2.0"
PACKAGES = ("cldr-core", "cldr-bcp47")
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "crates/ews/src/time_zone/cldr_windows_zones.rs"


def fetch(workdir: pathlib.Path) -> pathlib.Path:
    """Download and unpack the pinned CLDR packages with npm; returns the directory."""
    specs = [f"{name}@{CLDR_VERSION}" for name in PACKAGES]
    subprocess.run(["npm", "pack", "--silent", *specs], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    for name in PACKAGES:
        with tarfile.open(workdir / f"{name}-{CLDR_VERSION}.tgz") as archive:
            archive.extractall(workdir / name, filter="data")
    return workdir


def load(source: pathlib.Path):
    def package_file(name: str, relative: str) -> pathlib.Path:
        for candidate in (source / name / "package" / relative, source / name / relative):
            if candidate.exists():
                return candidate
        sys.exit(f"error: {relative} of {name} not found under {source}")

    core = json.loads(package_file("cldr-core", "supplemental/windowsZones.json").read_text())
    bcp47 = json.loads(package_file("cldr-bcp47", "bcp47/timezone.json").read_text())
    version = json.loads(package_file("cldr-core", "package.json").read_text())["version"]
    if version != CLDR_VERSION:
        sys.exit(f"error: expected cldr-core {CLDR_VERSION}, found {version}")
    map_zones = [entry["mapZone"] for entry in core["supplemental"]["windowsZones"]["mapTimezones"]]
    zones = {key: value for key, value in bcp47["keyword"]["u"]["tz"].items() if not key.startswith("_")}
    return map_zones, zones


def build(map_zones, zones):
    # Every IANA name CLDR knows, grouped by zone: the first alias is CLDR's stable id, `_iana`
    # (when present) the name current in the IANA database, which is what we hand out.
    zone_of_name = {}
    canonical = {}
    for key, zone in zones.items():
        names = zone.get("_alias", "").split()
        if not names:
            continue
        canonical[key] = zone.get("_iana", names[0])
        for name in names:
            if name in zone_of_name:
                sys.exit(f"error: {name} is an alias of both {zone_of_name[name]} and {key}")
            zone_of_name[name] = key

    windows_to_iana = {}
    direct = {}
    for entry in map_zones:
        windows, territory, names = entry["_other"], entry["_territory"], entry["_type"].split()
        for name in names:
            if name not in zone_of_name:
                sys.exit(f"error: windowsZones names {name}, unknown to bcp47/timezone.json")
            if direct.setdefault(name, windows) != windows:
                sys.exit(f"error: {name} maps to both {direct[name]} and {windows}")
        # The first zone listed for a territory is CLDR's choice for that territory.
        windows_to_iana[(windows, territory)] = canonical[zone_of_name[names[0]]]

    iana_to_windows = dict(direct)
    for name, windows in direct.items():
        zone = zone_of_name[name]
        for alias, alias_zone in zone_of_name.items():
            if alias_zone == zone and iana_to_windows.setdefault(alias, windows) != windows:
                sys.exit(f"error: alias {alias} maps to both {iana_to_windows[alias]} and {windows}")

    missing_default = {w for (w, _) in windows_to_iana} - {w for (w, t) in windows_to_iana if t == "001"}
    if missing_default:
        sys.exit(f"error: Windows zones without a 001 default: {sorted(missing_default)}")
    return windows_to_iana, iana_to_windows


def render(windows_to_iana, iana_to_windows) -> str:
    def rust_str(value: str) -> str:
        if any(c in value for c in '"\\') or not value.isascii():
            sys.exit(f"error: unexpected character in {value!r}")
        return f'"{value}"'

    lines = [
        "// SPDX-FileCopyrightText: © 1991-2025 Unicode, Inc.",
        "// SPDX-License-Identifier: Unicode-3.0",
        "//! CLDR's Windows <-> IANA time zone mapping. GENERATED by scripts/gen-time-zones.py",
        f"//! from the npm packages cldr-core@{CLDR_VERSION} (supplemental/windowsZones.json) and",
        f"//! cldr-bcp47@{CLDR_VERSION} (bcp47/timezone.json). Do not edit by hand: regenerate.",
        "",
        "/// The CLDR release the tables below come from.",
        f'pub const CLDR_VERSION: &str = "{CLDR_VERSION}";',
        "",
        "/// `(windows id, territory, IANA zone)`, sorted by windows id then territory (byte order).",
        "/// Territory \"001\" is CLDR's world-wide default for that Windows zone.",
        "pub(super) static WINDOWS_TO_IANA: &[(&str, &str, &str)] = &[",
    ]
    for (windows, territory), iana in sorted(windows_to_iana.items(), key=lambda kv: (kv[0][0].encode(), kv[0][1].encode())):
        lines.append(f"    ({rust_str(windows)}, {rust_str(territory)}, {rust_str(iana)}),")
    lines += [
        "];",
        "",
        "/// `(IANA name or alias, windows id)`, sorted by IANA name (byte order).",
        "pub(super) static IANA_TO_WINDOWS: &[(&str, &str)] = &[",
    ]
    for name, windows in sorted(iana_to_windows.items(), key=lambda kv: kv[0].encode()):
        lines.append(f"    ({rust_str(name)}, {rust_str(windows)}),")
    lines += ["];", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=pathlib.Path, help="directory with unpacked packages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or fetch(pathlib.Path(tmp))
        windows_to_iana, iana_to_windows = build(*load(source))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(windows_to_iana, iana_to_windows))
    subprocess.run(["rustfmt", "--edition", "2024", str(OUTPUT)], check=True)
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(windows_to_iana)} Windows entries, {len(iana_to_windows)} IANA names")


if __name__ == "__main__":
    main()
