"""The outbox moved from mediation_sessions (Reminder, table mediation_sessions_reminder) to
notifications (OutboxMessage, table notifications_outboxmessage) with every row: the test
database is migrated back to before the move, a realistic outbox is written into the old table
through the historical models, and migrating forward must keep every row (same ids, same
values), move the content type with its permissions (so groups keep what they were given), and
go back and forward again just as well.

Transactional, since migrations cannot run inside the test's transaction; marked ``migrations``
so it can run alone (``-m migrations``). However it ends, the database is left migrated to the
latest state, which the other tests share.
"""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import OutboxMessage
from sessions.models import MediationSession
from tests.factories import PartyFactory, UserFactory, VolunteerFactory, ready_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migrations]

# Before the move: the outbox is mediation_sessions' Reminder, and notifications does not exist
# (nor does anything that depends on it: the executor unapplies those too).
BEFORE = [("mediation_sessions", "0005_reminder_rule_digest"), ("notifications", None)]
OLD_TABLE, NEW_TABLE = "mediation_sessions_reminder", "notifications_outboxmessage"


def migrate(targets):
    """Migrate the test database to ``targets``; return the apps (historical models) there."""
    state = MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    return state.apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture
def people():
    """Sessions, parties, volunteers and staff for the messages to be about and to: made at the
    latest state (their tables are not touched by the move)."""
    case = ready_case()
    alice, bob = case.parties.order_by("pk")
    start = timezone.now() + datetime.timedelta(days=3)
    sessions = [
        MediationSession.objects.create(
            case=case,
            kind=kind,
            mode="office",
            venue="WKM office",
            starts_at=start + datetime.timedelta(days=n),
            ends_at=start + datetime.timedelta(days=n, hours=2),
        )  # fmt: skip
        for n, kind in enumerate(["separate", "joint"])
    ]
    other = PartyFactory(case=ready_case(), full_name="Carol Evans", phone="+447700900123")
    return {
        "sessions": sessions,
        "parties": [alice, bob, other],
        "volunteers": [
            VolunteerFactory(first_name="Martin", status="mediator"),
            VolunteerFactory(first_name="Grace", status="mediator", phone="+447700900456"),
        ],
        "users": [UserFactory(username="coordinator-a"), UserFactory(username="coordinator-b")],
    }


def write_old_outbox(apps, people) -> list[dict]:
    """A realistic handful of every kind and status, written with the historical Reminder."""
    Reminder = apps.get_model("mediation_sessions", "Reminder")
    now = timezone.now()
    (separate, joint) = people["sessions"]
    alice, bob, carol = people["parties"]
    martin, grace = people["volunteers"]
    coordinator, other = people["users"]
    rows = []

    def add(kind, channel, status, *, days=0, **fields):
        due = now + datetime.timedelta(days=days)
        values = {
            "kind": kind, "channel": channel, "status": status, "due_at": due,
            "address": "someone@example.org" if channel == "email" else "+447700900999",
        }  # fmt: skip
        if status == "sent":
            values |= {
                "sent_at": due + datetime.timedelta(seconds=3), "attempts": 1,
                "provider_message_id": f"<wkm-reminder-{len(rows)}@example.org>",
            }  # fmt: skip
        # The historical model takes the ids: its foreign keys are to historical models.
        for link in ("session", "party", "volunteer", "user"):
            if link in fields:
                fields[f"{link}_id"] = fields.pop(link).pk
        rows.append(Reminder.objects.create(**(values | fields)))

    for session, lead in ((separate, 2880), (joint, 120)):
        context = {"first_name": "Alice", "venue": "WKM office", "starts": "Thu 10 Dec, 10:00"}
        add("session_reminder", "email", "sent", days=-40, session=session, party=alice,
            lead_minutes=lead, context=context, address="alice@example.org")  # fmt: skip
        add("session_reminder", "sms", "pending", days=2, session=session, party=bob,
            lead_minutes=lead, context={"first_name": "Bob"}, address="+447700900111")  # fmt: skip
        add("session_reminder", "email", "sending", session=session, volunteer=martin,
            lead_minutes=lead, attempts=1, claim_token=uuid.uuid4(),
            claimed_until=now + datetime.timedelta(minutes=5))  # fmt: skip
        add("session_reminder", "sms", "failed", days=-1, session=session, volunteer=grace,
            lead_minutes=lead, attempts=5, last_error="HTTP 503 from the SMS provider")  # fmt: skip
    add("session_reminder", "email", "cancelled", days=-3, session=joint, party=carol,
        last_error="Session rescheduled")  # fmt: skip
    add("session_cancelled", "email", "sent", days=-2, session=separate, party=alice,
        context={"first_name": "Alice", "starts": "Tue 8 Dec, 10:00"})  # fmt: skip
    add("session_cancelled", "sms", "pending", session=separate, party=bob)
    for user in (coordinator, other):
        add("dbs_expiry", "email", "sent", days=-1, user=user,
            context={"volunteers": [{"name": "Martin Hale", "state": "expiring"}], "count": 1},
            dedupe_key=f"dbs:{user.pk}:2026-12-06")  # fmt: skip
        add("follow_up", "email", "pending", user=user, context={"reference": "WKM-2026-0001"},
            dedupe_key=f"follow_up:{user.pk}:2026-12-07")  # fmt: skip
    add("unassigned_digest", "email", "sent", days=-7, user=coordinator,
        context={"cases": [{"reference": "WKM-2026-0002"}]},
        dedupe_key="unassigned:2026-W49")  # fmt: skip
    add("rule_digest", "email", "failed", days=-1, user=other, attempts=5,
        last_error="SMTP 421 try again later", dedupe_key="rules:2026-12-06")  # fmt: skip
    return list(Reminder.objects.order_by("pk").values())


def old_permissions(apps):
    """The outbox's content type and permissions as they were (mediation_sessions.reminder),
    and a group given its view permission."""
    content_types = apps.get_model("contenttypes", "ContentType")
    permissions = apps.get_model("auth", "Permission")
    groups = apps.get_model("auth", "Group")
    content_type, _ = content_types.objects.get_or_create(
        app_label="mediation_sessions", model="reminder"
    )
    for action in ("add", "change", "delete", "view"):
        permissions.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_reminder",
            defaults={"name": f"Can {action} reminder"},
        )
    readers = groups.objects.create(name="Outbox readers")
    readers.permissions.add(permissions.objects.get(codename="view_reminder"))
    return content_type.pk


def assert_moved(rows: list[dict], content_type_id: int) -> None:
    assert NEW_TABLE in tables() and OLD_TABLE not in tables()
    fields = list(rows[0])
    moved = list(OutboxMessage.objects.order_by("pk").values(*fields))
    assert moved == rows
    assert not OutboxMessage.objects.exclude(scrubbed_at=None).exists()
    content_type = ContentType.objects.get_for_model(OutboxMessage)
    # The same row, renamed: whatever pointed at it (permissions, admin log) still does.
    assert content_type.pk == content_type_id
    assert not ContentType.objects.filter(app_label="mediation_sessions", model="reminder")
    codenames = set(
        Permission.objects.filter(content_type=content_type).values_list("codename", flat=True)
    )
    assert codenames >= {"view_outboxmessage", "add_outboxmessage", "change_outboxmessage"}
    readers = Group.objects.get(name="Outbox readers")
    assert list(readers.permissions.values_list("codename", flat=True)) == ["view_outboxmessage"]
    member = UserFactory(username=f"reader-{uuid.uuid4().hex[:6]}")
    member.groups.add(readers)
    assert member.has_perm("notifications.view_outboxmessage")
    # New rows carry on from the old ids.
    new = OutboxMessage.objects.create(
        kind="follow_up", channel="email", user=member, address="reader@example.org",
        due_at=timezone.now(),
    )  # fmt: skip
    assert new.pk > rows[-1]["id"]
    new.delete()
    member.delete()


def test_the_move_keeps_every_row_and_permission_and_goes_back_and_forth(people):
    try:
        old_apps = migrate(BEFORE)
        assert OLD_TABLE in tables() and NEW_TABLE not in tables()
        rows = write_old_outbox(old_apps, people)
        assert len(rows) == 17
        assert {r["kind"] for r in rows} == {
            "session_reminder", "session_cancelled", "dbs_expiry", "follow_up",
            "unassigned_digest", "rule_digest",
        }  # fmt: skip
        assert {r["status"] for r in rows} == {"pending", "sending", "sent", "failed", "cancelled"}
        content_type_id = old_permissions(old_apps)

        migrate(latest())
        assert_moved(rows, content_type_id)

        # Back: the old table, with every row, and the old content type and permission names.
        old_apps = migrate(BEFORE)
        Reminder = old_apps.get_model("mediation_sessions", "Reminder")
        assert OLD_TABLE in tables() and NEW_TABLE not in tables()
        assert list(Reminder.objects.order_by("pk").values()) == rows
        content_type = ContentType.objects.get(pk=content_type_id)
        assert (content_type.app_label, content_type.model) == ("mediation_sessions", "reminder")
        assert list(
            Group.objects.get(name="Outbox readers").permissions.values_list("codename", flat=True)
        ) == ["view_reminder"]

        # And forward again.
        migrate(latest())
        assert_moved(rows, content_type_id)
    finally:
        migrate(latest())
