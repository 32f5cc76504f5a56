"""Review of issue 19, finding 7b: "Your exports" was hard to find (no link but from an export's
own page), and the page of a deleted file lowercased its title ("case list (csv)")."""

import datetime

import pytest
from django.utils import timezone

from exports.models import Export

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["coordinator", "mediator", "supervisor", "administrator"])
def test_every_role_that_can_make_exports_has_a_link_to_them(request, login, role):
    page = login(request.getfixturevalue(role)).get("/").content.decode()

    assert '<a class="nav-link" href="/exports/">Your exports</a>' in page


def test_a_user_with_no_role_has_no_link_to_exports(login, no_role_user):
    assert "Your exports" not in login(no_role_user).get("/", follow=True).content.decode()


def test_the_deleted_files_page_keeps_the_title_as_written(login, coordinator, ask):
    export = ask()
    Export.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    page = login(coordinator).get(f"/exports/{export.pk}/").content.decode()

    assert "Ask for trustees&#x27; summary (PDF) again" in page
