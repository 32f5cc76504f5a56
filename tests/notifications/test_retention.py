"""Retention of messages that have gone: after OUTBOX_RETENTION_DAYS (90) a sent, failed or
cancelled message loses whom it went to and what it said, staff notices included; what is still
to go is never touched; the daily retention run does it, audited, and its dry run counts it."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from notifications import jobs, retention
from notifications.dispatch import dispatch_due
from notifications.models import OutboxMessage
from privacy import services, tasks
from privacy.export import subject_access_data
from tests.factories import DBSCheckFactory, PartyFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

ADDRESS = "carol.evans@example.org"
CONTEXT = {"first_name": "Carol", "venue": "Angel Centre", "reference": "WKM-2026-0042"}


def ago(days: int, hour: int = 10) -> datetime.datetime:
    """A London time ``days`` before today."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def party(case):
    """A third party on the root ``case``, with an email address of this module's own."""
    return PartyFactory(case=case, full_name="Carol Evans", email=ADDRESS)


@pytest.fixture
def message(party):
    """message(days, status="sent", **fields): a message to Carol that ended ``days`` ago."""

    def _message(days, status="sent", **fields):
        when = ago(days) if isinstance(days, int) else days
        values = {
            "kind": OutboxMessage.Kind.SESSION_REMINDER,
            "channel": OutboxMessage.Channel.EMAIL,
            "party": party,
            "address": ADDRESS,
            "context": CONTEXT,
            "due_at": when,
            "status": status,
            "sent_at": when if status == "sent" else None,
            "last_error": "550 mailbox carol.evans@example.org unavailable"
            if status == "failed"
            else "",
        }
        return OutboxMessage.objects.create(**(values | fields))

    return _message


def cleared(row) -> bool:
    row.refresh_from_db()
    return (row.address, row.context, row.last_error) == ("", {}, "") and row.scrubbed_at


def kept(row) -> bool:
    row.refresh_from_db()
    return row.address == ADDRESS and row.context == CONTEXT and row.scrubbed_at is None


def test_the_period_is_a_setting_of_90_days():
    from django.conf import settings

    assert settings.OUTBOX_RETENTION_DAYS == 90


def test_a_message_sent_over_90_days_ago_loses_address_and_context_a_newer_one_keeps_them(
    message,
):
    old = message(91)
    just_old = message(ago(91, hour=23))
    recent = message(89)
    # 90 days ago today: not yet *more* than 90 days (the cut is at local midnight).
    on_the_day = message(90)

    counts = retention.scrub_old_messages()

    assert counts == {"session_reminder": 2}
    assert cleared(old) and cleared(just_old)
    assert kept(recent) and kept(on_the_day)
    # What stays: that it went, how, when, to whom (the link), about what session.
    old.refresh_from_db()
    assert (old.kind, old.channel, old.status, old.party_id) == (
        "session_reminder", "email", "sent", old.party_id,
    )  # fmt: skip
    assert old.sent_at == ago(91) and old.due_at == ago(91)


def test_messages_still_to_go_are_never_cleared(message):
    backlog = message(200, status="pending")
    stuck = message(200, status="sending", claimed_until=ago(199))

    assert retention.scrub_old_messages() == {}
    assert kept(backlog) and kept(stuck)


def test_failed_and_cancelled_messages_count_from_when_they_were_due(message):
    failed = message(120, status="failed")
    cancelled = message(100, status="cancelled")
    # Cancelled long ago, for a session still to come: kept until 90 days after it was due.
    cancelled_ahead = message(-30, status="cancelled", created_at=ago(200))
    # Sent late (it waited in a backlog): counts from when it went.
    sent_late = message(100, sent_at=ago(30))

    assert retention.scrub_old_messages() == {"session_reminder": 2}
    assert cleared(failed) and cleared(cancelled)
    assert kept(cancelled_ahead) and kept(sent_late)


def test_staff_notices_lose_the_names_they_listed(coordinator, settings):
    soon = VolunteerFactory(first_name="Priya", last_name="Shah", status="mediator")
    DBSCheckFactory(volunteer=soon, issued_on=timezone.localdate() - datetime.timedelta(days=1080))
    assert jobs.queue_dbs_warnings() == 1
    dispatch_due(max_seconds=5)
    notice = OutboxMessage.objects.get(kind=OutboxMessage.Kind.DBS_EXPIRY)
    assert notice.status == "sent" and "Priya Shah" in json.dumps(notice.context)
    OutboxMessage.objects.filter(pk=notice.pk).update(due_at=ago(95), sent_at=ago(95))

    assert retention.scrub_old_messages() == {"dbs_expiry": 1}

    notice.refresh_from_db()
    assert notice.user == coordinator and notice.address == "" and notice.context == {}
    assert "Priya" not in json.dumps(list(OutboxMessage.objects.values()), default=str)


def test_the_setting_is_respected(message, settings):
    month_old, year_old = message(45), message(400)

    settings.OUTBOX_RETENTION_DAYS = 365
    assert retention.scrub_old_messages() == {"session_reminder": 1}
    assert kept(month_old) and cleared(year_old)

    settings.OUTBOX_RETENTION_DAYS = 30
    assert retention.scrub_old_messages() == {"session_reminder": 1}
    assert cleared(month_old)


def test_it_is_one_statement_however_many_messages(message, django_assert_max_num_queries):
    for days in range(91, 151):
        message(days)
    with django_assert_max_num_queries(4):  # savepoint, the UPDATE, the audit row, release
        assert retention.scrub_old_messages() == {"session_reminder": 60}
    assert not OutboxMessage.objects.filter(scrubbed_at__isnull=True).exists()


def test_the_daily_run_uses_the_index_of_messages_still_to_clear():
    """The plan, with sequential scans ruled out, reads the partial index: so the index's
    condition matches the query's, and the run reads only what it clears (at 2.2 million
    messages, 29 ms instead of 750)."""
    sql, params = retention.messages_due().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "outbox_retention_idx" in plan, plan


def test_the_dry_run_counts_by_kind_and_changes_nothing(message, coordinator):
    message(100)
    message(100, status="failed")
    message(100, user=coordinator, party=None, kind=OutboxMessage.Kind.FOLLOW_UP)
    message(10)
    before = list(OutboxMessage.objects.order_by("pk").values())
    events = AuditEvent.objects.count()

    assert retention.scrub_old_messages(dry_run=True) == {"follow_up": 1, "session_reminder": 2}
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)

    output = out.getvalue()
    assert "Dry run" in output
    assert "Would clear the address and context of 3 outbox message(s)" in output
    assert "Follow-up due 1" in output and "Session reminder 2" in output
    assert ADDRESS not in output and "Carol" not in output
    assert list(OutboxMessage.objects.order_by("pk").values()) == before
    assert AuditEvent.objects.count() == events


def test_the_retention_run_clears_them_audited_with_counts_only_and_once(message, coordinator):
    old, recent = message(100), message(10)
    staff = message(100, user=coordinator, party=None, kind=OutboxMessage.Kind.FOLLOW_UP)
    out = io.StringIO()

    call_command("apply_retention", stdout=out)

    assert "Cleared the address and context of 2 outbox message(s)" in out.getvalue()
    assert cleared(old) and cleared(staff) and kept(recent)
    event = AuditEvent.objects.get(object_repr="Outbox messages")
    assert event.action == "delete" and event.actor is None
    assert event.detail == {
        "cleared": "outbox retention",
        "days": 90,
        "messages": 2,
        "by_kind": {"follow_up": 1, "session_reminder": 1},
    }
    assert ADDRESS not in json.dumps(event.detail) and "Carol" not in json.dumps(event.detail)

    # Again: nothing more, and nothing more recorded.
    assert services.apply_retention(by=coordinator).outbox_messages == {}
    assert tasks.apply_retention()["outbox_messages"] == 0
    assert AuditEvent.objects.filter(object_repr="Outbox messages").count() == 1


def test_the_task_reports_how_many(message):
    message(100)
    message(100, status="cancelled")
    assert tasks.apply_retention() == {
        "cases": 0, "volunteers": 0, "outbox_messages": 2, "failed": 0,
    }  # fmt: skip


def test_a_failure_to_clear_is_reported_and_blocks_nothing_else(message, monkeypatch):
    old = message(100)

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "scrub_old_messages", broken)
    result = services.apply_retention()

    assert result.failed == ["Outbox messages"] and kept(old)


# --- What reads old messages copes with an empty address and context ---------------------------


def test_the_coordinators_failed_reminders_panel_shows_a_cleared_one(message, coordinator, login):
    failed = message(100, status="failed")
    retention.scrub_old_messages()
    assert cleared(failed)

    html = login(coordinator).get("/").content.decode()

    assert "Failed messages" in html and "Session reminder" in html
    assert ADDRESS not in html and "550 mailbox" not in html


def test_the_subject_access_copy_lists_a_cleared_message_without_an_address(
    message, party, coordinator
):
    message(100, channel="sms", address="+447700900123")
    message(10)
    retention.scrub_old_messages()
    sar = services.request_open(
        by=coordinator,
        fields={"subject_name": "Carol Evans", "requester": "Carol, by email",
                "requested_on": timezone.localdate()},
        parties=[party],
    )  # fmt: skip

    data = subject_access_data(sar)
    (section,) = data["cases"]
    assert [m["to"] for m in section["messages"]] == ["", ADDRESS]
    for fmt in ("json", "pdf"):
        assert services.request_export(sar=sar, by=coordinator, fmt=fmt)


def test_the_admin_shows_a_cleared_message(message, login):
    from accounts.roles import ADMINISTRATOR, COORDINATOR
    from tests.conftest import administrator_permissions
    from tests.factories import UserFactory

    administrator_permissions()
    staff = UserFactory(
        username="admin_coordinator", roles=[ADMINISTRATOR, COORDINATOR], is_staff=True
    )
    client = login(staff)
    old = message(100, user=staff, party=None, kind=OutboxMessage.Kind.DBS_EXPIRY)
    retention.scrub_old_messages()

    assert client.get("/admin/notifications/outboxmessage/").status_code == 200
    page = client.get(f"/admin/notifications/outboxmessage/{old.pk}/change/")
    assert page.status_code == 200 and ADDRESS not in page.content.decode()
