"""Party and consent pages, reached through their case (cases.access.case_for: 404 if not
visible)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.models import AuditEvent
from audit.services import record_event
from cases.access import case_for
from cases.disclosure import log_entries_for
from wkm.views import submit_form

from . import services
from .consent import current_kinds
from .forms import ConsentForm, ConsentWithdrawalForm, PartyForm
from .models import Consent
from .selectors import possible_duplicates


def _party(case, pk):
    """A party of a case already fetched under the user's scope, or 404."""
    for party in case.parties.all():
        if party.pk == pk:
            return party
    raise Http404("No such party in this case.")


@require_safe
def party_detail(request, reference, pk):
    case, access = case_for(request, reference)
    party = _party(case, pk)
    record_event(action=AuditEvent.Action.VIEW, obj=party)
    entries = log_entries_for(case, audience=None, viewer=request.user).filter(party=party)
    return render(
        request,
        "parties/detail.html",
        {
            "case": case,
            "access": access,
            "party": party,
            "consents": party.consents.all(),
            "entries": entries,
            "duplicates": possible_duplicates([party]) if access.can_manage else [],
        },
    )


def _party_fields(form) -> dict:
    """What a valid PartyForm says of the party (as the model's fields clean it)."""
    return {name: getattr(form.instance, name) for name in PartyForm.Meta.fields}


def party_add(request, reference):
    case, access = case_for(request, reference)
    if not access.can_manage:
        raise PermissionDenied
    form = PartyForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda _: services.party_add(case=case, by=request.user, fields=_party_fields(form)),
        success=lambda party: f"{party.full_name} added to {case.reference}.",
        then=case,
        consequences=True,
    ):
        return done
    return render(
        request,
        "parties/form.html",
        {"case": case, "form": form, "heading": "Add a party", "submit_label": "Add party"},
    )


def party_edit(request, reference, pk):
    case, access = case_for(request, reference)
    if not access.can_record:
        raise PermissionDenied
    party = _party(case, pk)
    if request.method != "POST":
        # The form shows every contact detail and the safeguarding notes: a view (rule 12).
        record_event(action=AuditEvent.Action.VIEW, obj=party, detail={"page": "edit"})
    form = PartyForm(request.POST or None, instance=party)
    if done := submit_form(
        request,
        form,
        lambda _: services.party_update(party=party, by=request.user, fields=_party_fields(form)),
        success="Party details saved.",
        then=party,
        consequences=True,
    ):
        return done
    return render(
        request,
        "parties/form.html",
        {"case": case, "form": form, "heading": f"Edit {party.full_name}", "submit_label": "Save"},
    )


def _kinds(consents) -> str:
    return "; ".join(c.get_kind_display().lower() for c in consents)


def consent_add(request, reference, pk):
    """Record the consents a party gives, all kinds at once."""
    case, access = case_for(request, reference)
    if not access.can_record:
        raise PermissionDenied
    party = _party(case, pk)
    held = current_kinds(party)
    form = ConsentForm(
        request.POST or None,
        held=held,
        initial={"given_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if done := submit_form(
        request,
        form,
        lambda data: services.consents_record(party=party, by=request.user, **data),
        success=lambda recorded: f"Consent recorded for {party.full_name}: {_kinds(recorded)}.",
        then=case,
    ):
        return done
    return render(
        request,
        "parties/consent_form.html",
        {
            "case": case,
            "party": party,
            "form": form,
            "all_held": len(held) == len(Consent.Kind.choices),
            "heading": f"Record consent: {party.full_name}",
            "submit_label": "Record consent",
        },
    )


def consent_withdraw(request, reference, pk):
    """Record a withdrawal, after a page that says what it will stop and asks when and how."""
    case, access = case_for(request, reference)
    if not access.can_record:
        raise PermissionDenied
    consent = get_object_or_404(Consent, pk=pk, party__case=case)
    party = _party(case, consent.party_id)
    if consent.withdrawn_at is not None:
        messages.error(request, "This consent has already been withdrawn.")
        return redirect(case)
    form = ConsentWithdrawalForm(
        request.POST if request.method == "POST" else None,
        initial={"withdrawn_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if done := submit_form(
        request,
        form,
        lambda data: services.consent_withdraw(consent=consent, by=request.user, **data),
        success=f"Recorded: {party.full_name} withdrew consent "
        f"{consent.get_kind_display().lower()}.",
        level=messages.WARNING,
        then=case,
        consequences=True,
    ):
        return done
    return render(
        request,
        "parties/consent_withdraw.html",
        {
            "case": case,
            "party": party,
            "consent": consent,
            "form": form,
            "heading": f"Record a withdrawal: {party.full_name}",
            "submit_label": "Record the withdrawal",
            **services.withdrawal_preview(consent),
        },
    )
