"""The personal link in a party's session reminder: ``SITE_URL/r/<token>/``, no login.

The token names one party and one session and is signed (django.core.signing, its own salt, so
no other signed value of the service is ever accepted as one, nor one of these elsewhere):
``<session id>.<party id>.<signature>``, ids in base 36 and the signature cut to 16 characters
(96 bits), so that the whole link fits in a text message beside the reminder. Nothing is stored:
the same party and session always give the same link (in the email and the text, in the 48-hour
and the 2-hour reminder), a changed SECRET_KEY revokes every link (SECRET_KEY_FALLBACKS keep
them working while keys are rotated), and the link stops working when the session starts
(notifications.replies reads the session's time from the database, so a session moved later
keeps its link, and one moved earlier closes it sooner). It opens that party's own appointment
and nothing else.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.http import base36_to_int, int_to_base36

SALT = "notifications.reply-link"
SIGNATURE_CHARS = 16


class _ShortSigner(signing.Signer):
    """Django's signer, with the signature cut short: 96 bits are far beyond guessing (and
    wrong guesses are throttled), and a text message has no room for 256."""

    def signature(self, value, key=None):
        return super().signature(value, key)[:SIGNATURE_CHARS]


def _signer() -> signing.Signer:
    return _ShortSigner(salt=SALT, sep=".")


def reply_token(*, party_id: int, session_id: int) -> str:
    return _signer().sign(f"{int_to_base36(session_id)}.{int_to_base36(party_id)}")


def reply_url(*, party_id: int, session_id: int) -> str:
    token = reply_token(party_id=party_id, session_id=session_id)
    return settings.SITE_URL.rstrip("/") + reverse("notifications:reply", args=[token])


def read_token(token: str) -> tuple[int, int] | None:
    """(session id, party id) from a token signed here, or None for anything else."""
    try:
        value = _signer().unsign(token or "")
    except signing.BadSignature:
        return None
    parts = value.split(".")
    if len(parts) != 2:
        return None
    try:
        session_id, party_id = (base36_to_int(part) for part in parts)
    except ValueError:
        return None
    return session_id, party_id
