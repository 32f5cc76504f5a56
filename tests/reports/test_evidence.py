"""The funders' reports (reports.evidence) against figures worked out by hand on a small fixed
data set, with small-number and secondary suppression, response rates, areas and referrers.

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
from reports import evidence
from reports.tables import FEWER_THAN_5, WITHHELD
from surveys.models import FeedbackAnswer, FollowUpAnswer, SurveyInvitation
from tests.factories import CaseFactory, PartyFactory
from tests.reports.conftest import Q4, Q4_QUERY, at, d

pytestmark = pytest.mark.django_db

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


# --- Pages, downloads -------------------------------------------------------------------------

PAGES = ["satisfaction", "sustained", "referrer", "area"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("cast", "status"),
    [("coordinator", 200), ("administrator", 200), ("mediator", 403), ("supervisor", 403)],
)
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_the_pages_are_for_coordinators_and_administrators(request, login, cast, status, page, fmt):
    client = login(request.getfixturevalue(cast))

    response = client.get(f"/reports/{page}/", {**Q4_QUERY, **({"format": fmt} if fmt else {})})

    assert response.status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, page):
    response = client.get(f"/reports/{page}/", Q4_QUERY)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_pages_show_the_figures_and_the_notes(survey_data, login, coordinator):
    body = login(coordinator).get("/reports/satisfaction/", Q4_QUERY).content.decode()

    assert "Feedback by local authority" in body
    assert "80.0%" in body
    assert "fewer than 5" in body and "withheld" in body
    assert "Not in the table" in body
    assert "format=xlsx" in body


def test_the_referrer_page_shows_one_organisation(referrer_data, login, coordinator):
    client = login(coordinator)
    pk = referrer_data["moat"].pk

    response = client.get("/reports/referrer/", {**Q4_QUERY, "referrer": pk})

    assert response.status_code == 200
    body = response.content.decode()
    assert "What happened to the referrals: Moat Homes" in body
    assert f"referrer={pk}&amp;format=xlsx" in body
    assert client.get("/reports/referrer/", {**Q4_QUERY, "referrer": "nope"}).status_code == 400
    assert client.get("/reports/referrer/", {**Q4_QUERY, "referrer": 999999}).status_code == 400


def test_a_period_is_a_period_for_the_new_pages_too(login, coordinator):
    client = login(coordinator)

    assert (
        client.get("/reports/area/", {"start": "2025-12-31", "end": "2025-01-01"}).status_code
        == 400
    )


# --- Query counts -----------------------------------------------------------------------------

# The report's own queries beyond any page's (the same page with a period it refuses), +1 for
# a download's audit event: satisfaction and sustained: the invitations, the district table;
# area: referrals and outcomes, each with the district table; referrer: the list of
# organisations for the form, the cases, the survey, the names (or the chosen one).
EVIDENCE_BUDGETS = {
    "/reports/satisfaction/": 2,
    "/reports/sustained/": 2,
    "/reports/area/": 4,
    "/reports/referrer/": 4,
}


def grow_surveys(n):
    """``n`` more cases in each period, across new referrers and districts, each with a
    feedback and a follow-up survey asked and answered."""
    for i in range(n):
        referrer = Referrer.objects.create(name=f"Grown referrer {Referrer.objects.count()}")
        for closed_on, when in ((d(11, 1 + i % 28), at(11, 2)), (d(8, 1 + i % 28), at(8, 2))):
            case = closed_case(
                ["neighbour", "family"][i % 2], referrer, f"TN{1 + i % 30}", closed_on
            )
            invite(case, when, answer=True, felt_heard=4)
            invite(case, when, kind="follow_up", answer=True, agreement_holding="yes")


def queries_of(client, url, params, status=200):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == status, url
    return len(queries)


@pytest.mark.parametrize("url", list(EVIDENCE_BUDGETS))
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_the_new_reports_run_a_fixed_number_of_queries_within_budget(
    survey_data, login, coordinator, url, fmt
):
    client = login(coordinator)
    params = {**Q4_QUERY, **({"format": fmt} if fmt else {})}
    client.get(url, params)
    few = queries_of(client, url, params)
    grow_surveys(12)

    assert queries_of(client, url, params) == few
    if url == "/reports/referrer/":
        one = {**params, "referrer": survey_data["moat"].pk}
        client.get(url, one)
        assert queries_of(client, url, one) <= few
    impossible = {"start": "2025-12-31", "end": "2025-01-01"}
    client.get(url, impossible)
    overhead = queries_of(client, url, impossible, status=400)
    assert few <= overhead + EVIDENCE_BUDGETS[url] + (1 if fmt else 0)


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
