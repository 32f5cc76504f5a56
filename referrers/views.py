"""Referring organisations and their people: for coordinators (who take referrals from them)
and administrators (who keep the lists). Mediators and supervisors get 403: whom a case came
from is office business. The cases shown on an organisation's page are those the user may see
(Case.objects.visible_to). Thin: every write is a referrers.services function."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import ADMINISTRATOR, COORDINATOR, role_required
from audit.models import AuditEvent
from audit.services import record_event
from wkm.consequences import shown_to
from wkm.views import submit_form

from . import services
from .forms import ContactForm, ReferrerForm, ReferrerSearchForm
from .models import Referrer, ReferrerContact
from .selectors import cases_of, referrers_listed

PER_PAGE = 25
CASES_PER_PAGE = 25
STAFF = (COORDINATOR, ADMINISTRATOR)


@require_safe
@role_required(*STAFF)
def referrer_list(request):
    search = ReferrerSearchForm(request.GET or None)
    refused = search.is_bound and not search.is_valid()
    data = search.cleaned_data if search.is_bound and not refused else {}
    q, retired = data.get("q", ""), data.get("retired", False)
    # A search refused (too long) lists nothing rather than everything: its error says why.
    found = Referrer.objects.none() if refused else referrers_listed(q=q, retired=retired)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    retired_matching = 0
    if q and not retired and not page.object_list:
        retired_matching = retired_only(referrers_listed(q=q, retired=True)).count()
    with_retired = request.GET.copy()
    with_retired.pop("page", None)
    with_retired["retired"] = "on"
    return render(
        request,
        "referrers/list.html",
        {
            "search": search,
            "page": page,
            "query": query.urlencode(),
            "retired_matching": retired_matching,
            "with_retired": with_retired.urlencode(),
        },
    )


def retired_only(found):
    return found.filter(retired_at__isnull=False)


@role_required(*STAFF)
def referrer_new(request):
    form = ReferrerForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda data: services.referrer_create(by=request.user, fields=data),
        success=lambda referrer: f"Added {referrer.name}.",
        then=lambda referrer: reverse("referrers:detail", kwargs={"pk": referrer.pk}),
    ):
        return done
    return render(
        request,
        "referrers/form.html",
        {"form": form, "heading": "Add a referring organisation", "submit_label": "Add"},
    )


@require_safe
@role_required(*STAFF)
def referrer_detail(request, pk):
    referrer = get_object_or_404(Referrer, pk=pk)
    # Its people, and who referred what: a look at personal data (rule 12).
    record_event(action=AuditEvent.Action.VIEW, obj=referrer)
    contacts = list(referrer.contacts.order_by("retired_at", "name", "pk"))
    cases = Paginator(cases_of(referrer, request.user), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrers/detail.html",
        {
            "referrer": referrer,
            "contacts": [c for c in contacts if c.retired_at is None],
            "retired_contacts": [c for c in contacts if c.retired_at is not None],
            "cases": cases,
        },
    )


@role_required(*STAFF)
def referrer_edit(request, pk):
    referrer = get_object_or_404(Referrer, pk=pk)
    form = ReferrerForm(request.POST or None, instance=referrer)
    if done := submit_form(
        request,
        form,
        lambda data: services.referrer_update(referrer=referrer, by=request.user, fields=data),
        success="Saved.",
        then=reverse("referrers:detail", kwargs={"pk": referrer.pk}),
        # A new name reaches its cases too: the page says on how many.
        consequences=True,
    ):
        return done
    return render(
        request,
        "referrers/form.html",
        {
            "form": form,
            "referrer": Referrer.objects.get(pk=pk),
            "heading": "Edit the organisation",
            "submit_label": "Save",
        },
    )


def _act(request, service, success: str, **kwargs):
    try:
        with shown_to(request):
            service(by=request.user, **kwargs)
            messages.success(request, success)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)


@require_POST
@role_required(*STAFF)
def referrer_retire(request, pk):
    referrer = get_object_or_404(Referrer, pk=pk)
    _act(
        request,
        services.referrer_retire,
        f"{referrer.name} is retired: it is no longer offered at intake.",
        referrer=referrer,
    )
    return redirect("referrers:detail", pk=pk)


@require_POST
@role_required(*STAFF)
def referrer_unretire(request, pk):
    referrer = get_object_or_404(Referrer, pk=pk)
    _act(request, services.referrer_unretire, f"{referrer.name} is back.", referrer=referrer)
    return redirect("referrers:detail", pk=pk)


def _contact(referrer_pk, pk) -> ReferrerContact:
    return get_object_or_404(
        ReferrerContact.objects.select_related("referrer"), pk=pk, referrer_id=referrer_pk
    )


@role_required(*STAFF)
def contact_new(request, pk):
    referrer = get_object_or_404(Referrer, pk=pk)
    form = ContactForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda data: services.contact_create(referrer=referrer, by=request.user, fields=data),
        success=lambda contact: f"Added {contact.name}.",
        then=reverse("referrers:detail", kwargs={"pk": referrer.pk}),
    ):
        return done
    return render(
        request,
        "referrers/form.html",
        {
            "form": form,
            "referrer": referrer,
            "heading": "Add a person",
            "submit_label": "Add",
        },
    )


@role_required(*STAFF)
def contact_edit(request, pk, contact_pk):
    contact = _contact(pk, contact_pk)
    form = ContactForm(request.POST or None, instance=contact)
    if done := submit_form(
        request,
        form,
        lambda data: services.contact_update(contact=contact, by=request.user, fields=data),
        success="Saved.",
        then=reverse("referrers:detail", kwargs={"pk": pk}),
        consequences=True,
    ):
        return done
    return render(
        request,
        "referrers/form.html",
        {
            "form": form,
            "referrer": contact.referrer,
            "heading": "Edit a person",
            "submit_label": "Save",
        },
    )


@require_POST
@role_required(*STAFF)
def contact_retire(request, pk, contact_pk):
    contact = _contact(pk, contact_pk)
    _act(
        request,
        services.contact_retire,
        f"{contact.name} is retired: they get no more updates.",
        contact=contact,
    )
    return redirect("referrers:detail", pk=pk)


@require_POST
@role_required(*STAFF)
def contact_unretire(request, pk, contact_pk):
    contact = _contact(pk, contact_pk)
    _act(request, services.contact_unretire, f"{contact.name} is back.", contact=contact)
    return redirect("referrers:detail", pk=pk)
