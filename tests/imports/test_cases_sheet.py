"""The open-cases sheet: one row per party, read into values and written through the services,
so every rule applies to an imported case as to a typed one, and each problem names its row and
column."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, CaseAssignment, ReferenceCounter
from imports.cases_sheet import CasesSheet
from imports.sheets import Problem, RowProblems
from imports.values import parse_date
from notifications.models import OutboxMessage
from parties.models import Consent
from referrers.models import Referrer
from tests.factories import (
    AccreditationFactory,
    DBSCheckFactory,
    DeclaredConnectionFactory,
    case_sheet_row,
    eligible_volunteer,
)
from volunteers.models import TraineeCase

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
A_WEEK_AGO = (TODAY - datetime.timedelta(days=7)).strftime("%d/%m/%Y")
CONSENTED = {
    "consent_to_mediate_on": A_WEEK_AGO,
    "consent_to_data_processing_on": A_WEEK_AGO,
    "consent_how": "Verbally",
}


@pytest.fixture
def pair():
    """Overrides the root ``pair``: the sheet names its volunteers by their ids (V-1, V-2),
    which the root's Martin and Grace do not have."""
    lead = eligible_volunteer(external_id="V-1", postcode="ME14 1XX", email="lead@example.org")
    co = eligible_volunteer(external_id="V-2", postcode="ME15 2XX", email="co@example.org")
    return lead, co


def active_pair():
    return {"lead_mediator_id": "V-1", "co_mediator_id": "V-2"}


def active_rows(case_id="C-1", *, first=None, second=None, **case_values):
    """An active case with two consenting parties and the pair V-1 and V-2."""
    case = {"status": "Active", **active_pair(), **case_values}
    # The case's columns are given once, on its first row.
    blank = dict.fromkeys([*case, "received_on", "dispute_type", "referral_source", "summary"], "")
    bob = {"party_name": "Bob Dunn", "party_role": "other_party", "party_postcode": "TN9 1AB"}
    return [
        case_sheet_row(2, case_id, **case, **CONSENTED, **(first or {})),
        case_sheet_row(3, case_id, **{**blank, **bob, **CONSENTED, **(second or {})}),
    ]


def problems_of(rows, by, sheet=None) -> list[Problem]:
    """The problems the group raises; nothing of it is kept."""
    with pytest.raises(RowProblems) as raised, transaction.atomic():
        (sheet or CasesSheet()).import_group(rows, by=by)
    assert not Case.objects.exists()
    return raised.value.problems


def where(problems) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in problems}


# --- A valid group ----------------------------------------------------------------------------


def test_a_valid_group_makes_the_case_as_intake_and_the_services_would(administrator, pair):
    lead, co = pair
    sheet = CasesSheet()
    rows = active_rows(
        referrer_organisation="Town and Country Housing",
        referrer_name="Pat Jones",
        referrer_contact="pat@example.org",
        risk_lone_working="yes",
        first={"consent_to_share_details_on": A_WEEK_AGO},
    )
    year = int(rows[0].get("received_on")[-4:])
    ReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": 41})

    sheet.import_group(rows, by=administrator)

    case = Case.objects.get()
    assert case.reference == f"WKM-{year}-0042"  # the next number, never the sheet's id
    assert case.external_id == "C-1"
    assert case.status == "active"
    assert case.risk_lone_working and not case.risk_violence
    assert case.coordinator == administrator
    assert case.referrer == Referrer.objects.get(name="Town and Country Housing")
    assert case.referrer_person.name == "Pat Jones"
    alice, bob = case.parties.order_by("pk")
    assert (alice.full_name, alice.role, alice.phone) == (
        "Alice Carter",
        "first_party",
        "+441732123456",
    )
    assert (bob.full_name, bob.role, bob.postcode) == ("Bob Dunn", "other_party", "TN9 1AB")
    assert case.postcode_district == "TN9"
    assert set(alice.consents.values_list("kind", flat=True)) == {
        "mediate",
        "share_details",
        "data_processing",
    }
    given = alice.consents.first()
    assert given.method == "verbal" and given.recorded_by == administrator
    assert timezone.localdate(given.given_at) == TODAY - datetime.timedelta(days=7)
    assignments = {a.volunteer: a.role for a in CaseAssignment.objects.filter(case=case)}
    assert assignments == {lead: "lead", co: "co_mediator"}
    # Audited as typed: the referral, each consent, each step of its lifecycle, the pair.
    events = AuditEvent.objects.filter(case_reference=case.reference)
    transitions = [e.detail["to"] for e in events.filter(action="transition").order_by("pk")]
    assert transitions == ["contacting", "awaiting_consent", "ready", "active"]
    assert events.filter(action="create", object_type="cases.case").count() == 1
    assert events.filter(action="create", object_type="parties.consent").count() == 5
    assert events.filter(action="change", detail__has_key="pair").count() == 1
    # The volunteers are told through the outbox, in the same transaction.
    assert OutboxMessage.objects.filter(kind="assigned").count() == 2
    assert sheet.existing_ids({"C-1", "C-2"}) == {"C-1"}


def test_a_check_leaves_nothing_behind_and_sends_nothing(administrator, pair, mailoutbox):
    """The runner's check writes every group and rolls it all back: whatever the services
    queued (the pair's notices, the referrer's update) goes with it, and nothing was sent."""
    rows = active_rows(referrer_organisation="Town and Country Housing", referrer_name="Pat")
    with transaction.atomic():
        CasesSheet().import_group(rows, by=administrator)
        assert OutboxMessage.objects.exists()
        transaction.set_rollback(True)
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not Referrer.objects.exists()
    assert mailoutbox == []


def test_lists_are_read_by_code_or_label_whatever_their_capitals(administrator):
    rows = [
        case_sheet_row(
            2,
            dispute_type="COMMUNITY",
            referral_source="council/asb team",
            party_role="Other Party",
            party_preferred_contact="sms",
            party_phone="07911 123456",
            status="awaiting consent",
            received_on=(TODAY - datetime.timedelta(days=3)).isoformat(),
        )
    ]
    CasesSheet().import_group(rows, by=administrator)
    case = Case.objects.get()
    assert (case.dispute_type, case.referral_source, case.status) == (
        "community",
        "council",
        "awaiting_consent",
    )
    assert case.received_on == TODAY - datetime.timedelta(days=3)
    assert case.parties.get().preferred_contact == "sms"


def test_a_case_not_yet_consented_to_stops_where_the_sheet_says(administrator):
    CasesSheet().import_group([case_sheet_row(2, status="Contacting parties")], by=administrator)
    case = Case.objects.get()
    assert case.status == "contacting"
    assert not Consent.objects.exists()


def test_a_trainee_with_an_accredited_mediator_gets_their_trainee_case(administrator, pair):
    lead, _co = pair
    trainee = eligible_volunteer(status="trainee", external_id="T-1", postcode="ME16 3XX")
    CasesSheet().import_group(active_rows(co_mediator_id="T-1"), by=administrator)
    case = Case.objects.get()
    assert CaseAssignment.objects.get(case=case, volunteer=trainee).role == "trainee"
    trainee_case = TraineeCase.objects.get(case=case)
    assert (trainee_case.trainee, trainee_case.co_mediator) == (trainee, lead)


def test_a_volunteer_is_found_by_email_too(administrator, pair):
    CasesSheet().import_group(
        active_rows(lead_mediator_id="LEAD@example.org", co_mediator_id="co@example.org"),
        by=administrator,
    )
    assert Case.objects.get().assignments.count() == 2


def test_the_volunteers_are_read_once_per_run(administrator, pair, django_assert_max_num_queries):
    sheet = CasesSheet()
    assert sheet.volunteer("V-1") == pair[0]
    with django_assert_max_num_queries(0):
        assert sheet.volunteer("v-2") == pair[1]


@pytest.mark.django_db(transaction=True)
def test_each_run_reads_the_volunteers_afresh():
    """The sheet object lives as long as the process (imports.registry): what one run read is
    not what the next one sees."""
    sheet = CasesSheet()
    with transaction.atomic(), pytest.raises(ValueError, match="no volunteer"):
        sheet.volunteer("V-9")
    eligible_volunteer(external_id="V-9")
    with transaction.atomic():
        assert sheet.volunteer("V-9").external_id == "V-9"


# --- Reading problems -------------------------------------------------------------------------


def test_conflicting_case_columns_are_a_problem_on_their_row_and_column(administrator, pair):
    rows = active_rows(second={"dispute_type": "Family", "summary": "Something else."})
    # Carol's row repeats the case's columns, its status by code: the same, so no conflict.
    rows.append(case_sheet_row(4, party_name="Carol Evans", status="active", **active_pair()))
    rows.append(case_sheet_row(5, party_name="Dan Evans", status="Referred", **CONSENTED))
    problems = problems_of(rows, administrator)
    assert where(problems) == {(3, "dispute_type"), (3, "summary"), (5, "status")}
    assert "first row (row 2)" in problems[0].message


def test_a_bad_date_and_a_future_date_are_problems(administrator):
    tomorrow = (TODAY + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    problems = problems_of([case_sheet_row(2, received_on="31/02/2026")], administrator)
    assert where(problems) == {(2, "received_on")}
    assert "23/11/2026 or 2026-11-23" in problems[0].message
    problems = problems_of([case_sheet_row(2, received_on=tomorrow)], administrator)
    assert problems == [Problem(2, "received_on", "The date received cannot be in the future.")]


def test_an_unknown_dispute_type_lists_the_allowed_ones(administrator):
    problems = problems_of([case_sheet_row(2, dispute_type="Boundary")], administrator)
    assert where(problems) == {(2, "dispute_type")}
    assert "“Boundary” is not a dispute type we know" in problems[0].message
    assert "Neighbour (neighbour)" in problems[0].message
    assert "Parent/teen (parent_teen)" in problems[0].message


def test_every_reading_problem_of_the_group_is_given_at_once(administrator):
    rows = [
        case_sheet_row(2, referral_source="Pigeon", risk_violence="maybe"),
        case_sheet_row(
            3,
            referral_source="",
            party_name="",
            party_role="Landlord",
            consent_to_mediate_on="soon",
            consent_to_data_processing_on=A_WEEK_AGO,
        ),
    ]
    problems = problems_of(rows, administrator)
    assert where(problems) == {
        (2, "referral_source"),
        (2, "risk_violence"),
        (3, "party_name"),
        (3, "party_role"),
        (3, "consent_to_mediate_on"),
        (3, "consent_how"),  # a consent needs to say how it was given
    }


def test_a_closed_status_is_a_problem(administrator):
    problems = problems_of([case_sheet_row(2, status="Closed")], administrator)
    assert where(problems) == {(2, "status")}
    assert "Only open cases are imported" in problems[0].message


def test_a_party_problem_names_its_own_row(administrator):
    rows = [
        case_sheet_row(2),
        case_sheet_row(3, party_name="Bob Dunn", party_postcode="ZZ"),
        case_sheet_row(4, party_name="Cara Dunn", party_under_18="yes"),
        case_sheet_row(5, party_name="Dan", party_preferred_contact="email"),
    ]
    problems = problems_of(rows, administrator)
    assert where(problems) == {
        (3, "party_postcode"),
        (4, "party_guardian_name"),
        (5, "party_email"),
    }


def test_an_unknown_volunteer_or_half_a_pair_is_a_problem(administrator, pair):
    problems = problems_of(active_rows(co_mediator_id="V-99"), administrator)
    assert where(problems) == {(2, "co_mediator_id")}
    assert "import the volunteers sheet first" in problems[0].message
    problems = problems_of(active_rows(co_mediator_id=""), administrator)
    assert where(problems) == {(2, "co_mediator_id")}
    assert "pairs" in problems[0].message


def test_a_pair_on_a_case_not_active_is_a_problem(administrator, pair):
    problems = problems_of(active_rows(status="Ready to assign"), administrator)
    assert where(problems) == {(2, "status")}


# --- The rules, as the services apply them ----------------------------------------------------


def test_a_lapsed_dbs_check_is_a_problem_on_that_volunteers_column(administrator, pair):
    lead, co = pair
    lead.dbs_checks.all().delete()
    DBSCheckFactory(volunteer=lead, issued_on=TODAY - datetime.timedelta(days=5 * 365))
    problems = problems_of(active_rows(), administrator)
    assert problems == [
        Problem(2, "lead_mediator_id", f"{lead.full_name} has no current enhanced DBS check.")
    ]
    co.dbs_checks.all().delete()
    DBSCheckFactory(volunteer=co, enhanced=False)
    problems = problems_of(active_rows(), administrator)
    assert Problem(2, "co_mediator_id", f"{co.full_name} has no current enhanced DBS check.") in (
        problems
    )


def test_training_hours_are_needed(administrator, pair):
    _lead, co = pair
    co.training.update(hours=30)
    problems = problems_of(active_rows(), administrator)
    assert where(problems) == {(2, "co_mediator_id")}
    assert "40 hours" in problems[0].message


def test_parent_teen_needs_both_accredited_for_it(administrator, pair):
    lead, co = pair
    AccreditationFactory(volunteer=lead, kind="parent_teen")
    problems = problems_of(active_rows(dispute_type="Parent/teen"), administrator)
    assert problems == [
        Problem(2, "co_mediator_id", f"{co.full_name} is not accredited for parent/teen mediation.")
    ]
    AccreditationFactory(volunteer=co, kind="parent_teen")
    CasesSheet().import_group(active_rows(dispute_type="Parent/teen"), by=administrator)
    assert Case.objects.get().status == "active"


def test_two_trainees_cannot_work_together(administrator):
    eligible_volunteer(status="trainee", external_id="V-1", postcode="ME14 1XX")
    eligible_volunteer(status="trainee", external_id="V-2", postcode="ME15 2XX")
    problems = problems_of(active_rows(), administrator)
    assert Problem(2, "lead_mediator_id", "Two trainees cannot work together.") in problems


def test_active_needs_a_pair(administrator):
    rows = active_rows(lead_mediator_id="", co_mediator_id="")
    problems = problems_of(rows, administrator)
    assert where(problems) == {(2, "status")}
    assert "exactly two current mediators" in problems[0].message


def test_ready_needs_every_partys_consent(administrator, pair):
    rows = active_rows(
        status="Ready to assign",
        lead_mediator_id="",
        co_mediator_id="",
        second={"consent_to_mediate_on": ""},
    )
    problems = problems_of(rows, administrator)
    assert problems == [
        Problem(
            2,
            "status",
            "Still waiting for consent from Bob Dunn: record their consent first.",
        )
    ]


def test_a_connection_with_a_party_needs_an_override_reason(administrator, pair):
    lead, _co = pair
    DeclaredConnectionFactory(volunteer=lead, person_name="Bob Dunn")
    problems = problems_of(active_rows(), administrator)
    assert where(problems) == {(2, "pair_override_reason")}
    assert any("declared a connection with Bob Dunn" in p.message for p in problems)
    assert any("Record why" in p.message for p in problems)

    CasesSheet().import_group(
        active_rows(pair_override_reason="Met once at a fete; both parties agree."),
        by=administrator,
    )
    assignment = CaseAssignment.objects.get(volunteer=lead)
    assert assignment.override_reason == "Met once at a fete; both parties agree."
    assert assignment.overridden_conflicts


def test_a_shared_postcode_needs_an_override_reason_too(administrator, pair):
    problems = problems_of(active_rows(first={"party_postcode": "ME14 1XX"}), administrator)
    assert where(problems) == {(2, "pair_override_reason")}
    assert re.search(r"shares a postcode \(ME14 1XX\) with Alice Carter", problems[0].message)


def test_a_retired_referral_source_is_refused_by_the_service(administrator):
    from cases import lists
    from cases.models import ListEntry

    entry = ListEntry.objects.get(list="referral_source", code="school")
    lists.entry_change(entry=entry, by=administrator, retired=True)
    problems = problems_of([case_sheet_row(2, referral_source="School")], administrator)
    assert where(problems) == {(2, "referral_source")}
    assert "retired" in problems[0].message


# --- Reading values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("23/11/2026", datetime.date(2026, 11, 23)),
        ("3/1/2026", datetime.date(2026, 1, 3)),
        ("2026-11-23", datetime.date(2026, 11, 23)),
        ("2026-11-23 00:00:00", datetime.date(2026, 11, 23)),
    ],
)
def test_dates_are_read_en_gb_or_iso(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["11/23/2026", "23.11.2026", "23 Nov 2026", "2026-11-23 10:00"])
def test_other_date_forms_are_refused(text):
    with pytest.raises(ValueError, match="23/11/2026 or 2026-11-23"):
        parse_date(text)


def test_the_sheet_describes_its_columns():
    sheet = CasesSheet()
    names = [column.name for column in sheet.columns]
    assert names[0] == sheet.id_column == "case_id"
    assert len(names) == len(set(names))
    assert {"lead_mediator_id", "co_mediator_id", "pair_override_reason", "consent_how"} <= set(
        names
    )
    assert all(column.help for column in sheet.columns)


def test_a_cell_longer_than_the_form_takes_is_a_problem_in_the_forms_words():
    """The runner asks each group's lengths before importing it (imports.runner)."""
    rows = active_rows(
        "C" * 65,
        summary="S" * 20_001,
        first={"party_safe_times": "T" * 201, "party_role": "first_party"},
    )
    assert {(p.row, p.column): p.message for p in CasesSheet().length_problems(rows)} == {
        (2, "case_id"): "Ensure this value has at most 64 characters (it has 65).",
        (3, "case_id"): "Ensure this value has at most 64 characters (it has 65).",
        (2, "summary"): "Ensure this value has at most 20000 characters (it has 20001).",
        (2, "party_safe_times"): "Ensure this value has at most 200 characters (it has 201).",
    }


def test_an_active_case_costs_a_bounded_number_of_statements(
    administrator, pair, django_assert_max_num_queries
):
    """Thousands of cases go in at once (README, Performance: the open-cases benchmark): the
    consents and the lifecycle's steps are one service call each, not one per date and step.
    Referral, parties and referrer (found), consents, three steps, the pair and its notices,
    the referrer's two updates (accepted, started): the heaviest kind of case, 68 statements
    (the benchmark's mix: 79 a case on average before, 42 after)."""
    sheet = CasesSheet()
    rows = active_rows(
        "C-9",
        referrer_organisation="Town and Country Housing",
        referrer_name="Pat Jones",
        referrer_contact="pat@example.org",
        first={"consent_to_update_referrer_on": A_WEEK_AGO},
        second={"consent_to_update_referrer_on": A_WEEK_AGO},
    )
    sheet.import_group(active_rows("C-8", referrer_organisation="Town and Country Housing",
                                   referrer_name="Pat Jones", referrer_contact="pat@example.org"),
                       by=administrator)  # fmt: skip
    with django_assert_max_num_queries(68):
        sheet.import_group(rows, by=administrator)
    assert Case.objects.get(external_id="C-9").status == "active"
