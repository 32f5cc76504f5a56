"""The funders' area reports against figures worked out by hand (tests/reports/evidence_data.py):
referrals and outcomes by area, rates under the suppression rules, no district worked out from
its local authority."""

import pytest

from reports import evidence
from tests.factories import CaseFactory
from tests.reports.conftest import Q4, d
from tests.reports.evidence_data import F, W, cells

pytestmark = pytest.mark.django_db


def test_referrals_by_area(area_data):
    report = evidence.area_report(Q4)

    # Within their local authorities too (_nest_districts): Maidstone's 6 is withheld below,
    # so ME14's (its only district) is; TN9 is hidden and Tonbridge & Malling's 7 shown, so
    # TN10's 5 is withheld (7 - 5 would give TN9's 2)
    assert report.figures("area_referrals_district") == {
        "ME14": (W, 5),
        "TN9": (F, 0),
        "TN10": (W, 0),
        "No postcode recorded": (F, 0),
    }
    # Maidstone 6, Tonbridge & Malling 2 + 5, no postcode 1 (hidden alone: the smallest other,
    # Maidstone's 6, is withheld)
    assert report.figures("area_referrals_authority") == {
        "Maidstone": (W, 5),
        "Tonbridge & Malling": (7, 0),
        "No postcode recorded": (F, 0),
    }


def test_outcomes_by_area(area_data):
    report = evidence.area_report(Q4)

    # 6 closed, 5 after mediation (not the withdrawn one), 4 with an agreement: a count below
    # 5, so hidden, and the rate (4 of 5) with it
    assert cells(report, "area_outcomes_authority") == [["Maidstone", 6, 5, F, W]]
    assert cells(report, "area_outcomes_district") == [["ME14", 6, 5, F, W]]


def test_rates_follow_the_suppression_rules():
    assert evidence.rate(0, 0) is None
    assert evidence.rate(3, 4) is F  # fewer than 5 behind it
    assert evidence.rate(4, 40) is W  # the count it is made of is small
    assert evidence.rate(0, 5) == 0
    assert evidence.rate(5, 10) == 50
    assert evidence.rate(5, 10, hidden=True) is W
    assert evidence.median(3.0, 4) is F
    assert evidence.median(3.0, 5) == 3.0


def test_a_district_cannot_be_worked_out_from_its_local_authority(db):
    """ME14 20 and ME15 3 in Maidstone, TN9 10 in Tonbridge & Malling: ME15 is hidden and,
    down the column, TN9 withheld with it; but Maidstone's 23 is shown, so ME14 is withheld too,
    or ME15 would be 23 - 20."""
    from cases.models import Case

    for district, n in (("ME14", 20), ("ME15", 3), ("TN9", 10)):
        for _ in range(n):
            case = CaseFactory(received_on=d(10, 1))
            Case.objects.filter(pk=case.pk).update(postcode_district=district)

    report = evidence.area_report(Q4)

    authorities = report.figures("area_referrals_authority")
    assert authorities["Maidstone"][0] == 23 and authorities["Tonbridge & Malling"][0] == 10
    districts = report.figures("area_referrals_district")
    assert {name: districts[name][0] for name in ("ME14", "ME15", "TN9")} == {
        "ME14": W,
        "ME15": F,
        "TN9": W,
    }
