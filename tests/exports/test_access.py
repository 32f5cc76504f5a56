"""Who may see an export: only its requester, while they hold the role; never anonymous users."""

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from exports.models import Export
from tests.exports.conftest import build_queued, client_of, pages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cast", ["other_coordinator", "administrator", "mediator", "supervisor"])
def test_nobody_but_the_requester_sees_an_export(request, ask, cast):
    export = ask()
    build_queued()
    client = client_of(request.getfixturevalue(cast))

    for url in pages(export):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/exports/{export.pk}/retry/").status_code == 404
    assert f"/exports/{export.pk}/" not in client.get("/exports/").content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_the_list_shows_the_requester_their_own_exports_only(
    login, coordinator, ask, other_coordinator
):
    mine = ask()
    theirs = ask(by=other_coordinator)
    old = ask()
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now())

    html = login(coordinator).get("/exports/").content.decode()

    assert f'href="/exports/{mine.pk}/"' in html
    assert f'href="/exports/{theirs.pk}/"' not in html
    assert f'href="/exports/{old.pk}/"' not in html  # past its day
    assert "Trustees&#x27; summary (PDF)" in html
    assert "1 October 2025 to 31 December 2025" in html


def test_a_requester_who_lost_the_role_no_longer_sees_it(login, coordinator, ask):
    export = ask()
    build_queued()
    client = login(coordinator)
    coordinator.groups.clear()

    for url in pages(export):
        assert client.get(url).status_code == 404, url


def test_anonymous_users_cannot_open_an_export(client, ask):
    export = ask()

    for url in pages(export):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
