"""Spam defences for the public forms, with no third party involved.

1. A honeypot: a text box people never see (hidden with CSS, ``aria-hidden``, out of the tab
   order, no autofill). Anything typed in it means a robot; the form then pretends to succeed.
2. Time to submit: the form carries a signed timestamp (``django.core.signing``) from when it was
   first shown. A form sent under ``PUBLIC_FORMS_MIN_SECONDS`` (3) after that, or more than
   ``PUBLIC_FORMS_MAX_SECONDS`` (2 hours) after, is refused with a message; what was typed stays.
3. A rate limit per address: at most ``PUBLIC_FORMS_PER_HOUR`` (5) forms an hour from one IP
   address. Only a salted SHA-256 of the address is stored; counts over a day old are deleted
   as new forms arrive (``purge_submissions``).
"""

from __future__ import annotations

import datetime
import hashlib
import time

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone

from audit.services import client_ip

from .models import PublicSubmission

HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_started"  # noqa: S105 - a form field's name
TOKEN_SALT = "public.forms.started"  # noqa: S105 - a signing namespace, not a secret
KEEP_SUBMISSIONS_FOR = datetime.timedelta(days=1)

TOO_FAST = "too_fast"
EXPIRED = "expired"
BAD = "bad"

MESSAGES = {
    TOO_FAST: "That was very quick. Please check your answers, then send the form again.",
    EXPIRED: "This form was open for a long time, so for your security we need you to send it "
    "again. Everything you typed is still here: please check it and send it.",
    BAD: "Something went wrong with this form. Everything you typed is still here: please "
    "check it and send it again.",
}


class RateLimited(Exception):
    """Too many forms from one address in the last hour."""


def min_seconds() -> float:
    return getattr(settings, "PUBLIC_FORMS_MIN_SECONDS", 3)


def max_seconds() -> float:
    return getattr(settings, "PUBLIC_FORMS_MAX_SECONDS", 2 * 60 * 60)


def per_hour() -> int:
    return getattr(settings, "PUBLIC_FORMS_PER_HOUR", 5)


# --- Time to submit -------------------------------------------------------------------------


def issue_token(form: str, *, at: float | None = None) -> str:
    """A signed note of which form was shown and when (seconds since the epoch)."""
    return signing.dumps({"form": form, "t": time.time() if at is None else at}, salt=TOKEN_SALT)


def check_token(token: str, form: str, *, now: float | None = None) -> str | None:
    """None if the form was shown long enough ago, and not too long; otherwise why not."""
    now = time.time() if now is None else now
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT)
    except signing.BadSignature:
        return BAD
    if not isinstance(data, dict) or data.get("form") != form:
        return BAD
    try:
        elapsed = now - float(data["t"])
    except (KeyError, TypeError, ValueError):
        return BAD
    if elapsed < min_seconds():
        return TOO_FAST
    if elapsed > max_seconds():
        return EXPIRED
    return None


def token_for_page(request, form: str, problem: str | None) -> str:
    """The token to put back on the page: the one sent, unless it has to be replaced."""
    sent = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
    if sent and problem in (None, TOO_FAST):
        return sent
    return issue_token(form)


def honeypot_filled(request) -> bool:
    return bool(request.POST.get(HONEYPOT_FIELD, "").strip())


# --- Rate limit -----------------------------------------------------------------------------


def _salt() -> str:
    salt = getattr(settings, "PUBLIC_FORMS_IP_SALT", "")
    if salt:
        return salt
    # No salt configured: derive one from SECRET_KEY, so it is still secret and stable.
    return hashlib.sha256(f"wkm.public.ip-salt|{settings.SECRET_KEY}".encode()).hexdigest()


def ip_hash(ip: str | None) -> str:
    """A salted SHA-256 of the address: the same for one address, useless without the salt."""
    return hashlib.sha256(f"{_salt()}|{ip or 'unknown'}".encode()).hexdigest()


def request_ip_hash(request) -> str:
    return ip_hash(client_ip(request))


def purge_submissions(*, now=None) -> int:
    """Delete the counts older than a day (done as each form arrives; a retention job may call
    it too). Returns how many went."""
    now = now or timezone.now()
    deleted, _ = PublicSubmission.objects.filter(at__lt=now - KEEP_SUBMISSIONS_FOR).delete()
    return deleted


@transaction.atomic
def record_submission(*, form: str, hashed_ip: str, discarded: bool = False) -> None:
    """Count one form from ``hashed_ip``, or raise RateLimited if it has sent its quota.

    Call it inside the transaction that saves the form, so a form that fails to save is not
    counted. A transaction-level advisory lock on the hash makes the count and the insert one
    step, so two forms sent at once from one address cannot both slip under the limit.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [hashed_ip])
    now = timezone.now()
    purge_submissions(now=now)
    recent = PublicSubmission.objects.filter(
        ip_hash=hashed_ip, at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if recent >= per_hour():
        raise RateLimited
    PublicSubmission.objects.create(form=form, ip_hash=hashed_ip, at=now, discarded=discarded)
