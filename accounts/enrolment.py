"""One-time set-up links: how someone who needs two-factor authentication sets up their first
second factor.

Coordinators, supervisors and administrators must give a code after their password
(``accounts.two_factor``). Until they have a device, though, the password is all they have: if
the set-up page were open to it, whoever learnt the password of a new account (or of one whose
devices an administrator reset) could enrol their own authenticator app and get everything the
role may see. So a first device is set up only through a link an administrator issues: it
works once, for one person, for ``ENROLMENT_LINK_HOURS`` hours, and a newer link for the same
person replaces it. The token is shown once, to the administrator; only its SHA-256 is stored.

Opening the link (``security_views.enrolment_link``) keeps the link's id in the session: the
person logs in (before or after opening it) and the set-up page opens for them, and for nobody
else. It is marked used in the same transaction that confirms the device.

Mediators who turn two-factor on from their account page need no link: they are already in,
with everything their role may see. Nor does anyone replacing a device from a verified session.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import record_event

from .models import EnrolmentLink
from .roles import ADMINISTRATOR, has_role
from .two_factor import has_confirmed_device, required_by_role

# The session keeps the id of the link opened in it (never the token).
LINK_SESSION_KEY = "wkm_2fa_enrolment_link"
# token_urlsafe(32) makes 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100


class IssuedLink(NamedTuple):
    url: str
    link: EnrolmentLink


def token_hash(token: str) -> str:
    """The SHA-256 of a link's token, as stored. A salt or a slow hash would add nothing: the
    token is 256 random bits, not something a person chose."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def may_issue(by) -> bool:
    """Only administrators issue set-up links."""
    return by.is_authenticated and by.is_active and has_role(by, ADMINISTRATOR)


def needs_link(request) -> bool:
    """True when ``request.user`` may set up a device only through a set-up link: their role
    needs two-factor and they have not given a code in this session (so they have no device;
    those with one are asked for a code first)."""
    user = request.user
    return required_by_role(user) and not user.is_verified()


@transaction.atomic
def issue_enrolment_link(*, user, by) -> IssuedLink:
    """Issue a set-up link for ``user`` and return its address, to be shown once to ``by``.

    Earlier unused links of ``user`` stop working, and an authenticator app they began to set up
    with one is discarded, so the newest link starts afresh. ``by`` must be an administrator;
    ``None`` only for ``manage.py enrolment_link`` (whoever runs it holds the server). Refused
    for someone who already has a device (reset it first) or whose roles do not need two-factor.
    """
    if by is not None and not may_issue(by):
        raise PermissionDenied("Only an administrator can issue a set-up link.")
    name = user.get_full_name() or user.get_username()
    if not user.is_active:
        raise ValidationError(f"{name}'s account is not active: make it active first.")
    if not required_by_role(user):
        raise ValidationError(
            f"{name}'s roles do not need two-factor authentication: they can turn it on from "
            "their account page without a link."
        )
    if has_confirmed_device(user):
        raise ValidationError(
            f"{name} already has two-factor authentication set up. If they lost their phone and "
            "their backup codes, delete their devices in the admin first, then issue a link."
        )
    now = timezone.now()
    replaced = EnrolmentLink.objects.filter(user=user, used_at=None, revoked_at=None).update(
        revoked_at=now
    )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    token = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(
        user=user,
        token_hash=token_hash(token),
        created_by=by,
        expires_at=now + datetime.timedelta(hours=settings.ENROLMENT_LINK_HOURS),
    )
    record_event(
        action=AuditEvent.Action.CREATE,
        actor=by,
        obj=user,
        detail={
            "two_factor": "set-up link issued",
            "link": link.pk,
            "expires_at": link.expires_at.isoformat(),
            "replaced_links": replaced,
            **({} if by is not None else {"by": "manage.py enrolment_link"}),
        },
    )
    path = reverse("two_factor:link", kwargs={"token": token})
    return IssuedLink(url=f"{settings.SITE_URL.rstrip('/')}{path}", link=link)


def find_link(token: str) -> EnrolmentLink | None:
    """The link whose token is ``token``, usable or not; None if there is none."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return EnrolmentLink.objects.select_related("user").filter(token_hash=token_hash(token)).first()


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), r"j M Y \a\t H:i")


def problem_with(link: EnrolmentLink | None) -> str:
    """Why ``link`` cannot be used now, in words for the person holding it; "" if it can."""
    ask = "Ask an administrator for a new one."
    if link is None:
        return f"This set-up link is not one we know. Check you copied all of it. {ask}"
    if link.used_at is not None:
        return (
            f"This set-up link was used on {_when(link.used_at)}, and each link works once. "
            f"If that was not you, tell an administrator at once. {ask}"
        )
    if link.revoked_at is not None:
        return f"This set-up link was replaced by a newer one. Use the newest link, or: {ask}"
    if link.expires_at <= timezone.now():
        return f"This set-up link stopped working on {_when(link.expires_at)}. {ask}"
    return ""


def link_in_session(request) -> EnrolmentLink | None:
    """The usable link opened in this session for ``request.user`` itself, if any. A link for
    someone else opened here does nothing."""
    link_id = request.session.get(LINK_SESSION_KEY)
    if not isinstance(link_id, int) or not request.user.is_authenticated:
        return None
    link = EnrolmentLink.objects.filter(pk=link_id, user=request.user).first()
    if link is None or problem_with(link):
        return None
    return link


@transaction.atomic
def use_enrolment_link(*, link_id: int, user) -> EnrolmentLink:
    """Mark the link used, as ``user`` confirms a device with it; ValidationError if it is not
    theirs or cannot be used any more (expired, replaced, or used meanwhile in another
    browser: the row is locked, so only one confirmation wins)."""
    link = EnrolmentLink.objects.select_for_update().filter(pk=link_id, user=user).first()
    problem = problem_with(link)
    if problem:
        raise ValidationError(problem)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link
