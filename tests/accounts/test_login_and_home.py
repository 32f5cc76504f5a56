import importlib
import re

import pytest
from django.contrib.auth.models import Group

from accounts.roles import ALL_ROLES
from tests.factories import TEST_PASSWORD


@pytest.mark.django_db
def test_it_creates_the_four_role_groups_by_migration():
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0001_roles")
    Group.objects.filter(name__in=ALL_ROLES).delete()

    migration.create_roles(apps, schema_editor=None)

    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)
    assert set(migration.ROLES) == set(ALL_ROLES)


@pytest.mark.django_db
def test_it_shows_a_login_form_with_labelled_fields(client):
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<label\s+for="id_username"[^>]*>\s*Username', html)
    assert re.search(r'<label\s+for="id_password"[^>]*>\s*Password', html)


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.parametrize(
    ("cast", "heading", "needs_code"),
    [
        ("coordinator", "Coordinator home", True),
        ("mediator", "My mediation work", False),
        ("supervisor", "Supervision", True),
        ("administrator", "Administration", True),
        ("no_role_user", "Your account has no role yet", False),
    ],
)
def test_it_lands_each_role_on_its_own_home_page(client, request, cast, heading, needs_code):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.two_factor import code_for

    user = request.getfixturevalue(cast)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=needs_code)

    response = client.post(
        "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )
    if needs_code:  # coordinators, supervisors and administrators give a code first
        assert response.redirect_chain[-1][0] == "/accounts/2fa/verify/?next=%2F"
        response = client.post(
            response.redirect_chain[-1][0], {"code": code_for(device)}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/"
    else:  # optional for them, and not turned on (the device was never confirmed)
        assert response.redirect_chain[-1][0] == "/"
    assert heading in response.content.decode()


def test_it_refuses_a_wrong_password_with_a_clear_message(client, coordinator):
    response = client.post("/accounts/login/", {"username": "coordinator", "password": "wrong"})

    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_logs_out_on_post(login, coordinator):
    client = login(coordinator)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_changes_a_password(login, coordinator):
    client = login(coordinator)
    new = "a much longer new passphrase"

    response = client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password(new)


def test_it_rejects_a_weak_new_password_and_keeps_the_old_one(login, coordinator):
    client = login(coordinator)

    response = client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )

    assert response.status_code == 200
    assert "too short" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(TEST_PASSWORD)


@pytest.mark.parametrize("cast", ["coordinator", "mediator", "supervisor", "no_role_user"])
def test_it_keeps_everyone_but_administrators_out_of_django_admin(login, request, cast):
    user = request.getfixturevalue(cast)
    user.is_staff = True  # even a staff flag set by mistake does not open the admin
    user.save()

    response = login(user).get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_lets_administrators_into_django_admin(login, administrator):
    response = login(administrator).get("/admin/")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("cast", "shows_admin_link"),
    [("coordinator", False), ("mediator", False), ("administrator", True)],
)
def test_it_shows_the_admin_link_only_to_administrators(login, request, cast, shows_admin_link):
    html = login(request.getfixturevalue(cast)).get("/").content.decode()

    assert ('href="/admin/"' in html) is shows_admin_link


def test_it_has_a_skip_link_and_an_en_gb_page(login, mediator):
    html = login(mediator).get("/").content.decode()

    assert '<html lang="en-GB">' in html
    assert 'href="#main"' in html


def test_it_shows_coordinators_their_cases_by_stage(login, coordinator, case):
    html = login(coordinator).get("/").content.decode()

    assert 'href="/cases/?status=referred"' in html
    assert re.search(r"<span[^>]*>1</span><br>Referred", html)


def test_it_shows_mediators_only_their_open_cases(login, mediator, my_case):
    from tests.factories import CaseFactory

    other = CaseFactory()

    html = login(mediator).get("/").content.decode()

    assert my_case.reference in html and other.reference not in html
