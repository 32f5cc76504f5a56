"""Review of issue 19 (parts 1-4, 6): behaviour a coordinator met in the browser that the
merged code gets wrong. Each test fails on main at b4c6e10 and describes what should happen."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case
from referrers import services
from tests.factories import CaseFactory, ConsentFactory, PartyFactory

pytestmark = pytest.mark.django_db


def test_editing_a_case_whose_organisation_was_typed_saves_without_touching_the_referrer(
    login, coordinator
):
    """A case whose organisation is text only (a public-form referral, the demo data): fixing
    its summary must not be refused with "We have no organisation called …" (the organisation
    field was not changed), nor force the coordinator to create a record to save a typo fix."""
    case = CaseFactory(
        referrer_organisation="Clarion Housing", referrer_name="Dana Price", coordinator=coordinator
    )
    response = login(coordinator).post(
        f"/cases/{case.reference}/edit/",
        {
            "dispute_type": case.dispute_type,
            "referral_source": case.referral_source,
            "referrer_organisation": "Clarion Housing",
            "referrer_name": "Dana Price",
            "received_on": case.received_on.isoformat(),
            "summary": "Corrected summary.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.summary == "Corrected summary."
    assert case.referrer_organisation == "Clarion Housing"


def test_renaming_an_organisation_renames_it_on_its_cases(coordinator, pat, housing):
    """referrers.intake promises "the free-text fields keep the names as on record, so search
    and exports read the same"; after a rename the case page still said the old name and the
    case search by the new name found nothing."""
    case = CaseFactory(
        referrer=housing,
        referrer_person=pat,
        referrer_organisation=housing.name,
        referrer_name=pat.name,
    )
    services.referrer_update(referrer=housing, by=coordinator, fields={"name": "TCH Homes"})
    case.refresh_from_db()
    assert case.referrer_organisation == "TCH Homes"


def test_the_demo_data_links_its_cases_to_referring_organisations(monkeypatch):
    """`make run` shows an empty Referring organisations page, and every demo case typed with an
    organisation cannot be edited (the first test): seed_demo runs after the backfill
    migration (referrers 0002), so nothing links its cases."""
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo")
    typed = Case.objects.exclude(referrer_organisation="")
    assert typed.exists()
    assert not typed.filter(referrer__isnull=True).exists()


def test_the_follow_up_cannot_be_recorded_by_phone_months_before_its_date(coordinator):
    """The case page offers "Record answers given by phone" for the outcome follow-up the day
    the case closes (follow-up in three months); recording it marks the case's follow-up done
    at once. surveys.services.why_not_recordable does not look at the date."""
    from surveys.services import why_not_recordable

    today = timezone.localdate()
    case = CaseFactory(
        status="closed",
        outcome="full_agreement",
        closed_on=today,
        follow_up_on=today + datetime.timedelta(days=90),
    )
    party = PartyFactory(case=case)
    ConsentFactory(party=party, kind="data_processing")
    assert why_not_recordable(case, party, "feedback") == ""  # the feedback may be recorded now
    assert why_not_recordable(case, party, "follow_up") != ""


def test_a_person_on_record_picked_without_their_organisation_is_not_silently_unlinked(
    login, coordinator, pat
):
    """The "Person who referred" box comes before "Referring organisation" on the intake form,
    and picking "Pat Jones (Town and Country Housing)" from its list leaves the organisation
    empty: the case was saved with "Pat Jones" as text only, no organisation and no person
    linked, so Pat is never sent an update and the organisation's page does not list the case.
    Either link them or ask for the organisation; never save it unlinked without a word."""
    from tests.cases.test_pages import intake_data

    response = login(coordinator).post(
        "/cases/new/",
        intake_data(referral_source="housing", referrer_name="Pat Jones", summary="Noise."),
    )
    # Refused, saying which organisation to give (in the browser, the script fills it in).
    assert not Case.objects.filter(summary="Noise.").exists()
    assert response.status_code == 200
    assert "Which organisation is Pat Jones at?" in response.content.decode()
