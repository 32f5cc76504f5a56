"""parties.services.case_consents_record: the consents of a case's parties recorded at once
(imports), each entry as consents_record records one, all or none."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import ContactLogEntry
from notifications.models import OutboxMessage
from parties.models import Consent
from parties.services import ConsentsGiven, case_consents_record
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    PartyFactory,
    ReferrerContactFactory,
)

pytestmark = pytest.mark.django_db

WHEN = timezone.now() - datetime.timedelta(days=3)
EVERY = ["mediate", "data_processing", "update_referrer"]


def test_each_entry_is_recorded_audited_and_told(coordinator):
    case = CaseFactory(status="contacting")
    alice = PartyFactory(case=case, full_name="Alice Carter")
    bob = PartyFactory(case=case, full_name="Bob Dunn")

    recorded = case_consents_record(
        case=case,
        by=coordinator,
        given=[
            ConsentsGiven(alice, ["mediate", "data_processing"], WHEN, "verbal"),
            ConsentsGiven(bob, ["mediate"], WHEN, "written"),
            ConsentsGiven(bob, ["data_processing"], WHEN + datetime.timedelta(days=1), "verbal"),
        ],
    )

    assert len(recorded) == 4
    assert set(alice.consents.values_list("kind", flat=True)) == {"mediate", "data_processing"}
    assert bob.consents.get(kind="mediate").method == "written"
    assert all(c.recorded_by == coordinator and c.given_at >= WHEN for c in recorded)
    events = AuditEvent.objects.filter(object_type="parties.consent", action="create")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in recorded)
    assert set(events.values_list("case_reference", flat=True)) == {case.reference}
    lines = ContactLogEntry.objects.filter(case=case).order_by("occurred_at", "pk")
    assert [(line.party, line.text) for line in lines] == [
        (alice, "Alice Carter consented to take part in mediation; to the processing of their "
         "personal data (verbally)."),
        (bob, "Bob Dunn consented to take part in mediation (in writing)."),
        (bob, "Bob Dunn consented to the processing of their personal data (verbally)."),
    ]  # fmt: skip


def test_all_or_none_and_the_refusal_names_its_entry(coordinator):
    case = CaseFactory(status="contacting")
    alice = PartyFactory(case=case, full_name="Alice Carter")
    bob = PartyFactory(case=case, full_name="Bob Dunn")
    ConsentFactory(party=bob, kind="mediate")
    twice = ConsentsGiven(bob, ["mediate"], WHEN, "verbal")

    with pytest.raises(ValidationError, match="Bob Dunn has already given") as refused:
        case_consents_record(
            case=case,
            by=coordinator,
            given=[ConsentsGiven(alice, ["mediate"], WHEN, "verbal"), twice],
        )

    assert refused.value.given is twice
    assert not alice.consents.exists()
    assert not ContactLogEntry.objects.filter(case=case).exists()


def test_the_same_kind_twice_in_one_call_is_refused(coordinator):
    case = CaseFactory()
    alice = PartyFactory(case=case)
    with pytest.raises(ValidationError, match="already given"):
        case_consents_record(
            case=case,
            by=coordinator,
            given=[
                ConsentsGiven(alice, ["mediate"], WHEN, "verbal"),
                ConsentsGiven(alice, ["mediate"], WHEN, "written"),
            ],
        )
    assert not Consent.objects.exists()


def test_a_party_of_another_case_is_a_mistake(coordinator):
    with pytest.raises(ValueError):
        case_consents_record(
            case=CaseFactory(),
            by=coordinator,
            given=[ConsentsGiven(PartyFactory(), ["mediate"], WHEN, "verbal")],
        )


def test_the_referrer_is_told_once_when_every_party_is_in(coordinator):
    pat = ReferrerContactFactory()
    case = CaseFactory(status="contacting", referrer=pat.referrer, referrer_person=pat)
    alice, bob = PartyFactory(case=case), PartyFactory(case=case)

    case_consents_record(
        case=case,
        by=coordinator,
        given=[
            ConsentsGiven(alice, EVERY, WHEN, "verbal"),
            ConsentsGiven(bob, EVERY, WHEN, "verbal"),
        ],
    )

    (update,) = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REFERRER_UPDATE)
    assert update.context["stage"] == "accepted"
