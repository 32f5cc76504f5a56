"""The admin is audited (rule 12): what it shows of personal or case data, and every change of
who may get in (roles, active and staff flags, password, second factor), found at /audit/."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import COORDINATOR, MEDIATOR
from audit.models import AuditEvent
from cases.models import ContactLogEntry
from notifications.models import OutboxMessage
from sessions.models import MediationSession
from tests.factories import TEST_PASSWORD, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def views(**filters):
    return AuditEvent.objects.filter(action=Action.VIEW, detail__has_key="admin", **filters)


def audit_page(client, **query) -> str:
    response = client.get("/audit/", query)
    assert response.status_code == 200
    return response.content.decode()


# --- What the admin shows ---------------------------------------------------------------------


@pytest.fixture
def case_rows(case, coordinator):
    """A note, a session and its reminder on ``case``: {admin path: row}."""
    start = timezone.now() + datetime.timedelta(days=3)
    session = MediationSession.objects.create(
        case=case, kind="separate", mode="office", starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )  # fmt: skip
    return {
        "cases/case": case,
        "parties/party": case.parties.first(),
        "cases/contactlogentry": ContactLogEntry.objects.create(
            case=case, text="Called Alice.", occurred_at=timezone.now(), author=coordinator
        ),
        "mediation_sessions/mediationsession": session,
        "notifications/outboxmessage": OutboxMessage.objects.create(
            session=session,
            kind=OutboxMessage.Kind.values[0],
            channel="email",
            address="coordinator@example.org",
            due_at=start,
            user=coordinator,
        ),  # fmt: skip
    }


@pytest.mark.parametrize(
    "path",
    [
        "cases/case",
        "parties/party",
        "cases/contactlogentry",
        "mediation_sessions/mediationsession",
        "notifications/outboxmessage",
    ],
)
def test_opening_a_row_of_case_data_in_the_admin_is_audited(
    login, admin_coordinator, case, case_rows, path
):
    row = case_rows[path]
    client = login(admin_coordinator)

    assert client.get(f"/admin/{path}/{row.pk}/change/").status_code == 200
    assert client.get(f"/admin/{path}/{row.pk}/history/").status_code == 200

    shown = views(object_type=row._meta.label_lower, object_id=str(row.pk))
    assert [(e.actor, e.case_reference, e.detail) for e in shown.order_by("id")] == [
        (admin_coordinator, case.reference, {"admin": "change page"}),
        (admin_coordinator, case.reference, {"admin": "history"}),
    ]
    html = audit_page(client, action="view", through_admin="on")
    assert escape(shown.first().object_repr) in html


def test_a_list_in_the_admin_records_its_filters_not_its_rows(login, admin_coordinator, case):
    client = login(admin_coordinator)

    response = client.get("/admin/cases/case/", {"status": "new", "q": "Dunn"})

    assert response.status_code == 200
    event = views().get()
    assert event.detail == {
        "admin": "list",
        "list": "cases.case",
        "filters": {"status": ["new"], "q": ["(search text given)"]},
    }
    assert event.case_reference == "" and event.object_id == ""
    assert "Dunn" not in str(event.detail)  # a name searched for never reaches the trail
    assert "List of cases" in audit_page(client, through_admin="on")


def test_opening_a_user_or_a_volunteer_in_the_admin_is_audited(login, administrator, mediator):
    volunteer = VolunteerFactory()
    client = login(administrator)

    client.get(f"/admin/auth/user/{mediator.pk}/change/")
    client.get(f"/admin/volunteers/volunteer/{volunteer.pk}/change/")
    client.get("/admin/volunteers/dbscheck/")

    assert views(object_type="auth.user", object_id=str(mediator.pk)).exists()
    assert views(object_type="volunteers.volunteer", object_id=str(volunteer.pk)).exists()
    assert views(detail__list="volunteers.dbscheck").exists()


def test_the_through_the_admin_filter_leaves_out_the_pages(login, administrator, coordinator, case):
    login(coordinator).get(f"/cases/{case.reference}/")
    client = login(administrator)
    client.get(f"/admin/auth/user/{coordinator.pk}/change/")

    html = audit_page(client, action="view", through_admin="on")

    assert f"User #{coordinator.pk}" in html
    assert case.reference not in html
    assert case.reference in audit_page(client, action="view")


# --- Who may get in ----------------------------------------------------------------------------


def user_form(client, user, **changes) -> dict:
    """The admin's user form as shown, with ``changes``."""
    form = client.get(f"/admin/auth/user/{user.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and name not in ("password", "last_login")
    }
    data["groups"] = [g.pk for g in user.groups.all()]
    data.pop("user_permissions", None)
    data["date_joined_0"] = user.date_joined.strftime("%d/%m/%Y")
    data["date_joined_1"] = user.date_joined.strftime("%H:%M:%S")
    for name in ("is_active", "is_staff", "is_superuser"):
        if data.get(name) is False:
            data.pop(name)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_giving_a_role_in_the_admin_is_audited_and_found(login, administrator, mediator):
    client = login(administrator)
    coordinator_role = Group.objects.get_or_create(name=COORDINATOR)[0]
    groups = [g.pk for g in mediator.groups.all()] + [coordinator_role.pk]

    response = client.post(
        f"/admin/auth/user/{mediator.pk}/change/", user_form(client, mediator, groups=groups)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(
        action=Action.ROLES_CHANGE, object_id=str(mediator.pk), detail__admin="change"
    )
    assert event.actor == administrator
    assert event.detail == {"added": ["Coordinator"], "admin": "change"}
    html = audit_page(client, action="roles_change")
    assert f"User #{mediator.pk}" in html and "Coordinator" in html


def test_deactivating_an_account_in_the_admin_is_audited(login, administrator, mediator):
    client = login(administrator)
    data = user_form(client, mediator)
    data.pop("is_active")

    client.post(f"/admin/auth/user/{mediator.pk}/change/", data)

    event = AuditEvent.objects.get(
        action=Action.ACCOUNT_CHANGE, object_id=str(mediator.pk), detail__admin="change"
    )
    assert (event.actor, event.detail) == (administrator, {"is_active": False, "admin": "change"})
    assert f"User #{mediator.pk}" in audit_page(client, action="account_change")


def test_a_password_set_in_the_admin_is_audited(login, administrator, mediator):
    client = login(administrator)

    response = client.post(
        f"/admin/auth/user/{mediator.pk}/password/",
        {"password1": "a new long passphrase 42", "password2": "a new long passphrase 42",
         "set_usable_password": "true"},
    )  # fmt: skip

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.PASSWORD_CHANGE, object_id=str(mediator.pk))
    assert (event.actor, event.detail) == (administrator, {"password": "set", "admin": "change"})


def test_resetting_a_second_factor_in_the_admin_is_audited(login, administrator, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)
    client = login(administrator)

    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    event = AuditEvent.objects.get(
        action=Action.TWO_FACTOR_CHANGE, object_id=str(coordinator.pk), detail__change="removed"
    )
    assert event.actor == administrator
    assert f"User #{coordinator.pk}" in audit_page(client, action="two_factor_change")


def test_account_changes_are_audited_whatever_makes_them(db):
    """Signals, not the admin's views: a command, the shell or a page is caught too."""
    user = UserFactory(roles=[MEDIATOR])
    coordinator_role = Group.objects.get_or_create(name=COORDINATOR)[0]

    user.groups.add(coordinator_role)
    coordinator_role.user_set.remove(user)
    user.groups.clear()
    user.is_staff = True
    user.save()
    user.set_password("another long passphrase")
    user.save()
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)

    events = AuditEvent.objects.filter(object_type="auth.user", object_id=str(user.pk))
    assert [(e.action, e.detail) for e in events.order_by("id")] == [
        (Action.ACCOUNT_CHANGE, {"created": True, "is_active": True, "is_staff": False,
                                 "is_superuser": False}),
        (Action.ROLES_CHANGE, {"added": ["Mediator"]}),
        (Action.ROLES_CHANGE, {"added": ["Coordinator"]}),
        (Action.ROLES_CHANGE, {"removed": ["Coordinator"]}),
        (Action.ROLES_CHANGE, {"removed": ["Mediator"]}),
        (Action.ACCOUNT_CHANGE, {"is_staff": True}),
        (Action.PASSWORD_CHANGE, {"password": "set"}),
        (Action.TWO_FACTOR_CHANGE, {"device": "authenticator app", "change": "added"}),
    ]  # fmt: skip
    assert all(e.actor is None for e in events)


def test_logging_in_is_no_account_change(client, mediator):
    before = AuditEvent.objects.filter(action=Action.ACCOUNT_CHANGE).count()

    client.post("/accounts/login/", {"username": "mediator", "password": TEST_PASSWORD})

    assert AuditEvent.objects.filter(action=Action.ACCOUNT_CHANGE).count() == before
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE).exists()
