"""The case forms, fuzzed: referral intake, party details, the contact log, consent given and
withdrawn, closing and reopening.

Fed arbitrary text, numbers and dates (DESIGN.md rule 13): never a 500; either it is saved (a
redirect to a page that shows it), or the form comes back with a clear message for each problem
and no row saved anywhere, not even half.
"""

import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases.models import Case, ContactLogEntry
from parties.models import Consent, Party
from tests.factories import CaseFactory, PartyFactory
from tests.hostile.fuzz import VALID_PARTY, named, party_hostile, party_valid

from . import strategies
from .checks import submit
from .conftest import form_time, local

pytestmark = pytest.mark.django_db


INTAKE = strategies.form_data(
    valid={
        "dispute_type": st.sampled_from(["neighbour", "family", "other"]),
        "referral_source": st.sampled_from(["self", "housing", "police"]),
        "referrer_name": strategies.odd_text(),
        "referrer_organisation": strategies.odd_text(),
        "received_on": st.sampled_from(["2026-11-02", "02/11/2026", "2000-01-01"]),
        "summary": named(),
        "risk_violence": strategies.checkbox,
        "risk_notes": strategies.odd_text(),
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        **party_valid("parties-0-"),
    },
    hostile={
        "dispute_type": strategies.hostile_choice("neighbour", "family", "other"),
        "referral_source": strategies.hostile_choice("self", "housing", "police"),
        "referrer_name": strategies.hostile_text(),
        "referrer_organisation": strategies.hostile_text(),
        "referrer_contact": strategies.hostile_text(),
        "add_organisation": strategies.checkbox,
        "received_on": strategies.hostile_date(),
        "summary": strategies.hostile_text(),
        "risk_violence": strategies.checkbox,
        "risk_safeguarding": strategies.checkbox,
        "risk_lone_working": strategies.checkbox,
        "risk_notes": strategies.hostile_text(),
        "coordinator": strategies.hostile_number(),
        "parties-TOTAL_FORMS": strategies.hostile_number(),
        "parties-INITIAL_FORMS": strategies.hostile_number(),
        "parties-MIN_NUM_FORMS": strategies.hostile_number(),
        "parties-MAX_NUM_FORMS": strategies.hostile_number(),
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


@strategies.HOSTILE
@given(data=INTAKE)
@example(data={**INTAKE_BASE, "received_on": "0001-01-01"})  # was a 500: WKM-1-0001
@example(
    data={
        **INTAKE_BASE,
        "summary": f"{strategies.SCRIPT} \u202eevil 😀",
        "parties-0-full_name": strategies.IMG,
    }
)
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


PARTY_EDIT = strategies.form_data(valid=party_valid(), hostile=party_hostile())


@strategies.HOSTILE
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
    return strategies.form_data(
        valid={
            "kind": st.sampled_from(["call", "note", "visit"]),
            "occurred_at": st.sampled_from([form_time(local(-1)), form_time(local(-400, 23))]),
            "party": st.sampled_from(["", *parties]),
            "text": named(),
            "private_to": st.sampled_from(["", *parties]),
            "is_draft": strategies.checkbox,
        },
        hostile={
            "kind": strategies.hostile_choice("call", "note", "visit"),
            "occurred_at": strategies.hostile_datetime(),
            "party": st.one_of(strategies.hostile_number(), strategies.hostile_text(8)),
            "text": strategies.hostile_text(),
            "private_to": st.one_of(strategies.hostile_number(), strategies.hostile_text(8)),
            "is_draft": strategies.checkbox,
        },
    )


@strategies.HOSTILE
@given(data=st.data())
def test_contact_log_add(staff, case, data):
    values = data.draw(log_form(case))
    submit(staff, f"/cases/{case.reference}/log/", values, counted=[ContactLogEntry, AuditEvent])


CONSENT = strategies.form_data(
    valid={
        "kinds": st.sampled_from(["mediate", "share_details", "data_processing"]),
        "method": st.sampled_from(["verbal", "written"]),
        "given_at": st.sampled_from(["2026-11-20T10:00", "2000-01-01T00:00"]),
        "notes": strategies.odd_text(),
    },
    hostile={
        "kinds": strategies.hostile_choice("mediate", "share_details", "data_processing"),
        "method": strategies.hostile_choice("verbal", "written"),
        "given_at": strategies.hostile_datetime(),
        "notes": strategies.hostile_text(),
    },
)


@strategies.HOSTILE
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


WITHDRAWAL = strategies.form_data(
    valid={
        "withdrawn_at": st.sampled_from([form_time(local(0, 0)), form_time(local(-1, 9))]),
        "method": st.sampled_from(["verbal", "written"]),
        "note": st.one_of(st.just(""), named()),
    },
    hostile={
        "withdrawn_at": strategies.hostile_datetime(),
        "method": strategies.hostile_choice("verbal", "written"),
        "note": strategies.hostile_text(),
    },
)


@strategies.HOSTILE
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


CLOSE = strategies.form_data(
    valid={
        "outcome": st.sampled_from(["withdrawn", "unsuitable", "not_contactable"]),
        "closed_on": st.sampled_from(["2026-11-20", "20/11/2026", "2026-11-02"]),
        "follow_up_on": st.sampled_from(["", "2027-02-18", "2026-11-20"]),
    },
    hostile={
        "outcome": strategies.hostile_choice("withdrawn", "unsuitable", "full_agreement"),
        "closed_on": strategies.hostile_date(),
        "follow_up_on": strategies.hostile_date(),
    },
)


@strategies.HOSTILE
@given(data=CLOSE)
@example(data={"outcome": "withdrawn", "closed_on": "9999-12-31", "follow_up_on": ""})
@example(data={"outcome": "withdrawn", "closed_on": "2026-11-20", "follow_up_on": "9999-12-31"})
@example(data={"outcome": "withdrawn", "closed_on": "0001-01-01"})
def test_close(staff, data):
    case = CaseFactory(status="contacting")  # a fresh case for each example

    response = submit(staff, f"/cases/{case.reference}/close/", data, counted=[AuditEvent])

    case.refresh_from_db()
    assert (case.status == "closed") == (response.status_code == 302)


REOPEN = strategies.form_data(
    valid={"reason": named()}, hostile={"reason": strategies.hostile_text()}
)


@strategies.HOSTILE
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
