"""Which report downloads are made in the request and which by the worker, and what the worker
needs to make them.

A report's CSV or XLSX is the same work as its page plus the writing, and that work grows with
the period: over a quarter it is quick, over ten years it is not. So a download of a period
longer than ``DIRECT_DOWNLOAD_MONTHS`` is an export (exports.builders registers the kinds
``report_csv`` and ``report_xlsx``): the page's buttons ask the worker for it with a POST, and a
GET of ``?format=csv`` for such a period (an old link, a bookmark) shows the button that asks,
as the trustees' summary does — asking makes something, so a GET never does.

Either way the file is the same: ``build_report`` makes the report as the page does, for the
requester, and ``csv_bytes`` / ``reports.spreadsheets.report_xlsx`` write it.
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse

from . import builders, evidence
from .periods import Period
from .spreadsheets import report_csv
from .tables import Report

# Measured at 100,000 cases (issue 19): a report's CSV or XLSX over a quarter takes 12–139 ms
# under load, but over ten years the timeliness CSV takes ~450 ms on an idle server, more than
# the ~300 ms a request may take. Up to 13 months (a year, a financial year, a year and the
# month it runs into) stays in the request, measured fast; longer goes to the worker.
DIRECT_DOWNLOAD_MONTHS = 13

# Every report that has a page and a download, by its key (= its page's URL name).
REPORTS = {**builders.REPORTS, **evidence.REPORTS, "referrer": evidence.referrer_report}

FORMATS = {"csv": "report_csv", "xlsx": "report_xlsx"}  # ?format= → the export kind


def is_long(period: Period) -> bool:
    """More than ``DIRECT_DOWNLOAD_MONTHS`` calendar months: its download is an export. 1 January
    2025 to 31 January 2026 is 13 months (direct); to 1 February 2026 is longer."""
    return period.end >= period.start + relativedelta(months=DIRECT_DOWNLOAD_MONTHS)


def csv_bytes(report: Report) -> bytes:
    """The CSV file as it is downloaded: a byte-order mark first, so that Excel reads the en
    dashes and pound signs as UTF-8."""
    return ("\ufeff" + report_csv(report)).encode("utf-8")


# --- A report's filters (the per-referrer report's organisation) ------------------------------


def parse_filters(report: str, data) -> dict:
    """The report's own choices from a form, beyond the period: for the per-referrer report,
    which organisation (``referrer``, its id, and its name to describe the file), if one."""
    if report != "referrer" or not (data.get("referrer") or "").strip():
        return {}
    from .evidence_views import ReferrerChoiceForm

    form = ReferrerChoiceForm(data)
    if not form.is_valid():
        raise ValidationError("Choose one of the referring organisations.", code="unknown_referrer")
    referrer = form.cleaned_data["referrer"]
    return {"referrer": referrer.pk, "referrer_name": referrer.name}


def build_report(report: str, period: Period, parameters: dict, user) -> Report:
    """The report as its page makes it for ``user`` (the requester), with its filters."""
    if report == "referrer" and parameters.get("referrer"):
        from referrers.models import Referrer

        chosen = Referrer.objects.filter(pk=parameters["referrer"]).first()
        if chosen is None:
            raise ValidationError("That referring organisation is no longer on the list.")
        return evidence.referrer_report(period, user=user, referrer=chosen)
    return REPORTS[report](period, user=user)


# --- The pages ----------------------------------------------------------------------------------


def export_fields(report: str, period: Period, referrer=None) -> list[tuple[str, str]]:
    """The hidden fields of the form that asks the worker for this report's file (with
    ``kind`` from the button pressed)."""
    fields = [("report", report), ("start", period.start.isoformat())]
    fields.append(("end", period.end.isoformat()))
    if referrer is not None:
        fields.append(("referrer", str(referrer.pk)))
    return fields


def long_download(request, report: str, title: str, period: Period, referrer=None):
    """For ``?format=csv|xlsx`` of a long period: the page with the button that asks the
    worker for the file (None if no such format was asked for, or the period is short)."""
    fmt = request.GET.get("format")
    if fmt not in FORMATS or not is_long(period):
        return None
    fields = [("kind", FORMATS[fmt]), *export_fields(report, period, referrer)]
    about = period.long_label if referrer is None else f"{referrer.name}, {period.long_label}"
    return render(
        request,
        "reports/long_download.html",
        {
            "title": f"{title} report ({fmt.upper()})",
            "description": about,
            "action": reverse("exports:start"),
            "fields": fields,
            "button": f"Prepare the {fmt.upper()} file",
            "direct_months": DIRECT_DOWNLOAD_MONTHS,
        },
    )
