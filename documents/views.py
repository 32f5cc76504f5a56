"""Case files: upload, download, delete. Thin: the case comes through cases.access.case_for (404
out of scope), the rules are in documents.case_files, the checks of content in
documents.uploads.

Who: the case's coordinators and current mediators add files and delete them (a mediator only
what they uploaded); anyone who sees the case (a supervisor of its trainee too) reads and
downloads them — as with the case's timeline and agreements. A closed case takes files too (a
letter often comes after), as its timeline takes notes.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from cases.access import case_for
from privacy.status import case_anonymised, erased_party_ids
from wkm.views import submit_form

from . import case_files as services
from .forms import CaseFileForm, DeleteFileForm
from .models import CaseFile
from .uploads import accepts_files, too_large_refusals


def _require_record(access):
    if not access.can_record:
        raise PermissionDenied


def file_response(case_file: CaseFile, *, by) -> FileResponse:
    """The file as a download that nothing caches, sniffs or shows inline: the type its content
    was found to have, its safe name."""
    if not case_file.file:
        raise Http404
    try:
        handle = services.file_open(case_file=case_file, by=by)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=case_file.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=case_file.name
    )
    response["Content-Length"] = str(case_file.size)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@accepts_files
def files_upload(request, reference):
    case, access = case_for(request, reference)
    _require_record(access)
    if case_anonymised(case):  # said before the form, not after the upload
        messages.error(request, services.RETAINED_NO_MORE)
        return redirect(case.get_absolute_url() + "#files")
    erased = erased_party_ids(case)
    form = CaseFileForm(request.POST or None, request.FILES or None, case=case, erased=erased)
    if request.method == "POST":
        if refused := too_large_refusals(request):
            form.add_error("files", [*refused, services.NOTHING_KEPT])
        elif done := submit_form(
            request,
            form,
            lambda data: services.files_add(
                case=case,
                by=request.user,
                uploads=data["files"],
                kind=data["kind"],
                description=data["description"],
                party=form.chosen_party(),
            ),
            success=lambda stored: f"{len(stored)} file{pluralize(len(stored))} added.",
            then=case.get_absolute_url() + "#files",
        ):
            return done
    context = {"case": case, "form": form, "heading": "Upload files"}
    return render(request, "documents/files_upload.html", context)


@require_safe
def file_download(request, reference, pk):
    case, _access = case_for(request, reference)
    case_file = get_object_or_404(CaseFile.objects.present(), pk=pk, case=case)
    case_file.case = case
    return file_response(case_file, by=request.user)


def file_delete(request, reference, pk):
    case, access = case_for(request, reference)
    _require_record(access)
    case_file = get_object_or_404(
        CaseFile.objects.present().select_related("party", "agreement"), pk=pk, case=case
    )
    if not services.may_delete(case_file, request.user):  # sees the file, may not delete it
        raise PermissionDenied
    form = DeleteFileForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda data: services.file_delete(
            case_file=case_file, by=request.user, reason=data["reason"]
        ),
        success=f"“{case_file.name}” deleted.",
        then=case.get_absolute_url() + "#files",
    ):
        return done
    return render(
        request,
        "documents/file_delete.html",
        {"case": case, "case_file": case_file, "form": form, "heading": "Delete a file"},
    )
