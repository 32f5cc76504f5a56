import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.roles import roles_of
from tests.conftest import administrator_permissions


@pytest.mark.django_db
def test_it_creates_one_login_per_role_with_the_given_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    administrator_permissions()  # as migrated (a transactional test may have flushed them)

    call_command("seed_demo")

    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"coordinator", "mediator", "trainee", "supervisor", "admin"}
    assert all(u.check_password("demo-pass-for-tests") for u in users.values())
    assert roles_of(users["coordinator"]) == {"Coordinator"}
    assert roles_of(users["supervisor"]) == {"Supervisor", "Mediator"}
    assert users["admin"].is_staff and not users["coordinator"].is_staff
    # Least privilege: the role's permissions, not a superuser's (README, break-glass).
    assert not users["admin"].is_superuser
    assert users["admin"].has_perm("auth.change_user")
    assert not users["admin"].has_perm("cases.view_case")


@pytest.mark.django_db
def test_it_loads_nothing_twice(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo")
    first = capsys.readouterr().out
    count = get_user_model().objects.count()

    call_command("seed_demo")
    second = capsys.readouterr().out

    assert get_user_model().objects.count() == count
    assert "shown only now" in first
    assert "already loaded" in second and "shown only now" not in second


@pytest.mark.django_db
def test_it_loads_realistic_cases_and_volunteers_through_the_services(monkeypatch):
    from cases.models import Case
    from volunteers.models import Volunteer

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo")

    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"referred", "awaiting_consent", "active", "closed"} <= statuses
    mediator = get_user_model().objects.get(username="mediator")
    assert Case.objects.visible_to(mediator).count() == 2
    assert Volunteer.objects.filter(user__username="trainee", status="trainee").exists()
    supervisor = get_user_model().objects.get(username="supervisor")
    assert supervisor.supervised_trainee_cases.count() == 1
    from notifications.models import OutboxMessage
    from sessions.models import MediationSession

    assert MediationSession.objects.filter(status="scheduled").count() == 2
    assert OutboxMessage.objects.filter(status="pending").exists()


@pytest.mark.django_db
def test_it_loads_referring_organisations_and_their_updates(monkeypatch):
    """A new user sees organisations on /referrers/, each demo case with an organisation is
    linked to it and its person, and the referrers whose parties consented are told (in the
    office's order: the consents come after "Start contacting parties")."""
    from cases.models import Case
    from notifications.models import OutboxMessage
    from referrers.models import Referrer

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo")

    assert Referrer.objects.count() == 4
    typed = Case.objects.exclude(referrer_organisation="")
    assert not typed.filter(referrer_person__isnull=True).exists()
    stages = set(
        OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REFERRER_UPDATE).values_list(
            "context__stage", flat=True
        )
    )
    assert {"accepted", "started", "closed"} <= stages
