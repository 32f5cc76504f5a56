"""Case pages. Thin: parse the request, call a selector or service, render.

Every page finds its case through cases.access.case_for (404 when out of scope).
"""

from django.contrib import messages
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Concat
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.roles import COORDINATOR, has_role, role_required
from audit.models import AuditEvent
from audit.selectors import events_for_case
from audit.services import record_event
from documents.forms import CaseFileForm
from exports.views import start_export
from notifications import manual
from notifications.models import ManualContact, PartyReply
from parties.consent import consent_state
from parties.forms import PartyForm, PartyFormSet
from parties.models import Party
from parties.selectors import possible_duplicates
from privacy.status import erased_party_ids
from referrers.selectors import intake_choices
from sessions.services import future_sessions
from wkm.consequences import shown_to
from wkm.pagination import CappedPaginator
from wkm.views import submit_form

from . import services
from .access import case_for
from .disclosure import log_entries_for
from .filters import CaseFilter
from .forms import CaseForm, CloseForm, LogEntryForm, ReopenForm
from .models import Case, CaseAssignment, ContactLogEntry
from .panels import panels_for
from .search import SEARCH_RANK

CASES_PER_PAGE = 25


def _require_manage(access):
    if not access.can_manage:
        raise PermissionDenied


def _case_filter(request, queryset) -> CaseFilter:
    """The case list's filters over ``queryset`` (already scoped to the user)."""
    return CaseFilter(
        request.GET, queryset=queryset, show_staff_filters=has_role(request.user, COORDINATOR)
    )


def _visible_cases(request):
    """The cases the user may see (rule 11), as the case list and its export start from."""
    return Case.objects.visible_to(request.user).select_related("coordinator")


# What the list shows of a case (and the ordering filter sorts by): not its summary or risk notes.
LIST_COLUMNS = (
    "reference",
    "received_on",
    "dispute_type",
    "status",
    "coordinator__first_name",
    "coordinator__last_name",
    "coordinator__username",
)


def case_list(request):
    # Each row's parties and current mediators as arrays of names in the page's own query (two
    # small subqueries per row), rather than two more queries and a hundred model objects.
    queryset = (
        _visible_cases(request)
        .only(*LIST_COLUMNS)
        .annotate(
            party_names=ArraySubquery(
                Party.objects.filter(case=OuterRef("pk")).order_by("id").values("full_name")
            ),
            mediator_names=ArraySubquery(
                CaseAssignment.objects.current()
                .filter(case=OuterRef("pk"))
                .order_by("started_on", "id")
                .values(name=Concat("volunteer__first_name", Value(" "), "volunteer__last_name"))
            ),
        )
    )
    case_filter = _case_filter(request, queryset)
    # The page's rows are read by id from the unfiltered list: a search runs once to count and
    # once to find the page (or, ranked, once for both), not once more to read 25 rows.
    found = case_filter.qs
    _audit_search(request, case_filter)
    ranked = SEARCH_RANK in found.query.annotations
    paginator = CappedPaginator(found, CASES_PER_PAGE, rows=queryset, ranked=ranked)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Said on the phone's "More filters" button, folded away from view.
    filters_active = sum(1 for name, value in query.items() if value and name not in ("q", "order"))
    return render(
        request,
        "cases/list.html",
        {
            "filter": case_filter,
            "page": page,
            "query": query.urlencode(),
            "filters_active": filters_active,
            "ranked": ranked,
        },
    )


def _filters_for_audit(case_filter) -> dict:
    """The filters an export or a search used, for the audit trail. The search text is only
    marked as given: it may be a party's name, and nothing confidential goes in the audit trail
    (which can never be anonymised)."""
    filters = {}
    for name, value in case_filter.form.cleaned_data.items():
        if value in (None, "", False, []):
            continue
        if name == "q":
            value = "(search text given)"
        elif hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, list | tuple):
            value = ",".join(map(str, value))
        filters[name] = str(value)
    return filters


def _audit_search(request, case_filter) -> None:
    """A search or filter of the case list is a look across people's cases (rule 12), so it
    is audited with the filters applied (as validated), never the cases or names it found.
    The plain list, or only sorted or paged, is not a search and writes nothing."""
    filters = _filters_for_audit(case_filter)
    if not set(filters) - {"order"}:
        return
    record_event(
        action=AuditEvent.Action.VIEW,
        object_repr="Case list (search)",
        detail={"search": "case_list", "filters": filters},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def case_export(request):
    """The case list as CSV: the same cases and filters as the list (the query string), for
    whoever asks (a mediator gets only their own cases), no party details. Made by the worker
    as an export (cases.list_export): a POST asks for it and goes to its page; a GET (an old
    link) shows the button that asks."""
    if request.method == "POST":
        return start_export(request, "case_list", request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exports/ask.html",
        {
            "title": "Case list (CSV)",
            "description": "the cases matching the list's search and filters"
            if query
            else "every case you can see",
            "action": f"{request.path}?{query.urlencode()}" if query else request.path,
            "fields": [],
        },
    )


@role_required(COORDINATOR)
def case_new(request):
    """Referral intake: the case and its parties on one page."""
    form = CaseForm(request.POST or None, initial={"received_on": timezone.localdate()})
    formset = PartyFormSet(request.POST or None, prefix="parties")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        parties = [
            {name: getattr(f.instance, name) for name in PartyForm.Meta.fields}
            for f in formset.forms
            if f.has_changed()
        ]
        if done := submit_form(
            request,
            form,
            lambda _: services.case_create(
                by=request.user,
                fields=form.case_fields(),
                parties=parties,
                referrer=form.referrer_pick(),
            ),
            success=lambda case: f"Referral logged as {case.reference}.",
            then=lambda case: case,
        ):
            return done
    return render(
        request,
        "cases/new.html",
        {"form": form, "formset": formset, "referrer_choices": intake_choices()},
    )


@require_safe
def case_detail(request, reference):
    case, access = case_for(request, reference)
    record_event(action=AuditEvent.Action.VIEW, obj=case)
    consents = consent_state(case)
    entries = log_entries_for(case, audience=None, viewer=request.user)
    notes_only = request.GET.get("timeline") == "notes"
    if notes_only:  # what people wrote, without the updates the services add
        entries = entries.exclude(kind=ContactLogEntry.Kind.EVENT)
    else:
        # A party's answer to a reminder has no author: the timeline names the party instead
        # (the entry and the reply share the party and the moment, notifications.replies).
        entries = entries.annotate(
            party_answer=Exists(
                PartyReply.objects.filter(
                    party=OuterRef("party_id"), received_at=OuterRef("occurred_at")
                )
            )
        )
    context = {
        "case": case,
        "access": access,
        "consents": consents,
        "entries": entries,
        "notes_only": notes_only,
        "log_form": LogEntryForm(
            case=case,
            initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        if access.can_record
        else None,
        "next_steps": services.next_steps_for(case, consents) if access.can_manage else [],
        "duplicates": possible_duplicates(case.parties.all()) if access.can_manage else [],
        "current_assignments": case.current_assignments(),
        "now": timezone.now(),
        # The Files panel: one query for the files, one for the parties erased (whom nothing
        # more is filed about) when the user may upload.
        "files": case.files.present().select_related("party", "uploaded_by", "agreement"),
        "file_form": CaseFileForm(case=case, erased=erased_party_ids(case))
        if access.can_record
        else None,
        # The breaches, the office's calls and letters, the parties' answers and surveys.
        **panels_for(case, access),
    }
    return render(request, "cases/detail.html", context)


@require_POST
def manual_contact_done(request, reference, pk):
    """A coordinator phoned or wrote to a party in place of a message (notifications.manual)."""
    case, access = case_for(request, reference)
    _require_manage(access)
    task = get_object_or_404(ManualContact, pk=pk, case=case)
    try:
        task = manual.complete(task=task, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        done = "phoned" if task.method == ManualContact.Method.PHONE else "written to"
        messages.success(request, f"Marked as done: {task.party.full_name} {done}.")
    return redirect(case)


def case_edit(request, reference):
    case, access = case_for(request, reference)
    _require_manage(access)
    form = CaseForm(request.POST or None, instance=case)
    if done := submit_form(
        request,
        form,
        lambda _: services.case_update(
            case=Case.objects.get(pk=case.pk),
            by=request.user,
            fields=form.case_fields(),
            referrer=form.referrer_pick(),
        ),
        success="Case details saved.",
        then=case,
    ):
        return done
    return render(
        request,
        "cases/edit.html",
        {
            "case": case,
            "form": form,
            "heading": "Edit case details",
            "submit_label": "Save",
            "referrer_choices": intake_choices(),
        },
    )


@require_POST
def case_transition(request, reference):
    case, access = case_for(request, reference)
    _require_manage(access)
    try:
        # What else the move did (the referrer will be told, or why not) shows after it.
        with shown_to(request):
            services.case_transition(case=case, to=request.POST.get("to", ""), by=request.user)
            messages.success(request, f"{case.reference} is now “{case.get_status_display()}”.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except ValueError:
        messages.error(request, "That is not a case status.")
    return redirect(case)


def case_close(request, reference):
    case, access = case_for(request, reference)
    _require_manage(access)
    outcomes = services.closing_outcomes(case)
    if not outcomes:
        messages.error(request, "This case is already closed.")
        return redirect(case)
    today = timezone.localdate()
    asked = request.GET.get("outcome", "")  # "Close the case as withdrawn" links ask for one
    form = CloseForm(
        request.POST or None,
        outcomes=outcomes,
        initial={
            "closed_on": today,
            "follow_up_on": services.suggested_follow_up(today),
            "outcome": asked if asked in outcomes else "",
        },
    )
    if done := submit_form(
        request,
        form,
        lambda data: services.case_close(case=case, by=request.user, **data),
        success=f"{case.reference} is closed.",
        then=case,
        consequences=True,
    ):
        return done
    return render(
        request,
        "cases/close.html",
        {
            "case": case,
            "form": form,
            "heading": "Close the case",
            "submit_label": "Close case",
            "to_cancel": future_sessions(case),
        },
    )


def case_reopen(request, reference):
    case, access = case_for(request, reference)
    _require_manage(access)
    if case.is_open:
        messages.error(request, "This case is open; only a closed case can be reopened.")
        return redirect(case)
    form = ReopenForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda data: services.case_reopen(case=case, by=request.user, reason=data["reason"]),
        success=lambda case: f"{case.reference} is reopened as “{case.get_status_display()}”.",
        then=lambda case: case,
        consequences=True,
    ):
        return done
    return render(
        request,
        "cases/reopen.html",
        {"case": case, "form": form, "heading": "Reopen the case", "submit_label": "Reopen case"},
    )


@require_POST
def follow_up_done(request, reference):
    case, access = case_for(request, reference)
    _require_manage(access)
    try:
        services.follow_up_done(case=case, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"The follow-up of {case.reference} is marked as done.")
    return redirect(case)


def log_add(request, reference):
    case, access = case_for(request, reference)
    if not access.can_record:
        raise PermissionDenied
    form = LogEntryForm(request.POST or None, case=case)
    if done := submit_form(
        request,
        form,
        lambda data: services.log_entry_add(case=case, by=request.user, **data),
        success=lambda entry: "Draft saved." if entry.is_draft else "Added to the case timeline.",
        then=case,
    ):
        return done
    return render(
        request,
        "cases/log_form.html",
        {"case": case, "form": form, "heading": "Add to the timeline", "submit_label": "Save"},
    )


def log_edit(request, reference, pk):
    case, access = case_for(request, reference)
    if not access.can_record:
        raise PermissionDenied
    entry = _own_draft_or_404(case, request.user, pk)
    form = LogEntryForm(request.POST or None, instance=entry, case=case)
    if done := submit_form(
        request,
        form,
        lambda data: services.log_entry_update(entry=entry, by=request.user, fields=data),
        success=lambda _: "Draft saved." if form.cleaned_data["is_draft"] else "Published.",
        then=case,
    ):
        return done
    return render(
        request,
        "cases/log_form.html",
        {"case": case, "form": form, "heading": "Edit draft", "submit_label": "Save"},
    )


def _own_draft_or_404(case, user, pk):
    return get_object_or_404(case.log_entries, pk=pk, is_draft=True, author=user)


@require_safe
def case_audit(request, reference):
    case, access = case_for(request, reference)
    if not access.can_see_audit:
        raise PermissionDenied
    page = Paginator(events_for_case(case.reference), 50).get_page(request.GET.get("page"))
    return render(request, "cases/audit.html", {"case": case, "page": page})
