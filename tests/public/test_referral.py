"""The self-referral form at /help/refer/: what it saves, through which services, and how it
keeps what was typed when something is wrong."""

import datetime
import re
import time

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, ContactLogEntry
from parties.models import Consent, Party
from public import spam
from public.models import PublicSubmission
from tests.public.helpers import referral_data

pytestmark = pytest.mark.django_db

URL = "/help/refer/"


def test_the_form_needs_no_login_and_shows_every_section(client):
    html = client.get(URL).content.decode()

    for label in ("What is happening?", "When is it safe to contact you?", "Postcode"):
        assert label in html
    assert 'name="consent_contact"' in html and 'name="consent_data"' in html
    assert "Log out" not in html  # the public layout has no staff navigation


def test_a_self_referral_becomes_a_case_with_its_consent_and_a_timeline_note(client):
    response = client.post(URL, referral_data())

    assert response.status_code == 302 and response["Location"] == "/help/thanks/referral/"
    case = Case.objects.get()
    assert (case.referral_source, case.dispute_type, case.status) == (
        "self",
        "neighbour",
        "referred",
    )
    assert case.created_by is None and case.coordinator is None
    assert case.summary.startswith("Music from next door")
    assert "Who it is with (as given on the form): Mr Lee at number 14" in case.summary
    party = case.parties.get()
    # Normalised by Party.clean(), as on the staff pages.
    assert (party.postcode, party.phone) == ("TN9 1AA", "+441732123456")
    assert (party.role, party.preferred_contact) == ("first_party", "phone")
    assert party.preferred_times == "Weekday mornings"
    consent = Consent.objects.get(party=party)
    assert (consent.kind, consent.method, consent.recorded_by) == (
        "data_processing",
        "written",
        None,
    )
    note = ContactLogEntry.objects.get(case=case, kind="note")
    assert "Consent to be contacted was given on the form" in note.text
    assert "phone call" in note.text and "Weekday mornings" in note.text
    assert note.author is None and note.party == party


def test_the_confirmation_says_what_happens_next_by_the_chosen_method_and_times(client, settings):
    settings.PUBLIC_REPLY_WORKING_DAYS = 4
    html = client.post(URL, referral_data(), follow=True).content.decode()

    assert "within\n  4 working days" in html or "within 4 working days" in re.sub(
        r"\s+", " ", html
    )
    text = re.sub(r"\s+", " ", html)
    assert "by phone call, at the times given (Weekday mornings)" in text
    assert "999" in text
    # The details are shown once, then forgotten.
    again = re.sub(r"\s+", " ", client.get("/help/thanks/referral/").content.decode())
    assert "Weekday mornings" not in again and "in the way and at the times given" in again


def test_an_agency_referral_records_the_referrer_and_the_kind_of_organisation(client):
    data = referral_data(
        who="agency",
        referrer_name="Pat Jones",
        referrer_organisation="Town and Country Housing",
        agency_kind="housing",
        referrer_contact="pat@example.org",
    )

    client.post(URL, data)

    case = Case.objects.get()
    assert case.referral_source == "housing"
    assert (case.referrer_name, case.referrer_organisation, case.referrer_contact) == (
        "Pat Jones",
        "Town and Country Housing",
        "pat@example.org",
    )
    consent = Consent.objects.get()
    assert "Confirmed on their behalf by Pat Jones" in consent.notes


def test_an_agency_referral_without_a_kind_is_from_another_agency(client):
    client.post(
        URL,
        referral_data(
            who="agency", referrer_name="Pat", referrer_organisation="GP", referrer_contact="x"
        ),
    )

    assert Case.objects.get().referral_source == "other_agency"


def test_an_agency_must_say_who_they_are(client):
    response = client.post(URL, referral_data(who="agency"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the name of your organisation." in html
    assert not Case.objects.exists()


def test_bad_input_is_marked_next_to_its_field_and_nothing_typed_is_lost(client):
    data = referral_data(**{"person-postcode": "XX1", "person-phone": "123", "consent_data": ""})

    response = client.post(URL, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Ask for help" in html
    assert "Enter a UK postcode, for example TN9 1AA." in html
    assert "Enter a valid phone number" in html
    assert "Tick this box so that we can keep your details." in html
    # The summary links each problem to its field.
    assert 'href="#id_person-postcode"' in html
    # Everything typed is still there.
    assert "Music from next door" in html and 'value="Alice Carter"' in html
    assert 'value="XX1"' in html and 'value="Weekday mornings"' in html
    assert re.search(r'value="neighbour"[^>]*checked', html)
    assert re.search(r'name="consent_contact"[^>]*checked', html)
    assert not Case.objects.exists() and not Party.objects.exists()
    assert not PublicSubmission.objects.exists()


def test_the_contact_method_needs_its_detail(client):
    response = client.post(URL, referral_data(**{"person-preferred_contact": "email"}))

    assert "Give an email address to be emailed at." in response.content.decode()
    assert not Case.objects.exists()


def test_a_filled_honeypot_pretends_to_succeed_and_saves_nothing(client):
    response = client.post(URL, referral_data(website="http://spam.example"))

    assert response.status_code == 302 and response["Location"] == "/help/thanks/referral/"
    assert not Case.objects.exists()
    assert PublicSubmission.objects.get().discarded


def test_the_honeypot_is_hidden_from_people_and_out_of_the_tab_order(client):
    html = client.get(URL).content.decode()

    box = re.search(r'<div class="hp-field" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
    assert 'name="website"' in box and 'tabindex="-1"' in box and 'autocomplete="off"' in box


def test_a_form_sent_too_quickly_is_refused_but_kept(client):
    token = spam.issue_token("referral", at=time.time() - 1)

    response = client.post(URL, referral_data(form_started=token))

    html = response.content.decode()
    assert "That was very quick" in html and "Music from next door" in html
    assert f'value="{token}"' in html  # the clock keeps running from the first view
    assert not Case.objects.exists()


def test_a_form_left_open_too_long_is_refused_with_a_fresh_token(client):
    token = spam.issue_token("referral", at=time.time() - 2 * 60 * 60 - 5)

    response = client.post(URL, referral_data(form_started=token))

    html = response.content.decode()
    assert "open for a long time" in html and "Music from next door" in html
    assert f'value="{token}"' not in html
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["", "nonsense", spam.issue_token("volunteer", at=time.time() - 60)],
    ids=["missing", "forged", "another-form"],
)
def test_a_missing_or_forged_token_is_refused(client, token):
    response = client.post(URL, referral_data(form_started=token))

    assert "Something went wrong with this form" in response.content.decode()
    assert not Case.objects.exists()


def test_it_limits_forms_per_address_and_keeps_no_raw_address(client, settings):
    settings.PUBLIC_FORMS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(URL, referral_data(), REMOTE_ADDR="203.0.113.9").status_code == 302

    response = client.post(URL, referral_data(), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 429
    html = response.content.decode()
    assert "several forms from this connection" in html and "Music from next door" in html
    assert Case.objects.count() == 2
    # Another address is not affected.
    assert client.post(URL, referral_data(), REMOTE_ADDR="198.51.100.7").status_code == 302
    hashes = set(PublicSubmission.objects.values_list("ip_hash", flat=True))
    assert len(hashes) == 2 and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert "203.0.113.9" not in str(list(PublicSubmission.objects.values()))


def test_the_audit_trail_records_the_referral_without_the_senders_address(client):
    client.post(URL, referral_data())

    event = AuditEvent.objects.get(action="create", object_type="cases.case")
    assert event.actor is None and event.ip is None


def test_the_coordinator_sees_the_referral_in_the_list_and_opens_it(client, login, coordinator):
    client.post(URL, referral_data())
    case = Case.objects.get()
    staff = login(coordinator)

    listing = staff.get("/cases/", {"status": "referred"}).content.decode()
    page = staff.get(f"/cases/{case.reference}/")

    assert case.reference in listing
    html = page.content.decode()
    assert page.status_code == 200
    assert "Self-referral received through the website" in html
    assert "To the processing of their personal data" in html


def test_counts_over_a_day_old_are_deleted_as_new_forms_arrive(client):
    old = PublicSubmission.objects.create(
        form="referral", ip_hash="0" * 64, at=timezone.now() - datetime.timedelta(days=1, hours=1)
    )

    client.post(URL, referral_data())

    assert not PublicSubmission.objects.filter(pk=old.pk).exists()
    assert PublicSubmission.objects.count() == 1
