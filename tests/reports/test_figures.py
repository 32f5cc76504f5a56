"""Every report figure against numbers worked out by hand from the fixed data set in
conftest.py (this period Q4 2025, previous period Q3 2025)."""

import datetime
from decimal import Decimal

import pytest

from reports import builders
from reports.builders import suppress, suppress_total
from reports.periods import Period
from reports.tables import FEWER_THAN_5, WITHHELD
from tests.factories import CaseFactory
from tests.reports.conftest import Q3, Q4

pytestmark = pytest.mark.django_db


def test_it_counts_referrals_by_month_source_and_type(dataset):
    report = builders.referrals_report(Q4)

    # Q4: C1, C2, R1, C3, R3, C4, C5 = 7; Q3: A, B, R2, X = 4 (Z was June, N January).
    assert report.figures("referrals_total") == {"Referrals received": (7, 4)}
    # Oct: C1 (1st, the first day), C2, R1; Nov: C3, R3, C4; Dec: C5 (31st, the last day).
    assert report.figures("referrals_by_month") == {
        "Oct 2025": (3, None),
        "Nov 2025": (3, None),
        "Dec 2025": (1, None),
    }
    assert report.figures("referrals_by_source") == {
        "Self-referral": (1, 2),  # C4 | A, R2
        "Housing provider": (3, 1),  # C1, C2, R1 | B
        "Police": (1, 1),  # R3 | X
        "Council/ASB team": (1, 0),  # C3
        "School": (1, 0),  # C5
        "Health": (0, 0),
        "Other agency": (0, 0),  # Z was received before both periods
    }
    assert report.figures("referrals_by_type") == {
        "Neighbour": (3, 3),  # C1, C2, C5 | A, R2, X
        "Family": (1, 1),  # C3 | B
        "Parent/teen": (1, 0),  # C4
        "Restorative conferencing": (0, 0),
        "Community/group": (1, 0),  # R1
        "Workplace": (1, 0),  # R3
        "Other": (0, 0),
    }


def test_it_compares_with_the_previous_period(dataset):
    report = builders.referrals_report(Q4)

    assert report.previous == Q3
    # Jul: A; Aug: B, R2; Sep: X.
    assert report.figures("referrals_by_month_previous") == {
        "Jul 2025": (1, None),
        "Aug 2025": (2, None),
        "Sep 2025": (1, None),
    }
    changes = {row.label: row.change for row in report.table("referrals_by_source").rows}
    assert changes["Self-referral"] == -1
    assert changes["Housing provider"] == 2
    assert report.table("referrals_total").rows[0].change == 3
    # Asked for Q3 itself, Q3's figures are "this period" and Q2 (Z, 20 Jun) the previous one.
    q3 = builders.referrals_report(Q3)
    assert q3.figures("referrals_total") == {"Referrals received": (4, 1)}
    assert q3.previous == Period(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))


def test_it_counts_outcomes_by_closing_date_with_the_agreement_rate(dataset):
    report = builders.outcomes_report(Q4)

    # Q4 closings: X (received in Q3, partial), R2 (reopened, closed again 14 Nov: full), C1
    # (full), C2 (31 Dec: no agreement). Not R1 (closed again in January) nor R3 (open again).
    # Q3 closings: A (full), B (withdrawn), Z (improved communication). R2's first closing, on
    # 10 Sep, no longer counts: only its current closing date does.
    assert report.figures("outcomes_by_outcome") == {
        "Full agreement": (2, 1),
        "Partial agreement": (1, 0),
        "No agreement": (1, 0),
        "Improved communication": (0, 1),
        "Withdrawn": (0, 1),
        "Unsuitable for mediation": (0, 0),
        "Not contactable": (0, 0),
    }
    # Rate: (2 full + 1 partial) / (2 + 1 + 1 no agreement) = 75%; Q3: 1 / (1 + 1) = 50%
    # (the withdrawn case is not a mediated outcome).
    assert report.figures("outcomes_summary") == {
        "Cases closed": (4, 3),
        "Cases mediated (closed after mediation)": (4, 2),
        "Full or partial agreement": (3, 1),
        "Agreement rate": (75.0, 50.0),
    }
    assert report.table("outcomes_summary").display_rows[-1] == {
        "label": "Agreement rate",
        "current": "75.0%",
        "previous": "50.0%",
        "change": "+25.0 points",
    }


def test_it_counts_a_case_referred_in_one_period_and_closed_in_the_next_in_both(dataset):
    x = dataset["X"]  # received 15 Sep (Q3), closed 20 Oct (Q4)
    q3_referrals = builders.referrals_report(Q3).figures("referrals_by_source")
    q4_outcomes = builders.outcomes_report(Q4).figures("outcomes_by_outcome")
    q3_outcomes = builders.outcomes_report(Q3).figures("outcomes_by_outcome")

    assert x.referral_source == "police" and q3_referrals["Police"][0] == 1
    assert q4_outcomes["Partial agreement"] == (1, 0)  # in Q4, not in Q3
    assert q3_outcomes["Partial agreement"] == (0, 0)


def test_it_works_out_median_days_with_odd_and_even_counts(dataset):
    report = builders.timeliness_report(Q4)

    # To first contact, Q4 (5 cases, odd): R1 1 (00:30 on 7 Oct in London, although 6 Oct in
    # UTC), C1 2 (not the note or the draft before), C3 5, C2 7 (not the call logged before it
    # was received), R3 10 -> 5. Q3 (4, even): A 2, X 3, B 4, R2 8 -> (3 + 4) / 2 = 3.5.
    # To first session held, cases received in each period: Q4 C1 19, C2 20, C3 61 (held on
    # 2 Jan, after the period: the cohort is the referrals) -> 20; Q3: R2 14, X 16, A 22 -> 16.
    # To closure, cases closed in each period: Q4 X 35, C1 60, C2 77, R2 88 (received 18 Aug,
    # closed again 14 Nov) -> (60 + 77) / 2 = 68.5; Q3 B 20, Z 25, A 72 -> 25.
    assert report.figures("timeliness_medians") == {
        "Referral to first contact": (5.0, 3.5),
        "Referral to first session held": (20.0, 16.0),
        "Referral to closure": (68.5, 25.0),
    }
    assert report.figures("timeliness_cases") == {
        "Cases received": (7, 4),
        "of which contacted": (5, 4),
        "of which not yet contacted": (2, 0),  # C4 (a note only) and C5
        "of which had a session held": (3, 3),
        "Cases closed": (4, 3),
    }
    assert [row["current"] for row in report.table("timeliness_medians").display_rows] == [
        "5",
        "20",
        "68.5",
    ]


def test_it_counts_sessions_held_by_mode_kind_and_status(dataset):
    report = builders.sessions_report(Q4)

    # Held in Q4: X 1 Oct phone, C1 20 Oct office, C2 4 Nov home visit, C2 31 Dec 19:00 video.
    # Held in Q3: A 1 Aug office, R2 1 Sep home visit (separate), A 30 Sep 18:00 neutral venue.
    assert report.figures("sessions_total") == {"Sessions held": (4, 3)}
    assert report.figures("sessions_by_mode") == {
        "Home visit": (1, 1),
        "At the office": (1, 1),
        "Neutral venue": (0, 1),
        "Phone": (1, 0),
        "Video call": (1, 0),
    }
    assert report.figures("sessions_by_kind") == {
        "Intake visit": (1, 1),
        "Separate meeting": (1, 1),
        "Joint meeting": (1, 1),
        "Shuttle mediation": (0, 0),
        "Follow-up": (1, 0),
        "Restorative conference": (0, 0),
    }
    # Every session that started: Q4 also C1's cancelled one, C2's did-not-attend and C3's
    # scheduled one (C3's held session on 2 Jan is after the period); Q3 also B's cancelled one.
    assert report.figures("sessions_by_status") == {
        "Scheduled": (1, 0),
        "Held": (4, 3),
        "Cancelled": (1, 1),
        "Did not attend": (1, 0),
    }


def test_it_counts_sessions_by_their_date_in_london(db):
    from tests.reports.conftest import at, session

    case = CaseFactory(received_on=datetime.date(2025, 9, 1))
    session(case, at(10, 1, 0, 30), "phone", "joint", "held")  # 23:30 UTC on 30 Sep
    session(case, at(9, 30, 23, 30), "video", "joint", "held")  # 22:30 UTC on 30 Sep

    report = builders.sessions_report(Q4)

    assert report.figures("sessions_by_mode")["Phone"] == (1, 0)
    assert report.figures("sessions_by_mode")["Video call"] == (0, 1)


def test_it_sums_volunteer_hours_and_miles_by_month_and_activity(dataset):
    report = builders.volunteers_report(Q4)

    # Q4: 2.5 + 3.0 + 1.5 + 1.0 = 8.0 h; 10.0 + 0 + 12.5 + 4.0 = 26.5 mi; Vera, Victor, Tina.
    # Q3: 2.0 + 4.0 = 6.0 h; 8.0 mi; Vera and Tom. (Victor's 5 h on 2 Jan 2026 is after both.)
    # Trainee cases signed off: Tina's on X on 2 Nov (Q4) and on A on 25 Sep (Q3).
    assert report.figures("volunteer_totals") == {
        "Hours given": (Decimal("8.0"), Decimal("6.0")),
        "Miles travelled": (Decimal("26.5"), Decimal("8.0")),
        "Volunteers who logged time": (3, 2),
        "Trainee cases signed off": (1, 1),
    }
    assert report.figures("hours_by_month") == {
        "Oct 2025": (Decimal("2.5"), None),
        "Nov 2025": (Decimal("4.5"), None),
        "Dec 2025": (Decimal("1.0"), None),
    }
    assert report.figures("miles_by_month_previous") == {
        "Jul 2025": (Decimal("8.0"), None),
        "Aug 2025": (0, None),
        "Sep 2025": (0, None),
    }
    assert report.figures("hours_by_activity") == {
        "Casework": (Decimal("4.0"), Decimal("2.0")),
        "Training": (Decimal("3.0"), Decimal("4.0")),
        "Supervision": (Decimal("1.0"), 0),
        "Other": (0, 0),
    }
    assert report.figures("miles_by_activity") == {
        "Casework": (Decimal("22.5"), Decimal("8.0")),
        "Training": (0, 0),
        "Supervision": (Decimal("4.0"), 0),
        "Other": (0, 0),
    }
    assert report.table("volunteer_totals").display_rows[0]["change"] == "+2.0"


def test_it_counts_active_volunteers_and_trainees_progress(dataset, coordinator):
    report = builders.volunteers_report(Q4, user=coordinator)

    assert report.figures("volunteers_active") == {
        "Active volunteers (mediators and trainees)": (4, None),
        "Mediators": (2, None),
        "Trainees": (2, None),
    }
    assert report.figures("volunteers_by_status") == {
        "Applicant": (1, None),
        "In training": (0, None),
        "Trainee": (2, None),
        "Mediator": (2, None),
        "Inactive": (1, None),
    }
    # Tina: 2 signed off (A, X) and 1 pending (C1); Tom: none (R2 needs more work).
    assert report.figures("trainee_progress") == {
        "0 of 3 signed off": (1, None),
        "1 of 3 signed off": (0, None),
        "2 of 3 signed off": (1, None),
        "3 of 3 signed off": (0, None),
    }
    assert report.table("trainees").cells == [
        ["Tom Learner", "Sue Pervis", "0 of 3", "1"],
        ["Tina Trainee", "Sue Pervis", "2 of 3", "1"],
    ]


def test_it_names_trainees_only_for_coordinators(dataset, administrator):
    for user in (administrator, None):
        report = builders.volunteers_report(Q4, user=user)
        assert "trainees" not in [t.key for s in report.sections for t in s.tables]


def test_it_suppresses_small_numbers_in_equality_monitoring(dataset):
    report = builders.equality_report(Q4)

    # Q4: 14 parties (two in each of the 7 cases). Q3: 4 parties (one in each of the 4 cases):
    # fewer than 5, so the total is hidden too.
    assert report.figures("equality_total") == {"Parties in cases received": (14, FEWER_THAN_5)}
    # Gender Q4: woman 6, man 5, not answered 3. Only one count is small (3), so the next
    # smallest (man, 5) is withheld too: 14 - 6 would otherwise give 5 + 3 away.
    # Q3: woman 4, the only answer: hidden; nothing else to withhold, and the total is hidden.
    assert report.figures("equality_gender") == {
        "Woman": (6, FEWER_THAN_5),
        "Man": (WITHHELD, 0),
        "In another way": (0, 0),
        "Prefer not to say": (0, 0),
        "Not answered": (FEWER_THAN_5, 0),
    }
    # Ethnic group Q4: white 10, Asian 2, Black 2: two small counts hide each other.
    assert report.figures("equality_ethnicity") == {
        "Asian or Asian British": (FEWER_THAN_5, 0),
        "Black, Black British, Caribbean or African": (FEWER_THAN_5, 0),
        "Mixed or multiple ethnic groups": (0, 0),
        "White": (10, FEWER_THAN_5),
        "Other ethnic group": (0, 0),
        "Prefer not to say": (0, 0),
        "Not answered": (0, 0),
    }
    # Nothing small: shown as they are (5 is not fewer than 5).
    assert report.figures("equality_disability") == {
        "Yes": (5, 0),
        "No": (9, FEWER_THAN_5),
        "Prefer not to say": (0, 0),
        "Not answered": (0, 0),
    }
    assert report.figures("equality_age_band")["25–44"] == (7, FEWER_THAN_5)
    gender = {row["label"]: row for row in report.table("equality_gender").display_rows}
    assert gender["Not answered"]["current"] == "fewer than 5"
    assert gender["Man"]["current"] == "withheld"
    assert gender["Woman"]["change"] == "—"  # no change worked out against a hidden figure


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([6, 5, 0, 3], [6, WITHHELD, 0, FEWER_THAN_5]),
        ([3, 12, 9], [FEWER_THAN_5, 12, WITHHELD]),
        ([1, 4, 20], [FEWER_THAN_5, FEWER_THAN_5, 20]),
        ([7, 7, 2], [WITHHELD, 7, FEWER_THAN_5]),  # equal: the first is withheld
        ([4, 0, 0], [FEWER_THAN_5, 0, 0]),  # nothing else to withhold: the total is hidden
        ([5, 0, 30], [5, 0, 30]),
        ([0, 0], [0, 0]),
    ],
)
def test_it_suppresses_one_question(counts, shown):
    assert suppress(counts) == shown


def test_it_hides_a_total_of_fewer_than_5():
    assert [suppress_total(n) for n in (0, 1, 4, 5)] == [0, FEWER_THAN_5, FEWER_THAN_5, 5]


def test_it_reports_an_empty_period_without_dividing_by_zero(db):
    CaseFactory(received_on=datetime.date(2025, 11, 2))
    empty = Period(datetime.date(2020, 1, 1), datetime.date(2020, 3, 31))

    outcomes = builders.outcomes_report(empty)
    timeliness = builders.timeliness_report(empty)

    assert outcomes.figures("outcomes_summary")["Agreement rate"] == (None, None)
    assert outcomes.table("outcomes_summary").display_rows[-1]["current"] == "—"
    assert timeliness.figures("timeliness_medians")["Referral to closure"] == (None, None)
    assert builders.equality_report(empty).figures("equality_total") == {
        "Parties in cases received": (0, 0)
    }


def test_it_counts_a_period_that_is_not_whole_months(dataset):
    # 15 Oct to 14 Nov (31 days) against the 31 days before: 14 Sep to 14 Oct.
    period = Period(datetime.date(2025, 10, 15), datetime.date(2025, 11, 14))
    report = builders.referrals_report(period)

    assert report.previous == Period(datetime.date(2025, 9, 14), datetime.date(2025, 10, 14))
    # This period: C2 (15 Oct), C3, R3; previous: X (15 Sep), C1 (1 Oct), R1 (6 Oct).
    assert report.figures("referrals_total") == {"Referrals received": (3, 3)}
    # October falls in both periods: each keeps its own part of the month.
    assert report.figures("referrals_by_month") == {"Oct 2025": (1, None), "Nov 2025": (2, None)}
    assert report.figures("referrals_by_month_previous") == {
        "Sep 2025": (1, None),
        "Oct 2025": (2, None),
    }
