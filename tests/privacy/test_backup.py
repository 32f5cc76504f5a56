"""Backups: `make backup` / `make restore` (scripts/backup.py) round-trip the database."""

import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

from tests.celery_worker import database_url_for_workers
from tests.factories import ConsentFactory, ready_case

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup.py"
TABLES = (
    "cases_case",
    "parties_party",
    "parties_consent",
    "parties_partyevent",
    "audit_auditevent",
    "auth_user",
    "django_migrations",
)


def backup_module():
    spec = importlib.util.spec_from_file_location("wkm_backup_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(*args, url, **kwargs):
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_OWNER_URL": url}
    env.pop("YES", None)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        env=env, capture_output=True, text=True, timeout=120, **kwargs,
    )  # fmt: skip


def counts(url) -> dict[str, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        result = {}
        for table in TABLES:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            result[table] = cursor.fetchone()[0]
    conn.close()
    return result


@pytest.fixture
def scratch_url():
    """An empty database of its own, dropped afterwards."""
    url = database_url_for_workers()
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_restore_{uuid.uuid4().hex[:8]}"
    maintenance = psycopg2.connect(parts._replace(path="/postgres").geturl())
    maintenance.autocommit = True
    with maintenance.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with maintenance.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        maintenance.close()


def test_a_backup_restores_into_another_database(tmp_path, scratch_url, coordinator):
    case = ready_case(summary="Hedge height and parking across a shared drive.")
    ConsentFactory(party=case.parties.first(), kind="share_details")
    source = database_url_for_workers()
    dump = tmp_path / "wkm-test.dump"

    made = run_script("backup", "--output", dump, url=source)

    assert made.returncode == 0, made.stderr
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert oct(dump.stat().st_mode & 0o777) == "0o600"  # personal data: owner only
    restored = run_script("restore", dump, "--yes", url=scratch_url)
    assert restored.returncode == 0, restored.stderr
    expected = counts(source)
    assert expected["cases_case"] == 1 and expected["parties_party"] == 2
    assert counts(scratch_url) == expected
    with psycopg2.connect(scratch_url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT summary FROM cases_case")
        assert cursor.fetchone()[0] == "Hedge height and parking across a shared drive."
        # The append-only triggers come back with the data.
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pgtrigger_%'")
        assert cursor.fetchone()[0] > 20
    conn.close()

    # Restoring again over the restored copy (--clean) gives the same database.
    again = run_script("restore", dump, "--yes", url=scratch_url)
    assert again.returncode == 0, again.stderr
    assert counts(scratch_url) == expected
    # ... and the app's role no more rights on the audit trail than before (audit/db_roles.py).
    if settings.DATABASE_APP_ROLE:
        assert audit_rights(scratch_url, settings.DATABASE_APP_ROLE) == {"SELECT", "INSERT"}


def audit_rights(url, role) -> set[str]:
    rights = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT right_ FROM unnest(%s::text[]) AS right_"
            " WHERE has_table_privilege(%s, 'audit_auditevent', right_)",
            [list(rights), role],
        )
        held = {row[0] for row in cursor.fetchall()}
    conn.close()
    return held


def test_a_restore_asks_first(tmp_path, scratch_url):
    dump = tmp_path / "wkm-test.dump"
    assert run_script("backup", "--output", dump, url=database_url_for_workers()).returncode == 0

    refused = run_script("restore", dump, url=scratch_url, stdin=subprocess.DEVNULL)

    assert refused.returncode != 0 and "not restored" in refused.stderr
    with psycopg2.connect(scratch_url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone()[0] == 0
    conn.close()


def test_backups_are_named_by_time_under_var_backups(tmp_path, monkeypatch):
    module = backup_module()
    monkeypatch.setattr(module, "BACKUPS", tmp_path / "backups")
    monkeypatch.setenv("DATABASE_URL", database_url_for_workers())
    monkeypatch.delenv("DATABASE_OWNER_URL", raising=False)

    made = module.backup(module.database_url())

    assert made.parent == tmp_path / "backups"
    assert made.name.startswith("wkm-") and made.suffix == ".dump"
    assert not list(made.parent.glob("*.partial"))
    assert "secret" not in module.describe("postgres://u:secret@db.example:5432/wkm")


def test_wkm_pg_bin_chooses_the_client(tmp_path, monkeypatch):
    """deploy/ points WKM_PG_BIN at the server's own client: PostgreSQL 18's pg_restore, the
    default, cannot restore into a server older than 17."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text('#!/bin/sh\nwhile [ "$1" != --file ]; do shift; done\necho fake >"$2"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("WKM_PG_BIN", str(bin_dir))

    made = backup_module().backup("postgres://u@db.example:5432/wkm", tmp_path / "x.dump")

    assert made.read_text() == "fake\n"
