"""Every form-bearing page, fed arbitrary text, numbers and dates (DESIGN.md rule 13).

For each submission: never a 500; either it is saved (a redirect to a page that shows it), or the
form comes back with a clear message for each problem and no row saved anywhere, not even half.
"""

import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases.models import AgreementTerm, Case, ContactLogEntry
from notifications.models import OutboxMessage
from parties.models import Consent, Party
from sessions.models import MediationSession
from tests.factories import CaseFactory, PartyFactory, UserFactory, VolunteerFactory
from volunteers.models import DBSCheck, Volunteer, VolunteerHours

from .checks import submit
from .conftest import form_time, local, verified_login
from .strategies import (
    HOSTILE,
    IMG,
    SCRIPT,
    checkbox,
    form_data,
    hostile_choice,
    hostile_date,
    hostile_datetime,
    hostile_number,
    hostile_text,
    odd_text,
)

pytestmark = pytest.mark.django_db


def named(text_strategy=None):
    """A required text field's value: never blank, otherwise anything a form should accept."""
    return st.builds(lambda text: f"A {text}", text_strategy or odd_text())


def party_valid(prefix: str = "") -> dict:
    p = prefix
    return {
        f"{p}full_name": named(),
        f"{p}role": st.sampled_from(["first_party", "other_party", "supporter"]),
        f"{p}address_line1": odd_text(),
        f"{p}town": odd_text(),
        f"{p}postcode": st.sampled_from(["TN9 1AA", "tn91aa", " me14 5Lx "]),
        f"{p}phone": st.sampled_from(["", "01732 123456", "+44 7911 123456"]),
        f"{p}email": st.sampled_from(["", "alice@example.org"]),
        f"{p}preferred_contact": "letter",
        f"{p}preferred_times": odd_text(),
        f"{p}contact_restrictions": odd_text(),
        f"{p}accessibility_needs": odd_text(),
        f"{p}safeguarding_notes": odd_text(),
        f"{p}interpreter_needed": checkbox,
    }


def party_hostile(prefix: str = "") -> dict:
    p = prefix
    return {
        f"{p}full_name": hostile_text(),
        f"{p}role": hostile_choice("first_party", "other_party", "supporter"),
        f"{p}address_line1": hostile_text(),
        f"{p}address_line2": hostile_text(),
        f"{p}town": hostile_text(),
        f"{p}postcode": hostile_text(12),
        f"{p}phone": st.one_of(hostile_text(20), hostile_number()),
        f"{p}email": hostile_text(),
        f"{p}preferred_contact": hostile_choice("phone", "sms", "email", "letter"),
        f"{p}preferred_times": hostile_text(),
        f"{p}contact_restrictions": hostile_text(),
        f"{p}no_text_messages": checkbox,
        f"{p}no_email": checkbox,
        f"{p}language": hostile_text(),
        f"{p}interpreter_needed": checkbox,
        f"{p}accessibility_needs": hostile_text(),
        f"{p}under_18": checkbox,
        f"{p}guardian_name": hostile_text(),
        f"{p}guardian_contact": hostile_text(),
        f"{p}safeguarding_notes": hostile_text(),
        f"{p}age_band": hostile_choice("", "25_44", "not_said"),
        f"{p}gender": hostile_choice("", "woman", "not_said"),
        f"{p}ethnicity": hostile_choice("", "white", "not_said"),
        f"{p}disability": hostile_choice("", "no", "not_said"),
    }


VALID_PARTY = {
    "full_name": "Alice Carter",
    "role": "first_party",
    "postcode": "TN9 1AA",
    "preferred_contact": "letter",
}

INTAKE = form_data(
    valid={
        "dispute_type": st.sampled_from(["neighbour", "family", "other"]),
        "referral_source": st.sampled_from(["self", "housing", "police"]),
        "referrer_name": odd_text(),
        "referrer_organisation": odd_text(),
        "received_on": st.sampled_from(["2026-11-02", "02/11/2026", "2000-01-01"]),
        "summary": named(),
        "risk_violence": checkbox,
        "risk_notes": odd_text(),
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        **party_valid("parties-0-"),
    },
    hostile={
        "dispute_type": hostile_choice("neighbour", "family", "other"),
        "referral_source": hostile_choice("self", "housing", "police"),
        "referrer_name": hostile_text(),
        "referrer_organisation": hostile_text(),
        "referrer_contact": hostile_text(),
        "add_organisation": checkbox,
        "received_on": hostile_date(),
        "summary": hostile_text(),
        "risk_violence": checkbox,
        "risk_safeguarding": checkbox,
        "risk_lone_working": checkbox,
        "risk_notes": hostile_text(),
        "coordinator": hostile_number(),
        "parties-TOTAL_FORMS": hostile_number(),
        "parties-INITIAL_FORMS": hostile_number(),
        "parties-MIN_NUM_FORMS": hostile_number(),
        "parties-MAX_NUM_FORMS": hostile_number(),
        **party_hostile("parties-0-"),
        **party_hostile("parties-1-"),
    },
)

INTAKE_BASE = {
    "dispute_type": "neighbour",
    "referral_source": "self",
    "received_on": "2026-11-02",
    "summary": "Noise through the wall",
    "parties-TOTAL_FORMS": "1",
    "parties-INITIAL_FORMS": "0",
    **{f"parties-0-{k}": v for k, v in VALID_PARTY.items()},
}


@HOSTILE
@given(data=INTAKE)
@example(data={**INTAKE_BASE, "received_on": "0001-01-01"})  # was a 500: WKM-1-0001
@example(data={**INTAKE_BASE, "summary": f"{SCRIPT} \u202eevil 😀", "parties-0-full_name": IMG})
@example(data={**INTAKE_BASE, "summary": "x\x00y", "parties-TOTAL_FORMS": "100000000"})
@example(data={**INTAKE_BASE, "parties-TOTAL_FORMS": "1012"})  # was a minute and 10 MB
def test_referral_intake(staff, data):
    submit(
        staff,
        "/cases/new/",
        data,
        counted=[Case, Party, AuditEvent],
        saved={"parties.Party": 2},
    )


PARTY_EDIT = form_data(valid=party_valid(), hostile=party_hostile())


@HOSTILE
@given(data=PARTY_EDIT)
@example(data={**VALID_PARTY, "full_name": "Bob\x00Dunn"})
@example(data={**VALID_PARTY, "full_name": "x" * 201})
def test_party_edit(staff, case, data):
    party = case.parties.first()
    before = Party.objects.filter(pk=party.pk).values().get()

    response = submit(
        staff,
        f"/cases/{case.reference}/parties/{party.pk}/edit/",
        data,
        counted=[Party, AuditEvent],
    )

    if response.status_code == 200:
        assert Party.objects.filter(pk=party.pk).values().get() == before


def log_form(case):
    parties = [str(p.pk) for p in case.parties.all()]
    return form_data(
        valid={
            "kind": st.sampled_from(["call", "note", "visit"]),
            "occurred_at": st.sampled_from([form_time(local(-1)), form_time(local(-400, 23))]),
            "party": st.sampled_from(["", *parties]),
            "text": named(),
            "private_to": st.sampled_from(["", *parties]),
            "is_draft": checkbox,
        },
        hostile={
            "kind": hostile_choice("call", "note", "visit"),
            "occurred_at": hostile_datetime(),
            "party": st.one_of(hostile_number(), hostile_text(8)),
            "text": hostile_text(),
            "private_to": st.one_of(hostile_number(), hostile_text(8)),
            "is_draft": checkbox,
        },
    )


@HOSTILE
@given(data=st.data())
def test_contact_log_add(staff, case, data):
    values = data.draw(log_form(case))
    submit(staff, f"/cases/{case.reference}/log/", values, counted=[ContactLogEntry, AuditEvent])


CONSENT = form_data(
    valid={
        "kinds": st.sampled_from(["mediate", "share_details", "data_processing"]),
        "method": st.sampled_from(["verbal", "written"]),
        "given_at": st.sampled_from(["2026-11-20T10:00", "2000-01-01T00:00"]),
        "notes": odd_text(),
    },
    hostile={
        "kinds": hostile_choice("mediate", "share_details", "data_processing"),
        "method": hostile_choice("verbal", "written"),
        "given_at": hostile_datetime(),
        "notes": hostile_text(),
    },
)


@HOSTILE
@given(data=CONSENT)
@example(data={"kinds": "mediate", "method": "verbal", "given_at": "0001-01-01T00:00"})
@example(data={"kinds": "mediate", "method": "verbal", "given_at": "2026-03-29T01:30"})
@example(data={"kinds": "data_processing", "method": "written", "given_at": "2026-11-20T10:00",
               "notes": "x" * 301})  # fmt: skip
def test_consent_add(staff, data):
    party = PartyFactory()  # a fresh party, without consents, for each example
    submit(
        staff,
        f"/cases/{party.case.reference}/parties/{party.pk}/consent/",
        data,
        counted=[Consent, AuditEvent],
    )


WITHDRAWAL = form_data(
    valid={
        "withdrawn_at": st.sampled_from([form_time(local(0, 0)), form_time(local(-1, 9))]),
        "method": st.sampled_from(["verbal", "written"]),
        "note": st.one_of(st.just(""), named()),
    },
    hostile={
        "withdrawn_at": hostile_datetime(),
        "method": hostile_choice("verbal", "written"),
        "note": hostile_text(),
    },
)


@HOSTILE
@given(data=WITHDRAWAL)
@example(data={"withdrawn_at": "9999-12-31T23:59", "method": "verbal"})
@example(data={"withdrawn_at": "0001-01-01T00:00", "method": "written", "note": "x" * 301})
def test_consent_withdrawal(staff, data):
    party = PartyFactory()  # a fresh party, with a consent given two days ago, for each example
    consent = Consent.objects.create(
        party=party, kind="mediate", method="verbal", given_at=local(-2)
    )

    response = submit(
        staff,
        f"/cases/{party.case.reference}/consents/{consent.pk}/withdraw/",
        data,
        counted=[ContactLogEntry, AuditEvent],
        saved={"cases.contactlogentry": 1, "audit.auditevent": 3},
    )

    consent.refresh_from_db()
    assert (consent.withdrawn_at is not None) == (response.status_code == 302)


CLOSE = form_data(
    valid={
        "outcome": st.sampled_from(["withdrawn", "unsuitable", "not_contactable"]),
        "closed_on": st.sampled_from(["2026-11-20", "20/11/2026", "2026-11-02"]),
        "follow_up_on": st.sampled_from(["", "2027-02-18", "2026-11-20"]),
    },
    hostile={
        "outcome": hostile_choice("withdrawn", "unsuitable", "full_agreement"),
        "closed_on": hostile_date(),
        "follow_up_on": hostile_date(),
    },
)


@HOSTILE
@given(data=CLOSE)
@example(data={"outcome": "withdrawn", "closed_on": "9999-12-31", "follow_up_on": ""})
@example(data={"outcome": "withdrawn", "closed_on": "2026-11-20", "follow_up_on": "9999-12-31"})
@example(data={"outcome": "withdrawn", "closed_on": "0001-01-01"})
def test_close(staff, data):
    case = CaseFactory(status="contacting")  # a fresh case for each example

    response = submit(staff, f"/cases/{case.reference}/close/", data, counted=[AuditEvent])

    case.refresh_from_db()
    assert (case.status == "closed") == (response.status_code == 302)


REOPEN = form_data(valid={"reason": named()}, hostile={"reason": hostile_text()})


@HOSTILE
@given(data=REOPEN)
@example(data={"reason": "\x00"})
@example(data={"reason": " \u200b "})
def test_reopen(staff, data):
    case = CaseFactory(
        status="closed",
        outcome="withdrawn",
        closed_on=datetime.date(2026, 11, 10),
        status_before_close="contacting",
    )

    response = submit(
        staff,
        f"/cases/{case.reference}/reopen/",
        data,
        counted=[ContactLogEntry, AuditEvent],
    )

    case.refresh_from_db()
    assert (case.status == "closed") == (response.status_code == 200)


def session_form(case):
    parties = [str(p.pk) for p in case.parties.all()]
    return form_data(
        valid={
            "kind": st.sampled_from(["separate", "intake", "joint"]),
            "mode": st.sampled_from(["office", "phone", "neutral_venue"]),
            "venue": odd_text(),
            # A different day for each example, so that bookings do not clash with each other.
            "starts_at": st.integers(3, 700).map(lambda days: form_time(local(days, 10))),
            "parties": st.just(parties),
            "notes": odd_text(),
        },
        hostile={
            "kind": hostile_choice("separate", "intake", "joint"),
            "mode": hostile_choice("office", "phone", "home_visit"),
            "venue": hostile_text(),
            "starts_at": hostile_datetime(),
            "ends_at": hostile_datetime(),
            "parties": st.lists(st.one_of(hostile_number(), hostile_text(8)), max_size=3),
            "notes": hostile_text(),
            "held": checkbox,
        },
    )


def _with_end(values: dict) -> dict:
    """An end 90 minutes after a valid start, unless the example chose its own end."""
    if "ends_at" not in values:
        try:
            start = datetime.datetime.strptime(  # wall-clock arithmetic only
                values.get("starts_at", "") + "+0000", "%Y-%m-%dT%H:%M%z"
            )
            end = start + datetime.timedelta(minutes=90)
        except (ValueError, OverflowError):  # not a time, or 31/12/9999 late in the evening
            return values
        values = {**values, "ends_at": end.strftime("%Y-%m-%dT%H:%M")}
    return values


@HOSTILE
@given(data=st.data())
def test_session_booking(staff, active_case, data):
    values = _with_end(data.draw(session_form(active_case)))
    submit(
        staff,
        f"/cases/{active_case.reference}/sessions/new/",
        values,
        counted=[MediationSession, OutboxMessage, AuditEvent],
        saved={"notifications.OutboxMessage": 50},
    )


@pytest.mark.parametrize(
    "starts_at, ends_at",
    [
        ("9999-12-31T20:00", "9999-12-31T23:59"),
        ("9999-12-31T23:00", "9999-12-31T23:59:59.999999"),
        ("9999-12-31T23:59", ""),
        ("0001-01-01T00:00", "0001-01-01T01:00"),
        ("2026-10-25T01:30", "2026-10-25T02:30"),
    ],
)
@pytest.mark.parametrize("held", ["", "on"])
def test_session_booking_at_the_ends_of_time(staff, active_case, starts_at, ends_at, held):
    parties = [str(p.pk) for p in active_case.parties.all()]
    data = {"kind": "separate", "mode": "office", "starts_at": starts_at, "ends_at": ends_at,
            "parties": parties, "held": held}  # fmt: skip
    submit(
        staff,
        f"/cases/{active_case.reference}/sessions/new/",
        data,
        counted=[MediationSession, OutboxMessage, AuditEvent],
        saved={"notifications.OutboxMessage": 50},
    )


def test_a_session_years_ahead_is_refused_with_a_message(staff, active_case):
    """31/12/9999 at 23:00 was a 500: its text reminder had no next morning to move to."""
    parties = [str(p.pk) for p in active_case.parties.all()]
    data = {"kind": "separate", "mode": "office", "starts_at": "9999-12-31T23:00",
            "ends_at": "9999-12-31T23:59", "parties": parties}  # fmt: skip

    response = submit(
        staff,
        f"/cases/{active_case.reference}/sessions/new/",
        data,
        counted=[MediationSession, OutboxMessage],
    )

    assert response.status_code == 200
    assert "up to two years ahead" in response.content.decode()


TERM = form_data(
    valid={"who": named(), "what": named(), "by_when": odd_text()},
    hostile={"who": hostile_text(), "what": hostile_text(), "by_when": hostile_text()},
)


@HOSTILE
@given(data=TERM)
@example(data={"who": SCRIPT, "what": IMG, "by_when": "\u202etonight"})
@example(data={"who": "Mr Fowler", "what": "x" * 20_001})
def test_agreement_term_add(staff, coordinator, data):
    from cases import agreements

    case = CaseFactory(status="active")
    PartyFactory(case=case)
    draft = agreements.agreement_start(case=case, by=coordinator)

    submit(
        staff,
        f"/cases/{case.reference}/agreements/{draft.pk}/",
        {"action": "add_term", **{f"term-{name}": value for name, value in data.items()}},
        counted=[AgreementTerm, AuditEvent],
    )


def volunteer_form(free_user):
    return form_data(
        valid={
            "first_name": named(),
            "last_name": named(),
            "email": st.sampled_from(["", "grace@example.org"]),
            "phone": st.sampled_from(["", "07911 123456"]),
            "address": odd_text(),
            "postcode": st.sampled_from(["", "TN4 9LH", "tn49lh"]),
            "languages": odd_text(),
            "status": st.sampled_from(["applicant", "mediator", "trainee"]),
            "user": st.sampled_from(["", str(free_user.pk)]),
            "notes": odd_text(),
        },
        hostile={
            "first_name": hostile_text(),
            "last_name": hostile_text(),
            "email": hostile_text(),
            "phone": st.one_of(hostile_text(20), hostile_number()),
            "address": hostile_text(),
            "postcode": hostile_text(12),
            "languages": hostile_text(),
            "status": hostile_choice("applicant", "mediator", "trainee"),
            "supervisor": st.one_of(hostile_number(), hostile_text(8)),
            "user": st.one_of(hostile_number(), hostile_text(8)),
            "notes": hostile_text(),
        },
    )


@HOSTILE
@given(data=st.data())
def test_volunteer_create(staff, data):
    free_user = UserFactory()
    values = data.draw(volunteer_form(free_user))
    submit(staff, "/volunteers/new/", values, counted=[Volunteer, AuditEvent])


DBS = form_data(
    valid={
        "certificate_number": st.integers(0, 10**12 - 1).map(lambda n: f"{n:012d}"),
        "enhanced": checkbox,
        "issued_on": st.sampled_from(["2025-06-01", "01/06/2024", "2000-01-01"]),
        "update_service": st.sampled_from(["on", ""]),
    },
    hostile={
        "certificate_number": st.one_of(hostile_text(12), hostile_number()),
        "enhanced": checkbox,
        "issued_on": hostile_date(),
        "update_service": checkbox,
        "last_status_check_on": hostile_date(),
    },
)


@HOSTILE
@given(data=DBS)
@example(data={"certificate_number": "001234567890", "issued_on": "0001-01-01"})
@example(data={"certificate_number": "001234567890", "issued_on": "9999-12-31"})
@example(data={"certificate_number": "001234567890", "issued_on": "2026-01-01",
               "update_service": "on", "last_status_check_on": "0001-01-01"})  # fmt: skip
def test_dbs_check_add(staff, data):
    volunteer = VolunteerFactory()
    submit(
        staff,
        f"/volunteers/{volunteer.pk}/dbs/new/",
        data,
        counted=[DBSCheck, AuditEvent],
    )


@pytest.mark.parametrize(
    "number",
    [  # Arabic-Indic, superscript and full-width digits; a NUL; spaces
        "١٢٣٤٥٦٧٨٩٠١٢",
        "¹²³⁴⁵⁶⁷⁸⁹⁰¹²",
        "１２３４５６７８９０１２",
        "12345678901\x00",
        "1234 567 8901",
    ],
)
def test_a_dbs_number_is_twelve_plain_digits(staff, number):
    """str.isdigit() says yes to other scripts' digits and to superscripts: not a certificate."""
    volunteer = VolunteerFactory()
    data = {"certificate_number": number, "enhanced": "on", "issued_on": "2025-06-01"}

    response = submit(staff, f"/volunteers/{volunteer.pk}/dbs/new/", data, counted=[DBSCheck])

    assert response.status_code == 200
    assert "A DBS certificate number has 12 digits." in response.content.decode()
    assert not DBSCheck.objects.filter(volunteer=volunteer).exists()


@pytest.fixture
def volunteer_client(mediator, my_case, client):
    """The mediator (with a volunteer record, assigned to ``my_case``), logged in."""
    return verified_login(client, mediator)


def hours_form(case):
    return form_data(
        valid={
            "activity": st.sampled_from(["casework", "training", "other"]),
            "case": str(case.pk),
            "date": st.sampled_from(["2026-11-20", "2000-01-01"]),
            "hours": st.sampled_from(["1.5", "0.5", "24"]),
            "miles": st.sampled_from(["", "0", "12.5"]),
            "note": odd_text(),
        },
        hostile={
            "activity": hostile_choice("casework", "training", "other"),
            "case": st.one_of(hostile_number(), hostile_text(8)),
            "date": hostile_date(),
            "hours": hostile_number(),
            "miles": hostile_number(),
            "note": hostile_text(),
        },
    )


@HOSTILE
@given(data=st.data())
def test_hours_log(volunteer_client, my_case, data):
    values = data.draw(hours_form(my_case))
    submit(volunteer_client, "/hours/", values, counted=[VolunteerHours, AuditEvent])


@pytest.mark.parametrize(
    "date, hours, miles",
    [
        ("0001-01-01", "1", "0"),
        ("2026-11-20", "NaN", "-Infinity"),
        ("2026-11-20", "1e18", "1e309"),
        ("2026-11-20", "-1", "-1"),
        ("2026-11-20", "24.1", "1000.1"),
    ],
)
def test_hours_log_numbers(volunteer_client, my_case, date, hours, miles):
    data = {"activity": "casework", "case": str(my_case.pk), "date": date, "hours": hours,
            "miles": miles, "note": ""}  # fmt: skip
    submit(volunteer_client, "/hours/", data, counted=[VolunteerHours, AuditEvent])


LIST_QUERY = form_data(
    valid={},
    hostile={
        "q": hostile_text(),
        "status": hostile_choice("referred", "closed"),
        "dispute_type": hostile_choice("neighbour"),
        "coordinator": hostile_number(),
        "mediator": hostile_number(),
        "received_from": hostile_date(),
        "received_to": hostile_date(),
        "not_contacted": checkbox,
        "order": hostile_choice("received", "-reference"),
        "page": hostile_number(),
        "dbs": hostile_choice("expired", "missing"),
        "accreditation": hostile_choice("community"),
        "retired": checkbox,
    },
    max_changes=6,
)


@HOSTILE
@given(query=LIST_QUERY)
@example(query={"q": "\x00", "received_from": "0001-01-01", "page": "NaN"})
@example(query={"q": "TN9\x001AA", "received_to": "9999-12-31", "page": str(10**18)})
def test_lists_and_their_filters(staff, case, query):
    from urllib.parse import urlencode

    from tests.exports.conftest import build_queued

    for url in ("/cases/", "/cases/export.csv", "/volunteers/", "/hours/", "/referrers/"):
        response = staff.get(url, query)
        assert response.status_code in (200, 404), (url, response.status_code)
    # The list's export: asked for (refused in words, or queued), then built by the worker.
    response = staff.post(f"/cases/export.csv?{urlencode(query, doseq=True)}")
    assert response.status_code == 302
    for export in build_queued():
        assert export.status == "ready", export.error
