import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory

from audit.context import acting_in
from audit.models import AuditEvent
from audit.selectors import events_for_case
from audit.services import record_event
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_it_records_who_did_what_to_which_object_from_where(coordinator, mediator):
    request = RequestFactory().get("/cases/1/", REMOTE_ADDR="203.0.113.7")
    request.user = coordinator

    with acting_in(request):
        event = record_event(
            action=AuditEvent.Action.VIEW,
            obj=mediator,
            case_reference="WKM-2026-0001",
            detail={"tab": "notes"},
        )

    event.refresh_from_db()
    assert event.actor == coordinator
    assert event.actor_username == "coordinator"
    assert event.action == "view"
    assert event.object_type == "auth.user"
    assert event.object_id == str(mediator.pk)
    assert event.object_repr == f"User #{mediator.pk}"
    assert mediator.get_full_name() not in event.object_repr
    assert event.case_reference == "WKM-2026-0001"
    assert event.ip == "203.0.113.7"
    assert event.detail == {"tab": "notes"}
    assert event.at is not None


def test_it_uses_the_objects_own_audit_description_and_case_reference(coordinator):
    group = Group.objects.create(name="Anything")
    group.audit_repr = "Party #12"
    group.case_reference_for_audit = "WKM-2026-0042"

    event = record_event(action=AuditEvent.Action.CHANGE, actor=coordinator, obj=group)

    assert event.object_repr == "Party #12"
    assert event.case_reference == "WKM-2026-0042"
    assert list(events_for_case("WKM-2026-0042")) == [event]


def test_it_records_no_actor_for_an_anonymous_request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with acting_in(request):
        event = record_event(action=AuditEvent.Action.VIEW)

    assert event.actor is None
    assert event.actor_username == ""
    assert event.ip == "127.0.0.1"


def test_it_ignores_x_forwarded_for_unless_behind_a_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.2"
    )
    with acting_in(request):
        settings.TRUSTED_PROXIES = 0
        assert record_event(action=AuditEvent.Action.VIEW).ip == "10.0.0.1"

        # One proxy of ours: it appended 10.0.0.2; 198.51.100.9 came from the client, unchecked.
        settings.TRUSTED_PROXIES = 1
        assert record_event(action=AuditEvent.Action.VIEW).ip == "10.0.0.2"
        # Two (a CDN, then a load balancer): the CDN appended what it saw.
        settings.TRUSTED_PROXIES = 2
        assert record_event(action=AuditEvent.Action.VIEW).ip == "198.51.100.9"


def test_a_forged_forwarded_address_does_not_escape_the_lockout(settings, client, coordinator):
    """Twelve wrong passwords for twelve usernames, each with a different forged first
    address, behind one proxy: the lockout still counts them against the address the proxy
    saw (by username alone, none would lock)."""
    settings.TRUSTED_PROXIES = 1
    for n in range(12):
        client.post(
            "/accounts/login/",
            {"username": f"guess{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.7",
        )

    response = client.post(
        "/accounts/login/",
        {"username": "coordinator", "password": "correct horse battery staple"},
        HTTP_X_FORWARDED_FOR="203.0.113.99, 192.0.2.7",
    )
    assert response.status_code == 429


def test_it_keeps_the_event_untouched_when_the_user_is_deleted(coordinator):
    event = record_event(action=AuditEvent.Action.EXPORT, actor=coordinator)
    user_id = coordinator.pk

    coordinator.delete()

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id == user_id
    assert event.actor_username == "coordinator"


def test_outside_a_request_it_records_the_named_actor_and_no_address(coordinator):
    """Commands and tasks: who is named, from nowhere (and no request left over from before)."""
    event = record_event(action=AuditEvent.Action.EXPORT, actor=coordinator)

    assert event.actor == coordinator
    assert event.ip is None


def test_a_service_called_from_a_page_records_the_address_without_being_given_it(
    client, coordinator, settings
):
    """The middleware holds the request: a service several calls deep, given only ``by``,
    records where the change came from, and the forwarded address behind the proxy."""
    settings.TRUSTED_PROXIES = 1
    case = CaseFactory(
        status="closed",
        outcome="full_agreement",
        closed_on=datetime.date(2026, 11, 1),
        follow_up_on=datetime.date(2026, 12, 1),
    )
    client.force_login(coordinator)
    response = client.post(
        f"/cases/{case.reference}/follow-up-done/",
        HTTP_X_FORWARDED_FOR="198.51.100.4, 192.0.2.7",
    )
    assert response.status_code in (200, 302)
    event = AuditEvent.objects.filter(case_reference=case.reference, action="change").get()
    assert event.actor == coordinator
    assert event.ip == "192.0.2.7"
