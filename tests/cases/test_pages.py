"""The coordinator's journey through the pages: intake -> consent -> ready -> close."""

import datetime
import re

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, ContactLogEntry, Status
from parties.models import Consent, Party
from tests.factories import PartyFactory

pytestmark = pytest.mark.django_db


def intake_data(**overrides):
    data = {
        "dispute_type": "neighbour",
        "referral_source": "housing",
        "referrer_name": "Pat Jones",
        "received_on": "2026-11-20",
        "summary": "Parking and noise; both sides upset.",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "1",
        "parties-MAX_NUM_FORMS": "12",
        "parties-0-full_name": "Alice Carter",
        "parties-0-role": "first_party",
        "parties-0-postcode": "tn9 1aa",
        "parties-0-phone": "01732 123456",
        "parties-0-preferred_contact": "phone",
        "parties-1-full_name": "Bob Dunn",
        "parties-1-role": "other_party",
        "parties-1-postcode": "TN9 1AB",
        "parties-1-email": "bob@example.org",
        "parties-1-preferred_contact": "email",
    }
    data.update(overrides)
    return data


def test_it_shows_the_intake_form_with_two_parties(login, coordinator):
    html = login(coordinator).get("/cases/new/").content.decode()

    assert 'name="parties-0-full_name"' in html and 'name="parties-1-full_name"' in html
    assert re.search(r'<label[^>]*for="id_parties-0-postcode"', html)
    assert 'id="parties-empty-form"' in html


def test_it_logs_a_referral_with_two_parties(login, coordinator):
    response = login(coordinator).post("/cases/new/", intake_data())

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.reference}/"
    assert case.reference == "WKM-2026-0001"
    assert list(case.parties.values_list("full_name", "postcode")) == [
        ("Alice Carter", "TN9 1AA"),
        ("Bob Dunn", "TN9 1AB"),
    ]


def test_it_keeps_everything_typed_and_saves_nothing_when_input_is_bad(login, coordinator):
    response = login(coordinator).post(
        "/cases/new/", intake_data(**{"parties-1-postcode": "XX", "parties-0-phone": "123"})
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a UK postcode, for example TN9 1AA." in html
    assert "Enter a valid phone number" in html
    assert 'value="Bob Dunn"' in html and "Parking and noise; both sides upset." in html
    assert not Case.objects.exists() and not Party.objects.exists()


def test_it_needs_at_least_one_party(login, coordinator):
    data = intake_data()
    for key in [k for k in data if k.startswith("parties-") and k[8].isdigit()]:
        data[key] = ""
    # The roles come chosen: left as they are, the party sections are still empty.
    data.update({"parties-0-role": "first_party", "parties-1-role": "other_party"})

    response = login(coordinator).post("/cases/new/", data)

    assert response.status_code == 200
    assert "Add at least one party" in response.content.decode()
    assert not Case.objects.exists()


def test_it_warns_of_a_possible_duplicate_with_a_link(login, coordinator):
    earlier = PartyFactory(full_name="Alice Carter", postcode="TN9 1AA")

    response = login(coordinator).post("/cases/new/", intake_data(), follow=True)

    html = response.content.decode()
    assert "Possible duplicate" in html
    assert f'href="/cases/{earlier.case.reference}/"' in html


def test_it_runs_a_case_from_referral_to_closure_in_the_browser(login, coordinator):
    client = login(coordinator)
    client.post("/cases/new/", intake_data())
    case = Case.objects.get()
    url = f"/cases/{case.reference}/"

    for to in ("contacting", "awaiting_consent"):
        assert client.post(f"{url}status/", {"to": to}).status_code == 302

    page = client.get(url).content.decode()
    assert "Waiting for consent from Alice Carter, Bob Dunn" in page

    refused = client.post(f"{url}status/", {"to": "ready"}, follow=True).content.decode()
    assert "Still waiting for consent from Alice Carter, Bob Dunn: record their consent" in refused

    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    for party in case.parties.all():
        response = client.post(
            f"{url}parties/{party.pk}/consent/",
            {"kinds": ["mediate", "data_processing"], "method": "verbal", "given_at": now},
        )
        assert response.status_code == 302
    assert "Every party has consented" in client.get(url).content.decode()

    client.post(f"{url}status/", {"to": "ready"})
    case.refresh_from_db()
    assert case.status == Status.READY

    close_page = client.get(f"{url}close/").content.decode()
    follow_up = (timezone.localdate() + timezone.timedelta(days=90)).isoformat()
    assert f'value="{follow_up}"' in close_page  # a follow-up date is suggested
    client.post(
        f"{url}close/",
        {
            "outcome": "withdrawn",
            "closed_on": timezone.localdate().isoformat(),
            "follow_up_on": follow_up,
        },
    )
    case.refresh_from_db()
    assert (case.status, case.outcome) == (Status.CLOSED, "withdrawn")


def test_it_refuses_an_invalid_transition_with_a_message(login, coordinator, case):
    response = login(coordinator).post(
        f"/cases/{case.reference}/status/", {"to": "active"}, follow=True
    )

    assert "cannot move to" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REFERRED


def test_it_shows_an_error_next_to_the_outcome_when_closing_badly(login, coordinator, case):
    response = login(coordinator).post(
        f"/cases/{case.reference}/close/", {"outcome": "", "closed_on": "not a date"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html and "Enter a valid date." in html


def test_it_prompts_to_close_as_withdrawn_when_consent_is_withdrawn(login, coordinator, case):
    alice = case.parties.first()
    consent = Consent.objects.create(
        party=alice,
        kind="mediate",
        method="verbal",
        given_at=timezone.now() - datetime.timedelta(hours=1),
    )
    client = login(coordinator)
    url = f"/cases/{case.reference}/consents/{consent.pk}/withdraw/"
    assert "Record the withdrawal" in client.get(url).content.decode()

    client.post(
        url, {"withdrawn_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "method": "verbal"}
    )

    html = client.get(f"/cases/{case.reference}/").content.decode()
    assert f"{alice.full_name} withdrew from mediation: close the case as withdrawn" in html
    assert "?outcome=withdrawn" in html and "Close the case as withdrawn" in html


def test_it_adds_a_private_note_and_a_draft_seen_only_by_its_author(
    login, my_case, mediator, coordinator
):
    alice = my_case.parties.first()
    client = login(mediator)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    base = {"kind": "meeting", "occurred_at": now, "party": alice.pk}

    client.post(
        f"/cases/{my_case.reference}/log/",
        {**base, "text": "Said privately", "private_to": alice.pk},
    )
    client.post(
        f"/cases/{my_case.reference}/log/",
        {**base, "text": "Unfinished thoughts", "is_draft": "on"},
    )

    mine = client.get(f"/cases/{my_case.reference}/").content.decode()
    assert "Said privately" in mine and f"Private to {alice.full_name}" in mine
    assert "Unfinished thoughts" in mine
    theirs = login(coordinator).get(f"/cases/{my_case.reference}/").content.decode()
    assert "Said privately" in theirs and "Unfinished thoughts" not in theirs
    assert ContactLogEntry.objects.filter(is_draft=True).count() == 1


def test_it_audits_every_view_of_a_case_and_a_party(login, coordinator, case):
    client = login(coordinator)
    party = case.parties.first()

    client.get(f"/cases/{case.reference}/")
    client.get(f"/cases/{case.reference}/parties/{party.pk}/")

    views = AuditEvent.objects.filter(action="view", case_reference=case.reference)
    assert {e.object_type for e in views} == {"cases.case", "parties.party"}
    audit_page = client.get(f"/cases/{case.reference}/audit/").content.decode()
    assert "Party #" in audit_page and "Viewed" in audit_page


def test_it_searches_by_reference_name_and_postcode(login, coordinator, case):
    other = PartyFactory(full_name="Zed Young", postcode="ME14 2LP").case
    client = login(coordinator)

    def found(q):
        html = client.get("/cases/", {"q": q}).content.decode()
        return {ref for ref in (case.reference, other.reference) if ref in html}

    assert found(case.reference) == {case.reference}
    assert found("carter") == {case.reference}
    assert found("me142lp") == {other.reference}
    assert found("ME14") == {other.reference}
    assert found("nobody at all") == set()
    # Part of a reference, with or without the prefix: the number, or the year and number.
    number = case.reference.rsplit("-", 1)[1]
    assert case.reference in found(number)
    assert found(case.reference.removeprefix("WKM-")) == {case.reference}


def test_it_filters_the_list_by_status(login, coordinator, case):
    closed = PartyFactory().case
    closed.status = "closed"
    closed.closed_on = closed.received_on
    closed.save()

    html = login(coordinator).get("/cases/", {"status": "closed"}).content.decode()

    assert closed.reference in html and case.reference not in html


def test_it_filters_the_list_by_the_name_of_a_current_mediator(login, coordinator, my_case):
    other = PartyFactory().case
    volunteer = my_case.assignments.get().volunteer

    html = login(coordinator).get("/cases/", {"mediator": volunteer.last_name.upper()}).content
    html = html.decode()

    assert my_case.reference in html and other.reference not in html


def test_the_kept_filter_bar_is_never_another_roles(client, coordinator, mediator):
    """The filter bar is kept for a minute per filters and role: a mediator asking with the
    same filters straight after a coordinator still gets no staff filters, and the other way."""
    from django.test import Client

    client.force_login(coordinator)
    staff = client.get("/cases/", {"status": "active"}).content.decode()
    other = Client()
    other.force_login(mediator)
    theirs = other.get("/cases/", {"status": "active"}).content.decode()
    staff_again = client.get("/cases/", {"status": "active"}).content.decode()

    assert 'name="coordinator"' in staff and 'name="coordinator"' in staff_again
    assert 'name="coordinator"' not in theirs and 'name="follow_up_due"' not in theirs
    assert 'name="status"' in theirs


def test_an_error_in_party_2_is_named_at_the_top_with_a_link_to_the_field(login, coordinator):
    response = login(coordinator).post("/cases/new/", intake_data(**{"parties-1-phone": "12345"}))

    html = response.content.decode()
    summary = html[
        html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))
    ]
    assert 'href="#id_parties-1-phone"' in summary and "Party 2: Phone —" in summary
    assert html.index("data-error-summary") < html.index('id="id_dispute_type"')  # at the top
    assert "/static/js/error-summary.js" in html  # moves the focus to the field


def test_the_fold_opens_for_the_party_whose_details_it_holds(login, coordinator):
    response = login(coordinator).post(
        "/cases/new/", intake_data(**{"parties-0-language": "Polish", "parties-1-phone": "12345"})
    )

    html = response.content.decode()
    folds = html.split('<details class="mb-3 border rounded px-3 pt-2"')[1:]
    assert len(folds) == 3  # two parties, and the template for another
    assert folds[0].startswith(" open>") and 'value="Polish"' in folds[0]
    assert not folds[1].startswith(" open>")
