"""The case list as CSV, made by the worker (exports.builders registers it as "case_list").

All 100,000 cases took 7-9 seconds and 9.6 MB streamed from the request (tests/perf, README
Performance): too long for a page, so the list's "Download CSV" asks for an export instead.
The same cases and filters as the list, scoped to the requester when the worker builds it —
what they may see then (rule 11), not when they asked — and no party details.
"""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from accounts.roles import COORDINATOR, has_role

from .filters import CaseFilter
from .models import Case

EXPORT_COLUMNS = (
    "Reference",
    "Received",
    "Dispute type",
    "Referral source",
    "Status",
    "Outcome",
    "Closed on",
    "Coordinator",
)


def defused(text: str) -> str:
    """A spreadsheet cell that cannot run as a formula (= + - @ at the start)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _filter(query: QueryDict, user, queryset=None) -> CaseFilter:
    queryset = Case.objects.none() if queryset is None else queryset
    return CaseFilter(query, queryset=queryset, show_staff_filters=has_role(user, COORDINATOR))


def parse(data, user) -> dict:
    """The list's filters from ``data`` (the list's query string), checked as the list checks
    them; the audit trail gets them as the list's searches do (the search text only marked as
    given: it may be a person's name)."""
    from .views import _filters_for_audit

    query = QueryDict(mutable=True)
    for name in CaseFilter.base_filters:
        values = [v for v in data.getlist(name) if v not in ("", None)]
        if values:
            query.setlist(name, values)
    case_filter = _filter(query, user)
    if not case_filter.is_valid():
        raise ValidationError(
            [f"{message}" for messages in case_filter.form.errors.values() for message in messages]
        )
    return {"query": query.urlencode(), "filters": _filters_for_audit(case_filter)}


def describe(parameters: dict) -> str:
    filters = parameters.get("filters") or {}
    shown = {k: v for k, v in filters.items() if k != "order"}
    return "The cases matching your search and filters" if shown else "Every case you can see"


def build(parameters: dict, progress, user) -> bytes:
    """The CSV, as bytes (UTF-8 with a byte-order mark, so that Excel reads it as UTF-8)."""
    visible = Case.objects.visible_to(user).select_related("coordinator")
    cases = _filter(QueryDict(parameters["query"]), user, visible).qs.only(
        "reference",
        "received_on",
        "dispute_type",
        "referral_source",
        "status",
        "outcome",
        "closed_on",
        "coordinator__first_name",
        "coordinator__last_name",
        "coordinator__username",
    )
    total = cases.count()
    progress(5, f"Found {total:,} case{'s' if total != 1 else ''}")
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(EXPORT_COLUMNS)
    for done, case in enumerate(cases.iterator(chunk_size=2000), start=1):
        coordinator = case.coordinator
        writer.writerow(
            (
                case.reference,
                case.received_on.isoformat(),
                case.get_dispute_type_display(),
                case.get_referral_source_display(),
                case.get_status_display(),
                case.get_outcome_display(),
                case.closed_on.isoformat() if case.closed_on else "",
                defused(coordinator.get_full_name() or coordinator.get_username())
                if coordinator
                else "",
            )
        )
        if done % 10_000 == 0:
            progress(5 + 90 * done // max(total, 1), f"Written {done:,} of {total:,} cases")
    return out.getvalue().encode("utf-8")


def file_name() -> str:
    return f"wkm-cases-{timezone.localdate().isoformat()}.csv"
