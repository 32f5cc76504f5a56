"""The Django admin's forms, fed the same hostile input as the pages (DESIGN.md rule 13): never
a 500; either saved through the service (a redirect), or the form back with a message for each
problem and nothing saved — the admin writes only through the services (wkm.admin)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases.models import Case
from parties.models import Party
from sessions.models import ServiceSettings
from tests.conftest import administrator_permissions
from tests.factories import UserFactory, VolunteerFactory, ready_case
from volunteers.models import Volunteer

from .checks import submit
from .conftest import verified_login
from .fuzz import VALID_PARTY, named, party_hostile, party_valid, volunteer_form
from .strategies import (
    HOSTILE,
    SCRIPT,
    checkbox,
    form_data,
    hostile_choice,
    hostile_date,
    hostile_number,
    hostile_text,
    odd_text,
)

# What a refused form must not have written: any event but a view (a refused admin form shown
# again is a view of the row, and recorded as one).
WRITTEN_EVENTS = AuditEvent.objects.exclude(action=AuditEvent.Action.VIEW)


pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_staff(client):
    """The test client, logged in as an Administrator who is also a Coordinator (not a
    superuser): the one who may write case data in the admin."""
    administrator_permissions()
    user = UserFactory(
        username="admin_staff", roles=["Administrator", "Coordinator"], is_staff=True
    )
    return verified_login(client, user)


DISPUTE_TYPES = ("neighbour", "family", "parent_teen", "workplace", "community")

CASE_EDIT = form_data(
    valid={
        "dispute_type": st.sampled_from(DISPUTE_TYPES),
        "referral_source": st.sampled_from(["self", "housing", "police"]),
        "referrer_name": odd_text(),
        "received_on": st.sampled_from(["2026-11-02", "2000-01-01"]),
        "summary": named(),
        "risk_violence": checkbox,
        "risk_notes": odd_text(),
    },
    hostile={
        "dispute_type": hostile_choice(*DISPUTE_TYPES),
        "referral_source": hostile_choice("self", "housing", "police"),
        "referrer_name": hostile_text(),
        "referrer_organisation": hostile_text(),
        "referrer_contact": hostile_text(),
        "received_on": hostile_date(),
        "summary": hostile_text(),
        "risk_notes": hostile_text(),
        "coordinator": st.one_of(hostile_number(), hostile_text(8)),
    },
)


@HOSTILE
@given(data=CASE_EDIT)
@example(data={"dispute_type": "neighbour", "referral_source": "self", "summary": "x",
               "received_on": "0001-01-01"})  # fmt: skip
@example(data={"dispute_type": "parent_teen", "referral_source": "self", "summary": SCRIPT,
               "received_on": "2026-11-02"})  # fmt: skip
def test_admin_case_change(admin_staff, paired_case, data):
    before = Case.objects.filter(pk=paired_case.pk).values().get()

    response = submit(
        admin_staff,
        f"/admin/cases/case/{paired_case.pk}/change/",
        data,
        counted=[Case, WRITTEN_EVENTS],
    )

    if response.status_code == 200:
        assert Case.objects.filter(pk=paired_case.pk).values().get() == before


@pytest.fixture
def paired_case(coordinator):
    """A neighbour case with a community pair: parent/teen is refused by rule 3."""
    from tests.factories import eligible_volunteer
    from volunteers.services import assign_pair

    case = ready_case(dispute_type="neighbour")
    assign_pair(
        case=case, lead=eligible_volunteer(), co_mediator=eligible_volunteer(), by=coordinator
    )
    return case


PARTY_EDIT = form_data(valid=party_valid(), hostile=party_hostile())


@HOSTILE
@given(data=PARTY_EDIT)
@example(data={**VALID_PARTY, "full_name": "Bob\x00Dunn"})
def test_admin_party_change(admin_staff, case, data):
    party = case.parties.first()
    before = Party.objects.filter(pk=party.pk).values().get()

    response = submit(
        admin_staff,
        f"/admin/parties/party/{party.pk}/change/",
        data,
        counted=[Party, WRITTEN_EVENTS],
    )

    if response.status_code == 200:
        assert Party.objects.filter(pk=party.pk).values().get() == before


@HOSTILE
@given(data=st.data())
def test_admin_volunteer_add_and_change(admin_staff, data):
    values = data.draw(volunteer_form(UserFactory()))
    submit(
        admin_staff, "/admin/volunteers/volunteer/add/", values, counted=[Volunteer, WRITTEN_EVENTS]
    )

    volunteer = VolunteerFactory(status="applicant")
    before = Volunteer.objects.filter(pk=volunteer.pk).values().get()
    response = submit(
        admin_staff,
        f"/admin/volunteers/volunteer/{volunteer.pk}/change/",
        data.draw(volunteer_form(UserFactory())),
        counted=[Volunteer, WRITTEN_EVENTS],
    )
    if response.status_code == 200:
        assert Volunteer.objects.filter(pk=volunteer.pk).values().get() == before


HOME_VISITS = form_data(
    valid={
        "home_visits_suspended": checkbox,
        "home_visits_reason": named(),
        "home_visits_suspended_from": st.sampled_from(["", "2027-01-04"]),
        "home_visits_suspended_until": st.sampled_from(["", "2027-02-01"]),
    },
    hostile={
        "home_visits_reason": hostile_text(),
        "home_visits_suspended_from": hostile_date(),
        "home_visits_suspended_until": hostile_date(),
    },
)


@HOSTILE
@given(data=HOME_VISITS)
@example(data={"home_visits_suspended": "on", "home_visits_reason": "Storm",
               "home_visits_suspended_until": "2000-01-01"})  # fmt: skip
@example(data={"home_visits_suspended": "on", "home_visits_reason": " ",
               "home_visits_suspended_until": "9999-12-31"})  # fmt: skip
def test_admin_service_settings(admin_staff, data):
    ServiceSettings.objects.get_or_create(pk=1)
    before = ServiceSettings.objects.filter(pk=1).values().get()

    response = submit(
        admin_staff,
        "/admin/mediation_sessions/servicesettings/1/change/",
        data,
        counted=[ServiceSettings, WRITTEN_EVENTS],
        follow_success=False,  # to the list, which is a redirect to the one row
    )

    if response.status_code == 200:
        assert ServiceSettings.objects.filter(pk=1).values().get() == before


def user_form(groups):
    return form_data(
        valid={
            "username": st.sampled_from(["mediator", "m.hughes", "martin@wkm"]),
            "first_name": odd_text(),
            "email": st.sampled_from(["", "martin@example.org"]),
            "is_active": checkbox,
            "is_staff": checkbox,
            "groups": st.lists(st.sampled_from(groups), unique=True, max_size=3),
            "date_joined_0": "01/11/2026",
            "date_joined_1": "09:00:00",
        },
        hostile={
            "username": hostile_text(),
            "first_name": hostile_text(),
            "last_name": hostile_text(),
            "email": hostile_text(),
            "is_superuser": checkbox,
            "groups": st.lists(st.one_of(hostile_number(), hostile_text(8)), max_size=3),
            "date_joined_0": hostile_date(),
            "date_joined_1": hostile_text(8),
        },
    )


@HOSTILE
@given(data=st.data())
def test_admin_user_change(client, administrator, mediator, data):
    admin = verified_login(client, administrator)
    groups = [str(pk) for pk in Group.objects.values_list("pk", flat=True)]
    fields = ("username", "first_name", "last_name", "email", "is_active", "is_superuser")
    before = get_user_model().objects.filter(pk=mediator.pk).values(*fields).get()

    response = submit(
        admin,
        f"/admin/auth/user/{mediator.pk}/change/",
        data.draw(user_form(groups)),
        counted=[WRITTEN_EVENTS],
        saved={"audit.AuditEvent": 8},
    )

    after = get_user_model().objects.filter(pk=mediator.pk).values(*fields).get()
    if response.status_code == 200:
        assert after == before
    assert not after["is_superuser"]  # no way up for a non-superuser
