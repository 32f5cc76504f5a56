"""The admin writes through the services (wkm.admin.ServiceAdminMixin): a rule the service
refuses is a message next to the field, never a 500, and nothing is saved."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import COORDINATOR
from audit.models import AuditEvent
from cases.models import Case
from sessions.models import ServiceSettings
from tests.factories import UserFactory, eligible_volunteer, ready_case
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db


def case_form(case, **changes) -> dict:
    data = {
        "dispute_type": case.dispute_type,
        "referral_source": case.referral_source,
        "referrer_name": case.referrer_name,
        "referrer_organisation": case.referrer_organisation,
        "referrer_contact": case.referrer_contact,
        "received_on": case.received_on.isoformat(),
        "summary": case.summary,
        "risk_notes": case.risk_notes,
        "coordinator": case.coordinator_id or "",
    }
    data.update(changes)
    return data


def test_a_case_retyped_for_a_pair_not_accredited_is_a_field_error(login, admin_coordinator):
    case = ready_case(dispute_type="neighbour")
    volunteer_services.assign_pair(
        case=case, lead=eligible_volunteer(), co_mediator=eligible_volunteer(), by=admin_coordinator
    )
    url = f"/admin/cases/case/{case.pk}/change/"
    changes = AuditEvent.objects.filter(action="change", case_reference=case.reference)
    before = changes.count()

    response = login(admin_coordinator).post(url, case_form(case, dispute_type="parent_teen"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "not accredited for parent/teen mediation" in str(errors["dispute_type"])
    assert "not accredited for parent/teen mediation" in response.content.decode()
    assert Case.objects.get(pk=case.pk).dispute_type == "neighbour"
    assert changes.count() == before
    # The refused form showed the case again: that is a view of it, in the trail.
    assert AuditEvent.objects.filter(
        action="view", case_reference=case.reference, detail__admin="change page"
    ).exists()


def test_a_case_saved_in_the_admin_goes_through_the_service_once(login, admin_coordinator):
    case = ready_case(dispute_type="neighbour")
    url = f"/admin/cases/case/{case.pk}/change/"

    response = login(admin_coordinator).post(url, case_form(case, dispute_type="community"))

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).dispute_type == "community"
    changes = AuditEvent.objects.filter(action="change", case_reference=case.reference)
    assert [event.detail for event in changes] == [{"fields": ["dispute_type"]}]


def test_suspending_home_visits_until_a_past_date_is_a_field_error(login, administrator):
    ServiceSettings.objects.get_or_create(pk=1)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = login(administrator).post(
        "/admin/mediation_sessions/servicesettings/1/change/",
        {
            "home_visits_suspended": "on",
            "home_visits_reason": "Flu outbreak",
            "home_visits_suspended_until": yesterday.isoformat(),
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["home_visits_suspended_until"] == ["This date has already passed."]
    assert "This date has already passed." in response.content.decode()
    assert not ServiceSettings.current().home_visits_suspended
    assert not AuditEvent.objects.filter(object_type="mediation_sessions.servicesettings").exists()


def test_a_volunteer_status_the_rules_refuse_is_a_field_error(login, administrator):
    applicant = eligible_volunteer(status="applicant", accredited=())
    data = {
        "first_name": applicant.first_name,
        "last_name": applicant.last_name,
        "email": applicant.email,
        "postcode": applicant.postcode,
        "status": "mediator",
    }

    response = login(administrator).post(
        f"/admin/volunteers/volunteer/{applicant.pk}/change/", data
    )

    assert response.status_code == 200
    assert "after three signed-off trainee cases" in str(
        response.context["adminform"].form.errors["status"]
    )
    applicant.refresh_from_db()
    assert applicant.status == "applicant"
    assert not AuditEvent.objects.filter(action="change", object_id=str(applicant.pk)).exists()


def test_a_party_edited_in_the_admin_is_changed_once_through_the_service(
    login, admin_coordinator, case
):
    party = case.parties.first()
    data = {f: getattr(party, f) for f in ("full_name", "role", "preferred_contact", "phone")}
    data.update(postcode="me14 2lp", email="")

    response = login(admin_coordinator).post(f"/admin/parties/party/{party.pk}/change/", data)

    assert response.status_code == 302
    party.refresh_from_db()
    assert party.postcode == "ME14 2LP"
    assert AuditEvent.objects.filter(action="change", object_id=str(party.pk)).count() == 1


def test_no_admin_that_writes_through_a_service_offers_bulk_delete(login, admin_coordinator):
    client = login(admin_coordinator)

    for url in ("/admin/cases/case/", "/admin/volunteers/volunteer/"):
        assert "delete_selected" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("url", "make_row"),
    [
        ("/admin/cases/case/", lambda: ready_case()),
        ("/admin/volunteers/volunteer/", lambda: eligible_volunteer()),
        ("/admin/auth/user/", lambda: UserFactory(roles=[COORDINATOR])),
    ],
)
def test_an_audited_list_costs_the_same_queries_for_more_rows(
    login, admin_coordinator, url, make_row
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(admin_coordinator)
    make_row()
    client.get(url)  # warm: sessions, content types

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(10):
        make_row()

    assert queries() == few
