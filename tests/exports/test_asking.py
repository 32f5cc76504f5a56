"""Asking for an export: the summary's button and its POST, the period, who may ask, anonymous
users, the generic address, and a broker that is down."""

import datetime

import pytest

from audit.models import AuditEvent
from exports import services, tasks
from exports.models import Export
from tests.exports.conftest import Q4

pytestmark = pytest.mark.django_db


# --- Asking ---------------------------------------------------------------------------------------


def test_asking_for_the_summary_queues_an_export_and_goes_to_its_page(
    login, coordinator, no_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator).post("/reports/summary.pdf", Q4)

    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{export.pk}/"
    assert (export.requester, export.kind, export.status) == (
        coordinator,
        "trustees_summary",
        "queued",
    )
    assert export.parameters == Q4
    assert no_broker == [export.pk]  # handed to the worker once the request committed
    assert export.expires_at - export.created_at == datetime.timedelta(days=1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == coordinator
    assert (event.object_type, event.object_id) == ("exports.export", str(export.pk))
    assert event.detail == {
        "export": "trustees_summary", "report": "summary", "format": "pdf",
        "start": "2025-10-01", "end": "2025-12-31",
    }  # fmt: skip


def test_nothing_is_handed_to_the_worker_if_the_request_fails(
    login, coordinator, no_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        login(coordinator).post("/reports/summary.pdf", Q4)

    assert no_broker == []  # only on commit
    assert len(callbacks) == 1


def test_an_old_link_to_the_summary_shows_the_button_and_makes_nothing(login, coordinator):
    response = login(coordinator).get("/reports/summary.pdf", Q4)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post" action="/reports/summary.pdf">' in html
    assert 'name="start" value="2025-10-01"' in html and 'name="end" value="2025-12-31"' in html
    assert "1 October 2025 to 31 December 2025" in html
    assert not Export.objects.exists()


def test_the_report_pages_ask_for_the_summary_with_a_post(login, coordinator):
    html = login(coordinator).get("/reports/", Q4).content.decode()

    assert 'form="trustees-summary-form"' in html
    assert 'id="trustees-summary-form" method="post" action="/reports/summary.pdf"' in html
    assert 'href="/exports/"' in html


def test_a_bad_period_is_refused_and_nothing_is_made(login, coordinator):
    response = login(coordinator).post("/reports/summary.pdf", {"start": "2025-13-01"})

    assert response.status_code == 400
    assert not Export.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("cast", ["mediator", "supervisor"])
def test_only_coordinators_and_administrators_may_ask_for_the_summary(request, login, cast):
    response = login(request.getfixturevalue(cast)).post("/reports/summary.pdf", Q4)

    assert response.status_code == 403
    assert not Export.objects.exists()


def test_the_service_refuses_a_kind_the_user_may_not_have(mediator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.request_export(kind="trustees_summary", parameters=Q4, by=mediator)
    assert not Export.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.post("/reports/summary.pdf", Q4)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Export.objects.exists()


def test_asking_through_the_generic_address_uses_the_kind(login, coordinator, echo_kind):
    response = login(coordinator).post("/exports/new/", {"kind": "echo", "word": "pears"})

    export = Export.objects.get()
    assert response["Location"] == f"/exports/{export.pk}/"
    assert export.parameters == {"word": "pears"}
    assert login(coordinator).post("/exports/new/", {"kind": "nothing"}).status_code == 404


def test_a_broker_that_is_down_does_not_fail_the_page(
    login, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    from exports.services import enqueue as real_enqueue

    monkeypatch.setattr(services, "enqueue", real_enqueue)

    def down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.build_export, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator).post("/reports/summary.pdf", Q4)

    assert response.status_code == 302
    assert Export.objects.get().status == "queued"  # resume_exports hands it over later
