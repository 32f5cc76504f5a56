"""The personal link in a survey message or letter: ``SITE_URL/s/<token>/``, no login.

Modelled on notifications.reply_links, with its own salt (no other signed value of the service
is accepted as one, nor one of these elsewhere). The token names one invitation
(surveys.models.SurveyInvitation: one party, one survey) and is signed:
``<invitation id in base 36>.<signature>``. The signature is 16 characters of base 32 (80 bits,
lower case letters and the digits 2 to 7), not Django's base 64, so that someone typing the
address from a letter cannot confuse "l" with "I" or mistake "-" for "_": the link is short
enough for a text message and for a line of a letter, and is read in any case (a phone's
keyboard capitalising the first letter changes nothing). 80 bits are far beyond guessing, and
wrong guesses are throttled with the reply links' (notifications.replies.record_miss).

Nothing secret is stored: a changed SECRET_KEY revokes every link (SECRET_KEY_FALLBACKS keep
them working while keys are rotated). Whether a link still opens a survey (expired, answered,
case reopened, party no longer contacted) is the database's business (surveys.services).
"""

import base64

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import base36_to_int, int_to_base36

SALT = "surveys.link"
SIGNATURE_CHARS = 16


class _TypeableSigner(signing.Signer):
    """Django's signer (key fallbacks, constant-time comparison), with a signature in lower-case
    base 32 cut to SIGNATURE_CHARS."""

    def signature(self, value, key=None):
        digest = salted_hmac(
            self.salt + "signer", value, secret=key or self.key, algorithm=self.algorithm
        ).digest()
        return base64.b32encode(digest).decode("ascii").lower()[:SIGNATURE_CHARS]


def _signer() -> signing.Signer:
    return _TypeableSigner(salt=SALT, sep=".")


def survey_token(invitation_id: int) -> str:
    return _signer().sign(int_to_base36(invitation_id))


def survey_url(invitation_id: int) -> str:
    token = survey_token(invitation_id)
    return settings.SITE_URL.rstrip("/") + reverse("surveys:answer", args=[token])


def read_token(token: str) -> int | None:
    """The invitation id of a token signed here (in any case, spaces around it ignored), or
    None for anything else."""
    try:
        value = _signer().unsign((token or "").strip().lower())
    except signing.BadSignature:
        return None
    try:
        return base36_to_int(value)
    except ValueError:
        return None
