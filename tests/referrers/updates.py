"""What the referrer updates' tests share: the updates written, sending them all, the consent to
updates taken away."""

import datetime

from django.utils import timezone

from notifications import dispatch
from notifications.models import OutboxMessage
from parties.models import Consent

KIND = OutboxMessage.Kind.REFERRER_UPDATE


def updates():
    return OutboxMessage.objects.filter(kind=KIND).order_by("pk")


def send_all() -> int:
    """Send the referrer updates due (the other messages a change writes, such as the parties'
    feedback survey when a case closes, are set aside: they are tested with their kind)."""
    pending = OutboxMessage.objects.filter(status="pending")
    pending.exclude(kind=OutboxMessage.Kind.REFERRER_UPDATE).update(status="cancelled")
    pending.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    return dispatch.dispatch_due(max_seconds=10)


def without_update_consent(case):
    Consent.objects.filter(party__case=case, kind=Consent.Kind.UPDATE_REFERRER).delete()
