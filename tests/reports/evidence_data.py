"""The small fixed data set the funders' reports (reports.evidence) are checked against by hand
(tests/reports/test_evidence_*.py): the survey answers, the areas and the referrers.

This period is Q4 2025 (tests.reports.conftest), the previous one Q3 2025.

Feedback survey sent in Q4 (by case; "answers" are felt_heard, None = left blank):

    A  neighbour  Moat Homes        ME14 (Maidstone)            10 asked, 8 answered:
                                                                 5 5 4 4 4 3 2 blank
                                                                 (would_recommend 5 from all 8)
    B  family     no referrer       TN9  (Tonbridge & Malling)   3 asked, 2 answered: 5 1
    C  neighbour  Moat Homes        TN10 (Tonbridge & Malling)   7 asked, 6 answered: 4 × 6
    D  community  "=SUM(1+1)*cmd"   XX1  (not in the table)      1 asked, none answered
and in Q3:
    E  neighbour  Moat Homes        ME14                         2 asked, 1 answered: 5
"""

import datetime

import pytest

from referrers.models import Referrer
from reports.tables import FEWER_THAN_5, WITHHELD
from surveys.models import FeedbackAnswer, FollowUpAnswer, SurveyInvitation
from tests.factories import CaseFactory, PartyFactory
from tests.reports.conftest import at, d

F, W = FEWER_THAN_5, WITHHELD

HOSTILE = "=SUM(1+1)*cmd"


def invite(case, when, kind="feedback", answer=None, **answers):
    """One party of ``case`` asked at ``when``; ``answer`` True to answer with ``answers``."""
    party = PartyFactory(case=case)
    invitation = SurveyInvitation.objects.create(
        kind=kind,
        case=case,
        party=party,
        via="email",
        expires_at=when + datetime.timedelta(days=30),
        answered_at=when + datetime.timedelta(days=1) if answer else None,
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=when)
    if answer:
        model = FeedbackAnswer if kind == "feedback" else FollowUpAnswer
        model.objects.create(
            invitation=invitation, answered_at=when + datetime.timedelta(days=1), **answers
        )
    return invitation


def closed_case(dispute, referrer, district, closed_on, received_on=None, **fields):
    return CaseFactory(
        dispute_type=dispute,
        referrer=referrer,
        postcode_district=district,
        received_on=received_on or closed_on - datetime.timedelta(days=30),
        status="closed",
        outcome=fields.pop("outcome", "full_agreement"),
        closed_on=closed_on,
        status_before_close="active",
        **fields,
    )


@pytest.fixture
def survey_data():
    moat = Referrer.objects.create(name="Moat Homes", kind="housing")
    hostile = Referrer.objects.create(name=HOSTILE, kind="housing")
    a = closed_case("neighbour", moat, "ME14", d(11, 1))
    for mark in (5, 5, 4, 4, 4, 3, 2, None):
        invite(a, at(11, 2), answer=True, felt_heard=mark, would_recommend=5)
    for _ in range(2):
        invite(a, at(11, 2))
    b = closed_case("family", None, "TN9", d(11, 10))
    invite(b, at(11, 11), answer=True, felt_heard=5)
    invite(b, at(11, 11), answer=True, felt_heard=1)
    invite(b, at(11, 11))
    c = closed_case("neighbour", moat, "TN10", d(12, 1))
    for _ in range(6):
        invite(c, at(12, 2), answer=True, felt_heard=4)
    invite(c, at(12, 2))
    dd = closed_case("community", hostile, "XX1", d(12, 5))
    invite(dd, at(12, 6))
    e = closed_case("neighbour", moat, "ME14", d(8, 1))
    invite(e, at(8, 2), answer=True, felt_heard=5)
    invite(e, at(8, 2))
    return {"moat": moat, "hostile": hostile}


def cells(report, key):
    return report.table(key).cells


@pytest.fixture
def area_data():
    for _ in range(6):
        CaseFactory(received_on=d(10, 3), postcode_district="ME14")
    for _ in range(2):
        CaseFactory(received_on=d(10, 3), postcode_district="TN9")
    for _ in range(5):
        CaseFactory(received_on=d(11, 3), postcode_district="TN10")
    CaseFactory(received_on=d(12, 3), postcode_district="")
    for _ in range(5):
        CaseFactory(received_on=d(8, 3), postcode_district="ME14")
    for outcome in (
        "full_agreement",
        "full_agreement",
        "full_agreement",
        "partial_agreement",
        "no_agreement",
        "withdrawn",
    ):
        closed_case("neighbour", None, "ME14", d(11, 20), received_on=d(6, 1), outcome=outcome)


@pytest.fixture
def referrer_data():
    from cases.models import ContactLogEntry

    moat = Referrer.objects.create(name="Moat Homes", kind="housing")
    other = Referrer.objects.create(name="Clarion Housing", kind="housing")
    statuses = [
        ("closed", "full_agreement"),
        ("closed", "full_agreement"),
        ("closed", "withdrawn"),
        ("active", ""),
        ("active", ""),
        ("contacting", ""),
    ]
    for i, (status, outcome) in enumerate(statuses):
        case = CaseFactory(
            referrer=moat,
            received_on=d(10, 1),
            status=status,
            outcome=outcome,
            closed_on=d(12, 1) if status == "closed" else None,
            status_before_close="active" if status == "closed" else "",
        )
        if i < 5:  # first contact after 2, 4, 6, 8 and 10 days; the last one not yet
            ContactLogEntry.objects.create(
                case=case, kind="call", text="Called", occurred_at=at(10, 1 + 2 * (i + 1))
            )
    for _ in range(5):
        closed_case("neighbour", moat, "ME14", d(9, 1), received_on=d(8, 1))
    CaseFactory(referrer=other, received_on=d(11, 1))
    return {"moat": moat, "other": other}
