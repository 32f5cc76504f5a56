"""Rule 10: what a party may be shown about another party."""

import pytest
from django.utils import timezone

from cases.disclosure import contact_details_for, log_entries_for, may_share_contact_details
from cases.models import ContactLogEntry
from parties.models import Party
from tests.factories import ConsentFactory, consent_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_and_bob(case):
    return tuple(case.parties.order_by("id"))


def test_rule_10_a_party_never_sees_anothers_details_without_consent_to_share(alice_and_bob):
    alice, bob = alice_and_bob
    consent_all(alice)
    consent_all(bob)

    assert contact_details_for(alice, audience=bob) == {}
    assert contact_details_for(alice, audience=alice)["phone"] == alice.phone
    assert contact_details_for(alice, audience=None)["postcode"] == alice.postcode


def test_rule_10_details_are_shared_once_consented_and_everyone_is_in(alice_and_bob):
    alice, bob = alice_and_bob
    ConsentFactory(party=alice, kind="share_details")
    consent_all(alice)

    # Rule 7: not until every party has consented to mediation.
    assert not may_share_contact_details(alice, audience=bob)

    consent_all(bob)
    assert contact_details_for(alice, audience=bob)["email"] == alice.email


def test_rule_10_shares_the_fields_party_declares_contact_details_and_nothing_else(alice_and_bob):
    """What counts as a contact detail is declared once, on Party (wkm.personal_data)."""
    alice, bob = alice_and_bob
    Party.objects.filter(pk=alice.pk).update(
        address_line1="1 Mill Lane", address_line2="Hildenborough", town="Tonbridge",
        postcode="TN11 9AA", phone="+447700900111", email="alice@example.org",
        guardian_contact="07700 900222", safeguarding_notes="Lives alone.",
    )  # fmt: skip
    alice.refresh_from_db()
    ConsentFactory(party=alice, kind="share_details")
    consent_all(alice)
    consent_all(bob)

    shared = contact_details_for(alice, audience=bob)

    assert set(shared) == set(Party.personal_data.contact)
    assert {"address_line1", "town", "postcode", "phone", "email"} <= set(shared)
    assert "07700 900222" not in shared.values() and "Lives alone." not in shared.values()


def test_rule_10_a_withdrawn_share_consent_hides_the_details_again(alice_and_bob):
    alice, bob = alice_and_bob
    consent_all(alice)
    consent_all(bob)
    share = ConsentFactory(party=alice, kind="share_details")
    share.withdrawn_at = timezone.now()
    share.save()

    assert contact_details_for(alice, audience=bob) == {}


def test_rule_10_private_notes_and_drafts_never_reach_another_party(case, alice_and_bob, mediator):
    alice, bob = alice_and_bob

    def note(text, **kwargs):
        return ContactLogEntry.objects.create(
            case=case, text=text, occurred_at=timezone.now(), author=mediator, **kwargs
        )

    shared = note("Joint meeting arranged")
    alice_private = note("Alice: worried about her job", private_to=alice)
    bob_private = note("Bob: admits the noise", private_to=bob)
    draft = note("unfinished", is_draft=True)

    assert set(log_entries_for(case, audience=bob)) == {shared, bob_private}
    assert set(log_entries_for(case, audience=alice)) == {shared, alice_private}
    staff = set(log_entries_for(case, audience=None, viewer=mediator))
    assert staff == {shared, alice_private, bob_private, draft}
    assert draft not in set(log_entries_for(case, audience=None, viewer=None))
