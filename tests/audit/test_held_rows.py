"""Audit events and timeline lines held back for a unit of work (audit.held_rows): written in one
INSERT at its end, in its transaction; dropped with it when it fails."""

import pytest
from django.db import transaction

from audit.models import AuditEvent
from audit.services import events_held, record_event, record_events
from cases import timeline
from cases.models import ContactLogEntry
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _events(coordinator, n):
    return [{"action": AuditEvent.Action.VIEW, "actor": coordinator} for _ in range(n)]


def test_held_events_are_written_together_when_the_unit_ends(
    coordinator, django_assert_num_queries
):
    before = AuditEvent.objects.count()
    # savepoint, one INSERT, release
    with django_assert_num_queries(3), transaction.atomic(), events_held():
        record_event(action=AuditEvent.Action.VIEW, actor=coordinator)
        record_events(_events(coordinator, 3))
        record_event(action=AuditEvent.Action.CHANGE, actor=coordinator)
    assert AuditEvent.objects.count() == before + 5


def test_held_lines_are_written_together_in_order(coordinator, django_assert_num_queries):
    case = CaseFactory()
    with django_assert_num_queries(3), transaction.atomic(), timeline.lines_held():
        timeline.log(case, "One.", by=coordinator)
        timeline.log_many(case, [("Two.", None, None), ("Three.", None, None)], by=coordinator)
    texts = list(case.log_entries.order_by("pk").values_list("text", flat=True))
    assert texts[-3:] == ["One.", "Two.", "Three."]


def test_a_failed_unit_writes_none_of_its_held_rows(coordinator):
    case = CaseFactory()
    before = (AuditEvent.objects.count(), ContactLogEntry.objects.count())
    with pytest.raises(ValueError), transaction.atomic(), events_held(), timeline.lines_held():
        record_event(action=AuditEvent.Action.VIEW, actor=coordinator)
        timeline.log(case, "Never written.", by=coordinator)
        raise ValueError
    assert (AuditEvent.objects.count(), ContactLogEntry.objects.count()) == before
    # and the next write, not held, goes straight in
    record_event(action=AuditEvent.Action.VIEW, actor=coordinator)
    assert AuditEvent.objects.count() == before[0] + 1


def test_nested_units_write_once_at_the_outermost_end(coordinator):
    before = AuditEvent.objects.count()
    with transaction.atomic(), events_held():
        with events_held():
            record_event(action=AuditEvent.Action.VIEW, actor=coordinator)
        assert AuditEvent.objects.count() == before  # still held
    assert AuditEvent.objects.count() == before + 1


def test_rows_are_held_only_inside_a_transaction(monkeypatch):
    """Outside one, nothing would roll the changes back with the dropped rows."""
    from types import SimpleNamespace

    from audit import held_rows

    outside = SimpleNamespace(in_atomic_block=False)
    monkeypatch.setattr(held_rows.transaction, "get_connection", lambda: outside)
    with pytest.raises(RuntimeError, match="transaction"), events_held():
        pass
