"""Updates to the referrer (referrers.updates): nothing written without every party's consent, which
mediation does not need; a consent withdrawn, or a party added without it, stops the update
still to go, and the dispatcher checks again."""

import pytest
from django.core import mail
from django.utils import timezone

from cases import services as case_services
from parties import services as party_services
from parties.models import Consent
from tests.factories import ConsentFactory, PartyFactory
from tests.referrers.updates import send_all, updates
from wkm.consequences import listen

pytestmark = pytest.mark.django_db


# --- Consent ---------------------------------------------------------------------------------


def test_nothing_is_written_without_every_partys_consent(referred_case, coordinator):
    alice = referred_case.parties.get(full_name="Alice Carter")
    alice.consents.filter(kind=Consent.Kind.UPDATE_REFERRER).delete()

    with listen() as heard:
        case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    assert not updates().exists()
    assert any("not every party has consented" in s for s in heard)


def test_the_consent_is_not_needed_for_mediation(referred_case):
    from parties.consent import REQUIRED_KINDS, consent_state

    Consent.objects.filter(kind=Consent.Kind.UPDATE_REFERRER).delete()

    assert Consent.Kind.UPDATE_REFERRER not in REQUIRED_KINDS
    assert consent_state(referred_case).all_consented


def test_a_consent_withdrawn_later_cancels_the_update_still_to_go(referred_case, coordinator):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    consent = Consent.objects.filter(
        party__case=referred_case, kind=Consent.Kind.UPDATE_REFERRER
    ).first()

    party_services.consent_withdraw(consent=consent, by=coordinator)

    assert updates().get().status == "cancelled"
    assert send_all() == 0 and not mail.outbox


def test_a_withdrawal_of_data_processing_cancels_it_too(referred_case, coordinator):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    consent = Consent.objects.filter(
        party__case=referred_case, kind=Consent.Kind.DATA_PROCESSING
    ).first()

    party_services.consent_withdraw(consent=consent, by=coordinator)

    assert updates().get().status == "cancelled"


def test_the_dispatcher_refuses_an_update_whose_consent_went_by_any_means(
    referred_case, coordinator
):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    Consent.objects.filter(party__case=referred_case, kind=Consent.Kind.UPDATE_REFERRER).update(
        withdrawn_at=timezone.now()
    )

    assert send_all() == 0
    assert updates().get().status == "cancelled" and not mail.outbox


def test_a_party_added_without_the_consent_stops_the_update(referred_case, coordinator):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    PartyFactory(case=referred_case, full_name="Carol Evans")

    assert send_all() == 0 and not mail.outbox


def test_the_consent_given_again_lets_the_next_stage_go(referred_case, coordinator):
    alice = referred_case.parties.get(full_name="Alice Carter")
    alice.consents.filter(kind=Consent.Kind.UPDATE_REFERRER).delete()
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    ConsentFactory(party=alice, kind=Consent.Kind.UPDATE_REFERRER)

    case_services.case_close(
        case=referred_case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )

    assert [u.context["stage"] for u in updates()] == ["declined"]
    assert send_all() == 1
