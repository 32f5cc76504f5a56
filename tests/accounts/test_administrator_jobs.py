"""A non-superuser Administrator does each of their jobs through the admin, with the
permissions accounts/migrations/0004 gives the role, and nothing of the casework."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ADMINISTRATOR, COORDINATOR, MEDIATOR
from audit.models import AuditEvent
from audit.services import record_event
from cases.models import ContactLogEntry
from notifications.models import OutboxMessage
from sessions.models import MediationSession, ServiceSettings
from tests.factories import (
    TEST_PASSWORD,
    UserFactory,
    VolunteerFactory,
    eligible_volunteer,
    ready_case,
)
from volunteers.models import TraineeCase
from volunteers.services import assign_pair

pytestmark = pytest.mark.django_db


def user_form(client, user, **changes) -> dict:
    """The admin's user form as an administrator is shown it, with ``changes``."""
    form = client.get(f"/admin/auth/user/{user.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value not in (None, False) and name != "password"
    }
    data["groups"] = [group.pk for group in user.groups.all()]
    data["date_joined_0"] = user.date_joined.strftime("%d/%m/%Y")
    data["date_joined_1"] = user.date_joined.strftime("%H:%M:%S")
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_the_admin_index_shows_the_jobs_and_no_casework(admin_client):
    html = admin_client.get("/admin/").content.decode()

    for path in (
        "/admin/auth/user/",
        "/admin/auth/group/",
        "/admin/mediation_sessions/servicesettings/",
        "/admin/volunteers/volunteer/",
        "/admin/volunteers/dbscheck/",
        "/admin/axes/accessattempt/",
        "/admin/otp_totp/totpdevice/",
        "/admin/audit/auditevent/",
        "/admin/django_celery_beat/periodictask/",
        "/admin/cases/listentry/",  # the editable lists (cases.lists)
    ):
        assert path in html, path
    for path in (
        "/admin/cases/case/",
        "/admin/cases/caseassignment/",
        "/admin/cases/contactlogentry/",
        "/admin/parties/",
        "/admin/mediation_sessions/mediationsession/",
    ):
        assert path not in html, path


def test_it_gives_a_user_a_role(admin_client, mediator):
    coordinator_role = Group.objects.get_or_create(name=COORDINATOR)[0]
    groups = [*mediator.groups.values_list("pk", flat=True), coordinator_role.pk]

    response = admin_client.post(
        f"/admin/auth/user/{mediator.pk}/change/", user_form(admin_client, mediator, groups=groups)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(mediator.groups.values_list("name", flat=True)) == {MEDIATOR, COORDINATOR}


def test_it_adds_a_user(admin_client):
    response = admin_client.post(
        "/admin/auth/user/add/",
        {"username": "newcomer", "password1": "a long new passphrase 7",
         "password2": "a long new passphrase 7", "usable_password": "true"},
    )  # fmt: skip

    assert response.status_code == 302
    assert UserFactory._meta.model.objects.filter(username="newcomer").exists()


def test_it_deactivates_a_user(admin_client, mediator):
    data = user_form(admin_client, mediator)
    data.pop("is_active")

    response = admin_client.post(f"/admin/auth/user/{mediator.pk}/change/", data)

    assert response.status_code == 302
    mediator.refresh_from_db()
    assert not mediator.is_active


def test_it_resets_a_second_factor(admin_client, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="Lost phone", confirmed=True)

    response = admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_it_lifts_a_lockout(admin_client, mediator):
    from django.test import Client

    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        stranger.post("/accounts/login/", {"username": "mediator", "password": f"wrong {n}"})
    attempt = AccessAttempt.objects.get(username="mediator")

    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="mediator").exists()
    login = stranger.post("/accounts/login/", {"username": "mediator", "password": TEST_PASSWORD})
    assert login.status_code == 302


def test_it_changes_the_service_settings(admin_client):
    ServiceSettings.objects.get_or_create(pk=1)

    response = admin_client.post(
        "/admin/mediation_sessions/servicesettings/1/change/",
        {"home_visits_suspended": "on", "home_visits_reason": "Storm damage"},
    )

    assert response.status_code == 302
    assert ServiceSettings.current().home_visits_reason == "Storm damage"


def test_it_edits_and_adds_a_volunteer(admin_client):
    volunteer = VolunteerFactory(first_name="Priya", status="applicant")
    data = {"first_name": "Priya", "last_name": "Shah", "email": "priya@example.org",
            "postcode": "tn9 1aa", "status": "inactive"}  # fmt: skip

    changed = admin_client.post(f"/admin/volunteers/volunteer/{volunteer.pk}/change/", data)
    added = admin_client.post("/admin/volunteers/volunteer/add/", {**data, "first_name": "Sam"})

    assert (changed.status_code, added.status_code) == (302, 302)
    volunteer.refresh_from_db()
    assert (volunteer.last_name, volunteer.postcode, volunteer.status) == (
        "Shah", "TN9 1AA", "inactive"
    )  # fmt: skip
    for path in ("dbscheck", "trainingrecord", "accreditation", "traineecase", "volunteerhours"):
        assert admin_client.get(f"/admin/volunteers/{path}/").status_code == 200


def test_it_reads_the_audit_trail_in_the_admin_without_changing_it(admin_client):
    record_event(action=AuditEvent.Action.EXPORT, case_reference="WKM-2026-0077")

    listing = admin_client.get("/admin/audit/auditevent/")

    assert listing.status_code == 200
    assert "WKM-2026-0077" in listing.content.decode()
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403


# --- What the role does not reach --------------------------------------------------------------


@pytest.fixture
def casework(case, coordinator):
    """One row of every kind of case data: {admin path: pk}."""
    start = timezone.now() + datetime.timedelta(days=2)
    session = MediationSession.objects.create(
        case=case, kind="separate", mode="office", starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )  # fmt: skip
    party = case.parties.first()
    notice = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.values[0], channel="email", address="coordinator@example.org",
        due_at=start, user=coordinator,
    )  # fmt: skip
    note = ContactLogEntry.objects.create(
        case=case, text="Alice says the hedge is 3 m.", occurred_at=timezone.now()
    )
    from parties.models import Consent

    consent = Consent.objects.create(party=party, kind="mediate", method="verbal", given_at=start)
    return {
        "cases/case": case.pk,
        "cases/contactlogentry": note.pk,
        "parties/party": party.pk,
        "parties/consent": consent.pk,
        "mediation_sessions/mediationsession": session.pk,
        "notifications/outboxmessage": notice.pk,  # a staff notice: no case, still casework
    }


def test_case_notes_and_party_details_answer_403(admin_client, casework):
    for path, pk in casework.items():
        for url in (
            f"/admin/{path}/",
            f"/admin/{path}/{pk}/change/",
            f"/admin/{path}/{pk}/history/",
        ):
            assert admin_client.get(url).status_code == 403, url
        assert admin_client.post(f"/admin/{path}/{pk}/change/", {}).status_code == 403, path


def test_no_permission_given_to_the_role_opens_the_casework(admin_client, casework):
    """The case-data admins ask for the Coordinator role, not a Django permission."""
    from django.contrib.auth.models import Permission

    everything = Permission.objects.filter(
        content_type__app_label__in=["cases", "parties", "mediation_sessions"]
    )
    Group.objects.get_or_create(name=ADMINISTRATOR)[0].permissions.add(*everything)

    for path, pk in casework.items():
        assert admin_client.get(f"/admin/{path}/{pk}/change/").status_code == 403, path


def test_the_role_holds_no_permission_on_case_data(administrator):
    held = Group.objects.get_or_create(name=ADMINISTRATOR)[0].permissions.values_list(
        "content_type__app_label", "codename"
    )
    case_data = {(app, code) for app, code in held if app in ("cases", "parties", "documents")}
    sessions = {code for app, code in held if app == "mediation_sessions"}
    # The editable lists (cases.lists) are the service's vocabulary, not anyone's case.
    lists = {("cases", "view_listentry"), ("cases", "add_listentry"), ("cases", "change_listentry")}

    assert case_data == lists
    assert sessions == {"view_servicesettings", "change_servicesettings"}
    assert ("auth", "delete_user") not in set(held)


def test_an_administrator_who_is_also_a_coordinator_sees_the_casework(login, casework):
    both = UserFactory(roles=[ADMINISTRATOR, COORDINATOR], is_staff=True)
    client = login(both)

    for path, pk in casework.items():
        page = client.get(f"/admin/{path}/{pk}/change/")
        assert page.status_code == 200, path
        assert page.context["original"].pk == pk, path  # the row itself, not an empty form


def test_a_trainee_case_shows_the_administrator_no_casework(admin_client, coordinator, login):
    case = ready_case()
    trainee = eligible_volunteer(status="trainee")
    assign_pair(case=case, lead=eligible_volunteer(), co_mediator=trainee, by=coordinator)
    trainee_case = TraineeCase.objects.get(trainee=trainee)
    TraineeCase.objects.filter(pk=trainee_case.pk).update(reflection="Alice cried at the visit.")
    url = f"/admin/volunteers/traineecase/{trainee_case.pk}/change/"

    assert "Alice cried" not in admin_client.get(url).content.decode()
    assert "Alice cried" in login(coordinator_admin()).get(url).content.decode()


def coordinator_admin():
    return UserFactory(username="both", roles=[ADMINISTRATOR, COORDINATOR], is_staff=True)


def test_it_cannot_make_anyone_a_superuser_or_touch_a_superuser(admin_client, administrator):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    data = user_form(admin_client, administrator, is_superuser="on")

    admin_client.post(f"/admin/auth/user/{administrator.pk}/change/", data)

    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert admin_client.get(f"/admin/auth/user/{root.pk}/change/").status_code == 200  # to view
    assert admin_client.post(f"/admin/auth/user/{root.pk}/change/", {}).status_code == 403
    password = {"password1": "taken over 1234", "password2": "taken over 1234"}
    assert admin_client.post(f"/admin/auth/user/{root.pk}/password/", password).status_code == 403
    root.refresh_from_db()
    assert root.check_password(TEST_PASSWORD)


def test_it_cannot_delete_users_or_change_the_roles_themselves(admin_client, mediator):
    role = Group.objects.get_or_create(name=MEDIATOR)[0]

    assert admin_client.get(f"/admin/auth/user/{mediator.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/auth/group/{role.pk}/change/").status_code == 200  # to view
    assert admin_client.post(f"/admin/auth/group/{role.pk}/change/", {}).status_code == 403
    assert admin_client.get("/admin/auth/group/add/").status_code == 403


def test_view_on_site_reveals_nothing_the_admin_would_not_show(admin_client, case, login):
    from django.contrib.contenttypes.models import ContentType

    from cases.models import Case

    url = f"/admin/r/{ContentType.objects.get_for_model(Case).pk}/{case.pk}/"

    assert admin_client.get(url).status_code == 404
    assert login(coordinator_admin()).get(url)["Location"].endswith(f"/cases/{case.reference}/")
