"""Report pages, their CSV downloads and the trustees' summary PDF.

Coordinators and administrators only (others 403, anonymous users to the login page). The
figures are service-wide aggregates, never a case or a person in a case, so they do not go
through the case scoping (which would show an administrator nothing); what is per case — the
case list export — lives with the case list and is scoped like it.
"""

import csv
import io

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.roles import ADMINISTRATOR, COORDINATOR, role_required
from audit.models import AuditEvent
from audit.services import record_event
from exports.builders import TRUSTEES_SUMMARY, describe_period
from exports.views import start_export

from . import builders
from .forms import period_form
from .periods import presets
from .tables import PERCENT, Report, plain

REPORT_ROLES = (COORDINATOR, ADMINISTRATOR)

# (url name, title, what it answers) in the order of the reports' navigation.
REPORT_PAGES = (
    ("referrals", "Referrals", "How many referrals came, by month, source and dispute type."),
    ("outcomes", "Outcomes", "How cases ended, and the agreement rate."),
    ("timeliness", "Timeliness", "Median days to first contact, first session and closure."),
    ("sessions", "Sessions", "Sessions held, by mode and kind; sessions by status."),
    ("volunteers", "Volunteers", "Volunteer hours and mileage, volunteers and trainees."),
    ("equality", "Equality monitoring", "Parties' equality-monitoring answers, in aggregate."),
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


def _report_view(key: str):
    build = builders.REPORTS[key]

    @role_required(*REPORT_ROLES)
    @require_safe
    def view(request):
        form = period_form(request.GET)
        if not form.is_valid():
            context = _page_context(request, form, key)
            context["title"] = {k: t for k, t, _ in REPORT_PAGES}[key]
            return render(request, "reports/report.html", context, status=400)
        report = build(form.period, user=request.user)
        if request.GET.get("format") == "csv":
            return csv_download(request, report)
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


# --- CSV --------------------------------------------------------------------------------------


def _cell(value) -> str:
    """Text for a spreadsheet cell, defused: a cell starting with = + - @ (or a tab or carriage
    return) would be run as a formula by Excel, so it gets a leading apostrophe."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: Report) -> str:
    """The report as CSV: a few lines saying what it is, then every table, then the notes."""
    out = io.StringIO()
    writer = csv.writer(out)
    period, previous = report.period, report.previous
    writer.writerow(["Report", _cell(report.title)])
    writer.writerow(["Service", _cell(settings.SERVICE_NAME)])
    writer.writerow(["This period", period.start.isoformat(), period.end.isoformat()])
    writer.writerow(["Previous period", previous.start.isoformat(), previous.end.isoformat()])
    writer.writerow(["Produced", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    writer.writerow([])
    writer.writerow(["Table", "Category", "This period", "Previous period", "Change"])
    lists = []
    for section in report.sections:
        for table in section.tables:
            if table.is_list:
                lists.append(table)
                continue
            previous_only = table.is_previous_series
            for row in table.rows:
                current = plain(row.current)
                name = table.title if table.compare else (table.caption or table.title)
                label = f"{row.label} (%)" if (row.unit or table.unit) == PERCENT else row.label
                cells = [_cell(name), _cell(label)]
                if previous_only:
                    cells += ["", current, ""]
                elif not table.compare:
                    cells += [current, "", ""]
                else:
                    cells += [current, plain(row.previous), plain(row.change)]
                writer.writerow(cells)
    for table in lists:
        writer.writerow([])
        writer.writerow(["Table", *(_cell(c) for c in table.columns)])
        for cells in table.cells:
            writer.writerow([_cell(table.caption or table.title), *(_cell(c) for c in cells)])
    writer.writerow([])
    for note in report.notes:
        writer.writerow(["Note", _cell(note)])
    return out.getvalue()


def csv_download(request, report: Report) -> HttpResponse:
    record_event(
        action=AuditEvent.Action.EXPORT,
        object_repr=f"{report.title} report (CSV)",
        detail={
            "report": report.key,
            "format": "csv",
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
    )
    period = report.period
    filename = f"wkm-{report.key}-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
    # A byte-order mark so that Excel reads the en dashes and pound signs as UTF-8.
    response = HttpResponse("\ufeff" + report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


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
