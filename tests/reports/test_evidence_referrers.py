"""The funders' referrer reports against figures worked out by hand (evidence_data.py):
what happened to one or every referrer's referrals, small organisations as one row, what one
referrer's parties said, and no hidden count worked out from the others."""

import pytest

from referrers.models import Referrer
from reports import evidence
from tests.factories import CaseFactory
from tests.reports.conftest import Q4, at, d
from tests.reports.evidence_data import F, W, cells, closed_case, invite

pytestmark = pytest.mark.django_db


def test_what_happened_to_one_referrers_referrals(referrer_data):
    report = evidence.referrer_report(Q4, referrer=referrer_data["moat"])

    assert report.title == "What happened to the referrals: Moat Homes"
    received = report.figures("referrer_received")
    assert received["Referrals received"] == (6, 5)
    assert received["Median days to first contact"] == (6.0, None)  # 2, 4, 6, 8, 10
    assert report.figures("referrer_stage") == {
        "Referred": (0, 0),
        "Contacting parties": (F, 0),
        "Awaiting consent": (0, 0),
        "Ready to assign": (0, 0),
        "Active": (F, 0),
        "Closed": (F, 5),
    }
    outcomes = report.figures("referrer_outcomes")
    assert outcomes["Full agreement"] == (F, 5)
    assert outcomes["Withdrawn"] == (F, 0)
    assert outcomes["No agreement"] == (0, 0)


def test_what_happened_to_every_referrers_referrals(referrer_data):
    report = evidence.referrer_report(Q4)

    rows = cells(report, "referrer_all")
    # Clarion's 1 is hidden, so the smallest other count in the column (Moat's 6) is withheld
    assert rows == [
        ["Clarion Housing", F, F, 0, 0, None, 0, None],
        ["Moat Homes", W, F, F, F, 6.0, 0, None],
    ]


def test_a_hidden_closed_count_cannot_be_worked_out_from_received_and_still_open(db):
    """Ten referrals, two of them closed: "closed" is hidden, and "still open" (8 = 10 - 2)
    is withheld with it, or the 2 would be received minus still open."""
    orbit = Referrer.objects.create(name="Orbit Group", kind="housing")
    for i in range(10):
        closed = i < 2
        CaseFactory(
            referrer=orbit,
            received_on=d(10, 1),
            status="closed" if closed else "active",
            outcome="withdrawn" if closed else "",
            closed_on=d(11, 1) if closed else None,
        )

    (row,) = cells(evidence.referrer_report(Q4), "referrer_all")

    assert row[:4] == ["Orbit Group", 10, W, F]


def test_small_organisations_are_one_row(referrer_data):
    orbit = Referrer.objects.create(name="Orbit Group", kind="housing")
    CaseFactory(referrer=orbit, received_on=d(11, 2))

    rows = cells(evidence.referrer_report(Q4), "referrer_all")

    # Clarion 1 and Orbit 1 together: 2, hidden; Moat's 6 withheld with it
    assert [row[:2] for row in rows] == [
        ["Moat Homes", W],
        [evidence.OTHER_ORGANISATIONS, F],
    ]
    assert rows[1][5] is None  # no median of several organisations' cases


def test_organisations_with_fewer_than_5_answers_are_one_row(survey_data):
    orbit = Referrer.objects.create(name="Orbit Group", kind="housing")
    invite(closed_case("neighbour", orbit, "ME14", d(11, 1)), at(11, 2), answer=True, felt_heard=5)

    report = evidence.satisfaction_report(Q4)

    # the hostile-named one (1 asked, none answered) and Orbit (1 asked, 1 answered) together
    rows = {row[0]: row[1:3] for row in cells(report, "satisfaction_referrer")}
    assert rows == {
        "Moat Homes": [17, 14],
        evidence.OTHER_ORGANISATIONS: [F, F],  # 2 asked, 1 answered
        "No referring organisation": [F, F],
    }


def test_what_one_referrers_parties_said(survey_data):
    report = evidence.referrer_report(Q4, referrer=survey_data["moat"])

    said = report.figures("referrer_satisfaction")
    # Moat's referrals received in Q4 are A (2 Oct) and C (1 Nov): 10 + 7 asked, 8 + 6 answered;
    # felt heard answered by 7 + 6, agreeing 5 + 6. In Q3, E (2 Jul): 2 asked, 1 answered.
    assert said["Parties invited"] == (17, F)
    assert said["Surveys answered"] == (14, F)
    assert said["Response rate"] == (pytest.approx(100 * 14 / 17), F)
    assert said["I felt listened to (% agree)"] == (pytest.approx(100 * 11 / 13), F)
    assert report.figures("referrer_received")["Referrals received"] == (F, F)  # 2 and 1
