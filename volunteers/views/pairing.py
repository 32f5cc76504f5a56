"""Assigning a pair to a case (coordinators), with suggestions. Rules live in the service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from cases.access import case_for
from wkm.forms import add_service_errors

from ..pairing_forms import PairForm
from ..services import assign_pair
from ..suggestions import suggest_pairs


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
            assign_pair(
                case=case,
                lead=form.cleaned_data["lead"],
                co_mediator=form.cleaned_data["co_mediator"],
                override_reason=form.cleaned_data["override_reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{form.cleaned_data['lead']} and {form.cleaned_data['co_mediator']} are "
                f"assigned to {case.reference}; both have been emailed.",
            )
            return redirect(case)
    return render(
        request,
        "cases/assign.html",
        {
            "case": case,
            "form": form,
            "current": current,
            "history": [a for a in case.assignments.all() if a.ended_on is not None],
            "suggestions": suggest_pairs(case) if case.is_open else [],
        },
    )
