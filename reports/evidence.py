"""The reports funders ask for: satisfaction, sustained outcomes, referrals and outcomes by area,
and what happened to a referrer's referrals — from reports.evidence_queries, as the same
Report/Section/Table objects as the other reports (so the page, the CSV and the XLSX agree).

Small numbers are suppressed everywhere (reports.builders.suppress and suppress_total): a count
from 1 to 4 shows as "fewer than 5"; where only one count in a column is hidden the next
smallest is withheld so it cannot be worked out from the total; a rate is not shown when fewer
than 5 people are behind it ("fewer than 5"), nor when the count it is made of is hidden or is
itself from 1 to 4 ("withheld"), because the rate and the count it is out of would give it away.
"""

from __future__ import annotations

import re

from cases.lifecycle import MEDIATED_OUTCOMES
from cases.models import DisputeType, Outcome, Status
from referrers.models import Referrer
from surveys.models import FeedbackAnswer, FollowUpAnswer

from . import evidence_queries as queries
from .builders import PREVIOUS_NOTE, SMALL_NUMBER, _compare_caption, suppress, suppress_total
from .districts import KENT_AND_MEDWAY, NO_POSTCODE, NOT_IN_TABLE, STRADDLING
from .periods import Period
from .tables import (
    COUNT,
    DAYS,
    FEWER_THAN_5,
    PERCENT,
    WITHHELD,
    Report,
    Row,
    Section,
    Suppressed,
    Table,
)

NO_REFERRER = "No referring organisation"

SUPPRESSION_NOTE = (
    "Small numbers are not shown: any count from 1 to 4 is shown as “fewer than 5”, and where "
    "only one count in a column is hidden the next smallest is withheld too, so that it cannot "
    "be worked out from the total. A percentage is shown only when at least 5 people are "
    "behind it (otherwise “fewer than 5”), and is withheld when the count it is made of is "
    "from 1 to 4 or is hidden, since the percentage and the number it is out of would give it "
    "away. Zeros are shown: nobody."
)
SATISFACTION_NOTE = (
    "The feedback survey is sent to each party of a case when it closes. It counts in the "
    "period in which the case was closed (its closing date, as outcomes do), whenever the party "
    "answered. Response rate = surveys answered ÷ parties invited. Agreeing = “agree” or "
    "“strongly agree”; each statement's percentage is of the parties who answered that "
    "statement (a statement left blank is not counted)."
)
SUSTAINED_NOTE = (
    "The outcome follow-up is sent at the case's follow-up date; it counts in the period in "
    "which the party was asked. Agreement holding = “yes” or “partly” ÷ those who answered yes, "
    "partly or no (those who said there was no agreement, and those who did not say, are left "
    "out); fully holding counts “yes” only. Problem not back = “no” ÷ those who answered "
    "(“sometimes” counts as back). Contacted the referrer, police or council since = “yes” ÷ "
    "those who answered that question."
)
BREAKDOWN_NOTE = (
    "The breakdowns are of this period only. Referrer: the referring organisation recorded on "
    "the case (“No referring organisation” for self-referrals and cases without one). Area: the "
    "postcode district of the case's first party with a postcode, and the local authority of "
    "that district in the district table."
)


def area_note() -> str:
    return (
        "Area: a case's area is the postcode district (the first half of the postcode, such as "
        "ME14) of its first party with a postcode. Local authorities come from the district "
        f"table, seeded with the {len(KENT_AND_MEDWAY)} districts of Kent and Medway and "
        "editable by administrators; a district not in it shows as “Not in the table”, a case "
        "without a postcode as “No postcode recorded”. Some districts straddle a boundary ("
        f"{', '.join(STRADDLING)}): each is counted under the authority with most of it. A "
        "case whose records were anonymised at the end of their retention has no district."
    )


REFERRALS_AREA_NOTE = (
    "A referral counts in the period in which its case was received; an outcome in the period "
    "in which its case closed. Agreement rate = (full + partial agreement) ÷ cases closed after "
    "mediation."
)
REFERRER_NOTE = (
    "Everything here is about the referrals received in the period from the organisation: the "
    "stage each has reached today, how the closed ones ended, the median days from referral "
    "to first contact (of those contacted; not shown when fewer than 5), and what their "
    "parties said in the feedback survey. Counts only: no case or person is named, and nothing "
    "said in mediation is shown."
)


# --- Suppressed figures -------------------------------------------------------------------------


def rate(numerator: int, denominator: int, *, hidden: bool = False):
    """numerator ÷ denominator as a percentage, suppressed as the module docstring says; None
    with no denominator (nobody to ask)."""
    if not denominator:
        return None
    if denominator <= SMALL_NUMBER:
        return FEWER_THAN_5
    if hidden or 1 <= numerator <= SMALL_NUMBER:
        return WITHHELD
    return 100 * numerator / denominator


def median(value, measured: int):
    """A median of days, not shown when fewer than 5 cases are behind it."""
    if not measured or value is None:
        return None
    if measured <= SMALL_NUMBER:
        return FEWER_THAN_5
    return float(value)


def _hidden(value) -> bool:
    return isinstance(value, Suppressed)


def _get(rows: dict, key, name: str) -> int:
    row = rows.get(key)
    return row[name] if row else 0


# --- Labels -----------------------------------------------------------------------------------


def _type_label(value: str) -> str:
    try:
        return DisputeType(value).label
    except ValueError:
        return value or "Not recorded"


def _area_order(label: str) -> tuple:
    return (label in (NOT_IN_TABLE, NO_POSTCODE), label == NO_POSTCODE, label)


def _labelled(dimension: str, values) -> list[tuple[str, str]]:
    """[(value, label)] for the values found, in the order a reader looks for them."""
    if dimension == "r_type":
        order = {value: i for i, value in enumerate(DisputeType.values)}
        pairs = [(v, _type_label(v)) for v in values]
        return sorted(pairs, key=lambda p: (order.get(p[0], len(order)), p[1]))
    if dimension == "r_referrer":
        return sorted(
            ((v, v or NO_REFERRER) for v in values), key=lambda p: (p[0] == "", p[1].lower())
        )
    if dimension == "r_district":
        return sorted(((v, v or NO_POSTCODE) for v in values), key=lambda p: _district_order(p[0]))
    return sorted(((v, v) for v in values), key=lambda p: _area_order(p[1]))


def _district_order(district: str) -> tuple:
    """ME2 before ME14: area letters, then the number; no district last."""
    match = re.match(r"([A-Z]+)([0-9]+)(.*)", district)
    if not match:
        return ("~", 0, district)
    return (match[1], int(match[2]), match[3])


DIMENSION_TITLES = (
    ("r_type", "By dispute type", "Dispute type"),
    ("r_referrer", "By referring organisation", "Referring organisation"),
    ("r_district", "By postcode district", "Postcode district"),
    ("r_authority", "By local authority", "Local authority"),
)


OTHER_ORGANISATIONS = "Other organisations (fewer than 5 each)"


def _merge_small(pairs: list, found: dict, size: str) -> list:
    """Organisations with fewer than 5 answers (``size`` below 5), whose percentages would all
    be hidden, as one row, added up: a service has hundreds of referrers, most sending a few
    cases a quarter, and a page of hidden rows tells nobody anything (each organisation's own
    figures are on the per-referrer report). Adds the merged row to ``found``; returns the
    pairs to show."""
    small = [(v, n) for v, n in pairs if v and found[v][size] <= SMALL_NUMBER]
    if len(small) < 2:
        return pairs
    merged = {}
    for value, _ in small:
        for name, figure in found[value].items():
            if isinstance(figure, int) and not isinstance(figure, bool):
                merged[name] = merged.get(name, 0) + figure
    found[OTHER_ORGANISATIONS] = merged
    keep = [p for p in pairs if p not in small]
    named = [p for p in keep if p[0]]
    return [*named, (OTHER_ORGANISATIONS, OTHER_ORGANISATIONS), *(p for p in keep if not p[0])]


def _nest_districts(counts: list, districts: list, shown: list, hidden_authorities: set, table):
    """A postcode district is shown only when nothing in its local authority is hidden: a local
    authority's figure is the sum of its districts, so with the authority shown and one of its
    districts hidden, that district would be the authority minus the others; and a hidden
    authority would be the sum of its districts. So where an authority is hidden, or any of its
    districts is, every non-zero district of it is withheld. ``shown``: the column as ``suppress``
    left it (changed in place and returned); ``hidden_authorities``: the authorities hidden in
    the same column of the authority table."""
    groups: dict[str, list[int]] = {}
    for i, district in enumerate(districts):
        groups.setdefault(queries.authority_of(district, table), []).append(i)
    for authority, rows in groups.items():
        if authority in hidden_authorities or any(_hidden(shown[i]) for i in rows):
            for i in rows:
                if counts[i] > 0 and not _hidden(shown[i]):
                    shown[i] = WITHHELD
    return shown


def _breakdown_tables(key: str, what: str, data: dict, columns: list, period: Period) -> list:
    """A list table per dimension: a row per value found this period, each count column
    suppressed down the column, each rate from its counts. ``columns``: [(title, unit, how)]
    with ``how`` either a count name or (numerator, denominator, the count columns whose hidden
    figure the rate would give away, and so hides with)."""
    sections = {}
    size = columns[1][2]  # the second column counts the answers
    table = data["district_table"]
    hidden_authorities: dict[str, set] = {}  # column → the authorities hidden in it
    # The authority table is worked out before the district one, whose suppression follows it
    # (_nest_districts); the tables are shown in DIMENSION_TITLES' order.
    order = sorted(DIMENSION_TITLES, key=lambda d: d[0] == "r_district")
    for dimension, title, label in order:
        found = {value: row for (current, value), row in data[dimension].items() if current}
        pairs = _labelled(dimension, found)
        if dimension == "r_referrer":
            pairs = _merge_small(pairs, found, size)
        shown = {}
        for title_, _unit, how in columns:
            if isinstance(how, str):
                counts = [found[v][how] for v, _ in pairs]
                shown[title_] = suppress(counts)
                if dimension == "r_authority":
                    hidden_authorities[title_] = {
                        v for (v, _), x in zip(pairs, shown[title_], strict=True) if _hidden(x)
                    }
                elif dimension == "r_district":
                    shown[title_] = _nest_districts(
                        counts, [v for v, _ in pairs], shown[title_],
                        hidden_authorities[title_], table,
                    )  # fmt: skip
        cells = []
        for i, (value, name) in enumerate(pairs):
            row = found[value]
            line = [name]
            for title_, _unit, how in columns:
                if isinstance(how, str):
                    line.append(shown[title_][i])
                else:
                    numerator, denominator, guards = how
                    hidden = any(_hidden(shown[guard][i]) for guard in guards)
                    line.append(rate(row[numerator], row[denominator], hidden=hidden))
            cells.append(line)
        sections[dimension] = Section(
            f"{what}: {title.lower()}",
            [
                Table(
                    f"{key}_{dimension.removeprefix('r_')}",
                    f"{what} {title.lower()}",
                    compare=False,
                    chart=False,
                    caption=f"{what} {title.lower()}, {period.label}",
                    columns=[label, *(c[0] for c in columns)],
                    column_units=[None, *(c[1] for c in columns)],
                    cells=cells,
                )
            ],
        )
    return [sections[dimension] for dimension, _, _ in DIMENSION_TITLES]


# --- Satisfaction -----------------------------------------------------------------------------


def _question_label(name: str) -> str:
    return str(FeedbackAnswer._meta.get_field(name).verbose_name)


def satisfaction_report(period: Period, user=None) -> Report:
    data = queries.satisfaction(period)
    total = data["total"]
    figures = {}
    for current in (True, False):
        invited = _get(total, (current, None), "invited")
        answered = _get(total, (current, None), "answered")
        shown = suppress_total(answered)
        figures[current] = {
            "invited": suppress_total(invited),
            "answered": shown,
            "rate": rate(answered, invited, hidden=_hidden(shown)),
            **{
                q: rate(
                    _get(total, (current, None), f"{q}_agree"),
                    _get(total, (current, None), f"{q}_n"),
                    hidden=_hidden(shown),
                )
                for q in queries.FEEDBACK_QUESTIONS
            },
        }
    now, before = figures[True], figures[False]
    columns = [
        ("Parties invited", COUNT, "invited"),
        ("Surveys answered", COUNT, "answered"),
        (
            "Response rate",
            PERCENT,
            ("answered", "invited", ("Surveys answered", "Parties invited")),
        ),
        *(
            (
                f"{_question_label(q)} (% agree)",
                PERCENT,
                (f"{q}_agree", f"{q}_n", ("Surveys answered",)),
            )
            for q in queries.FEEDBACK_QUESTIONS
        ),
    ]
    sections = [
        Section(
            "Survey response",
            [
                Table(
                    "satisfaction_response",
                    "Feedback survey response",
                    [
                        Row("Parties invited", now["invited"], before["invited"]),
                        Row("Surveys answered", now["answered"], before["answered"]),
                        Row("Response rate", now["rate"], before["rate"], PERCENT),
                    ],
                    chart=False,
                    caption=_compare_caption("Feedback survey response", period),
                )
            ],
        ),
        Section(
            "Parties agreeing with each statement",
            [
                Table(
                    "satisfaction_agree",
                    "Parties agreeing with each statement",
                    [
                        Row(_question_label(q), now[q], before[q])
                        for q in queries.FEEDBACK_QUESTIONS
                    ],
                    unit=PERCENT,
                    category_label="Statement",
                    caption=_compare_caption("Parties agreeing (% of those answering)", period),
                )
            ],
        ),
        *_breakdown_tables("satisfaction", "Feedback", data, columns, period),
    ]
    return Report(
        "satisfaction",
        "Satisfaction",
        period,
        sections,
        notes=[SATISFACTION_NOTE, SUPPRESSION_NOTE, BREAKDOWN_NOTE, area_note(), PREVIOUS_NOTE],
    )


# --- Sustained outcomes -----------------------------------------------------------------------

SUSTAINED_RATES = (
    ("holding_yes_partly", "holding_n", "Agreement holding (fully or partly)"),
    ("holding_yes", "holding_n", "Agreement fully holding"),
    ("back_no", "back_n", "Problem not back"),
    *(
        (f"{c}_yes", f"{c}_n", str(FollowUpAnswer._meta.get_field(f"contacted_{c}").verbose_name))
        for c in queries.FOLLOW_UP_CONTACTS
    ),
)


def sustained_report(period: Period, user=None) -> Report:
    data = queries.sustained(period)
    total = data["total"]
    figures = {}
    for current in (True, False):
        row = total.get((current, None)) or {}
        answered = row.get("answered", 0)
        shown = suppress_total(answered)
        figures[current] = {
            "invited": suppress_total(row.get("invited", 0)),
            "answered": shown,
            "rate": rate(answered, row.get("invited", 0), hidden=_hidden(shown)),
            **{
                label: rate(row.get(n, 0), row.get(d, 0), hidden=_hidden(shown))
                for n, d, label in SUSTAINED_RATES
            },
        }
    now, before = figures[True], figures[False]
    columns = [
        ("Parties asked", COUNT, "invited"),
        ("Answered", COUNT, "answered"),
        ("Response rate", PERCENT, ("answered", "invited", ("Answered", "Parties asked"))),
        *((f"{label} (%)", PERCENT, (n, d, ("Answered",))) for n, d, label in SUSTAINED_RATES),
    ]
    sections = [
        Section(
            "Follow-up response",
            [
                Table(
                    "sustained_response",
                    "Outcome follow-up response",
                    [
                        Row("Parties asked", now["invited"], before["invited"]),
                        Row("Answered", now["answered"], before["answered"]),
                        Row("Response rate", now["rate"], before["rate"], PERCENT),
                    ],
                    chart=False,
                    caption=_compare_caption("Outcome follow-up response", period),
                )
            ],
        ),
        Section(
            "Did it last?",
            [
                Table(
                    "sustained_rates",
                    "Did it last?",
                    [Row(label, now[label], before[label]) for _, _, label in SUSTAINED_RATES],
                    unit=PERCENT,
                    category_label="Answer",
                    caption=_compare_caption("Did it last? (% of those answering)", period),
                )
            ],
        ),
        *_breakdown_tables("sustained", "Follow-up", data, columns, period),
    ]
    return Report(
        "sustained",
        "Sustained outcomes",
        period,
        sections,
        notes=[SUSTAINED_NOTE, SUPPRESSION_NOTE, BREAKDOWN_NOTE, area_note(), PREVIOUS_NOTE],
    )


# --- By area ----------------------------------------------------------------------------------


def _nested(dimension: str, columns: dict, hidden: dict, pairs, table) -> dict:
    """Each column ({name: (counts, shown)}) of an area table, as shown: for the authority
    table, noting in ``hidden`` what it hides; for the district table, suppressed within each
    authority too (_nest_districts)."""
    result = {}
    for name, (counts, shown) in columns.items():
        if dimension == "r_authority":
            hidden[name] = {v for (v, _), x in zip(pairs, shown, strict=True) if _hidden(x)}
        elif dimension == "r_district":
            shown = _nest_districts(counts, [v for v, _ in pairs], shown, hidden[name], table)
        result[name] = shown
    return result


def _compare_rows(pairs: list[tuple[str, str]], counts: dict, nest) -> list[Row]:
    columns = {}
    for name, current in (("current", True), ("previous", False)):
        column = [counts.get((current, v), 0) for v, _ in pairs]
        columns[name] = (column, suppress(column))
    shown = nest(columns)
    return [
        Row(name, c, p)
        for (_, name), c, p in zip(pairs, shown["current"], shown["previous"], strict=True)
    ]


def _outcome_cells(pairs, outcomes: dict, nest) -> list[list]:
    closed, mediated, agreed = [], [], []
    for value, _ in pairs:
        found = {o: n for (cur, v, o), n in outcomes.items() if cur and v == value}
        closed.append(sum(found.values()))
        mediated.append(sum(found.get(o, 0) for o in MEDIATED_OUTCOMES))
        agreed.append(
            found.get(Outcome.FULL_AGREEMENT, 0) + found.get(Outcome.PARTIAL_AGREEMENT, 0)
        )
    columns = {name: (column, suppress(column)) for name, column in
               (("closed", closed), ("mediated", mediated), ("agreed", agreed))}  # fmt: skip
    nested = nest(columns)
    shown = [nested["closed"], nested["mediated"], nested["agreed"]]
    return [
        [
            name,
            shown[0][i],
            shown[1][i],
            shown[2][i],
            rate(agreed[i], mediated[i], hidden=_hidden(shown[2][i]) or _hidden(shown[1][i])),
        ]
        for i, (_, name) in enumerate(pairs)
    ]


def area_report(period: Period, user=None) -> Report:
    referrals = queries.area_referrals(period)
    outcomes = queries.area_outcomes(period)
    sections = []
    table = outcomes["district_table"]
    hidden: dict[str, set] = {}  # column → authorities hidden in it (for the districts)
    for dimension, title, label in DIMENSION_TITLES[2:][::-1]:  # authority first, then district
        counts = {key: row["n"] for key, row in referrals[dimension].items()}
        values = {v for _, v in counts} | {v for _, v, _ in outcomes[dimension]}
        pairs = _labelled(dimension, values)
        name = dimension.removeprefix("r_")
        sections.append(
            Section(
                f"Referrals {title.lower()}",
                [
                    Table(
                        f"area_referrals_{name}",
                        f"Referrals {title.lower()}",
                        _compare_rows(
                            pairs,
                            counts,
                            lambda c, p=pairs, d=dimension: _nested(d, c, hidden, p, table),
                        ),
                        chart=dimension == "r_authority",
                        category_label=label,
                        caption=_compare_caption(f"Referrals {title.lower()}", period),
                    )
                ],
            )
        )
        closed_pairs = [p for p in pairs if any(c and v == p[0] for c, v, _ in outcomes[dimension])]
        sections.append(
            Section(
                f"Outcomes {title.lower()}",
                [
                    Table(
                        f"area_outcomes_{name}",
                        f"Outcomes {title.lower()}",
                        compare=False,
                        chart=False,
                        caption=f"Cases closed {title.lower()}, {period.label}",
                        columns=[
                            label,
                            "Cases closed",
                            "Closed after mediation",
                            "Full or partial agreement",
                            "Agreement rate",
                        ],
                        column_units=[None, COUNT, COUNT, COUNT, PERCENT],
                        cells=_outcome_cells(
                            closed_pairs,
                            outcomes[dimension],
                            lambda c, p=closed_pairs, d=dimension: _nested(d, c, hidden, p, table),
                        ),
                    )
                ],
            )
        )
    return Report(
        "area",
        "Referrals and outcomes by area",
        period,
        sections,
        notes=[area_note(), REFERRALS_AREA_NOTE, SUPPRESSION_NOTE, PREVIOUS_NOTE],
    )


# --- What happened to the referrals -----------------------------------------------------------

STATUS_ORDER = list(Status)


def _satisfied(feedback: dict, key) -> tuple:
    row = feedback.get(key) or {}
    answered = row.get("answered", 0)
    return answered, row.get("outcome_satisfaction_agree", 0), row.get("outcome_satisfaction_n", 0)


def referrer_report(period: Period, user=None, referrer: Referrer | None = None) -> Report:
    """For one organisation: tables comparing this period's referrals with the previous
    period's. For all: one row per organisation that referred in the period."""
    referrer_id = referrer.pk if referrer else None
    cases = queries.referrer_cases(period, referrer_id)
    feedback = queries.referrer_feedback(period, referrer_id)
    if referrer is None:
        sections = [_all_referrers_section(period, cases, feedback)]
        title = "What happened to the referrals"
    else:
        sections = _one_referrer_sections(period, referrer_id, cases, feedback)
        title = f"What happened to the referrals: {referrer.name}"
    return Report(
        "referrer",
        title,
        period,
        sections,
        notes=[REFERRER_NOTE, OUTCOME_NOTE_SHORT, SUPPRESSION_NOTE, PREVIOUS_NOTE],
    )


OUTCOME_NOTE_SHORT = (
    "Stage reached: where each case is today (a closed case as closed, with its outcome below). "
    "Satisfied = agreed or strongly agreed with “I am satisfied with how things ended”, of the "
    "parties who answered it."
)


def _all_referrers_section(period, cases, feedback) -> Section:
    """A row per organisation that referred at least 5 cases in the period, then one row for
    the rest added up (their own rows would be all "fewer than 5"; each organisation's own
    figures are on its page). The median of that row is not shown: it cannot be made from
    the organisations' medians."""
    ids = sorted({ref for (current, ref) in cases["total"] if current})
    names = dict(Referrer.objects.filter(pk__in=ids).values_list("pk", "name"))
    ids.sort(key=lambda pk: names.get(pk, "").lower())

    def figures(pk) -> dict:
        total = cases["total"][(True, pk)]
        answered, agree, asked = _satisfied(feedback, (True, pk))
        closed = cases["status"].get((True, pk, Status.CLOSED), 0)
        return {
            "received": total["n"],
            "open": total["n"] - closed,
            "closed": closed,
            "agreed": cases["outcome"].get((True, pk, Outcome.FULL_AGREEMENT), 0)
            + cases["outcome"].get((True, pk, Outcome.PARTIAL_AGREEMENT), 0),
            "answered": answered,
            "agree": agree,
            "asked": asked,
            "median": median(total["contact_median"], total["contacted"]),
        }

    rows = [(names.get(pk, f"Organisation {pk}"), figures(pk)) for pk in ids]
    small = [row for row in rows if row[1]["received"] <= SMALL_NUMBER]
    if len(small) >= 2:
        merged = {
            name: sum(row[1][name] for row in small) for name in small[0][1] if name != "median"
        }
        rows = [row for row in rows if row not in small]
        rows.append((OTHER_ORGANISATIONS, merged | {"median": None}))
    counts = ("received", "open", "closed", "agreed", "answered")
    shown = {name: suppress([row[1][name] for row in rows]) for name in counts}
    # Across a row too: received = still open + closed, so with the received shown and one of
    # the two hidden, the hidden one is received minus the other. Withhold the other as well.
    for i in range(len(rows)):
        open_, closed = shown["open"][i], shown["closed"][i]
        if not _hidden(shown["received"][i]) and _hidden(open_) != _hidden(closed):
            shown["closed" if _hidden(open_) else "open"][i] = WITHHELD
    cells = [
        [
            label,
            *(shown[name][i] for name in counts[:4]),
            row["median"],
            shown["answered"][i],
            rate(row["agree"], row["asked"], hidden=_hidden(shown["answered"][i])),
        ]
        for i, (label, row) in enumerate(rows)
    ]
    return Section(
        "Referrals by referring organisation",
        [
            Table(
                "referrer_all",
                "Referrals by referring organisation",
                compare=False,
                chart=False,
                caption=f"Referrals received by organisation, {period.label}",
                columns=[
                    "Referring organisation",
                    "Referrals received",
                    "Still open",
                    "Closed",
                    "Full or partial agreement",
                    "Median days to first contact",
                    "Feedback surveys answered",
                    "Satisfied with how it ended (%)",
                ],
                column_units=[None, COUNT, COUNT, COUNT, COUNT, DAYS, COUNT, PERCENT],
                cells=cells,
            )
        ],
    )


def _one_referrer_sections(period, pk, cases, feedback) -> list[Section]:
    total = {cur: cases["total"].get((cur, pk)) or {} for cur in (True, False)}
    received = [total[cur].get("n", 0) for cur in (True, False)]
    statuses = [
        suppress([cases["status"].get((cur, pk, s), 0) for s in STATUS_ORDER])
        for cur in (True, False)
    ]
    outcome_values = list(Outcome)
    outcomes = [
        suppress([cases["outcome"].get((cur, pk, o), 0) for o in outcome_values])
        for cur in (True, False)
    ]
    survey = {}
    for cur in (True, False):
        row = feedback.get((cur, pk)) or {}
        shown = suppress_total(row.get("answered", 0))
        survey[cur] = {
            "invited": suppress_total(row.get("invited", 0)),
            "answered": shown,
            "rate": rate(row.get("answered", 0), row.get("invited", 0), hidden=_hidden(shown)),
            **{
                q: rate(row.get(f"{q}_agree", 0), row.get(f"{q}_n", 0), hidden=_hidden(shown))
                for q in queries.FEEDBACK_QUESTIONS
            },
        }
    return [
        Section(
            "Referrals received",
            [
                Table(
                    "referrer_received",
                    "Referrals received",
                    [
                        Row("Referrals received", *map(suppress_total, received)),
                        Row(
                            "Median days to first contact",
                            median(
                                total[True].get("contact_median"), total[True].get("contacted", 0)
                            ),
                            median(
                                total[False].get("contact_median"), total[False].get("contacted", 0)
                            ),
                            DAYS,
                        ),
                    ],
                    chart=False,
                    caption=_compare_caption("Referrals received", period),
                )
            ],
        ),
        Section(
            "Stage reached today",
            [
                Table(
                    "referrer_stage",
                    "Stage reached today",
                    [
                        Row(s.label, statuses[0][i], statuses[1][i])
                        for i, s in enumerate(STATUS_ORDER)
                    ],
                    category_label="Stage",
                    caption=_compare_caption("Referrals by stage reached today", period),
                )
            ],
        ),
        Section(
            "How the closed ones ended",
            [
                Table(
                    "referrer_outcomes",
                    "How the closed ones ended",
                    [
                        Row(o.label, outcomes[0][i], outcomes[1][i])
                        for i, o in enumerate(outcome_values)
                    ],
                    category_label="Outcome",
                    caption=_compare_caption("Outcomes of the referrals closed so far", period),
                )
            ],
        ),
        Section(
            "What the parties said",
            [
                Table(
                    "referrer_satisfaction",
                    "What the parties said",
                    [
                        Row("Parties invited", survey[True]["invited"], survey[False]["invited"]),
                        Row(
                            "Surveys answered", survey[True]["answered"], survey[False]["answered"]
                        ),
                        Row("Response rate", survey[True]["rate"], survey[False]["rate"], PERCENT),
                        *(
                            Row(
                                f"{_question_label(q)} (% agree)",
                                survey[True][q],
                                survey[False][q],
                                PERCENT,
                            )
                            for q in queries.FEEDBACK_QUESTIONS
                        ),
                    ],
                    chart=False,
                    caption=_compare_caption("Feedback survey of these referrals", period),
                )
            ],
        ),
    ]


REPORTS = {
    "satisfaction": satisfaction_report,
    "sustained": sustained_report,
    "area": area_report,
}
