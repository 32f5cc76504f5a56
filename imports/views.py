"""Import from a spreadsheet (administrators): upload, watch it being checked, read the
preview, then import it (every row or nothing, or the valid rows with the rest given back) or
discard it. Each page is the administrators' alone: anyone else gets 403, as on the audit log.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import ADMINISTRATOR, role_required
from documents.uploads import accepts_files, too_large_refusals
from wkm.forms import add_service_errors

from . import services, spreadsheets
from .forms import UploadForm
from .models import ImportBatch
from .registry import SHEETS

PROBLEMS_PER_PAGE = 50
RECENT = 20


def _batches():
    return ImportBatch.objects.without_content().annotate(has_rest=Q(rest_content__isnull=False))


def _batch(pk) -> ImportBatch:
    batch = _batches().select_related("uploaded_by", "imported_by").filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def _index(request, form, status=200):
    recent = _batches().select_related("uploaded_by")[:RECENT]
    return render(
        request,
        "imports/index.html",
        {"form": form, "recent": recent, "sheets": SHEETS.values()},
        status=status,
    )


@require_safe
@role_required(ADMINISTRATOR)
def index(request):
    return _index(request, UploadForm())


def _import_max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


@accepts_files(limit=_import_max_bytes)
@require_POST
@role_required(ADMINISTRATOR)
def upload(request):
    """Takes a body the size of a file upload (a sheet over 1 MB is ordinary); a file past the
    import limit (``IMPORT_MAX_BYTES``, not a case file's) is skipped as it arrives and said to
    be too large."""
    form = UploadForm(request.POST, request.FILES)
    if too_large_refusals(request):
        form.add_error("file", services.too_large_message())
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.IMPORT_MAX_BYTES:
                # Refused without reading it into memory.
                raise ValidationError({"file": services.too_large_message()})
            batch = services.upload(
                kind=form.cleaned_data["kind"],
                name=upload.name,
                content=upload.read(),
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(batch)
    return _index(request, form, status=400)


def _context(request, batch: ImportBatch) -> dict:
    sheet = batch.sheet
    problems = Paginator(batch.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    columns = []
    if sheet is not None and batch.sample:
        filled = {name for row in batch.sample for name, value in row["values"].items() if value}
        columns = [column.name for column in sheet.columns if column.name in filled]
    sample = [
        {"number": row["number"], "cells": [row["values"].get(name, "") for name in columns]}
        for row in batch.sample
    ]
    return {
        "batch": batch,
        "progress": services.progress_of(batch),
        "problems": problems,
        "columns": columns,
        "sample": sample,
        "Mode": ImportBatch.Mode,
    }


@require_safe
@role_required(ADMINISTRATOR)
def detail(request, pk):
    batch = _batch(pk)
    services.record_view(batch=batch, by=request.user)
    return render(request, "imports/detail.html", _context(request, batch))


@require_safe
@role_required(ADMINISTRATOR)
def progress(request, pk):
    """The part of the page that changes while the worker goes, for static/js/export-progress.js
    to swap in (the page works without it: a "Check again" link).

    Audited only when it brings the finished part (the counts, problems and rows): the script
    asks every few seconds while the worker runs, and each of those answers shows nothing of
    the sheet, so auditing them would bury the log in polls; the script stops at the finished
    one, so a page view is one event for the page and at most one for its last poll."""
    batch = _batch(pk)
    if not batch.is_unfinished:
        services.record_view(batch=batch, by=request.user)
    return render(request, "imports/_progress.html", _context(request, batch))


@require_POST
@role_required(ADMINISTRATOR)
def start_import(request, pk):
    batch = _batch(pk)
    try:
        services.start_import(batch=batch, mode=request.POST.get("mode", ""), by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(batch)


@require_POST
@role_required(ADMINISTRATOR)
def discard(request, pk):
    batch = _batch(pk)
    try:
        services.discard(batch=batch, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Discarded {batch.file_name}: nothing was imported from it.")
    return redirect(batch)


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@role_required(ADMINISTRATOR)
def rest(request, pk):
    """The rows not imported, with their problems, in the format uploaded."""
    batch = ImportBatch.objects.defer("content").filter(pk=pk, rest_content__isnull=False).first()
    if batch is None:
        raise Http404
    services.record_rest_download(batch=batch, by=request.user)
    stem = batch.file_name.rsplit(".", 1)[0]
    content_type = spreadsheets.XLSX_TYPE if batch.format == "xlsx" else spreadsheets.CSV_TYPE
    return _attachment(
        bytes(batch.rest_content), content_type, f"{stem}-not-imported.{batch.format}"
    )


@require_safe
@role_required(ADMINISTRATOR)
def template(request, kind, fmt):
    sheet = SHEETS.get(kind)
    if sheet is None or fmt not in ("csv", "xlsx"):
        raise Http404
    services.record_template_download(kind=kind, fmt=fmt, by=request.user)
    content_type = spreadsheets.XLSX_TYPE if fmt == "xlsx" else spreadsheets.CSV_TYPE
    return _attachment(
        spreadsheets.template(sheet, fmt), content_type, f"wkm-{kind}-template.{fmt}"
    )
