"""Account security pages: two-factor authentication (verify, enrol, backup codes, turn off),
the account page, and logging out everywhere. Thin: the work is in accounts.two_factor and
accounts.sessions_index; each step is audited (rule 12) without any code or key in the trail.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordChangeView, redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import record_event

from . import enrolment, two_factor
from .forms import CodeForm
from .sessions_index import end_sessions_of, live_sessions_of

BACKUP_CODES_SESSION_KEY = "wkm_2fa_new_backup_codes"


def _next_url(request) -> str:
    """Where to go once verified: ``next`` if it is one of ours, else the home page."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request) -> str:
    url = reverse(name)
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt:
        from urllib.parse import urlencode

        url = f"{url}?{urlencode({'next': nxt})}"
    return url


@never_cache
def start(request):
    """Where the middleware sends people: verify when they have a device, else set one up."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if two_factor.has_confirmed_device(request.user):
        return redirect(_with_next("two_factor:verify", request))
    return redirect(_with_next("two_factor:enrol", request))


@never_cache
def verify(request):
    """Ask for a code from the authenticator app, or a backup code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.has_confirmed_device(user):
        return redirect(_with_next("two_factor:enrol", request))
    form = CodeForm(
        request.POST or None,
        help_text="The 6 digits your authenticator app shows now, or one of your backup codes.",
    )
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            two_factor.mark_verified(request, device)
            record_event(
                action=AuditEvent.Action.LOGIN,
                obj=device,
                detail={"two_factor": "verified", "with": _kind(device)},
            )
            if _kind(device) == "backup code":
                left = two_factor.backup_codes_left(user)
                messages.warning(
                    request,
                    f"You used a backup code: {left} left. Make new ones from your account page "
                    "when you run low.",
                )
            return redirect(_next_url(request))
        record_event(
            action=AuditEvent.Action.LOGIN_FAILED,
            actor=user,
            detail={"username": user.get_username(), "reason": "wrong two-factor code"},
        )
        if two_factor.throttled(user):
            form.add_error(
                "code",
                "That code did not work. Too many wrong codes: wait a minute, then try again.",
            )
        else:
            form.add_error("code", "That code did not work. Check it and try again.")
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@never_cache
def enrol(request):
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with a code.

    Someone who already has a device must verify first: a password alone must never be enough
    to add a device to an account that has one. Someone whose role needs two-factor and who has
    no device yet needs a set-up link from an administrator (accounts.enrolment), opened in this
    session; without one they are told to ask for it, and no key is made for them.
    """
    user = request.user
    if not user.is_verified() and two_factor.has_confirmed_device(user):
        return redirect(_with_next("two_factor:verify", request))
    link = None
    if enrolment.needs_link(request):
        link = enrolment.link_in_session(request)
        if link is None:
            return _ask_for_link(request)
    device = two_factor.pending_app_device(user)
    form = CodeForm(request.POST or None, help_text="The 6 digits your app shows for this account.")
    if request.method == "POST" and form.is_valid():
        code = two_factor.normalise_code(form.cleaned_data["code"])
        if code.isdigit() and device.verify_token(code):
            try:
                with transaction.atomic():
                    if link is not None:
                        enrolment.use_enrolment_link(link_id=link.pk, user=user)
                    codes = two_factor.confirm_app_device(request, device)
            except ValidationError as error:  # the link was used or replaced meanwhile
                return _ask_for_link(request, problem=error.messages[0])
            request.session.pop(enrolment.LINK_SESSION_KEY, None)
            record_event(
                action=AuditEvent.Action.CREATE,
                obj=device,
                detail={"two_factor": "enrolled"}
                | ({"with_link": link.pk} if link is not None else {}),
            )
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect(_with_next("two_factor:backup_codes", request))
        record_event(
            action=AuditEvent.Action.LOGIN_FAILED,
            actor=user,
            detail={"username": user.get_username(), "reason": "wrong code setting up two-factor"},
        )
        form.add_error(
            "code",
            "That code did not match. Check the app shows this account, wait for a new code "
            "and try again.",
        )
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(device),
            "manual_key": two_factor.manual_key(device),
            "required": two_factor.required_by_role(user),
            "replacing": two_factor.app_device(user) is not None,
            "link_expires_at": link.expires_at if link is not None else None,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


def _ask_for_link(request, *, problem: str = ""):
    """What someone who needs a set-up link and has none sees instead of the set-up page."""
    return render(
        request,
        "accounts/two_factor_ask_for_link.html",
        {
            "problem": problem,
            "link_hours": settings.ENROLMENT_LINK_HOURS,
            "service_phone": settings.SERVICE_PHONE,
        },
    )


@never_cache
@login_not_required
def enrolment_link(request, token):
    """A set-up link, opened: kept in this session for the person it was made for, who then
    sets up their authenticator app (logging in first if they have not). It does nothing for
    anyone else, nor once it is used, replaced or out of date."""
    link = enrolment.find_link(token)
    problem = enrolment.problem_with(link)
    if problem:
        return render(
            request,
            "accounts/enrolment_link_problem.html",
            {"heading": "This set-up link cannot be used", "problem": problem},
            status=404 if link is None else 410,
        )
    user = request.user
    if user.is_authenticated and user.pk != link.user_id:
        return render(
            request,
            "accounts/enrolment_link_problem.html",
            {
                "heading": "This set-up link is for someone else",
                "problem": "You are logged in as someone other than the person this link was "
                "made for. It has done nothing here. If it is yours, log out, open it again "
                "and log in with your own username.",
            },
            status=403,
        )
    if user.is_authenticated and two_factor.has_confirmed_device(user):
        messages.info(request, "Two-factor authentication is already set up for your account.")
        return redirect("two_factor:start")
    request.session[enrolment.LINK_SESSION_KEY] = link.pk
    if not user.is_authenticated:
        messages.info(request, "Log in, and you can then set up two-factor authentication.")
        return redirect_to_login(reverse("two_factor:enrol"))
    return redirect("two_factor:enrol")


@never_cache
def backup_codes(request):
    """New backup codes, shown once; afterwards, how many are left and a way to make new ones."""
    if not request.user.is_verified():
        return redirect(_with_next("two_factor:start", request))
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/two_factor_backup_codes.html",
        {
            "codes": [two_factor.format_backup_code(c) for c in codes or ()],
            "left": two_factor.backup_codes_left(request.user),
            "next": _next_url(request),
        },
    )


@require_POST
def backup_codes_new(request):
    if not request.user.is_verified():
        return redirect("two_factor:start")
    request.session[BACKUP_CODES_SESSION_KEY] = two_factor.new_backup_codes(request.user)
    record_event(
        action=AuditEvent.Action.CHANGE,
        obj=two_factor.backup_device(request.user),
        detail={"two_factor": "new backup codes"},
    )
    return redirect("two_factor:backup_codes")


@require_POST
def turn_off(request):
    """Mediators may turn two-factor off again; those who need it may not."""
    user = request.user
    if not user.is_verified():
        return redirect("two_factor:start")
    if two_factor.required_by_role(user):
        messages.error(
            request, "Your role needs two-factor authentication: it cannot be turned off."
        )
        return redirect("password_change")
    two_factor.turn_off(request)
    record_event(
        action=AuditEvent.Action.DELETE,
        obj=user,
        detail={"two_factor": "turned off"},
    )
    messages.success(request, "Two-factor authentication is off. You can turn it on again here.")
    return redirect("password_change")


class AccountView(PasswordChangeView):
    """The account page: change password, two-factor authentication, log out everywhere."""

    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            **kwargs,
            two_factor_required=two_factor.required_by_role(user),
            app_device=two_factor.app_device(user),
            backup_codes_left=two_factor.backup_codes_left(user),
            other_sessions=live_sessions_of(user)
            .exclude(session_key=self.request.session.session_key)
            .count(),
        )


@require_POST
def logout_everywhere(request):
    """End every session of the user: this browser, and any other computer or phone."""
    user = request.user
    ended = end_sessions_of(user, keep=request.session.session_key)
    record_event(
        action=AuditEvent.Action.LOGOUT,
        detail={"everywhere": True, "other_sessions_ended": ended},
    )
    logout(request)  # this session too (and the usual logout event)
    messages.success(request, "You are logged out everywhere: on this computer and any other.")
    return redirect("login")


def _kind(device) -> str:
    return "backup code" if isinstance(device, two_factor.StaticDevice) else "authenticator app"
