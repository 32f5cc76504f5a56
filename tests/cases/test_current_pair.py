"""One meaning of "the current pair" (CaseAssignmentQuerySet.current): an assignment that has not
ended, of a volunteer who may work. A volunteer made inactive outside the services (a raw SQL
update) is out of the pair everywhere at once: access, booking, the lifecycle, documents and
lists."""

import pytest
from django.core.exceptions import ValidationError

from cases import services as case_services
from cases.models import Case, CaseAssignment, Status
from documents.services import agreement_context
from sessions.services import session_book
from tests.factories import UserFactory, eligible_volunteer, ready_case
from tests.sessions.conftest import at
from volunteers.models import Volunteer
from volunteers.services import assign_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair_case(coordinator, mediator):
    case = ready_case()
    lead = eligible_volunteer(mediator, postcode="ME15 6RT")
    co = eligible_volunteer(first_name="Grace", last_name="Oduya", postcode="TN4 9LH")
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    case.refresh_from_db()
    return case, lead, co


def make_inactive_behind_the_services(volunteer):
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.INACTIVE)


def test_the_queryset_and_the_row_agree(pair_case):
    case, lead, co = pair_case
    make_inactive_behind_the_services(lead)

    current = list(case.assignments.current())
    assert [a.volunteer_id for a in current] == [co.pk]
    rows = {a.volunteer_id: a.is_current for a in case.assignments.select_related("volunteer")}
    assert rows == {lead.pk: False, co.pk: True}
    assert [a.volunteer_id for a in Case.objects.get(pk=case.pk).current_assignments()] == [co.pk]


def test_an_inactive_volunteer_loses_the_case_page(pair_case, login, mediator):
    case, lead, _co = pair_case
    assert login(mediator).get(case.get_absolute_url()).status_code == 200

    make_inactive_behind_the_services(lead)

    assert login(mediator).get(case.get_absolute_url()).status_code == 404


def test_no_session_can_be_booked_with_a_half_pair(pair_case, coordinator):
    case, lead, _co = pair_case
    make_inactive_behind_the_services(lead)

    with pytest.raises(ValidationError, match="needs its pair of mediators"):
        session_book(
            case=case, by=coordinator, kind="separate", mode="office", venue="Office",
            starts_at=at(3, 10), ends_at=at(3, 11), parties=list(case.parties.all()),
        )  # fmt: skip


def test_a_case_with_a_half_pair_cannot_start_mediation(pair_case, coordinator):
    case, lead, _co = pair_case
    Case.objects.filter(pk=case.pk).update(status=Status.READY)
    make_inactive_behind_the_services(lead)

    with pytest.raises(ValidationError, match="exactly two current mediators"):
        case_services.case_transition(case=case, to=Status.ACTIVE, by=coordinator)


def test_documents_and_lists_name_only_the_current_pair(pair_case, coordinator, login):
    case, lead, co = pair_case
    make_inactive_behind_the_services(lead)
    agreement = case.agreements.create(version=1)

    assert agreement_context(agreement)["mediators"] == [co.full_name]
    html = login(coordinator).get("/cases/").content.decode()
    assert co.full_name in html and lead.full_name not in html
    assert CaseAssignment.objects.filter(case=case, ended_on__isnull=True).count() == 2


def test_the_mediator_filter_finds_only_current_mediators(pair_case, coordinator, login):
    case, lead, _co = pair_case
    client = login(coordinator)
    assert case.reference in client.get("/cases/", {"mediator": lead.last_name}).content.decode()

    make_inactive_behind_the_services(lead)

    assert (
        case.reference not in client.get("/cases/", {"mediator": lead.last_name}).content.decode()
    )


def test_visibility_counts_the_same_pair(pair_case):
    case, lead, co = pair_case
    co.user = UserFactory(roles=["Mediator"])
    co.save()
    make_inactive_behind_the_services(lead)

    assert not Case.objects.visible_to(lead.user).exists()
    assert list(Case.objects.visible_to(co.user)) == [case]
