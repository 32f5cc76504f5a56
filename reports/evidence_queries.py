"""The SQL behind the funders' reports (reports.evidence): satisfaction, sustained outcomes,
referrals and outcomes by area, and what happened to each referrer's referrals.

As in reports.queries, PostgreSQL does the counting (GROUPING SETS, FILTER, percentile_cont) and
each function runs a fixed number of queries whatever the size of the data; only aggregated
rows come back (a few per dispute type, referrer, district or local authority).

Dimensions every breakdown shares, all read from the case:

- dispute type (``Case.dispute_type``);
- referrer: the referring organisation's name (``Case.referrer``), "" for none;
- district: ``Case.postcode_district`` (parties.areas keeps it), "" for none;
- local authority: looked up in reports.PostcodeDistrict; NOT_IN_TABLE for a district the table
  does not have, NO_POSTCODE for a case without a district.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    CharField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce

from cases.models import Case, Status
from surveys.models import SurveyInvitation

from .districts import NO_POSTCODE, NOT_IN_TABLE
from .models import PostcodeDistrict
from .periods import Period
from .queries import DaysBetween, _both, _grouping_sets, _median, first_contact_day

FEEDBACK_QUESTIONS = (
    "felt_heard",
    "mediators_impartial",
    "process_clear",
    "outcome_satisfaction",
    "would_recommend",
)
# Agreeing: "agree" (4) or "strongly agree" (5).
AGREE = 4

DIMENSIONS = ("r_type", "r_referrer", "r_district")


def _dimensions(prefix: str) -> dict:
    return {
        "r_type": F(f"{prefix}dispute_type"),
        "r_referrer": Coalesce(F(f"{prefix}referrer__name"), Value(""), output_field=CharField()),
        "r_district": F(f"{prefix}postcode_district"),
    }


def authorities() -> dict[str, str]:
    """{district: local authority} of the district table (one query, a hundred rows)."""
    return dict(PostcodeDistrict.objects.values_list("district", "local_authority"))


def authority_of(district: str, table: dict[str, str]) -> str:
    if not district:
        return NO_POSTCODE
    return table.get(district, NOT_IN_TABLE)


def _by_authority(by_district: dict, table: dict[str, str]) -> dict:
    """The district rows added up by local authority. Every measure summed here is a count
    (COUNT, COUNT FILTER), so the sum of a local authority's districts is its count; looking
    the authority up here rather than in the query keeps the query a plain scan of the cases
    (a correlated lookup per row cost 3x, and pushed PostgreSQL into compiling it)."""
    result = {}
    for (current, district), row in by_district.items():
        key = (current, authority_of(district, table))
        into = result.setdefault(key, dict.fromkeys(row, 0))
        for name, value in row.items():
            if isinstance(value, int) and not isinstance(value, bool):
                into[name] += value
    return result


def _fold(groups: dict, sets: dict) -> dict:
    """{name: {(in current?, value): row}} from _grouping_sets' result ("total" has the value
    None), with "r_authority" added up from "r_district"."""
    result = {}
    for name, grouping in sets.items():
        column = grouping[1] if len(grouping) > 1 else None
        result[name] = {
            (row["r_current"], row[column] if column else None): row for row in groups[grouping]
        }
    if "r_district" in result:
        table = authorities()
        result["r_authority"] = _by_authority(result["r_district"], table)
        result["district_table"] = table  # for the reports' suppression within an authority
    return result


def _sets(dimensions=DIMENSIONS) -> dict:
    return {
        "total": ("r_current",),
        **{name: ("r_current", name) for name in dimensions},
    }


# --- Satisfaction -----------------------------------------------------------------------------


def satisfaction(period: Period) -> dict:
    """The feedback survey sent in each period (by the day the party was asked, which is the
    day their case closed): invited, answered, and for each question how many answered it and
    how many agreed — in total and by dispute type, referrer, district and local authority
    (two queries: the invitations, the district table).

    By the day it was sent rather than the case's current closing date: a case closed, reopened
    and closed again keeps the survey of its first closing (one per party), which is what the
    answers are about."""
    start, end = period.bounds()
    previous_start, _ = period.previous.bounds()
    invitations = (
        SurveyInvitation.objects.filter(
            kind=SurveyInvitation.Kind.FEEDBACK,
            created_at__gte=previous_start,
            created_at__lt=end,
        )
        # Answers come after their invitation: saying so lets the database leave older answers
        # out before joining them (a tenth of them).
        .annotate(
            answer=FilteredRelation(
                "feedback", condition=Q(feedback__answered_at__gte=previous_start)
            )
        )
        .values(
            r_current=ExpressionWrapper(Q(created_at__gte=start), output_field=BooleanField()),
            r_answer=F("answer__id"),
            **_dimensions("case__"),
            **{f"q_{q}": F(f"answer__{q}") for q in FEEDBACK_QUESTIONS},
        )
    )
    aggregates = {"invited": "COUNT(*)", "answered": 'COUNT("r_answer")'}
    for q in FEEDBACK_QUESTIONS:
        aggregates[f"{q}_n"] = f'COUNT("q_{q}")'
        aggregates[f"{q}_agree"] = f'COUNT(*) FILTER (WHERE "q_{q}" >= {AGREE})'
    sets = _sets()
    return _fold(_grouping_sets(invitations, list(sets.values()), aggregates), sets)


# --- Sustained outcomes -----------------------------------------------------------------------

FOLLOW_UP_CONTACTS = ("referrer", "police", "council")


def sustained(period: Period) -> dict:
    """The outcome follow-up asked in each period (by the day the party was asked): invited,
    answered, the agreement holding (of those who had one and said), the problem not back (of
    those who said), and contact with the referrer, police or council since (of those who
    said) — in total and by the same breakdowns (one query)."""
    start, end = period.bounds()
    previous_start, _ = period.previous.bounds()
    invitations = SurveyInvitation.objects.filter(
        kind=SurveyInvitation.Kind.FOLLOW_UP, created_at__gte=previous_start, created_at__lt=end
    ).values(
        r_current=ExpressionWrapper(Q(created_at__gte=start), output_field=BooleanField()),
        r_answer=F("follow_up__id"),
        r_holding=F("follow_up__agreement_holding"),
        r_back=F("follow_up__problem_back"),
        **_dimensions("case__"),
        **{f"r_c_{c}": F(f"follow_up__contacted_{c}") for c in FOLLOW_UP_CONTACTS},
    )
    aggregates = {
        "invited": "COUNT(*)",
        "answered": 'COUNT("r_answer")',
        "holding_n": "COUNT(*) FILTER (WHERE \"r_holding\" IN ('yes', 'partly', 'no'))",
        "holding_yes_partly": "COUNT(*) FILTER (WHERE \"r_holding\" IN ('yes', 'partly'))",
        "holding_yes": "COUNT(*) FILTER (WHERE \"r_holding\" = 'yes')",
        "back_n": "COUNT(*) FILTER (WHERE \"r_back\" IN ('no', 'sometimes', 'yes'))",
        "back_no": "COUNT(*) FILTER (WHERE \"r_back\" = 'no')",
    }
    for c in FOLLOW_UP_CONTACTS:
        aggregates[f"{c}_n"] = f'COUNT("r_c_{c}")'
        aggregates[f"{c}_yes"] = f'COUNT(*) FILTER (WHERE "r_c_{c}")'
    sets = _sets()
    return _fold(_grouping_sets(invitations, list(sets.values()), aggregates), sets)


# --- Area -------------------------------------------------------------------------------------


def area_referrals(period: Period) -> dict:
    """Cases received in each period by district and by local authority (one query)."""
    current, _, either = _both("received_on", period)
    dims = _dimensions("")
    cases = Case.objects.filter(either).values(
        r_current=ExpressionWrapper(current, output_field=BooleanField()),
        r_district=dims["r_district"],
    )
    sets = _sets(("r_district",))
    return _fold(_grouping_sets(cases, list(sets.values()), {"n": "COUNT(*)"}), sets)


def area_outcomes(period: Period) -> dict:
    """Cases closed in each period by district and by local authority, and by outcome within
    each (two queries: the cases, the district table).
    {"r_district"|"r_authority": {(in current?, area, outcome): n}}."""
    current, _, either = _both("closed_on", period)
    dims = _dimensions("")
    cases = Case.objects.filter(either, status=Status.CLOSED).values(
        r_current=ExpressionWrapper(current, output_field=BooleanField()),
        r_outcome=F("outcome"),
        r_district=dims["r_district"],
    )
    grouping = ("r_current", "r_district", "r_outcome")
    rows = _grouping_sets(cases, [grouping], {"n": "COUNT(*)"})[grouping]
    table = authorities()
    by_district, by_authority = {}, {}
    for row in rows:
        district = row["r_district"]
        by_district[(row["r_current"], district, row["r_outcome"])] = row["n"]
        key = (row["r_current"], authority_of(district, table), row["r_outcome"])
        by_authority[key] = by_authority.get(key, 0) + row["n"]
    return {"r_district": by_district, "r_authority": by_authority, "district_table": table}


# --- What happened to the referrals -----------------------------------------------------------


def referrer_cases(period: Period, referrer_id: int | None) -> dict:
    """The cases referred by each organisation (or by ``referrer_id`` only) received in each
    period: how many, the stage each has reached today, how the closed ones ended, and the
    median days to first contact with how many it is of (one query). For every organisation
    (``referrer_id`` None) this period only: that table has no comparison."""
    current, _, either = _both("received_on", period)
    if referrer_id is None:  # the table of every organisation is of this period only
        either = current
    first_contact = first_contact_day()
    cases = Case.objects.filter(either, referrer__isnull=False)
    if referrer_id is not None:
        cases = cases.filter(referrer_id=referrer_id)
    rows = cases.values(
        r_current=ExpressionWrapper(current, output_field=BooleanField()),
        r_referrer=F("referrer_id"),
        r_status=F("status"),
        r_outcome=SqlCase(
            When(status=Status.CLOSED, then=F("outcome")),
            default=Value(""),
            output_field=CharField(),
        ),
        r_to_contact=DaysBetween(Subquery(first_contact), F("received_on")),
    )
    sets = {
        "total": ("r_current", "r_referrer"),
        "status": ("r_current", "r_referrer", "r_status"),
        "outcome": ("r_current", "r_referrer", "r_outcome"),
    }
    groups = _grouping_sets(
        rows,
        list(sets.values()),
        {
            "n": "COUNT(*)",
            "contacted": 'COUNT("r_to_contact")',
            "contact_median": _median('"r_to_contact"'),
        },
    )
    return {
        "total": {(r["r_current"], r["r_referrer"]): r for r in groups[sets["total"]]},
        "status": {
            (r["r_current"], r["r_referrer"], r["r_status"]): r["n"] for r in groups[sets["status"]]
        },
        "outcome": {
            (r["r_current"], r["r_referrer"], r["r_outcome"]): r["n"]
            for r in groups[sets["outcome"]]
            if r["r_outcome"]
        },
    }


def referrer_feedback(period: Period, referrer_id: int | None) -> dict:
    """The feedback survey on the cases of ``referrer_cases``: invited, answered and agreement
    per question, per organisation and period (one query)."""
    current, _, either = _both("case__received_on", period)
    first = period if referrer_id is None else period.previous
    if referrer_id is None:
        either = current
    # A survey is sent when its case closes, so after the case was received: only invitations
    # made since the first day asked about can be about these referrals. Said to the database,
    # it reads the survey's date index (a quarter's invitations, not all of them): 41 → 13 ms.
    invitations = SurveyInvitation.objects.filter(
        either,
        kind=SurveyInvitation.Kind.FEEDBACK,
        case__referrer__isnull=False,
        created_at__gte=first.bounds()[0],
    )
    if referrer_id is not None:
        invitations = invitations.filter(case__referrer_id=referrer_id)
    rows = invitations.values(
        r_current=ExpressionWrapper(current, output_field=BooleanField()),
        r_referrer=F("case__referrer_id"),
        r_answer=F("feedback__id"),
        **{f"q_{q}": F(f"feedback__{q}") for q in FEEDBACK_QUESTIONS},
    )
    aggregates = {"invited": "COUNT(*)", "answered": 'COUNT("r_answer")'}
    for q in FEEDBACK_QUESTIONS:
        aggregates[f"{q}_n"] = f'COUNT("q_{q}")'
        aggregates[f"{q}_agree"] = f'COUNT(*) FILTER (WHERE "q_{q}" >= {AGREE})'
    grouping = ("r_current", "r_referrer")
    groups = _grouping_sets(rows, [grouping], aggregates)
    return {(r["r_current"], r["r_referrer"]): r for r in groups[grouping]}
