"""Assigning a pair to a case (coordinators), with suggestions. Rules live in the service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from cases.access import case_for
from wkm.consequences import shown_to
from wkm.forms import add_service_errors

from ..pairing_forms import PairForm
from ..services import assign_pair
from ..suggestions import suggest_pairs


def _names(volunteers) -> str:
    names = [str(v) for v in volunteers]
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


def assigned_message(case, pair, created) -> str:
    """What the coordinator is told after assigning: who will hear of it and how (the notices
    wait in the outbox, sent within a minute), who has no email address or mobile number and
    must be told by the coordinator, and who was already on the case (and is told nothing)."""
    by_volunteer = {a.volunteer_id: a for a in created}
    heard = {"email": [], "sms": []}
    unreachable, already = [], []
    for volunteer in pair:
        assignment = by_volunteer.get(volunteer.pk)
        if assignment is None:
            already.append(volunteer)
        elif assignment.notice is None:
            unreachable.append(volunteer)
        else:
            heard[assignment.notice.channel].append(volunteer)
    parts = [f"{_names(pair)} are assigned to {case.reference}."]
    if heard["email"]:
        parts.append(f"{_names(heard['email'])} will be emailed.")
    if heard["sms"]:
        parts.append(f"{_names(heard['sms'])} will get a text message.")
    if unreachable:
        verb = "has" if len(unreachable) == 1 else "have"
        parts.append(
            f"{_names(unreachable)} {verb} no email address or mobile number on record: "
            "tell them yourself."
        )
    if already:
        verb = "was" if len(already) == 1 else "were"
        parts.append(f"{_names(already)} {verb} already on the case.")
    return " ".join(parts)


def assign(request, reference):
    case, access = case_for(request, reference)
    if not access.can_manage:
        raise PermissionDenied
    current = case.current_assignments()
    initial = {}
    for assignment in current:
        key = "co_mediator" if "lead" in initial else "lead"
        initial[key] = assignment.volunteer
    form = PairForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # What else it did (mediation started: the referrer will be told, or why not).
            with shown_to(request):
                created = assign_pair(
                    case=case,
                    lead=form.cleaned_data["lead"],
                    co_mediator=form.cleaned_data["co_mediator"],
                    override_reason=form.cleaned_data["override_reason"],
                    by=request.user,
                )
                pair = [form.cleaned_data["lead"], form.cleaned_data["co_mediator"]]
                messages.success(request, assigned_message(case, pair, created))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(case)
    return render(
        request,
        "volunteers/assign.html",
        {
            "case": case,
            "form": form,
            "current": current,
            "history": [a for a in case.assignments.all() if a.ended_on is not None],
            "suggestions": suggest_pairs(case) if case.is_open else [],
        },
    )
