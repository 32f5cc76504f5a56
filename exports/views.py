"""The requester's exports: the list of the day's files, one file's progress page (with a
fragment the page's script asks for while it waits), the download, and asking again.

Starting an export is a POST (it makes something): ``start`` here for any registered kind, or
the app's own address (the reports' trustees' summary) calling ``start_export``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import ADMINISTRATOR, role_required

from . import kinds, selectors, services
from .everything import HISTORY_LEFT_OUT, LEFT_OUT, TABLES
from .forms import EverythingForm
from .models import Export


def start_export(request, kind: str, data) -> HttpResponse:
    """Ask for an export of ``kind`` from form ``data``; to its page, or back with why not."""
    export_kind = kinds.KINDS.get(kind)
    if export_kind is None:
        raise Http404
    if not export_kind.allowed(request.user):
        raise PermissionDenied
    try:
        parameters = export_kind.parse(data, request.user)
        export = services.request_export(kind=kind, parameters=parameters, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("exports:list")
    return redirect(export)


@require_POST
def start(request):
    return start_export(request, request.POST.get("kind", ""), request.POST)


def _gone(request, export) -> HttpResponse:
    return render(request, "exports/gone.html", {"export": export}, status=410)


@require_safe
def export_list(request):
    exports = [
        export
        for export in selectors.exports_of(request.user)
        if (kind := kinds.KINDS.get(export.kind)) and kind.allowed(request.user)
    ]
    return render(request, "exports/list.html", {"exports": exports})


@require_safe
def detail(request, pk):
    try:
        export = selectors.export_for(request, pk)
    except selectors.ExportGone as gone:
        return _gone(request, gone.export)
    return render(request, "exports/detail.html", {"export": export})


@require_safe
def progress(request, pk):
    """The progress part of the page alone, for the page's script to swap in while it waits
    (static/js/export-progress.js); the page works without it (a "Check again" link)."""
    try:
        export = selectors.export_for(request, pk)
    except selectors.ExportGone as gone:
        return _gone(request, gone.export)
    return render(request, "exports/_progress.html", {"export": export})


@require_safe
def download(request, pk):
    try:
        export = selectors.export_for(request, pk, with_content=True)
    except selectors.ExportGone as gone:
        return _gone(request, gone.export)
    if export.status != Export.Status.READY:
        return redirect(export)
    services.record_download(export=export, by=request.user)
    response = HttpResponse(bytes(export.content), content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export.file_name
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def retry(request, pk):
    try:
        export = selectors.export_for(request, pk)
    except selectors.ExportGone as gone:
        return _gone(request, gone.export)
    try:
        again = services.retry_export(export=export, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(reverse("exports:list") if export.status == "failed" else export)
    return redirect(again)


@role_required(ADMINISTRATOR)
@require_safe
def everything(request):
    """The page that asks for everything the service holds ("leave with your data"): what it
    holds and leaves out, and the format. The form posts to ``start`` as every kind does."""
    return render(
        request,
        "exports/everything.html",
        {
            "form": EverythingForm(),
            "tables": TABLES,
            "left_out": sorted(set(LEFT_OUT.values()) - {HISTORY_LEFT_OUT}),
            "history_left_out": HISTORY_LEFT_OUT,
        },
    )
