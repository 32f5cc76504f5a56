"""Sending due reminders from the outbox, exactly once.

1. Claim: in a short transaction, ``SELECT … FOR UPDATE SKIP LOCKED`` takes up to a batch of due
   rows (pending, or "sending" whose lease ran out because a worker died) and marks them
   "sending" with a lease. A second dispatcher skips rows the first has locked, and finds them
   "sending" afterwards, so two dispatchers never take the same row.
2. Send each claimed row with an idempotency key fixed for that reminder (the email Message-ID,
   the SMS provider's Idempotency-Key), then mark it "sent" with the provider's message id. A
   worker killed between the two leaves the row "sending"; after the lease it is sent again
   with the same key, which the provider uses to deliver it once.
   Marking it sent appends an audit event in the same statement (_mark_sent).
3. Just before a text goes, quiet hours are asked again (``_held_back``): one that falls due
   at night, however it got there, waits until they end, or — if that is after its session
   starts — is not sent (a cancellation notice becomes a call for the coordinator to make).
4. A failed send is retried with exponential backoff; after REMINDER_MAX_ATTEMPTS it is
   "failed", and coordinators see it on their home page.

Nothing is scheduled in Redis: Celery beat only calls ``dispatch_due`` every minute.
"""

import datetime
import json
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from audit.models import AuditEvent

from .messages import render_message
from .models import OutboxMessage
from .outbox import may_still_go_q, still_on_route_q, tell_coordinator_too_late
from .quiet_hours import quiet_hours_end
from .sms import get_backend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    token: uuid.UUID
    ids: list[int]

    def __bool__(self):
        return bool(self.ids)


def claim(batch: int = 100, now: datetime.datetime | None = None) -> Claim:
    """Take up to ``batch`` due rows for this run, under a fresh token and a lease."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=OutboxMessage.Status.PENDING, due_at__lte=now)
                | Q(status=OutboxMessage.Status.SENDING, claimed_until__lt=now)
            )
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:batch]
        )
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxMessage.Status.SENDING,
            claimed_until=now + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS),
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return Claim(token, ids)


def idempotency_key(reminder: OutboxMessage) -> str:
    return f"wkm-reminder-{reminder.pk}"


def _send(reminder: OutboxMessage) -> str:
    message = render_message(reminder)
    key = idempotency_key(reminder)
    if reminder.channel == OutboxMessage.Channel.SMS:
        return get_backend().send(to=reminder.address, body=message.text, idempotency_key=key)
    message_id = f"<{key}@{settings.SITE_URL.split('://')[-1].split('/')[0]}>"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[reminder.address],
        headers={"Message-ID": message_id},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    email.send()
    return message_id


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8… minutes, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def send_claim(claimed: Claim) -> int:
    """Send the reminders this run claimed; return how many were sent now.

    They are read in one query, with what their messages need and whether each may still go
    (outbox.may_still_go_q: the recipient may be contacted, the session is still on — however
    that changed: a service, the admin, a data fix — as of the moment the batch is read; a
    batch takes about a second). Each is sent only if, just before, its row is still claimed by
    this run with a live lease (another dispatcher may be taking it over, or a service cancelled
    it meanwhile: cancelling a session, a withdrawal or a volunteer leaving cancels claimed rows
    too), so a slow batch never sends what another run is sending nor what was cancelled; each
    is marked sent as soon as it has gone, so a worker killed mid-batch resends at most the one
    in flight."""
    if not claimed:
        return 0
    reminders = (
        OutboxMessage.objects.filter(
            pk__in=claimed.ids, status=OutboxMessage.Status.SENDING, claim_token=claimed.token
        )
        .annotate(
            wanted=ExpressionWrapper(may_still_go_q(), output_field=BooleanField()),
            on_route=ExpressionWrapper(still_on_route_q(), output_field=BooleanField()),
        )
        .select_related("session__case", "party", "volunteer", "user", "referrer_contact")
        .prefetch_related("session__parties")
        .order_by("due_at", "id")
    )
    return sum(_send_claimed(reminder, claimed.token) for reminder in reminders)


def _held_back(reminder: OutboxMessage, ours, now: datetime.datetime) -> bool:
    """Whether a text must not go now, because sending it now would break quiet hours
    (notifications.quiet_hours) or it can no longer arrive before its session starts; if so,
    its row has been dealt with. Asked of every claimed text however it fell due — a first
    try, a retry, a backlog after an outage, a lease taken over — since a text scheduled well
    can still fall due at night. Emails are not held.

    A text that may still arrive in time waits, pending, until quiet hours end: it is claimed
    again then (not every minute meanwhile), and the wait does not count as an attempt. One
    that cannot is not sent: a reminder is cancelled; a cancellation notice becomes an email
    to the coordinator asking them to phone (outbox.tell_coordinator_too_late)."""
    if reminder.channel != OutboxMessage.Channel.SMS:
        return False
    earliest = quiet_hours_end(now)
    session = reminder.session
    if session is not None and earliest >= session.starts_at:
        started = earliest == now
        why = "the session had started" if started else "quiet hours last until after it starts"
        with transaction.atomic():
            if reminder.kind == OutboxMessage.Kind.SESSION_CANCELLED:
                if ours.update(
                    status=OutboxMessage.Status.CANCELLED,
                    last_error=f"Not sent: {why}; the coordinator was asked to phone",
                    claimed_until=None,
                ):
                    tell_coordinator_too_late(
                        session,
                        party=reminder.party,
                        volunteer=reminder.volunteer,
                        started=started,
                    )
            else:
                ours.update(
                    status=OutboxMessage.Status.CANCELLED,
                    last_error=f"Not sent: {why}",
                    claimed_until=None,
                )
        return True
    if earliest == now:
        return False
    ours.update(
        status=OutboxMessage.Status.PENDING,
        due_at=earliest,
        attempts=F("attempts") - 1,
        claimed_until=None,
    )
    return True


def _send_claimed(reminder: OutboxMessage, token: uuid.UUID) -> bool:
    ours = OutboxMessage.objects.filter(
        pk=reminder.pk, status=OutboxMessage.Status.SENDING, claim_token=token
    )
    now = timezone.now()
    # Still ours, still live, and not cancelled since the batch was read: asked of the row
    # itself, just before sending.
    if not ours.filter(claimed_until__gt=now).exists():
        return False
    if not reminder.wanted:
        ours.update(
            status=OutboxMessage.Status.CANCELLED,
            last_error=(
                "Not sent: the recipient's contact details or restrictions changed after it "
                "was queued"
                if not reminder.on_route
                else "Not sent: the session is off, or the recipient may no longer be contacted"
            ),
            claimed_until=None,
        )
        return False
    if _held_back(reminder, ours, now):
        return False
    try:
        provider_id = _send(reminder)
    except Exception as error:  # noqa: BLE001 - any provider failure is retried, then reported
        failed = reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS
        logger.warning("reminder %s attempt %s failed: %s", reminder.pk, reminder.attempts, error)
        ours.update(
            status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.PENDING,
            due_at=timezone.now() + backoff(reminder.attempts),
            last_error=str(error)[:300],
            claimed_until=None,
        )
        return False
    # It has gone: recorded as sent even if its session was cancelled while it was going.
    _mark_sent(reminder, token, provider_id)
    return True


# Marking a row sent and appending its audit event, in one statement: the event is written if
# and only if the row was still this run's claim (else the run that took it over sends it and
# records it), and it costs no extra round trip to the database, on which the rate depends.
MARK_SENT_SQL = """
WITH sent AS (
    UPDATE {outbox} SET status = %(sent)s, sent_at = %(now)s, provider_message_id = %(provider)s,
        claimed_until = NULL, last_error = ''
    WHERE id = %(pk)s AND claim_token = %(token)s
    RETURNING id
)
INSERT INTO {audit} (at, actor_id, actor_username, action, object_type, object_id,
    object_repr, case_reference, ip, detail)
SELECT %(now)s, NULL, '', %(action)s, %(type)s, sent.id::text, %(repr)s, %(reference)s, NULL,
    %(detail)s::jsonb
FROM sent
"""


def _mark_sent(reminder: OutboxMessage, token: uuid.UUID, provider_id: str) -> None:
    """Mark the row sent, and record its sending in the audit trail, which nothing rewrites:
    the row is the working record (retention later clears its address and context), the event
    the lasting one that message #N, of this kind, by this channel, went at this time — to whom
    and saying what stay out of it (the case reference and the row's recipient say enough)."""
    if reminder.session_id:
        reference = reminder.session.case.reference
    else:
        reference = str(reminder.context.get("reference", ""))[:20]
    sql = MARK_SENT_SQL.format(
        outbox=connection.ops.quote_name(OutboxMessage._meta.db_table),
        audit=connection.ops.quote_name(AuditEvent._meta.db_table),
    )
    detail = {"sent": reminder.kind, "channel": reminder.channel, "attempt": reminder.attempts}
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "sent": OutboxMessage.Status.SENT,
                "now": timezone.now(),
                "provider": provider_id[:200],
                "pk": reminder.pk,
                "token": token,
                "action": AuditEvent.Action.CHANGE,
                "type": OutboxMessage._meta.label_lower,
                "repr": f"Outbox message #{reminder.pk}",
                "reference": reference,
                "detail": json.dumps(detail),
            },
        )


def dispatch_due(*, batch: int = 100, max_seconds: float = 50) -> int:
    """Send everything due, batch by batch, for at most ``max_seconds``; return how many."""
    deadline = time.monotonic() + max_seconds
    sent = 0
    while time.monotonic() < deadline:
        claimed = claim(batch)
        if not claimed:
            break
        sent += send_claim(claimed)
    return sent
