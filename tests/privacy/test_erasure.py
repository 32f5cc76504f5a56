"""Erasure on request: what the retention rules allow goes now (records in closed cases, a
volunteer who never mediated); what is still needed is kept, and the page says why."""

import json

import pytest
from django.apps import apps
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case
from notifications.models import OutboxMessage
from parties.models import Consent, Party
from privacy import services
from privacy.models import Anonymisation
from tests.factories import VolunteerFactory
from tests.privacy.planted import CASE_RECORDS, plant, records, still_there
from volunteers.models import TraineeCase, VolunteerHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def sar(world, coordinator):
    """Carol asks to be erased. Her recent case has been reopened: it is open again."""
    Case.objects.filter(pk=world.recent.case.pk).update(
        status="contacting", closed_on=None, outcome=""
    )
    return services.request_open(
        by=coordinator,
        fields={"subject_name": "Carol Evans", "requester": "Carol, by letter",
                "requested_on": timezone.localdate()},
        parties=[world.old.carol, world.recent.carol],
    )  # fmt: skip


def party_events(party):
    return apps.get_model("parties.PartyEvent").objects.filter(pgh_obj_id=party.pk).count()


def test_the_page_says_what_goes_and_what_is_kept_and_why(sar, world, login, coordinator):
    page = login(coordinator).get(f"/privacy/requests/{sar.pk}/erase/").content.decode()

    will, kept = page.split("Will be anonymised")[1].split("Kept for now")
    assert world.old.case.reference in will and world.recent.case.reference not in will
    assert world.recent.case.reference in kept and "The case is still open" in kept
    assert "Anonymise these records now" in page


def test_erasure_anonymises_the_closed_case_only(
    sar, world, login, coordinator, django_capture_on_commit_callbacks
):
    old, recent = world.old, world.recent
    dan_events, recent_events = party_events(old.other), party_events(recent.carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator).post(f"/privacy/requests/{sar.pk}/erase/", {"confirm": "on"})

    assert response.status_code == 302
    carol = Party.objects.get(pk=old.carol.pk)
    assert carol.full_name == "Party 1 (anonymised)" and carol.email == carol.phone == ""
    assert carol.ethnicity == "" and carol.safeguarding_notes == ""
    assert party_events(carol) == 0
    assert not OutboxMessage.objects.filter(party=carol).exclude(address="").exists()
    case = Case.objects.get(pk=old.case.pk)
    assert case.summary == services.REMOVED
    assert set(case.log_entries.values_list("text", flat=True)) == {services.REMOVED}
    assert not case.documents.exists()
    # The other party did not ask: their name and details stay until the case's retention ends.
    dan = Party.objects.get(pk=old.other.pk)
    assert (dan.full_name, dan.email) == ("Dan Fowler", "dan.fowler@example.org")
    assert party_events(dan) == dan_events
    # The open case is untouched.
    assert Party.objects.get(pk=recent.carol.pk).full_name == "Carol Evans"
    assert party_events(recent.carol) == recent_events
    assert "tenancy" in "".join(recent.case.log_entries.values_list("text", flat=True))

    anonymisation = Anonymisation.objects.get(party=carol)
    assert anonymisation.reason == "erasure" and anonymisation.request == sar
    event = AuditEvent.objects.get(action="delete", case_reference=old.case.reference)
    assert (
        event.detail["anonymised"] == "erasure" and event.detail["subject_access_request"] == sar.pk
    )
    assert "Carol" not in json.dumps(event.detail)

    # Later, retention anonymises the rest of that case, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.apply_retention().cases == [old.case.reference]
    assert Party.objects.get(pk=old.other.pk).full_name == "Party 2 (anonymised)"
    assert party_events(dan) == 0


def test_erasure_leaves_no_declared_personal_value_but_the_other_partys(
    sar, world, coordinator, django_capture_on_commit_callbacks
):
    """Every field declared personal (wkm.personal_data) in the closed case is cleared, its
    history included, except the other party's own details and consents: they did not ask."""
    old = world.old
    TraineeCase.objects.create(
        trainee=world.pair[1], case=old.case, co_mediator=world.pair[0], status="signed_off"
    )
    VolunteerHours.objects.create(
        volunteer=world.pair[0], case=old.case, activity="casework", date=old.case.received_on,
        hours=2,
    )  # fmt: skip
    planted = plant(records(CASE_RECORDS, old.case))
    dans = {(Party, old.other.pk)} | {(Consent, c.pk) for c in old.other.consents.all()}

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_subject(sar=sar, by=coordinator)

    left = {entry.removesuffix(" (history)") for entry in still_there(planted)}
    assert left == {
        f"{model.__name__} #{pk}.{name}" for model, pk, name in planted if (model, pk) in dans
    }


def test_nothing_happens_without_confirming(sar, world, login, coordinator):
    response = login(coordinator).post(f"/privacy/requests/{sar.pk}/erase/", {})

    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert Party.objects.get(pk=world.old.carol.pk).full_name == "Carol Evans"
    assert not Anonymisation.objects.exists()


def test_a_volunteer_who_never_mediated_is_erased_and_one_who_did_is_kept(
    world, coordinator, login
):
    applicant = VolunteerFactory(first_name="Lena", last_name="Marsh", status="applicant")
    mediator = world.pair[0]
    sar = services.request_open(
        by=coordinator,
        fields={"subject_name": "Lena Marsh", "requester": "Lena",
                "requested_on": timezone.localdate()},
        volunteers=[applicant, mediator],
    )  # fmt: skip

    page = login(coordinator).get(f"/privacy/requests/{sar.pk}/erase/").content.decode()
    assert "safeguarding evidence" in page.split("Kept for now")[1]
    login(coordinator).post(f"/privacy/requests/{sar.pk}/erase/", {"confirm": "on"})

    applicant.refresh_from_db()
    mediator.refresh_from_db()
    assert applicant.full_name == f"Volunteer {applicant.pk} (anonymised)"
    assert mediator.full_name == "Martin Hale"
    assert Anonymisation.objects.get(volunteer=applicant).reason == "erasure"


def test_nothing_to_erase_is_said_so(world, coordinator):
    sar = services.request_open(
        by=coordinator,
        fields={"subject_name": "Martin Hale", "requester": "Martin",
                "requested_on": timezone.localdate()},
        volunteers=[world.pair[0]],
    )  # fmt: skip
    with pytest.raises(services.ValidationError, match="Nothing here can be erased"):
        services.erase_subject(sar=sar, by=coordinator)


def test_nothing_is_left_waiting_to_go_to_an_erased_party(
    sar, world, coordinator, django_capture_on_commit_callbacks
):
    """A message still to go to Carol when she is erased (here an acknowledgement waiting for
    the morning) is cancelled, not left with an empty address that her emptied contact details
    would match at send time; Dan's stays."""
    old = world.old
    waiting = {
        party.pk: OutboxMessage.objects.create(
            kind="referral_received",
            channel="email",
            party=party,
            address=party.email,
            due_at=timezone.now(),
        )  # fmt: skip
        for party in (old.carol, old.other)
    }

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_subject(sar=sar, by=coordinator)

    carols = OutboxMessage.objects.get(pk=waiting[old.carol.pk].pk)
    assert (carols.status, carols.address, carols.last_error) == ("cancelled", "", "")
    assert OutboxMessage.objects.get(pk=waiting[old.other.pk].pk).status == "pending"
