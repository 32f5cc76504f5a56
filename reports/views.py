"""Report pages, their CSV downloads and the trustees' summary PDF.

Coordinators and administrators only (others 403, anonymous users to the login page). The
figures are service-wide aggregates, never a case or a person in a case, so they do not go
through the case scoping (which would show an administrator nothing); what is per case — the
case list export — lives with the case list and is scoped like it.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.roles import role_required
from audit.models import AuditEvent
from audit.services import record_event
from exports.builders import TRUSTEES_SUMMARY, describe_period
from exports.views import start_export

from . import builders, downloads, evidence
from .forms import period_form
from .periods import presets
from .spreadsheets import report_xlsx
from .tables import Report

REPORT_ROLES = builders.REPORT_ROLES

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
        # Each report's CSV link: for a long period, a button asking the worker instead.
        context["long_download"] = downloads.is_long(form.period)
        context["direct_months"] = downloads.DIRECT_DOWNLOAD_MONTHS
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
        title = {k: t for k, t, _ in REPORT_PAGES}[key]
        # A long period's file is made by the worker: a GET shows the button that asks.
        asking = downloads.long_download(request, key, title, form.period)
        if asking is not None:
            return asking
        report = build(form.period, user=request.user)
        response = download(request, report)
        if response is not None:
            return response
        context = _page_context(request, form, key)
        context |= {"report": report, "title": report.title}
        context |= _download_context(key, form.period)
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


def _download_context(key: str, period, referrer=None) -> dict:
    """For the page's download buttons: a long period's files are asked of the worker with a
    POST (reports.downloads), a short one's are links that download at once."""
    if not downloads.is_long(period):
        return {"long_download": False}
    return {
        "long_download": True,
        "direct_months": downloads.DIRECT_DOWNLOAD_MONTHS,
        "export_fields": downloads.export_fields(key, period, referrer),
    }


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
    # With a byte-order mark, as the worker writes it for a long period (reports.downloads).
    return _attachment(report, downloads.csv_bytes(report), "text/csv; charset=utf-8", "csv")


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
@require_http_methods(["GET", "HEAD", "POST"])
def summary_pdf(request):
    """The trustees' summary (reports.summary), made by the worker as an export: a POST asks
    for it and goes to the export's page, which shows its progress and then the download.
    A GET (an old link, a bookmark) shows the button that asks for it: asking makes
    something, so it is never done by a GET."""
    data = request.POST if request.method == "POST" else request.GET
    form = period_form(data)
    if not form.is_valid():
        context = _page_context(request, form, "index")
        return render(request, "reports/index.html", context, status=400)
    if request.method == "POST":
        return start_export(request, TRUSTEES_SUMMARY.key, data)
    period = form.period
    fields = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return render(
        request,
        "exports/ask.html",
        {
            "title": "Trustees' summary",
            "description": describe_period(fields),
            "action": reverse("reports:summary_pdf"),
            "fields": list(fields.items()),
        },
    )
