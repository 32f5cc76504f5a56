"""The SQL behind the reports: every figure is aggregated by PostgreSQL (GROUP BY, GROUPING
SETS, FILTER, percentile_cont), never by looping over cases in Python, and each function runs a
fixed number of queries (mostly one) whatever the size of the data. This period and the
previous one come from the same query, as conditional aggregates.

Definitions (the pages' footnotes repeat them):

- a referral counts in the period its case was received (``received_on``);
- an outcome counts in the period its case closed (``closed_on`` of a case that is closed now):
  a case referred in one period and closed in the next is a referral in the first and an
  outcome in the second; a reopened case counts by its current closing date only (reopening
  clears it, closing again sets a new one);
- days to first contact: from ``received_on`` to the first published contact log entry (a call,
  letter, email, visit or meeting, not a note) on or after that day, for cases received in the
  period; to first session: to the first session held, for the same cases; to closure:
  ``closed_on - received_on`` for cases closed in the period; each the median
  (``percentile_cont(0.5)``), so half the cases took less and half more;
- sessions: held sessions (status held) that started in the period, by local date;
- volunteer hours and mileage: by the date logged.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Cast, Coalesce, Least, TruncDate, TruncMonth

from cases.models import CONTACT_KINDS, Case, ContactLogEntry, Status
from parties.models import Party
from sessions.models import MediationSession
from volunteers.eligibility import COMMUNITY_DISPUTES
from volunteers.models import TraineeCase, Volunteer, VolunteerHours

from .periods import Period

ZERO = Decimal("0")


class DaysBetween(Func):
    """``later - earlier`` for two dates, in whole days (date - date is an integer in SQL)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def within(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _both(field: str, period: Period) -> tuple[Q, Q, Q]:
    """(this period, previous period, either) conditions on a date field."""
    current, previous = within(field, period), within(field, period.previous)
    either = Q(**{f"{field}__gte": period.previous.start, f"{field}__lte": period.end})
    return current, previous, either


def _by(queryset, field: str, current: Q, previous: Q) -> dict[str, tuple[int, int]]:
    """{value of ``field``: (count this period, count previous period)}: one GROUP BY query."""
    rows = (
        queryset.order_by()
        .values(field)
        .annotate(current=Count("id", filter=current), previous=Count("id", filter=previous))
    )
    return {row[field]: (row["current"], row["previous"]) for row in rows}


def _by_month(queryset, field: str, current: Q, **values) -> dict[tuple[bool, datetime.date], dict]:
    """{(in this period?, first of month): {name: value}} in one GROUP BY query."""
    rows = (
        queryset.order_by()
        .annotate(
            month=TruncMonth(field),
            in_current=ExpressionWrapper(current, output_field=BooleanField()),
        )
        .values("in_current", "month")
        .annotate(**values)
    )
    return {
        (row["in_current"], _as_date(row["month"])): {name: row[name] for name in values}
        for row in rows
    }


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _grouping_sets(queryset, sets: list[tuple[str, ...]], aggregates: dict[str, str]):
    """Several GROUP BYs over the rows of ``queryset`` in one scan (GROUPING SETS, which the ORM
    cannot write). ``queryset`` is built with the ORM (its filters, joins and time zones are
    Django's) and selects the aliases named in ``sets`` and ``aggregates``; ``aggregates`` maps
    a result name to an SQL aggregate over those aliases (constants of this module, never
    user input). Returns {grouping set: [row dicts]}."""
    columns = list(dict.fromkeys(column for grouping in sets for column in grouping))
    sql, params = queryset.order_by().query.sql_with_params()
    select = ", ".join(_quoted(c) for c in columns)
    measures = ", ".join(
        f"{expression} AS {_quoted(name)}" for name, expression in aggregates.items()
    )
    groups = ", ".join("(" + ", ".join(_quoted(c) for c in grouping) + ")" for grouping in sets)
    # Identifiers are this module's constants, quoted; every value is a query parameter.
    statement = (
        f"SELECT {select}, GROUPING({select}) AS {_quoted('grouping')}, {measures} "  # noqa: S608
        f"FROM ({sql}) AS {_quoted('rows')} GROUP BY GROUPING SETS ({groups})"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    result = {grouping: [] for grouping in sets}
    for row in rows:  # aggregated rows: a few per grouping set
        # GROUPING() has a bit per column, the first column the highest: 1 = not grouped.
        grouped = tuple(
            c for i, c in enumerate(columns) if not row["grouping"] >> (len(columns) - 1 - i) & 1
        )
        result[grouped].append(row)
    return result


# --- Referrals --------------------------------------------------------------------------------


def referrals(period: Period) -> dict:
    """Referrals received, by month, by source and by dispute type (three queries)."""
    current, previous, either = _both("received_on", period)
    cases = Case.objects.filter(either)
    return {
        "by_month": _by_month(cases, "received_on", current, n=Count("id")),
        "by_source": _by(cases, "referral_source", current, previous),
        "by_type": _by(cases, "dispute_type", current, previous),
    }


def referral_totals(period: Period) -> tuple[int, int]:
    current, previous, either = _both("received_on", period)
    totals = Case.objects.filter(either).aggregate(
        current=Count("id", filter=current), previous=Count("id", filter=previous)
    )
    return totals["current"], totals["previous"]


# --- Outcomes ---------------------------------------------------------------------------------


def outcomes(period: Period) -> dict[str, tuple[int, int]]:
    """{outcome: (this period, previous period)} of cases closed in each (one query)."""
    current, previous, either = _both("closed_on", period)
    return _by(Case.objects.filter(either, status=Status.CLOSED), "outcome", current, previous)


# --- Timeliness -------------------------------------------------------------------------------


def first_contact_day():
    """The day of a case's first contact (a call, letter, email, visit or meeting logged on or
    after the date received; not a note, not a draft), as a subquery on the outer case: one
    definition for the timeliness report and the referrers' report."""
    return (
        ContactLogEntry.objects.filter(
            case=OuterRef("pk"),
            is_draft=False,
            kind__in=CONTACT_KINDS,
            occurred_at__date__gte=OuterRef("received_on"),
        )
        .order_by("occurred_at")
        .values(day=TruncDate("occurred_at"))[:1]
    )


def timeliness(period: Period, *, sessions: bool = True) -> dict[str, tuple]:
    """Median days from referral to first contact, first session and closure, and how many
    cases each median is of, for both periods (one query).

    The cases of both periods (received or closed in either) are selected once, with the days
    to their first contact and first held session worked out once each (correlated subqueries
    on the case's index, only for cases received in either period), in a MATERIALIZED common
    table expression; the medians and counts are then FILTERed aggregates over it.
    ``sessions=False`` leaves out the first sessions (the headline figures do not show them).
    """
    received_either = _both("received_on", period)[2]
    closed_either = _both("closed_on", period)[2] & Q(status=Status.CLOSED)
    first_contact = first_contact_day()
    first_session = (
        MediationSession.objects.filter(
            case=OuterRef("pk"),
            status=MediationSession.Status.HELD,
            starts_at__date__gte=OuterRef("received_on"),
        )
        .order_by("starts_at")
        .values(day=TruncDate("starts_at"))[:1]
    )

    def for_referrals(first):
        return SqlCase(
            When(received_either, then=DaysBetween(Subquery(first), F("received_on"))),
            default=None,
            output_field=IntegerField(),
        )

    cohort = (
        Case.objects.filter(received_either | closed_either)
        .annotate(
            r_received=F("received_on"),
            r_closed=SqlCase(
                When(status=Status.CLOSED, then=F("closed_on")),
                default=None,
                output_field=DateField(),
            ),
            r_to_contact=for_referrals(first_contact),
            r_to_session=for_referrals(first_session)
            if sessions
            else Cast(Value(None), output_field=IntegerField()),
        )
        .values("r_received", "r_closed", "r_to_contact", "r_to_session")
    )
    sql, params = cohort.order_by().query.sql_with_params()
    measures, measure_params = [], []
    for suffix, each in (("current", period), ("previous", period.previous)):
        received_in = '"r_received" BETWEEN %s AND %s'
        closed_in = '"r_closed" BETWEEN %s AND %s'
        for name, expression, condition in (
            ("referred", "COUNT(*)", received_in),
            ("contacted", 'COUNT("r_to_contact")', received_in),
            ("contact_median", _median('"r_to_contact"'), received_in),
            ("had_session", 'COUNT("r_to_session")', received_in),
            ("session_median", _median('"r_to_session"'), received_in),
            ("closed", "COUNT(*)", closed_in),
            ("close_median", _median('("r_closed" - "r_received")'), closed_in),
        ):
            measures.append(f"{expression} FILTER (WHERE {condition}) AS {name}_{suffix}")
            measure_params += [each.start, each.end]
    with connection.cursor() as cursor:
        cursor.execute(  # the dates are parameters; the rest is this module's constants
            f"WITH {_quoted('cohort')} AS MATERIALIZED ({sql}) "  # noqa: S608
            f"SELECT {', '.join(measures)} FROM {_quoted('cohort')}",
            (*params, *measure_params),
        )
        names = [column[0] for column in cursor.description]
        result = dict(zip(names, cursor.fetchone(), strict=True))
    keys = {name.removesuffix("_current") for name in result if name.endswith("_current")}
    return {key: (result[f"{key}_current"], result[f"{key}_previous"]) for key in keys}


def _median(expression: str) -> str:
    return f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {expression})"


# --- Sessions ---------------------------------------------------------------------------------


def sessions(period: Period) -> dict[str, dict[str, tuple[int, int]]]:
    """Sessions that started in each period: held ones by mode and by kind, and every session
    by status (one GROUP BY query over mode, kind and status, folded here)."""
    start, end = period.bounds()
    previous_start, _ = period.previous.bounds()
    rows = (
        MediationSession.objects.filter(starts_at__gte=previous_start, starts_at__lt=end)
        .order_by()
        .values("mode", "kind", "status")
        .annotate(
            current=Count("id", filter=Q(starts_at__gte=start)),
            previous=Count("id", filter=Q(starts_at__lt=start)),
        )
    )
    result = {"by_mode": {}, "by_kind": {}, "by_status": {}}
    held = MediationSession.Status.HELD
    for row in rows:  # at most modes × kinds × statuses aggregated rows, never sessions
        pairs = [("by_status", row["status"])]
        if row["status"] == held:
            pairs += [("by_mode", row["mode"]), ("by_kind", row["kind"])]
        for table, key in pairs:
            current, previous = result[table].get(key, (0, 0))
            result[table][key] = (current + row["current"], previous + row["previous"])
    return result


def sessions_held_totals(period: Period) -> tuple[int, int]:
    start, end = period.bounds()
    previous_start, _ = period.previous.bounds()
    totals = MediationSession.objects.filter(
        status=MediationSession.Status.HELD, starts_at__gte=previous_start, starts_at__lt=end
    ).aggregate(
        current=Count("id", filter=Q(starts_at__gte=start)),
        previous=Count("id", filter=Q(starts_at__lt=start)),
    )
    return totals["current"], totals["previous"]


# --- Volunteers -------------------------------------------------------------------------------


def volunteer_time(period: Period) -> dict:
    """Hours and miles by month and by activity for both periods in one scan of the hours
    (GROUPING SETS; the totals are the sums of the activities), and how many volunteers
    logged time in each (a second query: a DISTINCT count would stop the grouping sets from
    being hashed) — two queries."""
    current, previous, either = _both("date", period)
    logged = VolunteerHours.objects.filter(either)
    by_month, by_activity = ("r_current", "r_month"), ("r_current", "r_activity")
    # Summed by day and activity first: a few hundred rows to group by month and activity, not
    # one per entry (38 -> 27 ms for 70,000 entries).
    groups = _grouping_sets(
        logged.values("date", "activity").annotate(
            r_current=ExpressionWrapper(current, output_field=BooleanField()),
            r_month=TruncMonth("date"),
            r_activity=F("activity"),
            r_hours=Sum("hours"),
            r_miles=Sum("miles"),
        ),
        [by_month, by_activity],
        {"hours": 'SUM("r_hours")', "miles": 'SUM("r_miles")'},
    )
    volunteers = logged.aggregate(
        current=Count("volunteer", distinct=True, filter=current),
        previous=Count("volunteer", distinct=True, filter=previous),
    )
    activity, totals = {}, {"hours": [ZERO, ZERO], "miles": [ZERO, ZERO]}
    for row in groups[by_activity]:  # a row per activity and period
        i = 0 if row["r_current"] else 1
        pairs = activity.setdefault(
            row["r_activity"], {"hours": [ZERO, ZERO], "miles": [ZERO, ZERO]}
        )
        for name in ("hours", "miles"):
            pairs[name][i] = row[name]
            totals[name][i] += row[name]
    return {
        "by_month": {
            (row["r_current"], _as_date(row["r_month"])): {
                "hours": row["hours"],
                "miles": row["miles"],
            }
            for row in groups[by_month]
        },
        "by_activity": {
            key: {name: tuple(pair) for name, pair in pairs.items()}
            for key, pairs in activity.items()
        },
        "hours": tuple(totals["hours"]),
        "miles": tuple(totals["miles"]),
        "volunteers": (volunteers["current"], volunteers["previous"]),
    }


def volunteer_hours_totals(period: Period) -> tuple[Decimal, Decimal]:
    current, previous, either = _both("date", period)
    totals = VolunteerHours.objects.filter(either).aggregate(
        current=Sum("hours", filter=current), previous=Sum("hours", filter=previous)
    )
    return totals["current"] or ZERO, totals["previous"] or ZERO


def trainee_sign_offs(period: Period) -> tuple[int, int]:
    """Trainee cases signed off in each period (by the local date of sign-off; one query)."""
    start, end = period.bounds()
    previous_start, _ = period.previous.bounds()
    totals = TraineeCase.objects.filter(
        status=TraineeCase.Status.SIGNED_OFF, signed_at__gte=previous_start, signed_at__lt=end
    ).aggregate(
        current=Count("id", filter=Q(signed_at__gte=start)),
        previous=Count("id", filter=Q(signed_at__lt=start)),
    )
    return totals["current"], totals["previous"]


def volunteers_by_status() -> dict[str, int]:
    """{status: volunteers} today (one query)."""
    rows = Volunteer.objects.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def _signed_off_subquery():
    """Signed-off community trainee cases of the volunteer (rule 6 counts only these)."""
    return (
        TraineeCase.objects.filter(
            trainee=OuterRef("pk"),
            status=TraineeCase.Status.SIGNED_OFF,
            case__dispute_type__in=COMMUNITY_DISPUTES,
        )
        .order_by()
        .values("trainee")
        .annotate(n=Count("id"))
        .values("n")
    )


def trainee_progress_counts(needed: int) -> dict[int, int]:
    """{cases signed off (capped at ``needed``): trainees} for volunteers now trainees."""
    rows = (
        Volunteer.objects.filter(status=Volunteer.Status.TRAINEE)
        .annotate(
            done=Least(Coalesce(Subquery(_signed_off_subquery()), 0), Value(needed)),
        )
        .order_by()
        .values("done")
        .annotate(n=Count("id"))
    )
    return {row["done"]: row["n"] for row in rows}


def trainees():
    """Every trainee with ``signed_off`` (community trainee cases signed off) and
    ``in_progress`` (trainee cases not yet signed off), by name (one query)."""
    return (
        Volunteer.objects.filter(status=Volunteer.Status.TRAINEE)
        .select_related("supervisor")
        .annotate(
            signed_off=Coalesce(Subquery(_signed_off_subquery()), 0),
            in_progress=Count(
                "trainee_cases", filter=~Q(trainee_cases__status=TraineeCase.Status.SIGNED_OFF)
            ),
        )
        .order_by("last_name", "first_name", "pk")
    )


# --- Equality monitoring ----------------------------------------------------------------------


def equality(period: Period, fields: list[str]) -> dict:
    """Parties of cases received in each period: how many, and how many gave each answer to
    each question in ``fields`` ("" for no answer) — counts only, in one scan of the parties
    (GROUPING SETS: one grouping per question, and one for the totals)."""
    current, _, either = _both("case__received_on", period)
    parties = Party.objects.filter(either).values(
        r_current=ExpressionWrapper(current, output_field=BooleanField()),
        **{f"r_{field}": F(field) for field in fields},
    )
    totals = ("r_current",)
    questions = {field: ("r_current", f"r_{field}") for field in fields}
    groups = _grouping_sets(parties, [totals, *questions.values()], {"n": "COUNT(*)"})
    total = {row["r_current"]: row["n"] for row in groups[totals]}
    answers = {}
    for field, grouping in questions.items():
        counts = answers.setdefault(field, {})
        for row in groups[grouping]:  # one row per answer given and period
            pair = counts.setdefault(row[f"r_{field}"], [0, 0])
            pair[0 if row["r_current"] else 1] = row["n"]
    return {
        "total": (total.get(True, 0), total.get(False, 0)),
        "answers": {
            field: {value: tuple(pair) for value, pair in counts.items()}
            for field, counts in answers.items()
        },
    }
