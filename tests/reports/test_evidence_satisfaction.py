"""The funders' satisfaction and sustained-outcomes reports against figures worked out by hand
(tests/reports/evidence_data.py): totals, response rates, agreement, by district, local
authority, dispute type and referrer, with small-number and secondary suppression."""

import pytest

from reports import evidence
from tests.reports.conftest import Q4, at, d
from tests.reports.evidence_data import HOSTILE, F, W, cells, closed_case, invite

pytestmark = pytest.mark.django_db


def test_satisfaction_totals_response_rate_and_agreement(survey_data):
    report = evidence.satisfaction_report(Q4)

    response = report.figures("satisfaction_response")
    assert response["Parties invited"] == (21, F)  # 10 + 3 + 7 + 1; Q3: 2
    assert response["Surveys answered"] == (16, F)  # 8 + 2 + 6; Q3: 1
    assert response["Response rate"][0] == pytest.approx(100 * 16 / 21)
    assert response["Response rate"][1] is F  # out of 2: fewer than 5 behind it
    agree = report.figures("satisfaction_agree")
    # felt heard: answered by 7 + 2 + 6 = 15 (a blank is not an answer), agreeing 5 + 1 + 6 = 12
    assert agree["I felt listened to"] == (pytest.approx(80.0), F)
    assert agree["I would recommend mediation to someone else"] == (100.0, None)  # 8 of 8; Q3 none
    assert agree["I understood what would happen at each step"] == (None, None)  # nobody


def test_satisfaction_by_district_with_secondary_suppression(survey_data):
    report = evidence.satisfaction_report(Q4)

    rows = {row[0]: row[1:5] for row in cells(report, "satisfaction_district")}
    assert list(rows) == ["ME14", "TN9", "TN10", "XX1"]
    # invited 10, 3, 7, 1: two hidden, so neither can be worked out from the total; but
    # within their local authorities too (_nest_districts): Maidstone's 10 is withheld in the
    # authority table, so ME14's (its only district) is too; TN9 is hidden in Tonbridge &
    # Malling, whose 10 is shown, so TN10's 7 is withheld (10 - 7 would give TN9's 3)
    # answered 8, 2, 6, 0: only TN9 hidden, so the next smallest (TN10's 6) is withheld
    # rates: ME14's response rate would give its invited away; 5 of 7 agree; TN9 out of 3 and
    # of 2; TN10 withheld with its counts
    assert rows["ME14"] == [W, 8, W, pytest.approx(100 * 5 / 7)]
    assert rows["TN9"] == [F, F, F, F]
    assert rows["TN10"] == [W, W, W, W]
    assert rows["XX1"] == [F, 0, F, None]


def test_satisfaction_by_local_authority_hides_a_rate_that_would_give_a_withheld_count(
    survey_data,
):
    report = evidence.satisfaction_report(Q4)

    rows = {row[0]: row[1:4] for row in cells(report, "satisfaction_authority")}
    assert list(rows) == ["Maidstone", "Tonbridge & Malling", "Not in the table"]
    # invited 10, 10, 1: the 1 is hidden and the first of the two 10s withheld; answered 8, 8, 0
    # Maidstone's response rate (8 of 10) would give its withheld 10 away: withheld too.
    assert rows["Maidstone"] == [W, 8, W]
    assert rows["Tonbridge & Malling"] == [10, 8, pytest.approx(80.0)]
    assert rows["Not in the table"] == [F, 0, F]


def test_satisfaction_by_dispute_type_and_referrer(survey_data):
    report = evidence.satisfaction_report(Q4)

    by_type = {row[0]: row[1:3] for row in cells(report, "satisfaction_type")}
    assert by_type == {"Neighbour": [17, W], "Family": [F, F], "Community/group": [F, 0]}
    by_referrer = {row[0]: row[1:3] for row in cells(report, "satisfaction_referrer")}
    assert list(by_referrer) == [HOSTILE, "Moat Homes", "No referring organisation"]
    assert by_referrer == {
        HOSTILE: [F, 0],
        "Moat Homes": [17, W],
        "No referring organisation": [F, F],
    }


def test_sustained_outcomes_rates(survey_data):
    case = closed_case("neighbour", survey_data["moat"], "ME14", d(9, 1))
    answers = [
        ("yes", "no", False),
        ("yes", "no", False),
        ("partly", "sometimes", True),
        ("no", "yes", None),
        ("no_agreement", "no", False),
    ]
    for holding, back, police in answers:
        invite(
            case,
            at(12, 1),
            kind="follow_up",
            answer=True,
            agreement_holding=holding,
            problem_back=back,
            contacted_police=police,
        )
    invite(case, at(12, 1), kind="follow_up")

    report = evidence.sustained_report(Q4)

    response = report.figures("sustained_response")
    assert response["Parties asked"] == (6, 0)
    assert response["Answered"] == (5, 0)
    assert response["Response rate"] == (pytest.approx(100 * 5 / 6), None)
    rates = report.figures("sustained_rates")
    # holding: of the 4 who had an agreement and said (yes, yes, partly, no): "fewer than 5"
    assert rates["Agreement holding (fully or partly)"] == (F, None)
    # problem back: all 5 said, "no" 3 times: 60% would give a count below 5 (3), withheld
    assert rates["Problem not back"] == (W, None)
    # police: 4 said (one left it blank): fewer than 5 behind it
    assert rates["Contacted the police about it since"] == (F, None)


def test_sustained_outcomes_definitions_on_enough_answers(survey_data):
    case = closed_case("family", None, "TN9", d(9, 1))
    for holding in ("yes", "yes", "yes", "partly", "partly", "no", "no", "no_agreement", ""):
        invite(case, at(10, 5), kind="follow_up", answer=True, agreement_holding=holding)

    rates = evidence.sustained_report(Q4).figures("sustained_rates")

    # 7 had an agreement and said; 5 holding fully or partly, 3 fully (a rate of 3 is withheld:
    # with the 7 it is out of, it would give a count below 5)
    assert rates["Agreement holding (fully or partly)"][0] == pytest.approx(100 * 5 / 7)
    assert rates["Agreement fully holding"][0] is W
