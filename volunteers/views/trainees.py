"""The trainee pathway: supervision overview, a trainee case, and the reflection, feedback and
review that lead to sign-off, then community accreditation (DESIGN.md rules 2 and 6).

Thin: every write goes through volunteers.services; every trainee case is found through
``trainee_cases_visible_to`` (404 when out of scope). Reads live in volunteers.selectors.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import COORDINATOR, SUPERVISOR, has_role, role_required
from audit.models import AuditEvent
from audit.services import record_event
from wkm.forms import add_service_errors

from .. import services
from ..models import AccreditationKind, TraineeCase
from ..selectors import (
    accreditable_volunteers,
    supervised_trainee_cases,
    trainee_cases_visible_to,
    trainee_progress,
    with_eligibility,
)
from ..trainee_forms import FeedbackForm, GrantAccreditationForm, ReflectionForm, ReviewForm

# --- Pages ------------------------------------------------------------------------------------


@role_required(SUPERVISOR, COORDINATOR)
def supervision(request):
    """Trainee cases waiting for sign-off and in progress, each trainee's progress, and
    granting community accreditation once three cases are signed off."""
    accreditable = accreditable_volunteers(request.user)
    if request.method == "POST":
        form = GrantAccreditationForm(request.POST, volunteers=accreditable)
        if not form.is_valid():
            raise Http404
        volunteer = form.cleaned_data["volunteer"]
        try:
            services.accreditation_grant(
                volunteer=volunteer,
                kind=AccreditationKind.COMMUNITY,
                by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"{volunteer.full_name} is accredited for community mediation and is now a "
                "mediator.",
            )
        return redirect("volunteers:supervision")

    trainee_cases = supervised_trainee_cases(request.user)
    open_cases = list(
        trainee_cases.exclude(status=TraineeCase.Status.SIGNED_OFF).order_by("-created_at", "-pk")
    )
    trainees = with_eligibility(trainee_progress(request.user))
    signed_off = trainee_cases.filter(
        status=TraineeCase.Status.SIGNED_OFF, trainee__in=[t.pk for t in trainees]
    ).order_by("trainee__last_name", "trainee__first_name", "signed_at")
    context = {
        "waiting": [tc for tc in open_cases if tc.ready_for_sign_off],
        "in_progress": [tc for tc in open_cases if not tc.ready_for_sign_off],
        "signed_off": list(signed_off),
        "trainees": trainees,
        "needed": settings.TRAINEE_CASES_FOR_ACCREDITATION,
    }
    return render(request, "volunteers/supervision.html", context)


def _trainee_case_or_404(request, pk) -> TraineeCase:
    return get_object_or_404(trainee_cases_visible_to(request.user), pk=pk)


def _render_trainee_case(request, trainee_case, **bound_forms):
    """The trainee case page, with the forms the viewer may use (a form just posted, with its
    errors and what was typed, replaces the empty one)."""
    user = request.user
    closed = not trainee_case.case.is_open
    still_open = trainee_case.is_open
    can_reflect = trainee_case.trainee.user_id == user.pk and closed and still_open
    can_give_feedback = (
        services.may_record_feedback_for(trainee_case, user) and closed and still_open
    )
    can_review = (
        trainee_case.supervisor_id == user.pk
        and has_role(user, SUPERVISOR)
        and trainee_case.ready_for_sign_off
    )
    context = {
        "tc": trainee_case,
        "case": trainee_case.case,
        "is_trainee": trainee_case.trainee.user_id == user.pk,
        "is_supervisor": has_role(user, SUPERVISOR),
        "is_coordinator": has_role(user, COORDINATOR),
        "feedback_on_behalf": bool(_on_behalf_of(trainee_case, user)),
        "reflection_form": (
            bound_forms.get("reflection_form")
            or ReflectionForm(initial={"reflection": trainee_case.reflection})
        )
        if can_reflect
        else None,
        "feedback_form": (
            bound_forms.get("feedback_form")
            or FeedbackForm(
                initial={"feedback": trainee_case.feedback},
                on_behalf_of=_on_behalf_of(trainee_case, user),
            )
        )
        if can_give_feedback
        else None,
        "review_form": (bound_forms.get("review_form") or ReviewForm()) if can_review else None,
    }
    return render(request, "volunteers/trainee_case.html", context)


def _show_refusal(request, form, error: ValidationError) -> None:
    """A service's refusal: errors about a field of ``form`` go next to it; a refusal of the
    whole action (not your case, not ready yet) becomes a message at the top of the page."""
    others = []
    if hasattr(error, "error_dict"):
        own = {}
        for field, errors in error.error_dict.items():
            if field in form.fields:
                own[field] = errors
            else:
                others.extend(ValidationError(errors).messages)
        if own:
            add_service_errors(form, ValidationError(own))
    else:
        others = error.messages
    for message in others:
        messages.error(request, message)


@require_safe
def trainee_case(request, pk):
    trainee_case = _trainee_case_or_404(request, pk)
    record_event(action=AuditEvent.Action.VIEW, obj=trainee_case)
    return _render_trainee_case(request, trainee_case)


@require_POST
def reflection(request, pk):
    trainee_case = _trainee_case_or_404(request, pk)
    form = ReflectionForm(request.POST)
    form.is_valid()  # a text box: always valid; the service judges the text
    try:
        services.reflection_submit(
            trainee_case=trainee_case,
            by=request.user,
            text=form.cleaned_data.get("reflection", ""),
        )
    except ValidationError as error:
        _show_refusal(request, form, error)
        return _render_trainee_case(request, trainee_case, reflection_form=form)
    messages.success(request, "Your reflection is saved.")
    return redirect(trainee_case)


def _on_behalf_of(trainee_case, user) -> str:
    """The co-mediator's name when ``user`` writes their feedback for them, else ""."""
    co_mediator = trainee_case.co_mediator
    return "" if co_mediator.user_id == user.pk else co_mediator.full_name


@require_POST
def feedback(request, pk):
    trainee_case = _trainee_case_or_404(request, pk)
    on_behalf_of = _on_behalf_of(trainee_case, request.user)
    form = FeedbackForm(request.POST, on_behalf_of=on_behalf_of)
    form.is_valid()
    try:
        services.feedback_submit(
            trainee_case=trainee_case,
            by=request.user,
            text=form.cleaned_data.get("feedback", ""),
        )
    except ValidationError as error:
        _show_refusal(request, form, error)
        return _render_trainee_case(request, trainee_case, feedback_form=form)
    messages.success(
        request,
        f"{on_behalf_of}'s feedback is saved, marked as recorded by you."
        if on_behalf_of
        else "Your feedback is saved.",
    )
    return redirect(trainee_case)


@require_POST
def review(request, pk):
    trainee_case = _trainee_case_or_404(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        # Only a hand-made request lacks the button's decision: say so, keep the comments.
        for message in form.errors.get("decision", []):
            messages.error(request, message)
        kept = ReviewForm(initial={"comments": form.cleaned_data.get("comments", "")})
        return _render_trainee_case(request, trainee_case, review_form=kept)
    try:
        reviewed = services.trainee_case_review(
            trainee_case=trainee_case,
            by=request.user,
            sign_off=form.sign_off,
            comments=form.cleaned_data["comments"],
        )
    except ValidationError as error:
        _show_refusal(request, form, error)
        return _render_trainee_case(request, trainee_case, review_form=form)
    if reviewed.status == TraineeCase.Status.SIGNED_OFF:
        messages.success(
            request, f"{trainee_case.case.reference} is signed off for {trainee_case.trainee}."
        )
        return redirect("volunteers:supervision")
    messages.success(
        request, f"You asked {trainee_case.trainee} for more work on {trainee_case.case.reference}."
    )
    return redirect(trainee_case)
