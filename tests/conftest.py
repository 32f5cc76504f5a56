"""The fixed cast of users, one per role (as healthchecks has alice, bob and charlie), and the
volunteers and cases the packages' tests start from.

Users: ``coordinator``, ``mediator``, ``other_mediator``, ``supervisor``, ``administrator``,
``admin_coordinator`` (staff with both roles), ``trainee_user`` (Tess Trainee) and
``no_role_user``. Volunteers: ``lead`` (``mediator``'s record, accredited), ``trainee`` (Tess's
record, supervised by ``supervisor``) and ``pair`` (Martin Hale and Grace Obi, no logins). Cases:
``case``, ``my_case``, ``mediator_active_case`` and ``active_case`` (paired, ready for
sessions). A module that needs one of these to be different overrides it, with a docstring
saying why."""

import pytest
from hypothesis import HealthCheck, settings

from accounts.roles import ADMINISTRATOR, COORDINATOR, MEDIATOR, SUPERVISOR
from tests.factories import (
    UserFactory,
    eligible_volunteer,
    forget_assignment_notices,
    ready_case,
)

# Hypothesis, for the whole suite: no deadline (a step may book, close and re-check a case), no
# example database in the tree, and few enough examples for the suite's five minutes. Tests that
# want a longer hunt say so with a profile: pytest --hypothesis-profile=rules-long tests/rules
settings.register_profile(
    "wkm",
    max_examples=10,
    stateful_step_count=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "rules-long", parent=settings.get_profile("wkm"), max_examples=400, stateful_step_count=50
)
settings.load_profile("wkm")

pytest_plugins = ["tests.celery_worker", "tests.axe_summary"]


def pytest_configure(config):
    from django.conf import settings

    # Fast hashing and plain static files: tests never need the production versions.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Serve static files from the source folders: tests never run collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    _flush_past_the_truncate_guard()

    # Tests create, migrate and empty databases, which only the owner of the tables may do: Django
    # runs as the owner (DATABASE_OWNER_URL, when there is one); tests/audit/test_db_roles.py acts
    # as the app's role to show what that role cannot do, and that the app still works.
    from audit.db_roles import use_owner

    use_owner()


def _flush_past_the_truncate_guard():
    """Emptying between tests that commit is a TRUNCATE of every table, which the audit table's
    trigger refuses to everyone (audit/models.py); the tests' own clean-up is let through."""
    import pgtrigger
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with pgtrigger.ignore("audit.AuditEvent:audit_no_truncate"):
            result = flush(self, sql_list)
        _seed_again()
        return result

    DatabaseOperations.execute_sql_flush = execute_sql_flush


def _seed_again():
    """Put back the reference data the data migrations seed (the Kent and Medway postcode
    districts, the editable lists), which a transactional test's flush empties: the tests that
    come after it in the same database expect the tables as a migrated database has them."""
    import importlib

    from django.apps import apps

    for module in (
        "reports.migrations.0002_kent_and_medway_and_case_districts",
        "cases.migrations.0012_editable_lists",
    ):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator", roles=[COORDINATOR])


@pytest.fixture
def mediator(db):
    return UserFactory(username="mediator", roles=[MEDIATOR])


@pytest.fixture
def other_mediator(db):
    return UserFactory(username="other_mediator", roles=[MEDIATOR])


@pytest.fixture
def supervisor(db):
    return UserFactory(username="supervisor", roles=[SUPERVISOR, MEDIATOR])


@pytest.fixture
def administrator(db):
    """Staff, with the Administrator role and the permissions its migration gives the role."""
    administrator_permissions()
    return UserFactory(username="admin", roles=[ADMINISTRATOR], is_staff=True)


def administrator_permissions() -> None:
    """The Administrator group as accounts/migrations/0004 leaves it, put back if a
    transactional test's flush emptied the tables since (post_migrate brings back the
    permissions, not the groups or what they hold)."""
    import importlib
    import pkgutil

    from django.apps import apps
    from django.contrib.auth.models import Group

    import accounts.migrations

    if Group.objects.filter(name=ADMINISTRATOR, permissions__isnull=False).exists():
        return
    (name,) = [
        module.name
        for module in pkgutil.iter_modules(accounts.migrations.__path__)
        if module.name.endswith("_administrator_permissions")
    ]
    importlib.import_module(f"accounts.migrations.{name}").grant(apps)
    # Given to the role by a later migration: the editable lists (cases.lists).
    importlib.import_module("cases.migrations.0012_editable_lists").grant(apps)


@pytest.fixture
def admin_coordinator(db):
    """Staff, Administrator and Coordinator, not a superuser: the admin's casework user."""
    administrator_permissions()
    return UserFactory(
        username="admin_coordinator", roles=[ADMINISTRATOR, COORDINATOR], is_staff=True
    )


@pytest.fixture
def admin_client(login, administrator):
    """The test client, logged in as ``administrator`` (who is not a superuser: the admin's
    pages are reached through the role's permissions)."""
    assert not administrator.is_superuser
    return login(administrator)


@pytest.fixture
def lists_seeded(db):
    """The editable lists' rows as migration 0012 made them (a transactional test elsewhere may
    have emptied them)."""
    from cases import lists

    lists.ensure_seeded()


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="norole")


@pytest.fixture
def trainee_user(db):
    """Tess Trainee's login (a mediator in training)."""
    return UserFactory(username="trainee", first_name="Tess", last_name="Trainee", roles=[MEDIATOR])


@pytest.fixture
def trainee(trainee_user, supervisor):
    """Tess's volunteer record: a trainee supervised by ``supervisor``, with a current DBS check
    and her training hours (she may be paired as a trainee)."""
    return eligible_volunteer(trainee_user, status="trainee", supervisor=supervisor)


@pytest.fixture
def lead(mediator):
    """``mediator``'s volunteer record: accredited for community cases, eligible to lead."""
    return eligible_volunteer(mediator)


def martin_and_grace():
    """Two eligible volunteers without logins, Martin Hale (lead) and Grace Obi (co-mediator),
    living apart (ME15 and TN4)."""
    return (
        eligible_volunteer(
            first_name="Martin", last_name="Hale", email="martin@example.org", postcode="ME15 6RT"
        ),
        eligible_volunteer(
            first_name="Grace", last_name="Obi", email="grace@example.org", postcode="TN4 9LH"
        ),
    )


@pytest.fixture
def pair(db):
    """(lead, co-mediator): Martin Hale and Grace Obi (``martin_and_grace``)."""
    return martin_and_grace()


@pytest.fixture
def mediator_active_case(mediator):
    """An active case whose parties have all consented, worked by ``mediator`` (who is on it
    without a pair's rules: tests of what a case's mediator may do, not of pairing)."""
    from tests.factories import assign

    case = ready_case(status="active")
    assign(case, mediator)
    return case


@pytest.fixture
def active_case(coordinator):
    """A case whose parties have consented, with Martin and Grace as its pair: sessions can be
    booked. The notices of their assignment are forgotten (tests/notifications tests those)."""
    from volunteers.services import assign_pair

    case = ready_case()
    lead, co = martin_and_grace()
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    forget_assignment_notices()
    case.refresh_from_db()
    return case


@pytest.fixture
def no_broker(monkeypatch):
    """Nothing goes to Redis's queue: what would be handed to the worker (an export's or an
    import's id) is noted in the list returned. tests/exports and tests/imports use it for every
    test; their test_worker.py modules override it where the broker is real."""
    from exports import services as exports
    from imports import services as imports

    handed = []
    monkeypatch.setattr(exports, "enqueue", handed.append)
    monkeypatch.setattr(imports, "enqueue", handed.append)
    return handed


@pytest.fixture(autouse=True)
def _force_login_verifies_two_factor(monkeypatch):
    """``client.force_login(user)`` gives a fully logged-in session: for coordinators,
    supervisors and administrators, verified with a second factor too (tests/two_factor.py)."""
    from django.test.client import ClientMixin

    from tests.two_factor import verify_session

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)


@pytest.fixture
def login(client):
    """Log ``user`` into the test client and return the client: a session as after password and,
    for those who need it, a two-factor code (``_force_login_verifies_two_factor``)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def case(db):
    """A case with two parties; ``mediator`` is not on it until a test assigns them."""
    from tests.factories import CaseFactory, PartyFactory

    case = CaseFactory()
    PartyFactory(case=case, full_name="Alice Carter", role="first_party", postcode="TN9 1AA")
    PartyFactory(case=case, full_name="Bob Dunn", role="other_party", postcode="TN9 1AB")
    return case


@pytest.fixture
def my_case(case, mediator):
    """``case`` with ``mediator`` assigned to it."""
    from tests.factories import assign

    assign(case, mediator)
    return case


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the banner caches the service settings)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Generated documents go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _texts_go_at_any_hour(request, monkeypatch):
    """The suite runs at any hour, and the dispatcher holds a text due in quiet hours until they
    end (notifications.dispatch._held_back): so, in a test that does not set the clock itself,
    sending is not held. Tests about quiet hours freeze the clock (the time_machine fixture)
    and get the real check; worker processes are told the same (test_outbox_integration)."""
    if "time_machine" in request.fixturenames:
        return
    from notifications import dispatch

    monkeypatch.setattr(dispatch, "quiet_hours_end", lambda moment: moment)
