"""The offline check of pinned versions against a snapshot of advisories (scripts/audit_deps.py),
on a tiny snapshot made here: an affected pin is reported, an unaffected one is not, and a check
that cannot say (no snapshot, an old one, a package it does not cover) never passes."""

import datetime
import importlib.util
import io
import json
import sys
import zipfile

import pytest
from django.conf import settings

SCRIPT = settings.BASE_DIR / "scripts" / "audit_deps.py"
TODAY = datetime.date(2026, 12, 7)


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("wkm_audit_deps", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def advisory(id, name, events=(), versions=(), **extra):
    return {
        "id": id,
        "aliases": [f"CVE-{id}"],
        "summary": f"Something wrong in {name}",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": list(events)}] if events else [],
                "versions": list(versions),
            }
        ],
        **extra,
    }


SNAPSHOT = {
    "source": "a test snapshot",
    "taken_on": "2026-12-01",
    "packages": ["django", "redis", "qrcode"],
    "advisories": [
        # Django 5.2 before 5.2.20: our pin 5.2.19 is affected.
        advisory("A-1", "Django", [{"introduced": "5.2"}, {"fixed": "5.2.20"}]),
        # Only 4.x: not ours.
        advisory("A-2", "django", [{"introduced": "4.0"}, {"fixed": "4.2.30"}]),
        # Up to and including 8.0.0 ("last_affected"): redis 8.1.0 is not.
        advisory("A-3", "redis", [{"introduced": "0"}, {"last_affected": "8.0.0"}]),
        # Withdrawn: ignored even though it names our version.
        advisory("A-4", "qrcode", versions=["8.2"], withdrawn="2026-11-01T00:00:00Z"),
        # Another ecosystem with the same name: ignored.
        {
            "id": "A-5",
            "affected": [{"package": {"ecosystem": "npm", "name": "redis"}, "versions": ["8.1.0"]}],
        },
    ],
}


def pins(audit, tmp_path, text="Django==5.2.19\nredis==8.1.0  # comment\nqrcode==8.2\n"):
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return audit.read_pins(path)


def test_an_affected_pin_is_reported_and_an_unaffected_one_is_not(audit, tmp_path):
    status, lines = audit.check(pins(audit, tmp_path), SNAPSHOT, today=TODAY, max_age_days=90)

    assert status == audit.AFFECTED
    affected = [line for line in lines if line.startswith("AFFECTED")]
    assert affected == [
        "AFFECTED: django 5.2.19 (requirements.txt): A-1, CVE-A-1; fixed in 5.2.20. "
        "Something wrong in Django"
    ]


def test_with_nothing_affected_it_passes_and_says_what_it_checked(audit, tmp_path):
    fixed = pins(audit, tmp_path, "Django==5.2.20\nredis==8.1.0\n")
    status, lines = audit.check(fixed, SNAPSHOT, today=TODAY, max_age_days=90)

    assert status == audit.OK
    assert lines[0] == "Advisory snapshot taken on 2026-12-01 (6 days ago), a test snapshot."
    assert lines[-1] == "No known advisory affects the 2 pinned packages the snapshot covers."


@pytest.mark.parametrize(
    ("version", "affected"),
    [("4.9", False), ("5.0", True), ("5.1.3", True), ("5.2", False), ("6.0", True), ("6.1", True)],
)
def test_ranges_follow_osvs_rules(audit, version, affected):
    events = [
        {"introduced": "6.0"},
        {"last_affected": "6.1"},
        {"introduced": "5.0"},
        {"fixed": "5.2"},
    ]

    assert audit.in_range(audit.Version(version), events) is affected


def test_without_a_snapshot_nothing_passes(audit, tmp_path):
    shipped = json.loads((settings.BASE_DIR / "security/advisories/pypi-osv.json").read_text())

    for snapshot in ({}, shipped):
        status, lines = audit.check(pins(audit, tmp_path), snapshot, today=TODAY, max_age_days=90)
        assert status == audit.UNKNOWN and "nothing was checked" in lines[0]


def test_an_old_snapshot_or_a_package_it_does_not_cover_is_not_a_pass(audit, tmp_path):
    fine = pins(audit, tmp_path, "Django==5.2.20\n")

    status, lines = audit.check(fine, SNAPSHOT, today=TODAY, max_age_days=3)
    assert status == audit.UNKNOWN and "over 3 days old" in lines[1]

    status, lines = audit.check(
        fine + pins(audit, tmp_path, "weasyprint==70.0\n"), SNAPSHOT, today=TODAY, max_age_days=90
    )
    assert status == audit.UNKNOWN
    assert "Not covered by the snapshot (added since it was taken; refresh it): weasyprint" in lines


def test_it_reads_pins_through_included_files_with_extras_and_names_the_unpinned(audit, tmp_path):
    (tmp_path / "base.txt").write_text("celery[redis]==5.7.0\nsome-lib>=1.0\n")
    (tmp_path / "dev.txt").write_text("-r base.txt\nDjango_Filter==26.2 ; python_version>'3'\n")

    found = {(p.name, p.version) for p in audit.read_pins(tmp_path / "dev.txt")}

    assert found == {("celery", "5.7.0"), ("django-filter", "26.2")}
    assert audit.unpinned(tmp_path / "base.txt") == ["base.txt: some-lib>=1.0"]


def test_a_refresh_keeps_only_the_advisories_about_our_packages(audit):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as export:
        for item in SNAPSHOT["advisories"] + [advisory("B-1", "flask", [{"introduced": "0"}])]:
            export.writestr(f"{item['id']}.json", json.dumps(item))

    chosen = audit.select_advisories(zipfile.ZipFile(buffer), {"django", "qrcode"})

    assert [a["id"] for a in chosen] == ["A-1", "A-2", "A-4"]


def test_a_refreshed_snapshot_is_what_the_check_reads(audit, tmp_path):
    export = tmp_path / "all.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for item in SNAPSHOT["advisories"]:
            archive.writestr(f"{item['id']}.json", json.dumps(item))
    out = tmp_path / "advisories" / "pypi-osv.json"

    audit.refresh({"django"}, out=out, url=export.as_uri(), today=TODAY)

    snapshot = audit.load_snapshot(out)
    assert (snapshot["taken_on"], snapshot["packages"]) == ("2026-12-07", ["django"])
    affected = pins(audit, tmp_path, "Django==5.2.19\n")
    status, lines = audit.check(affected, snapshot, today=TODAY, max_age_days=90)
    assert status == audit.AFFECTED and "A-1" in lines[-1]


def test_the_project_pins_are_all_read(audit):
    names = {pin.name for pin in audit.read_pins(settings.BASE_DIR / "requirements.txt")}

    assert {"django", "weasyprint", "celery", "django-axes"} <= names
