"""The survey pages: the party's (from their personal link, no login) and the coordinator's
(answers given by phone). Thin: the rules are in surveys.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from audit.context import acting_in
from cases.access import case_for
from notifications import replies
from notifications.link_pages import render_link_page, throttle
from parties.models import Party
from wkm.forms import add_service_errors
from wkm.views import submit_form

from . import letters, services
from .forms import FORMS, survey_form
from .models import SurveyInvitation
from .services import LinkState

PAGES = {
    LinkState.ANSWERED: "surveys/answered.html",
    LinkState.CLOSED: "surveys/closed.html",
    LinkState.EXPIRED: "surveys/expired.html",
}


def _answers(form) -> dict:
    return {name: form.cleaned_data.get(name) for name in form.fields}


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token):
    """A party's survey. Anything but a link of ours answers the same 404 as any unknown
    address, and counts towards the wrong links an address may open in an hour (shared with
    the reminders' links, notifications.replies). The same link once answered says so (and,
    straight after answering, thanks them); past its date, or while the case is open again, a
    page says so, with nothing about the case."""
    hashed_ip, too_many = throttle(request)
    if too_many:
        return too_many
    link = services.open_link(token)
    if link.state is LinkState.WRONG:
        replies.record_miss(hashed_ip)
        raise Http404
    invitation = link.invitation
    if link.state is LinkState.ANSWERED and request.GET.get("sent") == "1":
        return render_link_page(request, "surveys/thanks.html", {"kind": invitation.kind})
    if link.state is not LinkState.OPEN:
        return render_link_page(request, PAGES[link.state], {"kind": invitation.kind})
    form = survey_form(
        invitation.kind, invitation.case, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            # A member of the public: the trail keeps no address (as for the reminders' links).
            with acting_in(None):
                services.record_answers(invitation=invitation, answers=_answers(form))
        except services.SurveyRefused as refused:
            return render_link_page(request, PAGES[refused.state], {"kind": invitation.kind})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(f"{request.path}?sent=1")
    if request.method != "POST":
        with acting_in(None):
            services.record_page_view(invitation)
    return render_link_page(
        request,
        "surveys/answer.html",
        {
            "kind": invitation.kind,
            "first_name": invitation.party.first_name,
            "closed_on": invitation.case.closed_on,
            "questions": len(form.fields) - 1,
            "expires_at": invitation.expires_at,
            "form": form,
            "form_list": [form],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def record(request, reference, pk, kind):
    """A coordinator types in the answers ``party`` gave by phone (coordinators only: the
    answers are feedback about the mediators). A survey that cannot be recorded (the case is
    open, the party withdrew, it was answered) is refused with the reason, on the case page."""
    case, access = case_for(request, reference)
    if not access.can_manage:
        raise PermissionDenied
    party = get_object_or_404(Party.objects.prefetch_related("consents"), pk=pk, case=case)
    if kind not in FORMS:
        raise Http404
    refusal = services.why_not_recordable(case, party, kind)
    if refusal:
        messages.error(request, refusal)
        return redirect(case)
    form = survey_form(kind, case, request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda _: services.record_by_phone(
            case=case, party=party, kind=kind, answers=_answers(form), by=request.user
        ),
        success=f"{party.full_name}'s answers are recorded. Thank you.",
        then=f"{case.get_absolute_url()}#surveys",
    ):
        return done
    return render(
        request,
        "surveys/record.html",
        {
            "case": case,
            "party": party,
            "kind": kind,
            "survey_name": services.Kind(kind).label,
            "form": form,
        },
    )


@require_safe
def letter(request, reference, pk):
    """The survey letter for invitation ``pk`` of the case, as a PDF to print and post
    (surveys.letters): coordinators only, as the rest of the surveys; a letter that cannot be
    made (answered, closed, expired, no address) is refused with the reason, on the case
    page."""
    case, access = case_for(request, reference)
    if not access.can_manage:
        raise PermissionDenied
    invitation = get_object_or_404(
        SurveyInvitation.objects.select_related("party").prefetch_related("party__consents"),
        pk=pk,
        case=case,
    )
    invitation.case = case
    try:
        pdf, filename = letters.survey_letter(invitation=invitation, by=request.user)
    except ValidationError as error:  # or documents.rendering.DocumentTooLarge
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{case.get_absolute_url()}#manual-contacts-heading")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "no-store"
    return response
