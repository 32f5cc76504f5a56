"""Letters to one party never carry another party's contact details or private notes (rule 10)."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cases.models import ContactLogEntry
from tests.factories import ConsentFactory, consent_all

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    data = response.content
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_rule_10_an_invitation_carries_only_its_addressees_details(login, coordinator, case):
    alice, bob = case.parties.order_by("id")
    for party in (alice, bob):
        consent_all(party)
    ConsentFactory(party=bob, kind="share_details")  # even then: a letter to Alice is Alice's
    ContactLogEntry.objects.create(
        case=case, text="Bob privately: money worries", private_to=bob,
        occurred_at=timezone.now(), author=coordinator,
    )  # fmt: skip

    response = login(coordinator).get(
        f"/cases/{case.reference}/parties/{alice.pk}/letters/invitation.pdf"
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "Alice Carter" in text and alice.postcode in text and case.reference in text
    for secret in (bob.full_name, bob.email, bob.postcode, bob.address_line1, "money worries"):
        assert secret not in text
    assert "CONFIDENTIAL" in text


def test_an_outcome_letter_waits_for_the_case_to_close(login, coordinator, case):
    alice = case.parties.first()
    url = f"/cases/{case.reference}/parties/{alice.pk}/letters/outcome.pdf"

    response = login(coordinator).get(url, follow=True)
    assert "once the case has closed" in response.content.decode()

    case.status, case.outcome, case.closed_on = "closed", "full_agreement", timezone.localdate()
    case.save()
    text = text_of(login(coordinator).get(url))
    assert "full agreement" in text and "Bob" not in text


def test_letters_are_for_the_case_team_only(login, mediator, other_mediator, my_case):
    alice = my_case.parties.first()
    url = f"/cases/{my_case.reference}/parties/{alice.pk}/letters/invitation.pdf"

    assert login(other_mediator).get(url).status_code == 404
    response = login(mediator).get(url)
    assert response.status_code == 200


def test_letters_give_phone_numbers_in_their_national_form(login, coordinator, case, settings):
    settings.SERVICE_PHONE = "+441732000000"  # however it is configured
    alice = case.parties.first()

    text = text_of(
        login(coordinator).get(f"/cases/{case.reference}/parties/{alice.pk}/letters/invitation.pdf")
    )

    assert "01732 000000" in text and "+44" not in text
