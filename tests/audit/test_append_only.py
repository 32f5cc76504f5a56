"""The audit table refuses updates and deletes in the database itself (rule 12 of DESIGN.md)."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from audit.models import AuditEvent
from audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(coordinator):
    return record_event(
        action=AuditEvent.Action.VIEW, actor=coordinator, case_reference="WKM-2026-0001"
    )


def _unchanged(event):
    fresh = AuditEvent.objects.get(pk=event.pk)
    return (fresh.action, fresh.case_reference, fresh.actor_id) == (
        event.action,
        event.case_reference,
        event.actor_id,
    )


def test_it_refuses_a_raw_sql_update(event):
    with (
        pytest.raises(InternalError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET case_reference = %s WHERE id = %s",
            ["WKM-0000-0000", event.pk],
        )

    assert _unchanged(event)


def test_it_refuses_a_raw_sql_delete(event):
    with (
        pytest.raises(InternalError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_an_orm_update_delete_and_save(event):
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditEvent.Action.LOGIN)
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(InternalError), transaction.atomic():
        event.delete()
    event.case_reference = "WKM-0000-0000"
    with pytest.raises(InternalError), transaction.atomic():
        event.save()

    event.refresh_from_db()
    assert event.case_reference == "WKM-2026-0001"


def test_it_refuses_to_swap_or_clear_the_actor(event, mediator):
    for actor in (mediator, None):
        with pytest.raises(InternalError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(actor=actor)

    assert _unchanged(event)
