"""The trustees' summary: every report's headline tables for trustees and funders, as a PDF
through the documents' machinery (documents.rendering.render_pdf, the same print stylesheet).
Aggregates only: no case, party or volunteer is named.

At 100,000 cases it takes about a second, so it is not made while the browser waits: the
reports page asks for it as an export (exports.builders), which the worker builds with
``trustees_summary_pdf`` and keeps a day for the person who asked.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from documents.rendering import render_pdf

from . import builders
from .periods import Period

# What the summary shows of each report: what trustees and funders ask for, in a few pages
# (every table is on the report pages and in their CSVs).
SUMMARY_TABLES = frozenset(
    {
        "referrals_by_month",
        "referrals_by_source",
        "referrals_by_type",
        "outcomes_summary",
        "outcomes_by_outcome",
        "timeliness_medians",
        "timeliness_cases",
        "sessions_by_mode",
        "volunteer_totals",
        "hours_by_activity",
        "volunteers_active",
        "trainee_progress",
        "equality_total",
        "equality_age_band",
        "equality_gender",
        "equality_ethnicity",
        "equality_disability",
    }
)
# Of those, the ones drawn as charts too.
SUMMARY_CHARTS = frozenset(
    {
        "referrals_by_source",
        "outcomes_by_outcome",
        "timeliness_medians",
        "sessions_by_mode",
    }
)


def summary_file_name(period: Period) -> str:
    return f"wkm-summary-{period.start.isoformat()}-to-{period.end.isoformat()}.pdf"


def trustees_summary_pdf(period: Period, progress=None) -> bytes:
    """The summary for ``period`` as PDF bytes. ``progress(percent, text)``, if given, hears
    how far it has got: the figures of each report (most of the database's work), then the
    layout (most of the rest)."""

    def tell(percent: int, text: str) -> None:
        if progress is not None:
            progress(percent, text)

    reports = []
    steps = list(builders.REPORTS.items())
    for done, (_key, build) in enumerate(steps):
        report = build(period, user=None)
        reports.append(report)
        tell(10 + 60 * (done + 1) // len(steps), f"Counted the figures: {report.title.lower()}")
    referral_total, referral_previous = reports[0].figures("referrals_total")["Referrals received"]
    parts = [("At a glance", [builders.summary_headline(reports)])] + [
        (report.title, [t for s in report.sections for t in s.tables if t.key in SUMMARY_TABLES])
        for report in reports
    ]
    tell(75, "Laying out the pages")
    pdf, _ = render_pdf(
        "quarterly_summary.html",
        {
            "service_name": settings.SERVICE_NAME,
            "service_phone": settings.SERVICE_PHONE,
            "period": period,
            "previous": period.previous,
            "referral_total": referral_total,
            "referral_previous": referral_previous,
            "parts": parts,
            "notes": list(dict.fromkeys(note for report in reports for note in report.notes)),
            "produced": timezone.localtime(),
            "chart_tables": SUMMARY_CHARTS,
        },
    )
    return pdf
