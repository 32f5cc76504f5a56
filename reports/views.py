"""Report pages, their CSV downloads and the trustees' summary PDF.

Coordinators and administrators only (others 403, anonymous users to the login page). The
figures are service-wide aggregates, never a case or a person in a case, so they do not go
through the case scoping (which would show an administrator nothing); what is per case — the
case list export — lives with the case list and is scoped like it.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.roles import ADMINISTRATOR, COORDINATOR, role_required
from audit.models import AuditEvent
from audit.services import record_event
from documents.rendering import render_pdf

from . import builders, evidence
from .forms import period_form
from .periods import presets
from .spreadsheets import report_csv, report_xlsx
from .tables import Report

REPORT_ROLES = (COORDINATOR, ADMINISTRATOR)

# (url name, title, what it answers) in the order of the reports' navigation.
REPORT_PAGES = (
    ("referrals", "Referrals", "How many referrals came, by month, source and dispute type."),
    ("outcomes", "Outcomes", "How cases ended, and the agreement rate."),
    ("timeliness", "Timeliness", "Median days to first contact, first session and closure."),
    ("sessions", "Sessions", "Sessions held, by mode and kind; sessions by status."),
    ("volunteers", "Volunteers", "Volunteer hours and mileage, volunteers and trainees."),
    ("equality", "Equality monitoring", "Parties' equality-monitoring answers, in aggregate."),
    ("satisfaction", "Satisfaction", "What parties said in the feedback survey after closing."),
    ("sustained", "Sustained outcomes", "Whether agreements held: the outcome follow-up."),
    ("referrer", "Referrers", "What happened to each referring organisation's referrals."),
    ("area", "By area", "Referrals and outcomes by postcode district and local authority."),
)


def _page_context(request, form, current: str) -> dict:
    context = {
        "form": form,
        "current_report": current,
        "report_pages": REPORT_PAGES,
        "presets": [(label, period) for label, period in presets()],
    }
    if form.is_valid():
        context["period"] = form.period
    return context


@role_required(*REPORT_ROLES)
@require_safe
def index(request):
    form = period_form(request.GET)
    context = _page_context(request, form, "index")
    status = 200
    if form.is_valid():
        context["report"] = builders.headline_report(form.period, user=request.user)
    else:
        status = 400
    return render(request, "reports/index.html", context, status=status)


# The funders' reports (reports.evidence) are pages and downloads, not in the trustees' summary.
ALL_REPORTS = {**builders.REPORTS, **evidence.REPORTS}


def _report_view(key: str):
    build = ALL_REPORTS[key]

    @role_required(*REPORT_ROLES)
    @require_safe
    def view(request):
        form = period_form(request.GET)
        if not form.is_valid():
            context = _page_context(request, form, key)
            context["title"] = {k: t for k, t, _ in REPORT_PAGES}[key]
            return render(request, "reports/report.html", context, status=400)
        report = build(form.period, user=request.user)
        response = download(request, report)
        if response is not None:
            return response
        context = _page_context(request, form, key)
        context |= {"report": report, "title": report.title}
        return render(request, "reports/report.html", context)

    view.__name__ = key
    return view


referrals = _report_view("referrals")
outcomes = _report_view("outcomes")
timeliness = _report_view("timeliness")
sessions = _report_view("sessions")
volunteers = _report_view("volunteers")
equality = _report_view("equality")
satisfaction = _report_view("satisfaction")
sustained = _report_view("sustained")
area = _report_view("area")


# --- CSV and XLSX -----------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _record_export(report: Report, fmt: str) -> None:
    record_event(
        action=AuditEvent.Action.EXPORT,
        object_repr=f"{report.title} report ({fmt.upper()})"[:200],
        detail={
            "report": report.key,
            "format": fmt,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
    )


def _attachment(report: Report, content, content_type: str, extension: str) -> HttpResponse:
    period = report.period
    filename = (
        f"wkm-{report.key}-{period.start.isoformat()}-to-{period.end.isoformat()}.{extension}"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_download(request, report: Report) -> HttpResponse:
    _record_export(report, "csv")
    # A byte-order mark so that Excel reads the en dashes and pound signs as UTF-8.
    return _attachment(report, "\ufeff" + report_csv(report), "text/csv; charset=utf-8", "csv")


def xlsx_download(request, report: Report) -> HttpResponse:
    _record_export(report, "xlsx")
    return _attachment(report, report_xlsx(report), XLSX_TYPE, "xlsx")


def download(request, report: Report) -> HttpResponse | None:
    """The report as ?format=csv or ?format=xlsx asks, else None (the page)."""
    fmt = request.GET.get("format")
    if fmt == "csv":
        return csv_download(request, report)
    if fmt == "xlsx":
        return xlsx_download(request, report)
    return None


# --- The trustees' summary --------------------------------------------------------------------


@role_required(*REPORT_ROLES)
@require_safe
def summary_pdf(request):
    """A summary of every report for trustees and funders, as a PDF through the documents'
    machinery (documents.rendering.render_pdf, the same print stylesheet). Aggregates only:
    no case, party or volunteer is named."""
    form = period_form(request.GET)
    if not form.is_valid():
        context = _page_context(request, form, "index")
        return render(request, "reports/index.html", context, status=400)
    period = form.period
    reports = builders.summary(period)
    referral_total, referral_previous = reports[0].figures("referrals_total")["Referrals received"]
    parts = [("At a glance", [builders.summary_headline(reports)])] + [
        (report.title, [t for s in report.sections for t in s.tables if t.key in SUMMARY_TABLES])
        for report in reports
    ]
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
    record_event(
        action=AuditEvent.Action.DOWNLOAD,
        object_repr="Trustees' summary (PDF)",
        detail={
            "report": "summary",
            "format": "pdf",
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
    )
    filename = f"wkm-summary-{period.start.isoformat()}-to-{period.end.isoformat()}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


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
