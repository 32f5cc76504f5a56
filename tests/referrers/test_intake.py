"""Intake picks the referring organisation and person from the records, or adds them
(referrers.intake), on the new-referral page and the case's edit page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cases.models import Case
from referrers.models import Referrer, ReferrerContact
from tests.cases.test_pages import intake_data
from tests.factories import CaseFactory, ReferrerContactFactory, ReferrerFactory

pytestmark = pytest.mark.django_db


def referral(**overrides):
    given = {
        "referrer_organisation": "Town and Country Housing",
        "referrer_name": "Pat Jones",
        "referrer_contact": "pat@tch.example.org",
    }
    return intake_data(**{**given, **overrides})


def test_the_page_offers_the_organisations_and_people_on_record(login, coordinator, pat):
    ReferrerFactory(name="Old Trust", retired_at="2026-01-01T00:00Z")

    html = login(coordinator).get("/cases/new/").content.decode()

    assert 'list="referrer-organisations"' in html and 'list="referrer-people"' in html
    assert '<option value="Town and Country Housing">' in html
    assert 'label="Pat Jones (Town and Country Housing)"' in html
    assert "Old Trust" not in html
    assert 'for="id_add_organisation"' in html and "referrer-picker.js" in html


def test_the_choices_cost_two_queries_however_many_there_are(login, coordinator):
    client = login(coordinator)
    client.get("/cases/new/")  # what the first page of a session reads once
    for n in range(5):
        ReferrerContactFactory(referrer=ReferrerFactory(name=f"Org {n}"))
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/new/")
    for n in range(300):
        ReferrerFactory(name=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/cases/new/").content.decode()

    assert len(many.captured_queries) == len(few.captured_queries)
    assert '<option value="More 299">' in html


def test_it_links_the_organisation_and_person_on_record(login, coordinator, pat):
    login(coordinator).post(
        "/cases/new/", referral(referrer_organisation=" town and  COUNTRY housing ")
    )

    case = Case.objects.get()
    assert case.referrer == pat.referrer and case.referrer_person == pat
    assert case.referrer_organisation == "Town and Country Housing"
    assert Referrer.objects.count() == 1 and ReferrerContact.objects.count() == 1


def test_a_new_person_at_a_known_organisation_is_added_to_it(login, coordinator, housing):
    login(coordinator).post(
        "/cases/new/", referral(referrer_name="Sam Lee", referrer_contact="01732 765432")
    )

    case = Case.objects.get()
    sam = case.referrer_person
    assert sam.referrer == housing and sam.name == "Sam Lee" and sam.phone == "+441732765432"
    assert sam.receives_updates
    assert AuditEvent.objects.filter(
        action="create", object_type="referrers.referrercontact", object_id=str(sam.pk)
    ).exists()


def test_an_unknown_organisation_is_refused_unless_added_with_everything_kept(login, coordinator):
    client = login(coordinator)
    response = client.post("/cases/new/", referral(referrer_organisation="Town & Country Housng"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "We have no organisation called “Town &amp; Country Housng”" in html
    assert 'value="Town &amp; Country Housng"' in html and 'value="Alice Carter"' in html
    assert "Parking and noise; both sides upset." in html
    assert not Case.objects.exists() and not Referrer.objects.exists()

    client.post("/cases/new/", referral(add_organisation="on", referrer_organisation="Clarion"))

    case = Case.objects.get()
    assert case.referrer.name == "Clarion" and case.referrer.kind == "housing"
    assert case.referrer_person.name == "Pat Jones"
    assert case.referrer_person.email == "pat@tch.example.org"


def test_a_referral_refused_for_another_reason_adds_no_organisation(login, coordinator):
    login(coordinator).post(
        "/cases/new/",
        referral(add_organisation="on", referrer_organisation="Clarion", received_on="1999-01-01"),
    )

    assert not Case.objects.exists() and not Referrer.objects.exists()


def test_a_retired_organisation_is_refused(login, coordinator, housing):
    housing.retired_at = "2026-01-01T00:00Z"
    housing.save()

    response = login(coordinator).post("/cases/new/", referral())

    assert "“Town and Country Housing” is retired" in response.content.decode()
    assert not Case.objects.exists()


def test_a_retired_person_is_refused(login, coordinator, pat):
    ReferrerContact.objects.filter(pk=pat.pk).update(retired_at="2026-01-01T00:00Z")

    response = login(coordinator).post("/cases/new/", referral())

    assert "Pat Jones at Town and Country Housing is retired" in response.content.decode()


def test_a_self_referral_needs_no_organisation(login, coordinator):
    login(coordinator).post(
        "/cases/new/",
        intake_data(referral_source="self", referrer_name="", referrer_organisation=""),
    )

    case = Case.objects.get()
    assert case.referrer is None and case.referrer_person is None


def test_blanks_of_a_known_person_are_filled_and_nothing_overwritten(login, coordinator, pat):
    ReferrerContact.objects.filter(pk=pat.pk).update(email="")

    login(coordinator).post("/cases/new/", referral(referrer_contact="pat@new.example.org"))
    login(coordinator).post("/cases/new/", referral(referrer_contact="other@example.org"))

    pat.refresh_from_db()
    assert pat.email == "pat@new.example.org"


def test_the_edit_page_changes_the_referrer_and_keeps_a_retired_one(
    login, coordinator, pat, housing
):
    case = CaseFactory(
        referrer=housing, referrer_person=pat, referrer_organisation=housing.name,
        referrer_name=pat.name,
    )  # fmt: skip
    client = login(coordinator)
    data = {
        "dispute_type": "neighbour",
        "referral_source": "housing",
        "referrer_organisation": housing.name,
        "referrer_name": "Pat Jones",
        "received_on": "2026-11-02",
        "summary": "Noise.",
    }
    housing.retired_at = "2026-01-01T00:00Z"
    housing.save()

    response = client.post(f"/cases/{case.reference}/edit/", data)
    assert response.status_code == 302  # its own organisation, retired since, is kept

    housing.retired_at = None
    housing.save()
    client.post(
        f"/cases/{case.reference}/edit/",
        {**data, "referrer_organisation": "Kent Police", "add_organisation": "on"},
    )
    case.refresh_from_db()
    assert case.referrer.name == "Kent Police" and case.referrer_person.name == "Pat Jones"
    assert case.referrer_person != pat
    event = AuditEvent.objects.filter(object_type="cases.case", action="change").latest("pk")
    assert {"referrer", "referrer_person", "referrer_organisation"} <= set(event.detail["fields"])


def test_clearing_the_organisation_unlinks_the_case(login, coordinator, pat, housing):
    case = CaseFactory(referrer=housing, referrer_person=pat)

    login(coordinator).post(
        f"/cases/{case.reference}/edit/",
        {
            "dispute_type": "neighbour",
            "referral_source": "self",
            "received_on": "2026-11-02",
            "summary": "Noise.",
        },
    )

    case.refresh_from_db()
    assert case.referrer is None and case.referrer_person is None


def test_a_person_from_another_organisation_is_refused_by_the_service(coordinator, pat):
    from django.core.exceptions import ValidationError

    from cases.services import case_update

    case = CaseFactory(referrer=ReferrerFactory())

    with pytest.raises(ValidationError, match="referring organisation"):
        case_update(case=case, by=coordinator, fields={"referrer_person": pat})


def test_the_public_form_is_unaffected(client, pat):
    """An agency's words on the public form are kept as typed, for a coordinator to match."""
    from public.services import referral_submit

    case = referral_submit(
        case_fields={
            "dispute_type": "neighbour",
            "referral_source": "housing",
            "referrer_name": "Pat Jones",
            "referrer_organisation": "Town and Country Housing",
            "referrer_contact": "pat@tch.example.org",
            "summary": "Noise.",
        },
        person={"full_name": "Alice Carter", "role": "first_party", "phone": "01732 123456",
                "preferred_contact": "phone"},
        agency=True,
        hashed_ip="x",
    )  # fmt: skip

    assert case.referrer is None and case.referrer_person is None
    assert ReferrerContact.objects.count() == 1


def test_a_case_s_unmatched_organisation_stays_text_when_it_is_edited_for_something_else(
    login, coordinator
):
    """An organisation typed on the public form (no record) does not block correcting the
    summary; typing a different unknown name still asks for it to be added."""
    case = CaseFactory(referrer_organisation="Sevenoaks Housing Trust", referrer_name="Sam Lee")
    client = login(coordinator)
    data = {
        "dispute_type": case.dispute_type,
        "referral_source": case.referral_source,
        "referrer_organisation": "sevenoaks housing trust",
        "referrer_name": "Sam Lee",
        "received_on": case.received_on.isoformat(),
        "summary": "Noise, still.",
    }

    saved = client.post(f"/cases/{case.reference}/edit/", data)
    other = client.post(
        f"/cases/{case.reference}/edit/", {**data, "referrer_organisation": "Another Trust"}
    )

    assert saved.status_code == 302
    case.refresh_from_db()
    assert (case.summary, case.referrer_organisation) == (
        "Noise, still.",
        "Sevenoaks Housing Trust",
    )
    assert case.referrer is None and not Referrer.objects.exists()
    assert other.status_code == 200 and "We have no organisation called" in other.content.decode()


# --- A person picked without their organisation ----------------------------------------------


def test_the_organisation_comes_before_the_person_on_the_form(login, coordinator):
    html = login(coordinator).get("/cases/new/").content.decode()

    assert html.index('id="id_referrer_organisation"') < html.index('id="id_referrer_name"')
    assert html.index('id="id_add_organisation"') < html.index('id="id_referrer_name"')


def test_a_person_on_record_without_their_organisation_is_asked_for_it(login, coordinator, pat):
    response = login(coordinator).post(
        "/cases/new/", referral(referrer_organisation="", referrer_name="pat jones")
    )

    assert response.status_code == 200
    assert "Which organisation is Pat Jones at?" in response.content.decode()
    assert "Town and Country Housing" in response.content.decode()
    assert not Case.objects.exists()


def test_a_name_nobody_on_record_has_is_kept_as_typed(login, coordinator, pat):
    login(coordinator).post(
        "/cases/new/", referral(referrer_organisation="", referrer_name="A neighbour")
    )

    case = Case.objects.get()
    assert case.referrer_name == "A neighbour" and case.referrer_id is None


def test_the_picker_offers_each_persons_organisation_to_fill_in(login, coordinator, pat):
    """The script (static/js/referrer-picker.js) fills the organisation from this."""
    html = login(coordinator).get("/cases/new/").content.decode()

    assert 'data-organisation-name="Town and Country Housing"' in html


def test_an_old_case_with_a_typed_name_is_edited_without_being_asked(login, coordinator, pat):
    case = CaseFactory(referrer_name="Pat Jones", coordinator=coordinator)

    response = login(coordinator).post(
        f"/cases/{case.reference}/edit/",
        {
            "dispute_type": case.dispute_type,
            "referral_source": case.referral_source,
            "referrer_name": "Pat Jones",
            "received_on": case.received_on.isoformat(),
            "summary": "Corrected.",
        },
    )

    assert response.status_code == 302
