"""Data protection pages: subject access requests, their exports, and erasure. Coordinators
only (accounts.roles.role_required: anonymous users log in, other roles get 403). Thin: parse,
call privacy.services or privacy.selectors, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import COORDINATOR, role_required
from audit.models import AuditEvent
from audit.services import record_event
from parties.models import Party
from volunteers.models import Volunteer
from wkm.views import submit_form

from . import services
from .export import case_wide_files, files_about
from .forms import EraseForm, ExportForm, RequestForm, SearchForm, StatusForm
from .models import SubjectAccessRequest
from .selectors import find_person

PER_PAGE = 25


def _chosen(request, data) -> tuple[list[Party], list[Volunteer]]:
    """The records ticked on the search page (ids that do not exist are ignored)."""

    def ids(name):
        return [int(v) for v in data.getlist(name) if v.isdigit()]

    parties = list(Party.objects.filter(pk__in=ids("party")).select_related("case"))
    volunteers = list(Volunteer.objects.filter(pk__in=ids("volunteer")))
    return parties, volunteers


@role_required(COORDINATOR)
@require_safe
def request_list(request):
    requests = SubjectAccessRequest.objects.all()
    status = request.GET.get("status", "open")
    if status in SubjectAccessRequest.Status.values:
        requests = requests.filter(status=status)
    else:
        status = "all"
    page = Paginator(requests.order_by("due_on", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/requests.html",
        {
            "page": page,
            "status": status,
            "statuses": [*SubjectAccessRequest.Status.choices, ("all", "All")],
            "today": timezone.localdate(),
            "query": f"status={status}",
        },
    )


@role_required(COORDINATOR)
@require_safe
def search(request):
    """Find a person's records across every case and the volunteers. With ``?request=<id>``
    the ticked records are added to that open request; otherwise they start a new one."""
    sar = None
    if request.GET.get("request", "").isdigit():
        sar = get_object_or_404(
            SubjectAccessRequest, pk=request.GET["request"], status=SubjectAccessRequest.Status.OPEN
        )
    form = SearchForm(request.GET if "q" in request.GET else None)
    parties = volunteers = None
    if form.is_valid():
        parties, volunteers = find_person(form.cleaned_data["q"])
        # Searching across every case is itself a look at people's records: audited, without
        # the search text (it is a name, an email or a phone number).
        record_event(
            action=AuditEvent.Action.VIEW,
            object_repr="Subject access search",
            detail={"search": "subject_access", "parties": len(parties),
                    "volunteers": len(volunteers)},
        )  # fmt: skip
    return render(
        request,
        "privacy/search.html",
        {"form": form, "parties": parties, "volunteers": volunteers, "sar": sar},
    )


@role_required(COORDINATOR)
def request_new(request):
    data = request.POST if request.method == "POST" else request.GET
    parties, volunteers = _chosen(request, data)
    if request.method == "POST":
        form = RequestForm(request.POST)
        if done := submit_form(
            request,
            form,
            lambda data: services.request_open(
                by=request.user, fields=data, parties=parties, volunteers=volunteers
            ),
            success=lambda sar: (
                f"Request #{sar.pk} opened: the answer is due by "
                f"{date_format(sar.due_on, 'j M Y')}."
            ),
            then=lambda sar: sar,
        ):
            return done
    else:
        form = RequestForm(initial={"requested_on": timezone.localdate()})
    return render(
        request,
        "privacy/request_new.html",
        {"form": form, "parties": parties, "volunteers": volunteers},
    )


def _get_request(pk) -> SubjectAccessRequest:
    return get_object_or_404(SubjectAccessRequest, pk=pk)


def _render_detail(request, sar, *, status_form=None, export_form=None, status=200):
    record_event(action=AuditEvent.Action.VIEW, obj=sar)
    return render(
        request,
        "privacy/request_detail.html",
        {
            "sar": sar,
            "parties": sar.parties.select_related("case").order_by("case__received_on", "pk"),
            "volunteers": sar.volunteers.order_by("pk"),
            "status_form": status_form
            or StatusForm(initial={"completed_on": timezone.localdate()}),
            "export_form": export_form or ExportForm(),
            "plan": services.erasure_plan(sar),
            "files_about_them": files_about(sar.parties.all()).count(),
            "case_wide_files": case_wide_files(sar).count(),
            "anonymisations": sar.anonymisations.select_related("case").order_by("performed_at"),
        },
        status=status,
    )


@role_required(COORDINATOR)
@require_safe
def request_detail(request, pk):
    return _render_detail(request, _get_request(pk))


@role_required(COORDINATOR)
@require_POST
def request_records(request, pk):
    sar = _get_request(pk)
    parties, volunteers = _chosen(request, request.POST)
    if not (parties or volunteers):
        messages.error(request, "Tick at least one record to add.")
        return redirect(f"{reverse('privacy:search')}?request={sar.pk}")
    try:
        services.request_add_records(
            sar=sar, by=request.user, parties=parties, volunteers=volunteers
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{len(parties) + len(volunteers)} record(s) added.")
    return redirect(sar)


@role_required(COORDINATOR)
@require_POST
def request_status(request, pk):
    sar = _get_request(pk)
    form = StatusForm(request.POST)
    if done := submit_form(
        request,
        form,
        lambda data: services.request_close(sar=sar, by=request.user, **data),
        success="The request is closed.",
        then=sar,
    ):
        return done
    return _render_detail(request, sar, status_form=form, status=400)


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """An attachment named by the request's number (never the person's name), never cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export(request, pk, fmt):
    sar = _get_request(pk)
    form = ExportForm(request.GET)
    include = form.is_valid() and form.cleaned_data["include_safeguarding"]
    content = services.request_export(
        sar=sar, by=request.user, fmt=fmt, include_safeguarding=include
    )
    content_type = {
        "pdf": "application/pdf",
        "json": "application/json; charset=utf-8",
        "zip": "application/zip",
    }[fmt]
    return _download(
        content, content_type=content_type, filename=f"subject-access-request-{sar.pk}.{fmt}"
    )


@role_required(COORDINATOR)
@require_safe
def export_pdf(request, pk):
    return _export(request, pk, "pdf")


@role_required(COORDINATOR)
@require_safe
def export_json(request, pk):
    return _export(request, pk, "json")


@role_required(COORDINATOR)
@require_safe
def export_zip(request, pk):
    return _export(request, pk, "zip")


def _erased(plan) -> str:
    done = len(plan.erase_parties) + len(plan.erase_volunteers)
    kept = len(plan.keep_parties) + len(plan.keep_volunteers)
    message = f"{done} record(s) anonymised."
    if kept:
        message += f" {kept} kept for now: see why below."
    return message


@role_required(COORDINATOR)
def request_erase(request, pk):
    sar = _get_request(pk)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if done := submit_form(
        request,
        form,
        lambda _: services.erase_subject(sar=sar, by=request.user),
        success=_erased,
        then=sar,
    ):
        return done
    return render(
        request,
        "privacy/erase.html",
        {"sar": sar, "plan": services.erasure_plan(sar), "form": form},
        status=400 if form.errors else 200,
    )
