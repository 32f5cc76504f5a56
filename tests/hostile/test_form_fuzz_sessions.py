"""The session booking and agreement term forms, fuzzed (and sessions at the ends of time).

Fed arbitrary text, numbers and dates (DESIGN.md rule 13): never a 500; either it is saved (a
redirect to a page that shows it), or the form comes back with a clear message for each problem
and no row saved anywhere, not even half.
"""

import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases.models import AgreementTerm
from notifications.models import OutboxMessage
from sessions.models import MediationSession
from tests.factories import CaseFactory, PartyFactory
from tests.hostile.fuzz import named

from . import strategies
from .checks import submit
from .conftest import form_time, local

pytestmark = pytest.mark.django_db


def session_form(case):
    parties = [str(p.pk) for p in case.parties.all()]
    return strategies.form_data(
        valid={
            "kind": st.sampled_from(["separate", "intake", "joint"]),
            "mode": st.sampled_from(["office", "phone", "neutral_venue"]),
            "venue": strategies.odd_text(),
            # A different day for each example, so that bookings do not clash with each other.
            "starts_at": st.integers(3, 700).map(lambda days: form_time(local(days, 10))),
            "parties": st.just(parties),
            "notes": strategies.odd_text(),
        },
        hostile={
            "kind": strategies.hostile_choice("separate", "intake", "joint"),
            "mode": strategies.hostile_choice("office", "phone", "home_visit"),
            "venue": strategies.hostile_text(),
            "starts_at": strategies.hostile_datetime(),
            "ends_at": strategies.hostile_datetime(),
            "parties": st.lists(
                st.one_of(strategies.hostile_number(), strategies.hostile_text(8)), max_size=3
            ),
            "notes": strategies.hostile_text(),
            "held": strategies.checkbox,
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


@strategies.HOSTILE
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


TERM = strategies.form_data(
    valid={"who": named(), "what": named(), "by_when": strategies.odd_text()},
    hostile={
        "who": strategies.hostile_text(),
        "what": strategies.hostile_text(),
        "by_when": strategies.hostile_text(),
    },
)


@strategies.HOSTILE
@given(data=TERM)
@example(data={"who": strategies.SCRIPT, "what": strategies.IMG, "by_when": "\u202etonight"})
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
