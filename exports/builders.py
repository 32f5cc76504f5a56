"""The kinds of export this project has (exports.kinds.register), each calling the app that
knows how to make the file.

A report's CSV and XLSX are such kinds (``report_csv``, ``report_xlsx``, registered below with
``report_file_kind``): the report pages post ``kind=report_xlsx&report=<key>&start=…&end=…``
to ``exports:start`` when the period is too long to make the file in the request
(reports.downloads).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from accounts.roles import ADMINISTRATOR, ALL_ROLES
from reports.builders import REPORT_ROLES

from .kinds import Built, ExportKind, register

# --- Reports' parameters: a period --------------------------------------------------------------


def _period(parameters: dict):
    from reports.periods import Period

    return Period(
        datetime.date.fromisoformat(parameters["start"]),
        datetime.date.fromisoformat(parameters["end"]),
    )


def parse_period(data, user=None) -> dict:
    """A period from a form (start, end) through the reports' own checks; the default, as on
    the report pages, is the last full quarter."""
    from reports.forms import period_form

    form = period_form(data)
    if not form.is_valid():
        raise ValidationError(
            [message for messages in form.errors.values() for message in messages]
        )
    period = form.period
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def describe_period(parameters: dict) -> str:
    period = _period(parameters)
    return f"{date_format(period.start, 'j F Y')} to {date_format(period.end, 'j F Y')}"


# --- The trustees' summary (PDF) -----------------------------------------------------------------


def build_trustees_summary(parameters: dict, progress, user=None) -> Built:
    from reports.summary import summary_file_name, trustees_summary_pdf

    period = _period(parameters)
    return Built(
        content=trustees_summary_pdf(period, progress),
        file_name=summary_file_name(period),
        content_type="application/pdf",
    )


TRUSTEES_SUMMARY = register(
    ExportKind(
        key="trustees_summary",
        title="Trustees' summary (PDF)",
        roles=REPORT_ROLES,
        parse=parse_period,
        build=build_trustees_summary,
        describe=describe_period,
        # As the summary's download was audited before it became an export.
        audit=lambda p: {
            "report": "summary",
            "format": "pdf",
            "start": p["start"],
            "end": p["end"],
        },  # fmt: skip
    )
)


# --- A report as a file (for kinds the reports register) ----------------------------------------


def report_file_kind(*, key, title, extension, content_type, to_bytes) -> ExportKind:
    """A kind that builds one report (``report`` = a key of reports.downloads.REPORTS, any
    report with a page) for a period, with the report's own filters (the per-referrer report's
    ``referrer``), and turns it into a file with ``to_bytes(report) -> bytes``.

    The report is built for the requester, as its page builds it for them, so the file is the
    one the page's direct download gives (reports.downloads)."""

    def parse(data, user=None) -> dict:
        from reports.downloads import REPORTS, parse_filters

        report = (data.get("report") or "").strip()
        if report not in REPORTS:
            raise ValidationError("Choose one of the reports.", code="unknown_report")
        return {"report": report, **parse_period(data), **parse_filters(report, data)}

    def build(parameters: dict, progress, user=None) -> Built:
        from reports.downloads import build_report

        period = _period(parameters)
        progress(10, "Counting the figures")
        report = build_report(parameters["report"], period, parameters, user)
        progress(70, "Writing the file")
        name = f"wkm-{report.key}-{period.start.isoformat()}-to-{period.end.isoformat()}"
        return Built(to_bytes(report), f"{name}.{extension}", content_type)

    def describe(parameters: dict) -> str:
        from reports.views import REPORT_PAGES

        name = {k: t for k, t, _ in REPORT_PAGES}.get(parameters.get("report"), "")
        if parameters.get("referrer_name"):
            name = f"{name}: {parameters['referrer_name']}"
        return f"{name}, {describe_period(parameters)}"

    def audit(parameters: dict) -> dict:
        # As a report's direct download is audited (reports.views._record_export), and which
        # organisation, when one was chosen (the direct download's record names it in words).
        detail = {
            "report": parameters["report"],
            "format": extension,
            "start": parameters["start"],
            "end": parameters["end"],
        }
        if parameters.get("referrer"):
            detail["referrer"] = parameters["referrer"]
        return detail

    return ExportKind(
        key=key,
        title=title,
        roles=REPORT_ROLES,
        parse=parse,
        build=build,
        describe=describe,
        audit=audit,
    )


# A report's CSV and XLSX for a long period (reports.downloads.DIRECT_DOWNLOAD_MONTHS): the
# report pages post here instead of downloading in the request.


def _report_csv(report) -> bytes:
    from reports.downloads import csv_bytes

    return csv_bytes(report)


def _report_xlsx(report) -> bytes:
    from reports.spreadsheets import report_xlsx

    return report_xlsx(report)


REPORT_CSV = register(
    report_file_kind(
        key="report_csv",
        title="Report (CSV)",
        extension="csv",
        content_type="text/csv; charset=utf-8",
        to_bytes=_report_csv,
    )
)
REPORT_XLSX = register(
    report_file_kind(
        key="report_xlsx",
        title="Report (XLSX)",
        extension="xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        to_bytes=_report_xlsx,
    )
)


# --- The case list (CSV) ---------------------------------------------------------------------


def _parse_case_list(data, user) -> dict:
    from cases.list_export import parse

    return parse(data, user)


def build_case_list(parameters: dict, progress, user) -> Built:
    from cases.list_export import build, file_name

    return Built(build(parameters, progress, user), file_name(), "text/csv; charset=utf-8")


def _describe_case_list(parameters: dict) -> str:
    from cases.list_export import describe

    return describe(parameters)


CASE_LIST = register(
    ExportKind(
        key="case_list",
        title="Case list (CSV)",
        # Whoever sees the case list; each gets only the cases they may see (rule 11).
        roles=ALL_ROLES,
        parse=_parse_case_list,
        build=build_case_list,
        describe=_describe_case_list,
        # As the list's download was audited before it became an export.
        audit=lambda p: {"format": "csv", "filters": p["filters"]},
    )
)


# --- Everything the service holds ("leave with your data") -----------------------------------


def _parse_everything(data, user=None) -> dict:
    from .forms import EverythingForm

    form = EverythingForm(data)
    if not form.is_valid():
        raise ValidationError(form.errors["format"])
    return {"format": form.cleaned_data["format"]}


def build_everything(parameters: dict, progress, user=None) -> Built:
    from .everything import build_zip, file_name

    fmt = parameters["format"]
    made = build_zip(fmt, progress)
    return Built(
        made.content,
        file_name(fmt),
        "application/zip",
        audit={"rows": made.counts, "bytes": len(made.content), "sha256": made.sha256},
    )


def _describe_everything(parameters: dict) -> str:
    from .everything import describe

    return describe(parameters)


EVERYTHING = register(
    ExportKind(
        key="everything",
        title="Everything the service holds (ZIP)",
        # Every party's and volunteer's data and every private note: administrators only.
        roles=(ADMINISTRATOR,),
        parse=_parse_everything,
        build=build_everything,
        describe=_describe_everything,
        audit=lambda p: {"format": p["format"]},
        max_bytes=lambda: settings.EXPORT_EVERYTHING_MAX_BYTES,
        lease_seconds=lambda: settings.EXPORT_EVERYTHING_LEASE_SECONDS,
        too_big_advice=(
            "Ask whoever runs the server to raise EXPORT_EVERYTHING_MAX_BYTES, or to copy the "
            "whole database with scripts/backup.py."
        ),
    )
)
