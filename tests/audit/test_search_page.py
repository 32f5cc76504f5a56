from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditEvent
from audit.services import record_event

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/audit/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/audit/"


@pytest.mark.parametrize("cast", ["mediator", "coordinator", "supervisor", "no_role_user"])
def test_it_refuses_everyone_but_administrators(login, request, cast):
    client = login(request.getfixturevalue(cast))

    assert client.get("/audit/").status_code == 403


def test_it_shows_administrators_the_trail_with_labelled_filters(login, administrator, mediator):
    record_event(action=AuditEvent.Action.EXPORT, actor=mediator, case_reference="WKM-2026-0007")
    client = login(administrator)

    response = client.get("/audit/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Exported" in html
    assert "WKM-2026-0007" in html
    for field in ["action", "actor", "case_reference", "date_from", "date_to"]:
        assert f'for="id_{field}"' in html
    assert "style=" not in html
    assert "<style" not in html


def _events(mediator, coordinator):
    at = datetime(2026, 3, 10, 12, 0, tzinfo=LONDON)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=at,
                action="view",
                actor=mediator,
                actor_username="mediator",
                case_reference="WKM-2026-0001",
            ),
            AuditEvent(
                at=at.replace(day=20),
                action="export",
                actor=coordinator,
                actor_username="coordinator",
                case_reference="WKM-2026-0002",
            ),
        ]
    )


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"action": "export"}, "WKM-2026-0002", "WKM-2026-0001"),
        ({"actor": "MEDIAT"}, "WKM-2026-0001", "WKM-2026-0002"),
        ({"case_reference": "wkm-2026-0002"}, "WKM-2026-0002", "WKM-2026-0001"),
        ({"date_from": "15/03/2026"}, "WKM-2026-0002", "WKM-2026-0001"),
        ({"date_to": "10/03/2026"}, "WKM-2026-0001", "WKM-2026-0002"),
    ],
)
def test_it_narrows_the_trail_with_filters(
    login, administrator, mediator, coordinator, query, shown, hidden
):
    _events(mediator, coordinator)
    client = login(administrator)

    html = client.get("/audit/", query).content.decode()

    assert shown in html
    assert hidden not in html


def test_it_explains_a_bad_date_instead_of_widening_the_search(
    login, administrator, mediator, coordinator
):
    _events(mediator, coordinator)
    client = login(administrator)

    html = client.get("/audit/", {"date_from": "31/02/2026"}).content.decode()

    assert "Enter a valid date" in html
    assert "WKM-2026-0001" not in html


def test_it_pages_the_trail_keeping_the_filters(login, administrator):
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="view", case_reference="WKM-2026-0003") for _ in range(51)]
    )
    client = login(administrator)

    html = client.get("/audit/", {"case_reference": "WKM-2026-0003"}).content.decode()

    assert "Page 1 of 2" in html
    assert "?case_reference=WKM-2026-0003&amp;page=2" in html


def test_it_uses_the_same_number_of_queries_for_5_or_60_events(
    login, administrator, mediator, django_assert_max_num_queries
):
    client = login(administrator)

    def add_events(n):
        AuditEvent.objects.bulk_create(
            [AuditEvent(action="view", actor=mediator, actor_username="mediator") for _ in range(n)]
        )

    add_events(5)
    with django_assert_max_num_queries(20) as five:
        assert client.get("/audit/").status_code == 200
    add_events(55)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert client.get("/audit/").status_code == 200
