"""The fixed data set every report figure is checked against, by hand.

This period is Q4 2025 (1 Oct to 31 Dec 2025); the previous period is Q3 2025 (1 Jul to 30 Sep).

Cases (source, dispute type, received, how it is now):

    previous period (Q3), 4 referrals: Jul 1, Aug 2, Sep 1
      A   self     neighbour    10 Jul   closed full agreement 20 Sep            (Q3 outcome)
      B   housing  family        5 Aug   closed withdrawn 25 Aug                 (Q3 outcome)
      R2  self     neighbour    18 Aug   closed no agreement 10 Sep, REOPENED,
                                         closed full agreement 14 Nov            (Q4 outcome only)
      X   police   neighbour    15 Sep   closed partial agreement 20 Oct         (Q4 outcome)
    before both:
      Z   other agency, other,  20 Jun   closed improved communication 15 Jul    (Q3 outcome)

    this period (Q4), 7 referrals: Oct 3, Nov 3, Dec 1
      C1  housing  neighbour     1 Oct   closed full agreement 30 Nov            (Q4 outcome)
      C2  housing  neighbour    15 Oct   closed no agreement 31 Dec              (Q4 outcome)
      R1  housing  community     6 Oct   closed withdrawn 20 Oct, REOPENED,
                                         closed unsuitable 12 Jan 2026           (not a Q4 outcome)
      C3  council  family        2 Nov   active
      R3  police   workplace     3 Nov   closed withdrawn 10 Nov, REOPENED: open (no outcome)
      C4  self     parent/teen  20 Nov   referred, not contacted
      C5  school   neighbour    31 Dec   referred, not contacted
    after both:
      N   self     neighbour     5 Jan 2026

Every number the tests expect is worked out in the test that expects it.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import ContactLogEntry
from parties.models import Party
from reports.periods import Period
from sessions.models import MediationSession
from tests.factories import CaseFactory, PartyFactory, UserFactory, VolunteerFactory
from volunteers.models import TraineeCase, VolunteerHours

Q4 = Period(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
Q3 = Period(datetime.date(2025, 7, 1), datetime.date(2025, 9, 30))
Q4_QUERY = {"start": "2025-10-01", "end": "2025-12-31"}


def d(month, day, year=2025):
    return datetime.date(year, month, day)


def at(month, day, hour=10, minute=0, year=2025):
    """A London wall-clock time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def case(source, dispute, received, **fields):
    return CaseFactory(referral_source=source, dispute_type=dispute, received_on=received, **fields)


def closed(source, dispute, received, outcome, closed_on, **fields):
    return case(
        source,
        dispute,
        received,
        status="closed",
        outcome=outcome,
        closed_on=closed_on,
        status_before_close="active",
        **fields,
    )


def log(case, kind, when, *, draft=False):
    return ContactLogEntry.objects.create(
        case=case, kind=kind, text=f"{kind} about the dispute", occurred_at=when, is_draft=draft
    )


def session(case, when, mode, kind, status):
    return MediationSession.objects.create(
        case=case,
        kind=kind,
        mode=mode,
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=1),
        status=status,
    )


def hours(volunteer, activity, day, spent, miles, case=None):
    return VolunteerHours.objects.create(
        volunteer=volunteer,
        activity=activity,
        date=day,
        hours=Decimal(spent),
        miles=Decimal(miles),
        case=case,
    )


def parties(case, answers):
    """One party per dict of equality answers."""
    Party.objects.bulk_create([PartyFactory.build(case=case, **fields) for fields in answers])


@pytest.fixture
def dataset(coordinator):
    c = {}
    # --- Previous period (Q3 2025) and before ---
    c["A"] = closed("self", "neighbour", d(7, 10), "full_agreement", d(9, 20))
    c["B"] = closed("housing", "family", d(8, 5), "withdrawn", d(8, 25))
    c["X"] = closed("police", "neighbour", d(9, 15), "partial_agreement", d(10, 20))
    c["Z"] = closed("other_agency", "other", d(6, 20), "improved_communication", d(7, 15))
    c["R2"] = case("self", "neighbour", d(8, 18), status="active")
    # --- This period (Q4 2025) ---
    c["C1"] = closed("housing", "neighbour", d(10, 1), "full_agreement", d(11, 30))
    c["C2"] = closed("housing", "neighbour", d(10, 15), "no_agreement", d(12, 31))
    c["R1"] = case("housing", "community", d(10, 6), status="contacting")
    c["C3"] = case("council", "family", d(11, 2), status="active")
    c["R3"] = case("police", "workplace", d(11, 3), status="contacting")
    c["C4"] = case("self", "parent_teen", d(11, 20))
    c["C5"] = case("school", "neighbour", d(12, 31))
    c["N"] = case("self", "neighbour", d(1, 5, 2026))

    # Reopened cases, through the services: only the current closing date counts.
    def close(name, outcome, on):
        case_services.case_close(case=c[name], by=coordinator, outcome=outcome, closed_on=on)

    def reopen(name):
        case_services.case_reopen(case=c[name], by=coordinator, reason="The other party called")

    session(c["R2"], at(9, 1, 14), "home_visit", "separate", "held")  # mediation took place
    close("R2", "no_agreement", d(9, 10))
    reopen("R2")
    close("R2", "full_agreement", d(11, 14))
    close("R1", "withdrawn", d(10, 20))
    reopen("R1")
    close("R1", "unsuitable", d(1, 12, 2026))
    close("R3", "withdrawn", d(11, 10))
    reopen("R3")

    # --- First contact (calls, letters, emails, visits, meetings; not notes, not drafts) ---
    log(c["A"], "call", at(7, 12))  # 2 days
    log(c["B"], "email", at(8, 9))  # 4
    log(c["X"], "call", at(9, 18))  # 3
    log(c["R2"], "visit", at(8, 26))  # 8
    log(c["C1"], "note", at(10, 1, 15))  # a note is not contact
    log(c["C1"], "email", at(10, 2), draft=True)  # nor is a draft
    log(c["C1"], "call", at(10, 3))  # 2 days
    log(c["C2"], "call", at(10, 14))  # before it was received: not counted
    log(c["C2"], "letter", at(10, 22))  # 7
    log(c["C3"], "visit", at(11, 7))  # 5
    log(c["C3"], "email", at(11, 20))  # later, not the first
    log(c["R1"], "email", at(10, 7, 0, 30))  # 00:30 BST on 7 Oct (23:30 UTC on 6 Oct): 1 day
    log(c["R3"], "meeting", at(11, 13))  # 10
    log(c["C4"], "note", at(11, 21))  # C4 and C5: not contacted

    # --- Sessions ---
    session(c["A"], at(8, 1), "office", "intake", "held")
    session(c["A"], at(9, 30, 18), "neutral_venue", "joint", "held")
    session(c["B"], at(8, 15), "phone", "intake", "cancelled")
    session(c["X"], at(10, 1, 9), "phone", "separate", "held")
    session(c["C1"], at(10, 10), "office", "intake", "cancelled")
    session(c["C1"], at(10, 20), "office", "joint", "held")
    session(c["C2"], at(11, 4, 11), "home_visit", "intake", "held")
    session(c["C2"], at(11, 18, 11), "video", "joint", "did_not_attend")
    session(c["C2"], at(12, 31, 19), "video", "follow_up", "held")
    session(c["C3"], at(12, 15), "office", "intake", "scheduled")
    session(c["C3"], at(1, 2, year=2026), "office", "intake", "held")

    # --- Volunteers ---
    supervisor = UserFactory(username="report_supervisor", first_name="Sue", last_name="Pervis")
    v1 = VolunteerFactory(first_name="Vera", last_name="One", status="mediator")
    v2 = VolunteerFactory(first_name="Victor", last_name="Two", status="mediator")
    t1 = VolunteerFactory(
        first_name="Tina", last_name="Trainee", status="trainee", supervisor=supervisor
    )
    t2 = VolunteerFactory(
        first_name="Tom", last_name="Learner", status="trainee", supervisor=supervisor
    )
    VolunteerFactory(first_name="Ivy", last_name="Inactive", status="inactive")
    VolunteerFactory(first_name="Alan", last_name="Applicant", status="applicant")

    hours(v1, "casework", d(10, 3), "2.5", "10.0", c["C1"])
    hours(v1, "training", d(11, 12), "3.0", "0")
    hours(v2, "casework", d(11, 4), "1.5", "12.5", c["C2"])
    hours(t1, "supervision", d(12, 31), "1.0", "4.0")
    hours(v1, "casework", d(7, 15), "2.0", "8.0", c["A"])
    hours(t2, "training", d(9, 30), "4.0", "0")
    hours(v2, "casework", d(1, 2, 2026), "5.0", "20.0", c["C3"])  # after the period

    def trainee_case(trainee, case, status, signed_at=None):
        return TraineeCase.objects.create(
            trainee=trainee,
            case=case,
            co_mediator=v1,
            supervisor=supervisor,
            status=status,
            signed_by=supervisor if signed_at else None,
            signed_at=signed_at,
        )

    trainee_case(t1, c["A"], "signed_off", at(9, 25))
    trainee_case(t1, c["X"], "signed_off", at(11, 2))
    trainee_case(t1, c["C1"], "pending")
    trainee_case(t2, c["R2"], "more_work")

    # --- Equality monitoring: one party per Q3 case, two per Q4 case (14) ---
    for name in ("A", "B", "X", "R2"):
        parties(
            c[name],
            [{"gender": "woman", "age_band": "25_44", "ethnicity": "white", "disability": "no"}],
        )
    answers = [
        {
            "gender": gender,
            "age_band": age,
            "ethnicity": ethnicity,
            "disability": disability,
        }
        for gender, age, ethnicity, disability in zip(
            ["woman"] * 6 + ["man"] * 5 + [""] * 3,
            ["25_44"] * 7 + ["45_64"] * 7,
            ["white"] * 10 + ["asian"] * 2 + ["black"] * 2,
            ["no"] * 9 + ["yes"] * 5,
            strict=True,
        )
    ]
    for i, name in enumerate(("C1", "C2", "R1", "C3", "R3", "C4", "C5")):
        parties(c[name], answers[2 * i : 2 * i + 2])
    parties(c["Z"], [{"gender": "man"}])  # received before both periods
    parties(c["N"], [{"gender": "man"}])  # received after both
    return c


# The funders' reports' data set (after the helpers above, which it uses): fixtures for every
# module here.
from tests.reports.evidence_data import area_data, referrer_data, survey_data  # noqa: E402, F401
