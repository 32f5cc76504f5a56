"""Spam defences for the public forms, with no third party involved.

1. A honeypot: a text box people never see (hidden with CSS, ``aria-hidden``, out of the tab
   order, no autofill). Anything typed in it means a robot; the form then pretends to succeed.
2. Time to submit: the form carries a signed timestamp (``django.core.signing``) from when it was
   first shown. A form sent under ``PUBLIC_FORMS_MIN_SECONDS`` (3) after that, or more than
   ``PUBLIC_FORMS_MAX_SECONDS`` (2 hours) after, is refused with a message; what was typed stays.
3. One form per token: the signed token also carries a random nonce, recorded with the form
   that used it (``PublicSubmission.token_nonce``, unique). A token sent again is refused: one
   page fetched once no longer sends a hundred referrals from a hundred addresses. The person
   gets the form back as typed, with a fresh token.
4. A rate limit per address: at most ``PUBLIC_FORMS_PER_HOUR`` (5) forms an hour from one IP
   address. Only a salted SHA-256 of the address is stored; counts over a day old are deleted
   as new forms arrive (``purge_submissions``).
5. An overall cap: at most ``PUBLIC_FORMS_TOTAL_PER_HOUR`` (60) forms an hour from every address
   together, so that many addresses (a botnet, or forged ones) cannot bury the case list; people
   are asked to phone instead.
"""

from __future__ import annotations

import datetime
import secrets
import time

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import PublicSubmission

HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_started"  # noqa: S105 - a form field's name
TOKEN_SALT = "public.forms.started"  # noqa: S105 - a signing namespace, not a secret
KEEP_SUBMISSIONS_FOR = datetime.timedelta(days=1)

TOO_FAST = "too_fast"
EXPIRED = "expired"
BAD = "bad"
USED = "used"

MESSAGES = {
    TOO_FAST: "That was very quick. Please check your answers, then send the form again.",
    EXPIRED: "This form was open for a long time, so for your security we need you to send it "
    "again. Everything you typed is still here: please check it and send it.",
    BAD: "Something went wrong with this form. Everything you typed is still here: please "
    "check it and send it again.",
    USED: "This copy of the form has already been sent, and we have it. If you meant to send "
    "another, everything you typed is still here: please check it and send it again.",
}


class RateLimited(Exception):
    """Too many forms from one address in the last hour."""


class OverallLimit(Exception):
    """Too many forms from all addresses together in the last hour."""


class TokenUsed(Exception):
    """The form's token has already sent a form."""


def min_seconds() -> float:
    return getattr(settings, "PUBLIC_FORMS_MIN_SECONDS", 3)


def max_seconds() -> float:
    return getattr(settings, "PUBLIC_FORMS_MAX_SECONDS", 2 * 60 * 60)


def per_hour() -> int:
    return getattr(settings, "PUBLIC_FORMS_PER_HOUR", 5)


def total_per_hour() -> int:
    return getattr(settings, "PUBLIC_FORMS_TOTAL_PER_HOUR", 60)


# --- Time to submit -------------------------------------------------------------------------


def issue_token(form: str, *, at: float | None = None) -> str:
    """A signed note of which form was shown and when (seconds since the epoch), with a random
    nonce that a successful form uses up."""
    return signing.dumps(
        {"form": form, "t": time.time() if at is None else at, "n": secrets.token_urlsafe(16)},
        salt=TOKEN_SALT,
    )


def _token_data(token: str) -> dict | None:
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


def token_nonce(token: str) -> str:
    """The nonce a token carries ("" if it is not one of ours)."""
    nonce = (_token_data(token) or {}).get("n")
    return nonce if isinstance(nonce, str) else ""


def check_token(token: str, form: str, *, now: float | None = None) -> str | None:
    """None if the form was shown long enough ago, and not too long, and its token has not
    sent a form yet; otherwise why not. (A token used meanwhile is refused again when the form
    is saved: ``record_submission``.)"""
    now = time.time() if now is None else now
    data = _token_data(token)
    # A token without a nonce (issued before tokens were single-use) is replaced like a bad one.
    if data is None or data.get("form") != form or not isinstance(data.get("n"), str):
        return BAD
    try:
        elapsed = now - float(data["t"])
    except (KeyError, TypeError, ValueError):
        return BAD
    if elapsed < min_seconds():
        return TOO_FAST
    if elapsed > max_seconds():
        return EXPIRED
    if PublicSubmission.objects.filter(token_nonce=data["n"]).exists():
        return USED
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


def purge_submissions(*, now=None) -> int:
    """Delete the counts older than a day (done as each form arrives; a retention job may call
    it too). Returns how many went. A row is kept at least as long as its token could still
    be sent, so that a used token stays used."""
    now = now or timezone.now()
    keep = max(KEEP_SUBMISSIONS_FOR, datetime.timedelta(seconds=max_seconds()))
    deleted, _ = PublicSubmission.objects.filter(at__lt=now - keep).delete()
    return deleted


# One advisory lock for every public form: the overall cap counts all addresses together.
SUBMISSIONS_LOCK = "wkm.public.submissions"


@transaction.atomic
def record_submission(
    *, form: str, hashed_ip: str, token_nonce: str = "", discarded: bool = False
) -> None:
    """Count one form from ``hashed_ip`` and use up its token's nonce, or raise TokenUsed,
    RateLimited (its address has sent its quota) or OverallLimit (every address together has).

    Call it inside the transaction that saves the form, so a form that fails to save neither
    counts nor uses up its token. A transaction-level advisory lock makes the checks and the
    insert one step, so two forms sent at once cannot both slip under a limit or both use one
    token (the unique nonce is a second guard). Forms are few, so one lock for all costs nothing.
    A discarded form (a robot's, nothing saved) counts only against its own address.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [SUBMISSIONS_LOCK])
    now = timezone.now()
    purge_submissions(now=now)
    if token_nonce and PublicSubmission.objects.filter(token_nonce=token_nonce).exists():
        raise TokenUsed
    last_hour = PublicSubmission.objects.filter(at__gte=now - datetime.timedelta(hours=1))
    if last_hour.filter(ip_hash=hashed_ip).count() >= per_hour():
        raise RateLimited
    if not discarded and last_hour.filter(discarded=False).count() >= total_per_hour():
        raise OverallLimit
    try:
        with transaction.atomic():
            PublicSubmission.objects.create(
                form=form,
                ip_hash=hashed_ip,
                at=now,
                discarded=discarded,
                token_nonce=token_nonce,
            )
    except IntegrityError as error:  # the nonce, used by a form saved meanwhile
        raise TokenUsed from error
