"""The kinds of export this project has (exports.kinds.register), each calling the app that
knows how to make the file.

To add a report file (e.g. the XLSX of a report), register a kind whose ``build`` calls the
reports' own function, with ``report_file_kind`` below::

    register(report_file_kind(
        key="report_xlsx", title="Report (XLSX)", extension="xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        to_bytes=spreadsheets.report_xlsx,
    ))

and post ``kind=report_xlsx&report=<key>&start=…&end=…`` to ``exports:start``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from accounts.roles import ADMINISTRATOR, ALL_ROLES, COORDINATOR

from .kinds import Built, ExportKind, register

REPORT_ROLES = (COORDINATOR, ADMINISTRATOR)


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
    """A kind that builds one report (``report`` = a key of reports.builders.REPORTS) for a
    period and turns it into a file with ``to_bytes(report) -> bytes``."""

    def parse(data, user=None) -> dict:
        from reports.builders import REPORTS

        report = (data.get("report") or "").strip()
        if report not in REPORTS:
            raise ValidationError("Choose one of the reports.", code="unknown_report")
        return {"report": report, **parse_period(data)}

    def build(parameters: dict, progress, user=None) -> Built:
        from reports.builders import REPORTS

        period = _period(parameters)
        progress(10, "Counting the figures")
        report = REPORTS[parameters["report"]](period, user=None)
        progress(70, "Writing the file")
        name = f"wkm-{report.key}-{period.start.isoformat()}-to-{period.end.isoformat()}"
        return Built(to_bytes(report), f"{name}.{extension}", content_type)

    def describe(parameters: dict) -> str:
        from reports.builders import REPORTS

        report = REPORTS.get(parameters.get("report"))
        name = report.__name__.removesuffix("_report").title() if report else ""
        return f"{name}, {describe_period(parameters)}"

    return ExportKind(
        key=key,
        title=title,
        roles=REPORT_ROLES,
        parse=parse,
        build=build,
        describe=describe,
        audit=lambda p: {
            "report": p["report"],
            "format": extension,
            "start": p["start"],
            "end": p["end"],
        },  # fmt: skip
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
