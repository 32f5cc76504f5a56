import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parties import services
from parties.consent import consent_state
from parties.models import Consent, Party
from parties.selectors import possible_duplicates
from tests.factories import CaseFactory, ConsentFactory, PartyFactory, consent_all

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "blank", "field"),
    [
        ("phone", "phone", "phone"),
        ("sms", "phone", "phone"),
        ("email", "email", "email"),
        ("letter", "postcode", "postcode"),
    ],
)
def test_it_needs_the_detail_the_preferred_contact_method_uses(method, blank, field):
    party = PartyFactory.build(case=CaseFactory(), preferred_contact=method, **{blank: ""})

    with pytest.raises(ValidationError) as caught:
        party.full_clean()

    assert field in caught.value.message_dict


def test_it_needs_a_guardian_for_a_child():
    party = PartyFactory.build(case=CaseFactory(), under_18=True, guardian_name="")

    with pytest.raises(ValidationError) as caught:
        party.full_clean()

    assert "guardian_name" in caught.value.message_dict


def test_it_records_and_withdraws_consent(case, coordinator):
    alice = case.parties.first()
    consent = services.consent_record(
        party=alice, by=coordinator, kind="mediate", given_at=timezone.now(), method="written"
    )

    services.consent_withdraw(consent=consent, by=coordinator)

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_recorded_by == coordinator
    state = consent_state(case)
    assert alice in state.withdrawn and alice in state.waiting_for


def test_it_refuses_the_same_consent_twice(case, coordinator):
    alice = case.parties.first()
    kwargs = {"party": alice, "by": coordinator, "kind": "mediate", "method": "verbal"}
    services.consent_record(given_at=timezone.now(), **kwargs)

    with pytest.raises(ValidationError, match="already given"):
        services.consent_record(given_at=timezone.now(), **kwargs)
    assert Consent.objects.filter(party=alice).count() == 1


def test_it_refuses_consent_given_in_the_future(case, coordinator):
    with pytest.raises(ValidationError, match="cannot be given in the future"):
        services.consent_record(
            party=case.parties.first(),
            by=coordinator,
            kind="mediate",
            method="verbal",
            given_at=timezone.now() + timezone.timedelta(days=2),
        )

    assert not Consent.objects.exists()


def test_rule_7_consent_state_waits_for_every_party(case):
    alice, bob = case.parties.order_by("id")
    consent_all(alice)
    ConsentFactory(party=bob, kind="mediate")  # but not to data processing

    state = consent_state(case)

    assert state.waiting_for == [bob]
    assert not state.all_consented
    consent_all_kinds = ConsentFactory(party=bob, kind="data_processing")
    assert consent_all_kinds and consent_state(case).all_consented


def test_it_finds_the_same_person_in_another_case():
    earlier = PartyFactory(full_name="Alice Carter", postcode="TN9 1AA")
    PartyFactory(full_name="Alice Carter", postcode="TN10 4AB")  # another Alice elsewhere
    newcomer = PartyFactory(full_name="alice carter ", postcode="TN9 1AA")

    found = possible_duplicates([newcomer])

    assert found == [(newcomer, [earlier])]


def test_it_ignores_parties_of_the_same_case(case):
    alice = case.parties.first()
    PartyFactory(case=case, full_name=alice.full_name, postcode=alice.postcode)

    assert possible_duplicates(list(case.parties.all())) == []


def test_it_updates_a_party_with_normalisation(case, coordinator):
    alice = case.parties.first()

    services.party_update(party=alice, by=coordinator, fields={"postcode": "me14 2lp"})

    assert Party.objects.get(pk=alice.pk).postcode == "ME14 2LP"
