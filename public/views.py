"""The public pages under /help/: no login. Thin: parse, check the spam defences, call
public.services, render. A validation error shows the page again with everything typed."""

import contextlib

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from sessions.models import MediationSession, ServiceSettings
from wkm.addresses import request_ip_hash
from wkm.forms import add_service_errors

from . import services, spam
from .forms import (
    ApplicantAvailabilityForm,
    PersonForm,
    ReferralForm,
    VolunteerApplicationForm,
)
from .models import PublicSubmission

THANKS_SESSION_KEY = "public_referral_thanks"
RATE_LIMITED_MESSAGE = (
    "We have received several forms from this connection in the last hour, so we cannot take "
    "another just now. Please try again in an hour, or phone us on {phone}. Everything you "
    "typed is still here."
)
OVERALL_LIMIT_MESSAGE = (
    "We have received an unusually large number of forms in the last hour, so the website "
    "cannot take another just now. Please phone us on {phone}, or try again later. Everything "
    "you typed is still here."
)


def _render(request, template, context=None, status=200):
    today = timezone.localdate()
    service = ServiceSettings.cached()
    base = {
        "service_name": settings.SERVICE_NAME,
        "service_phone": settings.SERVICE_PHONE,
        "service_address": settings.SERVICE_ADDRESS,
        "reply_days": services.reply_working_days(),
        "home_visits_suspended": service.home_visits_suspended_on(today),
        "service": service,
    }
    return render(request, template, base | (context or {}), status=status)


@login_not_required
@require_safe
def index(request):
    return _render(request, "public/index.html")


@login_not_required
@require_safe
def status(request):
    service = ServiceSettings.cached()
    today = timezone.localdate()
    start = service.home_visits_suspended_from
    upcoming = (
        service.home_visits_suspended
        and not service.home_visits_suspended_on(today)
        and start is not None
        and start > today
    )
    return _render(
        request,
        "public/status.html",
        {"upcoming_suspension": upcoming, "modes": MediationSession.Mode.choices},
    )


def _spam_problem(request, form_name: str) -> str | None:
    return spam.check_token(request.POST.get(spam.TOKEN_FIELD, ""), form_name)


def _submit(request, form, submit, **fields) -> tuple[str | None, int] | None:
    """Call ``submit`` (a public.services function) with the sender's hashed address and the
    token's nonce. None if the form was saved; if refused, a message at the top of ``form``
    and (the token problem, the status) for the page shown again with everything typed."""
    try:
        submit(
            **fields,
            hashed_ip=request_ip_hash(request),
            token_nonce=spam.token_nonce(request.POST.get(spam.TOKEN_FIELD, "")),
        )
    except spam.TokenUsed:  # sent by another request since _spam_problem looked
        form.add_error(None, spam.MESSAGES[spam.USED])
        return spam.USED, 200
    except spam.RateLimited:
        form.add_error(None, RATE_LIMITED_MESSAGE.format(phone=settings.SERVICE_PHONE))
        return None, 429
    except spam.OverallLimit:
        form.add_error(None, OVERALL_LIMIT_MESSAGE.format(phone=settings.SERVICE_PHONE))
        return None, 429
    except ValidationError as error:
        add_service_errors(form, error)
        return None, 200
    return None


def _discard_bot(request, form_name: str) -> None:
    """A filled honeypot: count it against the address, save nothing."""
    with contextlib.suppress(spam.RateLimited):
        spam.record_submission(form=form_name, hashed_ip=request_ip_hash(request), discarded=True)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def refer(request):
    form_name = PublicSubmission.Form.REFERRAL
    posted = request.POST if request.method == "POST" else None
    form = ReferralForm(posted)
    person = PersonForm(posted, prefix="person")
    problem, http_status = None, 200
    if posted is not None:
        if spam.honeypot_filled(request):
            _discard_bot(request, form_name)
            return redirect("public:thanks_referral")
        problem = _spam_problem(request, form_name)
        valid = form.is_valid() & person.is_valid()  # both, so every error shows at once
        if problem:
            form.add_error(None, spam.MESSAGES[problem])
        elif valid:
            refused = _submit(
                request,
                form,
                services.referral_submit,
                case_fields=form.case_fields(),
                person=person.party_fields(),
                other_people=form.cleaned_data["other_people"],
                agency=form.is_agency(),
            )
            if refused:
                problem, http_status = refused
            else:
                party = person.instance
                request.session[THANKS_SESSION_KEY] = {
                    "method": party.get_preferred_contact_display().lower(),
                    "times": party.preferred_times,
                    "agency": form.is_agency(),
                }
                return redirect("public:thanks_referral")
    return _render(
        request,
        "public/refer.html",
        {
            "form": form,
            "person": person,
            "form_list": [form, person],
            "token": spam.token_for_page(request, form_name, problem),
            "honeypot": form[spam.HONEYPOT_FIELD],
        },
        status=http_status,
    )


@login_not_required
@never_cache
@require_safe
def thanks_referral(request):
    details = request.session.pop(THANKS_SESSION_KEY, None)
    return _render(request, "public/thanks_referral.html", {"details": details})


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def volunteer(request):
    form_name = PublicSubmission.Form.VOLUNTEER
    posted = request.POST if request.method == "POST" else None
    form = VolunteerApplicationForm(posted)
    availability = ApplicantAvailabilityForm(posted)
    problem, http_status = None, 200
    if posted is not None:
        if spam.honeypot_filled(request):
            _discard_bot(request, form_name)
            return redirect("public:thanks_volunteer")
        problem = _spam_problem(request, form_name)
        valid = form.is_valid() & availability.is_valid()
        if problem:
            form.add_error(None, spam.MESSAGES[problem])
        elif valid:
            refused = _submit(
                request,
                form,
                services.application_submit,
                fields=form.volunteer_fields(),
                why=form.cleaned_data["why"],
                experience=form.cleaned_data["experience"],
                slots=availability.cleaned_slots(),
            )
            if not refused:
                return redirect("public:thanks_volunteer")
            problem, http_status = refused
    return _render(
        request,
        "public/volunteer.html",
        {
            "form": form,
            "availability": availability,
            "form_list": [form, availability],
            "token": spam.token_for_page(request, form_name, problem),
            "honeypot": form[spam.HONEYPOT_FIELD],
        },
        status=http_status,
    )


@login_not_required
@require_safe
def thanks_volunteer(request):
    return _render(request, "public/thanks_volunteer.html")
