"""Retention of messages that have gone: who they went to and what they said are kept for
OUTBOX_RETENTION_DAYS, then cleared.

A message that has ended (sent, failed or cancelled) is needed for a while: the session page
shows what was sent to whom, a coordinator looks into a failure, a party asks whether they were
told. After that its address (an email address or a phone number), its context (names of
volunteers, case references, session times and places: what the wording was made from) and its
last error (a provider's error often quotes the address) are personal data kept for no purpose.
Staff notices (DBS warnings, digests, follow-ups) are included: their context lists volunteers
and cases by name and reference. What stays is that a message of that kind went by that channel
at that time, to a party, volunteer or staff account (the link, governed by that record's own
retention), and ``scrubbed_at``: enough for the session page and the statistics.

When did a message end? A sent one when it was sent (``sent_at``). A failed one at its last
attempt (``due_at`` is moved on at each retry). A cancelled one was never sent: it counts from
the time it was due, so one cancelled long before its session is kept until that much after the
session would have been reminded of. The cut is at local midnight: a message that ended on
1 March is cleared by the run of 31 May with the default 90 days, not before.

Pending and sending messages are never touched: they are still to go, and need their address.
Ended messages never go back to pending, so clearing one cannot race the dispatcher.

Cases anonymised under the case retention rule (privacy.services) have their messages cleared
there, whatever their age; this is the shorter rule for every message.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event

from .models import OutboxMessage

ENDED = (
    OutboxMessage.Status.SENT,
    OutboxMessage.Status.FAILED,
    OutboxMessage.Status.CANCELLED,
)


def cutoff(today: datetime.date | None = None) -> datetime.datetime:
    """Messages that ended before this moment are past retention: local midnight at the start
    of the day OUTBOX_RETENTION_DAYS before ``today``."""
    today = today or timezone.localdate()
    day = today - datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def due_q(before: datetime.datetime) -> Q:
    """Ended before ``before`` and not cleared yet. The conditions on status, scrubbed_at and
    due_at are those of the partial index ``outbox_retention_idx``, so the daily run reads only
    the messages it clears, however many were cleared before. A sent message was sent after it
    was due, so ``due_at`` before the cut holds for every sent one that ``sent_at`` selects."""
    return Q(
        status__in=ENDED,
        scrubbed_at__isnull=True,
        due_at__lt=before,
    ) & (Q(sent_at__isnull=True) | Q(sent_at__lt=before))


def messages_due(today: datetime.date | None = None):
    return OutboxMessage.objects.filter(due_q(cutoff(today)))


def count_due(today: datetime.date | None = None) -> dict[str, int]:
    """How many messages would be cleared, by kind (for ``apply_retention --dry-run``)."""
    rows = (
        messages_due(today)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return dict(sorted(rows))


def _clear_returning_kinds(rows, now: datetime.datetime) -> dict[str, int]:
    """One UPDATE of ``rows`` (clearing the declared personal fields, wkm.personal_data, and
    setting scrubbed_at), counted by kind from its RETURNING: one statement however many rows,
    and the counts are exactly the rows it changed. Django's own compiler writes the UPDATE,
    so the values are prepared as ``QuerySet.update`` would."""
    query = rows.query.chain(UpdateQuery)
    query.add_update_values(OutboxMessage.personal_data.cleared() | {"scrubbed_at": now})
    sql, params = query.get_compiler(rows.db).as_sql()
    connection = connections[rows.db]
    kind = connection.ops.quote_name(OutboxMessage._meta.get_field("kind").column)
    # Django's own UPDATE, and a column name of the model: the values are parameters.
    count = f"SELECT {kind}, count(*) FROM cleared GROUP BY {kind}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"WITH cleared AS ({sql} RETURNING {kind}) {count}", params)
        return dict(sorted(cursor.fetchall()))


def scrub_old_messages(
    *, by=None, today: datetime.date | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Clear the address, context and last error of every message that ended more than
    OUTBOX_RETENTION_DAYS ago, in one statement, and record it in the audit trail (counts
    only). Returns how many, by kind; with ``dry_run``, how many would be, changing nothing.
    Running it again the same day clears, and records, nothing more."""
    if dry_run:
        return count_due(today)
    with transaction.atomic():
        counts = _clear_returning_kinds(messages_due(today), timezone.now())
        if counts:
            record_event(
                action=AuditEvent.Action.DELETE,
                actor=by,
                object_repr="Outbox messages",
                detail={
                    "cleared": "outbox retention",
                    "days": settings.OUTBOX_RETENTION_DAYS,
                    "messages": sum(counts.values()),
                    "by_kind": counts,
                },
            )
    return counts
