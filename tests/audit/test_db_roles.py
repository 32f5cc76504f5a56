"""As the app's database role, the audit trail cannot be rewritten, emptied, switched off or
dropped, and the app still works (rule 12 of DESIGN.md; audit/db_roles.py).

Django runs the tests as the owner of the tables (it creates and empties databases). Here each
test switches its transaction to the app's role with ``SET LOCAL ROLE``: PostgreSQL then checks
every statement against that role's rights, as on the app's own connection. The role is the one
the migrations granted (``DATABASE_URL``'s, with the bundled servers), or, when the tests run
with only one role configured, a role made here and given the same grants.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_migrate
from django.db.utils import InternalError, ProgrammingError
from django.utils import timezone
from psycopg2 import sql

from audit.db_roles import grant_app_rights
from audit.models import AuditEvent
from audit.services import record_event
from cases.models import Case, ContactLogEntry

pytestmark = pytest.mark.django_db

INSUFFICIENT_PRIVILEGE = "42501"
SCRATCH_ROLE = "wkm_app_test"


def _quoted(name):
    with connection.cursor() as cursor:
        return sql.Identifier(name).as_string(cursor.cursor)


def _make_role(name):
    """A role like the app's, inside the test's transaction (so it goes with the rollback)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(
                f"CREATE ROLE {_quoted(name)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
            )


@pytest.fixture
def app_role():
    """The app's role, with the rights the migrations give it."""
    if settings.DATABASE_APP_ROLE:
        return settings.DATABASE_APP_ROLE  # granted by this test database's own migrate
    _make_role(SCRATCH_ROLE)
    grant_app_rights(connection, SCRATCH_ROLE)
    return SCRATCH_ROLE


@pytest.fixture
def as_app(app_role, coordinator):
    """The rest of the test runs as the app's role (until the test's transaction rolls back)."""
    record_event(action=AuditEvent.Action.VIEW, actor=coordinator, case_reference="WKM-2026-0001")
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {_quoted(app_role)}")
        cursor.execute("SELECT current_user, session_user")
        current, session = cursor.fetchone()
    assert current == app_role != session
    return app_role


def _refused(statement):
    """Run ``statement`` in a savepoint; return PostgreSQL's error code."""
    with (
        pytest.raises((ProgrammingError, InternalError)) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    return error.value.__cause__.pgcode


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET case_reference = 'WKM-0000-0000'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "DROP TABLE audit_auditevent",
        "DROP TRIGGER pgtrigger_audit_append_only_f6eda ON audit_auditevent",
        "ALTER TABLE audit_auditevent RENAME TO audit_gone",
        "CREATE TABLE audit_auditevent_copy (id int)",
        "TRUNCATE cases_case CASCADE",
    ],
)
def test_it_refuses_the_app_role_anything_that_rewrites_or_removes_the_trail(as_app, statement):
    """Each is refused for want of the right (42501), before any trigger is reached."""
    assert _refused(statement) == INSUFFICIENT_PRIVILEGE

    assert AuditEvent.objects.filter(case_reference="WKM-2026-0001").count() == 1


def test_it_lets_the_app_role_read_and_add_to_the_trail(as_app, coordinator):
    record_event(action=AuditEvent.Action.EXPORT, actor=coordinator, case_reference="WKM-2026-9")

    # The fixtures' own events (the case, the accounts made) are there too.
    assert {"WKM-2026-0001", "WKM-2026-9"} <= set(
        AuditEvent.objects.values_list("case_reference", flat=True)
    )


def test_the_app_still_works_as_the_app_role(as_app, login, coordinator, my_case, mediator):
    """Pages read and write cases, notes, sessions and the trail with no more than these rights."""
    client = login(mediator)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    page = client.get(f"/cases/{my_case.reference}/")
    added = client.post(
        f"/cases/{my_case.reference}/log/",
        {"kind": "call", "occurred_at": now, "text": "Rang Alice about Tuesday."},
    )
    listing = login(coordinator).get("/cases/")

    assert page.status_code == 200 and listing.status_code == 200
    assert added.status_code == 302, added.content.decode()[:2000]
    assert ContactLogEntry.objects.filter(case=my_case, text="Rang Alice about Tuesday.").exists()
    Case.objects.filter(pk=my_case.pk).update(summary="Changed by the app's role")
    assert AuditEvent.objects.filter(
        case_reference=my_case.reference, action=AuditEvent.Action.VIEW
    ).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == as_app  # every request above ran as the app's role


def test_migrate_grants_the_app_role_its_rights(settings):
    """The grants come from the post_migrate step itself, not only from the fixture above."""
    role = settings.DATABASE_APP_ROLE
    if not role:
        role = settings.DATABASE_APP_ROLE = SCRATCH_ROLE
        _make_role(role)
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {_quoted(role)}")
    audit = apps.get_app_config("audit")

    post_migrate.send(
        sender=audit, app_config=audit, verbosity=0, interactive=False, using="default", apps=apps
    )

    def may(table, right):
        with connection.cursor() as cursor:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, right])
            return cursor.fetchone()[0]

    assert may("cases_case", "UPDATE") and may("cases_case", "DELETE")
    assert may("audit_auditevent", "SELECT") and may("audit_auditevent", "INSERT")
    for right in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"):
        assert not may("audit_auditevent", right), right
    for right in ("TRUNCATE", "TRIGGER"):
        assert not may("cases_case", right), right


def test_the_owner_cannot_truncate_the_trail_either(coordinator):
    """The second guard: a BEFORE TRUNCATE trigger, for the role that has the right."""
    record_event(action=AuditEvent.Action.VIEW, actor=coordinator, case_reference="WKM-2026-0001")
    before = AuditEvent.objects.count()

    with (
        pytest.raises(InternalError, match="Cannot truncate"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")

    assert AuditEvent.objects.count() == before
