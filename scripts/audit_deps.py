"""Check the pinned dependencies against known security advisories, offline.

pip-audit (``make audit-deps``) asks PyPI's and OSV's services about each pinned version; where
they cannot be reached (as on the machines this project is built on, which reach only the
package registries) nothing else would check. This script compares the pinned versions with a
snapshot of the OSV advisories for the Python packages kept in the repository
(``security/advisories/pypi-osv.json``):

    python scripts/audit_deps.py check                  # requirements*.txt pins
    python scripts/audit_deps.py check --installed      # what this environment has installed too
    python scripts/audit_deps.py refresh                # where the network allows: a new snapshot

``check`` exits 0 when no pinned version is affected, 1 when one is (each is listed with the
advisory and the versions that fix it), and 2 when it cannot say: no snapshot, a snapshot older
than ``--max-age-days`` (default 90), or a pinned package the snapshot does not cover (added
after it was taken). A snapshot is the advisories of OSV's export for PyPI whose affected
package is one of ours, with the date it was taken and the packages it covers.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import sys
import urllib.request
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "security" / "advisories" / "pypi-osv.json"
REQUIREMENTS = sorted(ROOT.glob("requirements*.txt"))
OSV_EXPORT = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"

OK, AFFECTED, UNKNOWN = 0, 1, 2


@dataclass(frozen=True)
class Pin:
    name: str  # canonical (PEP 503)
    version: str
    source: str


@dataclass(frozen=True)
class Finding:
    pin: Pin
    advisory: str
    aliases: tuple[str, ...]
    summary: str
    fixed: tuple[str, ...]

    def __str__(self):
        names = ", ".join((self.advisory, *self.aliases))
        fixed = f"fixed in {', '.join(self.fixed)}" if self.fixed else "no fixed version known"
        return f"{self.pin.name} {self.pin.version} ({self.pin.source}): {names}; {fixed}. " + (
            self.summary or ""
        )


# --- What is pinned -------------------------------------------------------------------------


def read_pins(path: Path, seen: set[Path] | None = None) -> list[Pin]:
    """The ``name==version`` lines of a requirements file (and of the files it includes with
    ``-r``). A line not pinned to one version cannot be checked: ``unpinned`` names those."""
    seen = seen if seen is not None else set()
    path = path.resolve()
    if path in seen:
        return []
    seen.add(path)
    pins = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            pins += read_pins(path.parent / line.split(None, 1)[1], seen)
            continue
        requirement = line.split(";", 1)[0].strip()
        if "==" not in requirement or requirement.startswith("-"):
            continue
        name, version = (part.strip() for part in requirement.split("==", 1))
        name = name.split("[", 1)[0].strip()
        pins.append(Pin(canonicalize_name(name), version, path.name))
    return pins


def unpinned(path: Path) -> list[str]:
    """Requirement lines that are not pinned to one version (they cannot be checked)."""
    lines = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-") and "==" not in line:
            lines.append(f"{path.name}: {line}")
    return lines


def installed_pins() -> list[Pin]:
    """Every distribution installed in this environment, dependencies of dependencies too."""
    from importlib.metadata import distributions

    return [
        Pin(canonicalize_name(dist.metadata["Name"]), dist.version, "installed")
        for dist in distributions()
        if dist.metadata["Name"]
    ]


# --- The comparison -------------------------------------------------------------------------


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def in_range(version: Version, events: list[dict]) -> bool:
    """OSV's rule for an ECOSYSTEM range: walk its events in version order; a version is
    affected from an ``introduced`` (``"0"``: from the first) up to a ``fixed`` (excluded) or
    a ``last_affected`` (included)."""
    bounds = []
    for event in events:
        for kind, value in event.items():
            if kind not in ("introduced", "fixed", "last_affected"):
                continue  # "limit" is for git ranges
            bound = Version("0") if value == "0" else _version(str(value))
            if bound is not None:
                bounds.append((bound, kind))
    affected = False
    for bound, kind in sorted(bounds, key=lambda b: b[0]):
        if version < bound:
            break
        if kind == "introduced":
            affected = True
        elif kind == "fixed" or version > bound:  # last_affected is itself affected
            affected = False
    return affected


def affects(affected: dict, version: Version) -> bool:
    """Whether one ``affected`` entry of an OSV advisory covers ``version``."""
    listed = {_version(str(v)) for v in affected.get("versions", [])}
    if version in listed:
        return True
    return any(
        in_range(version, r.get("events", []))
        for r in affected.get("ranges", [])
        if r.get("type") in ("ECOSYSTEM", "SEMVER")
    )


def _fixed_versions(affected: dict) -> tuple[str, ...]:
    return tuple(
        str(e["fixed"])
        for r in affected.get("ranges", [])
        for e in r.get("events", [])
        if "fixed" in e
    )


def findings(pins: Iterable[Pin], advisories: Iterable[dict]) -> list[Finding]:
    """Each pinned version that an advisory (not withdrawn) says is affected."""
    by_name: dict[str, list[Pin]] = {}
    for pin in pins:
        by_name.setdefault(pin.name, []).append(pin)
    found = []
    for advisory in advisories:
        if advisory.get("withdrawn"):
            continue
        for affected in advisory.get("affected", []):
            package = affected.get("package", {})
            if package.get("ecosystem") != "PyPI":
                continue
            for pin in by_name.get(canonicalize_name(package.get("name", "")), []):
                version = _version(pin.version)
                if version is not None and affects(affected, version):
                    found.append(
                        Finding(
                            pin=pin,
                            advisory=advisory.get("id", "?"),
                            aliases=tuple(advisory.get("aliases", [])),
                            summary=(advisory.get("summary") or "").strip(),
                            fixed=_fixed_versions(affected),
                        )
                    )
    return sorted(set(found), key=lambda f: (f.pin.name, f.pin.version, f.advisory))


# --- The snapshot ---------------------------------------------------------------------------


def load_snapshot(path: Path) -> dict:
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def check(pins: list[Pin], snapshot: dict, *, today: datetime.date, max_age_days: int):
    """(exit status, lines to print)."""
    lines = []
    taken = snapshot.get("taken_on")
    if not taken:
        lines.append(
            "No advisory snapshot has been taken (security/advisories/README.md says why): "
            "nothing was checked. Run `make audit-deps` or `make audit-deps-refresh` where the "
            "network allows."
        )
        return UNKNOWN, lines
    status = OK
    age = (today - datetime.date.fromisoformat(taken)).days
    lines.append(f"Advisory snapshot taken on {taken} ({age} days ago), {snapshot.get('source')}.")
    if max_age_days and age > max_age_days:
        lines.append(
            f"The snapshot is over {max_age_days} days old: advisories published since are "
            "not known to it. Refresh it (`make audit-deps-refresh`) where the network allows."
        )
        status = UNKNOWN
    covered = {canonicalize_name(name) for name in snapshot.get("packages", [])}
    missing = sorted({pin.name for pin in pins} - covered)
    if missing:
        lines.append(
            "Not covered by the snapshot (added since it was taken; refresh it): "
            + ", ".join(missing)
        )
        status = UNKNOWN
    found = findings(pins, snapshot.get("advisories", []))
    for finding in found:
        lines.append(f"AFFECTED: {finding}")
    if found:
        return AFFECTED, lines
    checked = len({pin.name for pin in pins} - set(missing))
    lines.append(f"No known advisory affects the {checked} pinned packages the snapshot covers.")
    return status, lines


def select_advisories(export: zipfile.ZipFile, names: set[str]) -> list[dict]:
    """The advisories of OSV's PyPI export (a zip of one JSON file each) about ``names``."""
    chosen = []
    for member in export.namelist():
        if not member.endswith(".json"):
            continue
        advisory = json.loads(export.read(member))
        packages = {
            canonicalize_name(a.get("package", {}).get("name", ""))
            for a in advisory.get("affected", [])
            if a.get("package", {}).get("ecosystem") == "PyPI"
        }
        if packages & names:
            chosen.append(advisory)
    return sorted(chosen, key=lambda a: a.get("id", ""))


def refresh(names: set[str], *, out: Path, url: str = OSV_EXPORT, today: datetime.date) -> int:
    """Download OSV's PyPI export and keep the advisories about ``names``."""
    with urllib.request.urlopen(url, timeout=300) as response:  # noqa: S310 - a fixed https URL
        export = zipfile.ZipFile(io.BytesIO(response.read()))
    advisories = select_advisories(export, names)
    snapshot = {
        "source": f"OSV export for PyPI ({url})",
        "taken_on": today.isoformat(),
        "packages": sorted(names),
        "advisories": advisories,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n")
    print(f"{len(advisories)} advisories about {len(names)} packages written to {out}.")
    return OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["check", "refresh"])
    parser.add_argument("-r", "--requirements", type=Path, action="append")
    parser.add_argument("--installed", action="store_true", help="also what is installed here")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    parser.add_argument("--max-age-days", type=int, default=90, help="0: any age")
    args = parser.parse_args(argv)
    pins = []
    notes = []
    for path in args.requirements or REQUIREMENTS:
        pins += read_pins(path)
        notes += unpinned(path)
    if args.installed:
        pins += installed_pins()
    today = datetime.date.today()  # noqa: DTZ011 - a calendar date, the machine's own is fine
    if args.command == "refresh":
        return refresh({pin.name for pin in pins}, out=args.snapshot, today=today)
    snapshot = load_snapshot(args.snapshot)
    status, lines = check(pins, snapshot, today=today, max_age_days=args.max_age_days)
    for line in notes:
        print(f"Not pinned, so not checked: {line}")
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
