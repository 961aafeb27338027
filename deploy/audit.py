"""Offline dependency audit: the pins of requirements.lock against a copy of an advisory database.

    .venv/bin/python -m deploy.audit --advisories DIR [--lock requirements.lock] [--json FILE]

`make audit` (pip-audit) asks pypi.org or api.osv.dev and needs the network;
this reads a local copy instead, so it runs anywhere and can be rerun against
the same copy for the same answer. DIR is a copy of the PyPA advisory
database (`git clone https://github.com/pypa/advisory-database`, YAML under
`vulns/<package>/`) or an OSV export for PyPI (the JSON files of
`https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip`, unzipped).
Both are OSV records; pip-audit's PyPI service serves the same data.

A pin is affected when its version is in an advisory's `versions` list or
inside one of its ECOSYSTEM ranges. A range with an event OSV does not define
(some imported entries have an empty event after `introduced: 0`) is
ignored in favour of the `versions` list, because read literally it would
flag every release ever made. Withdrawn advisories are skipped; an advisory
seen under several ids (PYSEC, GHSA, CVE aliases) is counted once.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import yaml
from packaging.version import InvalidVersion, Version

PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;#\\]+)")


def normalise(name: str) -> str:
    """PEP 503 name: lowercase, runs of -_. as one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(lock: Path) -> Dict[str, str]:
    """`name==version` lines of a requirements file, by normalised name."""
    pins: Dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = PIN.match(line)
        if m:
            pins[normalise(m.group(1))] = m.group(2)
    return pins


@dataclass(frozen=True)
class Finding:
    """One advisory that affects one pin."""

    package: str
    version: str
    advisory: str
    aliases: Tuple[str, ...]
    fixed_in: Tuple[str, ...]
    summary: str


def _version(text: Any) -> Optional[Version]:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def in_range(version: Version, events: Sequence[Dict[str, Any]]) -> Optional[bool]:
    """Whether `version` falls in an OSV ECOSYSTEM range; None for a range OSV does not define."""
    known = {"introduced", "fixed", "last_affected", "limit"}
    if any(not isinstance(e, dict) or not set(e) & known for e in events):
        return None
    start: Optional[Version] = None
    open_interval = False
    for event in events:
        if "introduced" in event:
            intro = str(event["introduced"])
            start = Version("0") if intro == "0" else _version(intro)
            if start is None:
                return None
            open_interval = True
        elif open_interval and start is not None:
            end = _version(event.get("fixed") or event.get("last_affected") or event.get("limit"))
            if end is None:
                return None
            inclusive = "last_affected" in event
            if start <= version and (version <= end if inclusive else version < end):
                return True
            open_interval = False
    return bool(open_interval and start is not None and start <= version)


def affects(record: Dict[str, Any], package: str, pinned: str) -> bool:
    """Whether an OSV record affects `package` at version `pinned`."""
    version = _version(pinned)
    for entry in record.get("affected") or []:
        pkg = entry.get("package") or {}
        if pkg.get("ecosystem") != "PyPI" or normalise(pkg.get("name", "")) != package:
            continue
        if pinned in {str(v) for v in entry.get("versions") or []}:
            return True
        if version is None:
            continue
        for r in entry.get("ranges") or []:
            if r.get("type") == "ECOSYSTEM" and in_range(version, r.get("events") or []):
                return True
    return False


def fixed_versions(record: Dict[str, Any], package: str) -> Tuple[str, ...]:
    """Every `fixed` version the record names for `package`."""
    out: List[str] = []
    for entry in record.get("affected") or []:
        if normalise((entry.get("package") or {}).get("name", "")) != package:
            continue
        for r in entry.get("ranges") or []:
            out += [str(e["fixed"]) for e in r.get("events") or [] if isinstance(e, dict) and "fixed" in e]
    return tuple(dict.fromkeys(out))


def records(root: Path, packages: Optional[Iterable[str]] = None) -> Iterator[Dict[str, Any]]:
    """Every OSV record (YAML or JSON) under `root`; with `packages`, only records that name one of them.

    Parsing thousands of YAML files is most of the run, so a record whose text
    names none of `packages` (compared in normalised form) is not parsed.
    """
    wanted = set(packages) if packages is not None else None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".yaml", ".yml", ".json"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if wanted is not None:
            words = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", normalise(text)))
            if not words & wanted:
                continue
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=loader)
        except (ValueError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and "id" in data and "affected" in data:
            yield data


def audit(pins: Dict[str, str], advisories: Iterable[Dict[str, Any]]) -> List[Finding]:
    """The advisories affecting the pins, each counted once across its aliases."""
    findings: List[Finding] = []
    seen: set[Tuple[str, str]] = set()
    for record in advisories:
        if record.get("withdrawn"):
            continue
        names = {normalise((e.get("package") or {}).get("name", "")) for e in record.get("affected") or []}
        ids = (record["id"], *record.get("aliases", []))
        for package in sorted(names & set(pins)):
            if any((package, i) in seen for i in ids) or not affects(record, package, pins[package]):
                continue
            seen.update((package, i) for i in ids)
            findings.append(Finding(package, pins[package], record["id"], tuple(record.get("aliases", [])),
                                    fixed_versions(record, package),
                                    " ".join(str(record.get("summary") or record.get("details", "")).split())[:100]))
    return sorted(findings, key=lambda f: (f.package, f.advisory))


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Prints the affected pins; 2 when there is no database copy to read."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--advisories", type=Path, required=True, help="copy of the advisory database")
    parser.add_argument("--lock", type=Path, default=Path("requirements.lock"))
    parser.add_argument("--json", type=Path, default=None, help="also write the findings as JSON")
    args = parser.parse_args(argv)
    if not args.advisories.is_dir():
        print(f"no advisory database at {args.advisories}: clone https://github.com/pypa/advisory-database "
              "(or unzip OSV's PyPI/all.zip) and pass its folder", file=sys.stderr)
        return 2
    pins = read_pins(args.lock)
    read = list(records(args.advisories, pins))
    findings = audit(pins, read)
    # The copy's age: advisories published after its newest record are not covered.
    newest = max((str(r.get("modified", "")) for r in read), default="")
    for f in findings:
        fixed = ", ".join(f.fixed_in) or "no fix"
        print(f"{f.package}=={f.version}  {f.advisory}  fixed in: {fixed}  {f.summary}")
    packages = sorted({f.package for f in findings})
    print(f"\n{len(findings)} advisories affect {len(packages)} of {len(pins)} pins "
          f"({len(read)} advisories about pinned packages read, the newest modified {newest[:10] or 'unknown'}; "
          "later advisories are not covered)")
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in findings], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
