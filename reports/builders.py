"""Each report as tables of this period against the previous one, from the aggregates in
reports.queries. Only aggregated rows are handled here (a handful per table), never cases."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import TextChoices
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, COORDINATOR, has_role
from cases import lists
from cases.lifecycle import MEDIATED_OUTCOMES
from cases.models import DisputeType, Outcome, ReferralSource
from parties.models import AgeBand, Disability, Ethnicity, Gender
from sessions.models import MediationSession
from volunteers.models import Volunteer, VolunteerHours

from . import queries
from .periods import Period
from .tables import (
    DAYS,
    FEWER_THAN_5,
    HOURS,
    MILES,
    PERCENT,
    WITHHELD,
    Report,
    Row,
    Section,
    Table,
)

# Who may see the reports and have them as files (the pages, and the exports' report kinds).
REPORT_ROLES = (COORDINATOR, ADMINISTRATOR)

# Small numbers: any count from 1 to this is shown as "fewer than 5".
SMALL_NUMBER = 4

NOT_RECORDED = "Not recorded"
NOT_ANSWERED = "Not answered"

REFERRAL_NOTE = (
    "A referral counts in the period in which its case was received (the date received); "
    "reopening a case does not make it a new referral."
)
OUTCOME_NOTE = (
    "An outcome counts in the period in which its case was closed (the closing date), so a "
    "case referred in one period and closed in the next is a referral in the first and an "
    "outcome in the second. A reopened case counts by its current closing date only: while "
    "it is open again it is not counted, and when it closes again it counts in the period of "
    "its new closing date."
)
AGREEMENT_NOTE = (
    "Agreement rate = (full agreement + partial agreement) ÷ the outcomes of cases that were "
    "mediated (full agreement, partial agreement, no agreement, improved communication). "
    "Withdrawn, unsuitable and not contactable cases are not in it."
)
MEDIAN_NOTE = (
    "Medians are computed by the database (PostgreSQL percentile_cont(0.5)): half the cases "
    "took fewer days and half more; with an even number of cases the median is halfway "
    "between the middle two."
)
TIMELINESS_NOTE = (
    "To first contact: from the date received to the first contact log entry (a call, letter, "
    "email, visit or meeting; not a note, not a draft) on or after that date, for cases "
    "received in the period. To first session: to the first session held, for cases received "
    "in the period. Cases without that event yet are not in the median but are counted below. "
    "To closure: closing date minus date received, for cases closed in the period (a reopened "
    "case by its current closing date)."
)
PREVIOUS_NOTE = (
    "The period compared with: the same number of calendar months just before when the period "
    "is whole months (a quarter is compared with the quarter before); the same dates a year "
    "before for a period to date over a month long (this financial year so far with the same "
    "months last year); otherwise the same number of days just before."
)
SESSIONS_NOTE = (
    "Sessions held: sessions marked held that started in the period (by the date in the UK). "
    "Sessions by status counts every session that started in the period."
)
VOLUNTEERS_NOTE = (
    "Hours and miles count by the date they were logged. Active volunteers are those whose "
    "status is mediator or trainee today; a trainee's progress counts their signed-off "
    "supervised community cases (three are needed for accreditation)."
)
EQUALITY_NOTE = (
    "Equality-monitoring answers of the parties in cases received in the period, in aggregate "
    "only. Any count from 1 to 4 is shown as “fewer than 5”; where only one answer in a "
    "question is hidden, the next smallest is also withheld so that it cannot be worked out by "
    "subtraction. A total of fewer than 5 is hidden too."
)


def _choice_rows(choices: type[TextChoices], figures: dict, *, blank: str = NOT_RECORDED):
    """A row per choice in its own order (zeros included), then anything else found. Referral
    sources, dispute types and outcomes come as the administrators name and order them
    (cases.lists), with any retired one the figures count."""
    pairs = lists.report_choices(choices, include=figures)
    rows = [Row(label, *figures.get(value, (0, 0))) for value, label in pairs]
    known = {value for value, _ in pairs}
    rows += [
        Row(str(value) if value else blank, *pair)
        for value, pair in figures.items()
        if value not in known
    ]
    return rows


def _month_rows(period: Period, by_month: dict, in_current: bool, name: str, zero=0):
    return [
        Row(f"{month:%b %Y}", (by_month.get((in_current, month)) or {}).get(name) or zero)
        for month in period.months()
    ]


def _month_tables(key: str, what: str, period: Period, by_month: dict, name: str, **extra):
    """This period's and the previous period's month series, on the same scale."""
    zero = extra.pop("zero", 0)
    current = _month_rows(period, by_month, True, name, zero)
    previous = _month_rows(period.previous, by_month, False, name, zero)
    top = max([row.current for row in current + previous], default=0)
    return [
        Table(
            key,
            f"This period: {period.label}",
            current,
            compare=False,
            period=period,
            category_label="Month",
            caption=f"{what} by month, {period.label}",
            scale_max=float(top),
            **extra,
        ),
        Table(
            f"{key}_previous",
            f"Previous period: {period.previous.label}",
            previous,
            compare=False,
            period=period.previous,
            category_label="Month",
            caption=f"{what} by month, {period.previous.label}",
            scale_max=float(top),
            **extra,
        ),
    ]


def _total(rows: list[Row]) -> tuple[int, int]:
    return sum(row.current for row in rows), sum(row.previous for row in rows)


def _compare_caption(what: str, period: Period) -> str:
    return f"{what}: {period.label} compared with {period.previous.label}"


# --- Referrals --------------------------------------------------------------------------------


def referrals_report(period: Period, user=None) -> Report:
    data = queries.referrals(period)
    by_source = _choice_rows(ReferralSource, data["by_source"])
    by_type = _choice_rows(DisputeType, data["by_type"])
    return Report(
        "referrals",
        "Referrals",
        period,
        [
            Section(
                "Referrals received",
                [
                    Table(
                        "referrals_total",
                        "Referrals received",
                        [Row("Referrals received", *_total(by_source))],
                        chart=False,
                        caption=_compare_caption("Referrals received", period),
                    )
                ],
            ),
            Section(
                "Referrals by month",
                _month_tables(
                    "referrals_by_month",
                    "Referrals",
                    period,
                    data["by_month"],
                    "n",
                    value_label="Referrals",
                ),
            ),
            Section(
                "Referrals by source",
                [
                    Table(
                        "referrals_by_source",
                        "Referrals by source",
                        by_source,
                        category_label="Source",
                        caption=_compare_caption("Referrals by source", period),
                    )
                ],
            ),
            Section(
                "Referrals by dispute type",
                [
                    Table(
                        "referrals_by_type",
                        "Referrals by dispute type",
                        by_type,
                        category_label="Dispute type",
                        caption=_compare_caption("Referrals by dispute type", period),
                    )
                ],
            ),
        ],
        notes=[REFERRAL_NOTE, PREVIOUS_NOTE],
    )


# --- Outcomes ---------------------------------------------------------------------------------


def agreement_rate(figures: dict[str, int]) -> float | None:
    """(full + partial agreement) ÷ mediated outcomes, as a percentage; None with none."""
    mediated = sum(figures.get(outcome, 0) for outcome in MEDIATED_OUTCOMES)
    if not mediated:
        return None
    agreed = figures.get(Outcome.FULL_AGREEMENT, 0) + figures.get(Outcome.PARTIAL_AGREEMENT, 0)
    return 100 * agreed / mediated


def _outcome_figures(data: dict) -> dict[str, list]:
    """closed, mediated, agreed and the agreement rate for each period."""
    result = {}
    for i, suffix in enumerate(("current", "previous")):
        figures = {outcome: pair[i] for outcome, pair in data.items()}
        mediated = sum(figures.get(o, 0) for o in MEDIATED_OUTCOMES)
        agreed = figures.get(Outcome.FULL_AGREEMENT, 0) + figures.get(Outcome.PARTIAL_AGREEMENT, 0)
        result[suffix] = {
            "closed": sum(figures.values()),
            "mediated": mediated,
            "agreed": agreed,
            "rate": agreement_rate(figures),
        }
    return result


def outcomes_report(period: Period, user=None) -> Report:
    data = queries.outcomes(period)
    figures = _outcome_figures(data)
    current, previous = figures["current"], figures["previous"]
    return Report(
        "outcomes",
        "Outcomes",
        period,
        [
            Section(
                "How cases ended",
                [
                    Table(
                        "outcomes_summary",
                        "Cases closed and agreement rate",
                        [
                            Row("Cases closed", current["closed"], previous["closed"]),
                            Row(
                                "Cases mediated (closed after mediation)",
                                current["mediated"],
                                previous["mediated"],
                            ),
                            Row(
                                "Full or partial agreement",
                                current["agreed"],
                                previous["agreed"],
                            ),
                            Row("Agreement rate", current["rate"], previous["rate"], PERCENT),
                        ],
                        chart=False,
                        caption=_compare_caption("Cases closed and agreement rate", period),
                    )
                ],
            ),
            Section(
                "Outcomes",
                [
                    Table(
                        "outcomes_by_outcome",
                        "Outcomes of cases closed",
                        _choice_rows(Outcome, data),
                        category_label="Outcome",
                        caption=_compare_caption("Outcomes of cases closed", period),
                    )
                ],
            ),
        ],
        notes=[OUTCOME_NOTE, AGREEMENT_NOTE, PREVIOUS_NOTE],
    )


# --- Timeliness -------------------------------------------------------------------------------


def timeliness_report(period: Period, user=None) -> Report:
    data = queries.timeliness(period)
    referred = data["referred"]
    contacted = data["contacted"]
    return Report(
        "timeliness",
        "Timeliness",
        period,
        [
            Section(
                "Median days from referral",
                [
                    Table(
                        "timeliness_medians",
                        "Median days from referral",
                        [
                            Row("Referral to first contact", *data["contact_median"]),
                            Row("Referral to first session held", *data["session_median"]),
                            Row("Referral to closure", *data["close_median"]),
                        ],
                        unit=DAYS,
                        category_label="Median days",
                        caption=_compare_caption("Median days from referral", period),
                    )
                ],
            ),
            Section(
                "Cases measured",
                [
                    Table(
                        "timeliness_cases",
                        "Cases each median is of",
                        [
                            Row("Cases received", *referred),
                            Row("of which contacted", *contacted),
                            Row(
                                "of which not yet contacted",
                                referred[0] - contacted[0],
                                referred[1] - contacted[1],
                            ),
                            Row("of which had a session held", *data["had_session"]),
                            Row("Cases closed", *data["closed"]),
                        ],
                        chart=False,
                        caption=_compare_caption("Cases each median is of", period),
                    )
                ],
            ),
        ],
        notes=[TIMELINESS_NOTE, MEDIAN_NOTE, REFERRAL_NOTE, OUTCOME_NOTE, PREVIOUS_NOTE],
    )


# --- Sessions ---------------------------------------------------------------------------------


def sessions_report(period: Period, user=None) -> Report:
    data = queries.sessions(period)
    by_mode = _choice_rows(MediationSession.Mode, data["by_mode"])
    return Report(
        "sessions",
        "Sessions",
        period,
        [
            Section(
                "Sessions held",
                [
                    Table(
                        "sessions_total",
                        "Sessions held",
                        [Row("Sessions held", *_total(by_mode))],
                        chart=False,
                        caption=_compare_caption("Sessions held", period),
                    )
                ],
            ),
            Section(
                "Sessions held by mode",
                [
                    Table(
                        "sessions_by_mode",
                        "Sessions held by mode",
                        by_mode,
                        category_label="Mode",
                        caption=_compare_caption("Sessions held by mode", period),
                    )
                ],
            ),
            Section(
                "Sessions held by kind",
                [
                    Table(
                        "sessions_by_kind",
                        "Sessions held by kind",
                        _choice_rows(MediationSession.Kind, data["by_kind"]),
                        category_label="Kind",
                        caption=_compare_caption("Sessions held by kind", period),
                    )
                ],
            ),
            Section(
                "All sessions by status",
                [
                    Table(
                        "sessions_by_status",
                        "Sessions by status",
                        _choice_rows(MediationSession.Status, data["by_status"]),
                        category_label="Status",
                        caption=_compare_caption("Sessions that started, by status", period),
                    )
                ],
            ),
        ],
        notes=[SESSIONS_NOTE, PREVIOUS_NOTE],
    )


# --- Volunteers -------------------------------------------------------------------------------


def volunteers_report(period: Period, user=None) -> Report:
    """Volunteer time, volunteers and trainees. Trainees are named only for coordinators (who
    manage volunteers); anyone else, and the trustees' summary, gets the counts."""
    time = queries.volunteer_time(period)
    sign_offs = queries.trainee_sign_offs(period)
    by_status = queries.volunteers_by_status()
    needed = settings.TRAINEE_CASES_FOR_ACCREDITATION
    progress = queries.trainee_progress_counts(needed)
    today = timezone.localdate()
    active = by_status.get(Volunteer.Status.MEDIATOR, 0) + by_status.get(
        Volunteer.Status.TRAINEE, 0
    )
    activity = {
        name: {key: pair[name] for key, pair in time["by_activity"].items()}
        for name in ("hours", "miles")
    }
    zero = Decimal("0")

    def activity_rows(name):
        return [
            Row(choice.label, *activity[name].get(choice.value, (zero, zero)))
            for choice in VolunteerHours.Activity
        ]

    sections = [
        Section(
            "Volunteer time",
            [
                Table(
                    "volunteer_totals",
                    "Volunteer time",
                    [
                        Row("Hours given", *time["hours"], HOURS),
                        Row("Miles travelled", *time["miles"], MILES),
                        Row("Volunteers who logged time", *time["volunteers"]),
                        Row("Trainee cases signed off", *sign_offs),
                    ],
                    chart=False,
                    caption=_compare_caption("Volunteer time", period),
                )
            ],
        ),
        Section(
            "Hours by month",
            _month_tables(
                "hours_by_month",
                "Hours",
                period,
                time["by_month"],
                "hours",
                unit=HOURS,
                value_label="Hours",
                zero=zero,
            ),
        ),
        Section(
            "Miles by month",
            _month_tables(
                "miles_by_month",
                "Miles",
                period,
                time["by_month"],
                "miles",
                unit=MILES,
                value_label="Miles",
                zero=zero,
            ),
        ),
        Section(
            "Hours by activity",
            [
                Table(
                    "hours_by_activity",
                    "Hours by activity",
                    activity_rows("hours"),
                    unit=HOURS,
                    category_label="Activity",
                    caption=_compare_caption("Hours by activity", period),
                )
            ],
        ),
        Section(
            "Miles by activity",
            [
                Table(
                    "miles_by_activity",
                    "Miles by activity",
                    activity_rows("miles"),
                    unit=MILES,
                    category_label="Activity",
                    caption=_compare_caption("Miles by activity", period),
                )
            ],
        ),
        Section(
            f"Volunteers today ({today:%-d %b %Y})",
            [
                Table(
                    "volunteers_active",
                    "Active volunteers today",
                    [
                        Row("Active volunteers (mediators and trainees)", active),
                        Row("Mediators", by_status.get(Volunteer.Status.MEDIATOR, 0)),
                        Row("Trainees", by_status.get(Volunteer.Status.TRAINEE, 0)),
                    ],
                    compare=False,
                    snapshot=True,
                    chart=False,
                    value_label="Volunteers",
                    caption=f"Active volunteers on {today:%-d %b %Y}",
                ),
                Table(
                    "volunteers_by_status",
                    "Volunteers by status today",
                    [Row(choice.label, by_status.get(choice, 0)) for choice in Volunteer.Status],
                    compare=False,
                    snapshot=True,
                    value_label="Volunteers",
                    category_label="Status",
                    caption=f"Volunteers by status on {today:%-d %b %Y}",
                ),
            ],
        ),
        Section(
            "Trainees' progress",
            [
                Table(
                    "trainee_progress",
                    "Trainees by supervised cases signed off",
                    [
                        Row(f"{n} of {needed} signed off", progress.get(n, 0))
                        for n in range(needed + 1)
                    ],
                    compare=False,
                    snapshot=True,
                    value_label="Trainees",
                    category_label="Cases signed off",
                    caption=f"Trainees by supervised cases signed off, on {today:%-d %b %Y}",
                )
            ],
        ),
    ]
    if user is not None and has_role(user, COORDINATOR):
        sections[-1].tables.append(
            Table(
                "trainees",
                "Each trainee's progress",
                compare=False,
                snapshot=True,
                chart=False,
                caption=f"Trainees and their supervised cases, on {today:%-d %b %Y}",
                columns=["Trainee", "Supervisor", "Cases signed off", "Trainee cases open"],
                cells=[
                    [
                        trainee.full_name,
                        _person(trainee.supervisor),
                        f"{min(trainee.signed_off, needed)} of {needed}",
                        str(trainee.in_progress),
                    ]
                    for trainee in queries.trainees()
                ],
            )
        )
    return Report(
        "volunteers", "Volunteers", period, sections, notes=[VOLUNTEERS_NOTE, PREVIOUS_NOTE]
    )


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


# --- Equality monitoring ----------------------------------------------------------------------

EQUALITY_QUESTIONS = (
    ("age_band", "Age band", AgeBand),
    ("gender", "Gender", Gender),
    ("ethnicity", "Ethnic group", Ethnicity),
    ("disability", "Disability", Disability),
)


def suppress(counts: list[int]) -> list:
    """Small-number suppression of one question's answers (in display order): each count from
    1 to 4 becomes "fewer than 5"; if exactly one is hidden, the smallest other non-zero count
    (the first of equals) is withheld too, so the hidden one cannot be found by subtracting the
    others from the total. Zeros stay: nobody gave that answer."""
    shown = list(counts)
    small = [i for i, n in enumerate(counts) if 1 <= n <= SMALL_NUMBER]
    for i in small:
        shown[i] = FEWER_THAN_5
    if len(small) == 1:
        others = [(n, i) for i, n in enumerate(counts) if n > 0 and i not in small]
        if others:
            shown[min(others)[1]] = WITHHELD
    return shown


def suppress_total(n: int):
    return FEWER_THAN_5 if 1 <= n <= SMALL_NUMBER else n


def equality_report(period: Period, user=None) -> Report:
    fields = {field: [*choices.values, ""] for field, _, choices in EQUALITY_QUESTIONS}
    data = queries.equality(period, list(fields))
    total = data["total"]
    sections = [
        Section(
            "Parties",
            [
                Table(
                    "equality_total",
                    "Parties in cases received",
                    [Row("Parties in cases received", *map(suppress_total, total))],
                    chart=False,
                    caption=_compare_caption("Parties in cases received", period),
                )
            ],
        )
    ]
    for field, title, choices in EQUALITY_QUESTIONS:
        answers = data["answers"][field]
        labels = [*choices.labels, NOT_ANSWERED]
        values = fields[field]
        current = suppress([answers.get(v, (0, 0))[0] for v in values])
        previous = suppress([answers.get(v, (0, 0))[1] for v in values])
        sections.append(
            Section(
                title,
                [
                    Table(
                        f"equality_{field}",
                        title,
                        [
                            Row(label, c, p)
                            for label, c, p in zip(labels, current, previous, strict=True)
                        ],
                        category_label="Answer",
                        caption=_compare_caption(f"{title} of parties", period),
                    )
                ],
            )
        )
    return Report("equality", "Equality monitoring", period, sections, notes=[EQUALITY_NOTE])


# --- Headline figures and the trustees' summary -----------------------------------------------


def headline_report(period: Period, user=None) -> Report:
    """The figures trustees ask for first (five queries), for the reports' home page."""
    referrals = queries.referral_totals(period)
    outcomes = _outcome_figures(queries.outcomes(period))
    timeliness = queries.timeliness(period, sessions=False)
    sessions = queries.sessions_held_totals(period)
    hours = queries.volunteer_hours_totals(period)
    return Report(
        "headline",
        "At a glance",
        period,
        [
            Section(
                "At a glance",
                [
                    Table(
                        "headline",
                        "At a glance",
                        [
                            Row("Referrals received", *referrals),
                            Row(
                                "Cases closed",
                                outcomes["current"]["closed"],
                                outcomes["previous"]["closed"],
                            ),
                            Row(
                                "Agreement rate",
                                outcomes["current"]["rate"],
                                outcomes["previous"]["rate"],
                                PERCENT,
                            ),
                            Row(
                                "Median days, referral to first contact",
                                *timeliness["contact_median"],
                                DAYS,
                            ),
                            Row(
                                "Median days, referral to closure",
                                *timeliness["close_median"],
                                DAYS,
                            ),
                            Row("Sessions held", *sessions),
                            Row("Volunteer hours", *hours, HOURS),
                        ],
                        chart=False,
                        category_label="Figure",
                        caption=_compare_caption("At a glance", period),
                    )
                ],
            )
        ],
        notes=[REFERRAL_NOTE, OUTCOME_NOTE, AGREEMENT_NOTE, PREVIOUS_NOTE],
    )


REPORTS = {
    "referrals": referrals_report,
    "outcomes": outcomes_report,
    "timeliness": timeliness_report,
    "sessions": sessions_report,
    "volunteers": volunteers_report,
    "equality": equality_report,
}


def summary(period: Period) -> list[Report]:
    """Every report, for the trustees' summary: aggregates only, nobody named."""
    return [build(period, user=None) for build in REPORTS.values()]


def summary_headline(reports: list[Report]) -> Table:
    """The first table of the trustees' summary, taken from the reports' own tables."""
    by_key = {report.key: report for report in reports}

    def row(report: str, table: str, label: str, new_label: str = "") -> Row:
        found = next(r for r in by_key[report].table(table).rows if r.label == label)
        return Row(new_label or found.label, found.current, found.previous, found.unit)

    rows = [
        row("referrals", "referrals_total", "Referrals received"),
        row("outcomes", "outcomes_summary", "Cases closed"),
        row("outcomes", "outcomes_summary", "Agreement rate"),
        row(
            "timeliness",
            "timeliness_medians",
            "Referral to first contact",
            "Median days, referral to first contact",
        ),
        row(
            "timeliness",
            "timeliness_medians",
            "Referral to closure",
            "Median days, referral to closure",
        ),
        row("sessions", "sessions_total", "Sessions held"),
        row("volunteers", "volunteer_totals", "Hours given", "Volunteer hours"),
    ]
    for r in rows[3:5]:
        r.unit = DAYS
    period = reports[0].period
    return Table(
        "summary_headline",
        "At a glance",
        rows,
        chart=False,
        category_label="Figure",
        caption=_compare_caption("At a glance", period),
        period=period,
        previous=period.previous,
    )
