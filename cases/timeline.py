"""What happened to a case, told on its timeline in plain words, beside the notes people write.

Each service that changes a case says so here, once, with names rather than ids ("Alice Carter
consented to take part in mediation (verbally)"), so the case page tells the whole story; the
audit trail keeps the exact record of who changed what. Entries are of kind EVENT, which is not
contact (cases.models.CONTACT_KINDS), and are never private to a party.
"""

import datetime

from django.utils import timezone

from audit.held_rows import HeldRows

from .models import ContactLogEntry

# While a sheet's case is imported, its lines are written together (audit.held_rows).
HELD_LINES = HeldRows(ContactLogEntry)
lines_held = HELD_LINES.held


def log(case, text: str, *, by, when: datetime.datetime | None = None, party=None):
    return log_many(case, [(text, when, party)], by=by)[0]


def log_many(case, lines: list[tuple[str, datetime.datetime | None, object]], *, by):
    """Several lines at once (one INSERT): ``lines`` of (text, when, party), as ``log`` takes
    them, for a service that does several things to a case in one go."""
    now = timezone.now()
    entries = [
        ContactLogEntry(
            case=case,
            kind=ContactLogEntry.Kind.EVENT,
            party=party,
            text=text,
            occurred_at=when or now,
            author=by,
        )
        for text, when, party in lines
    ]
    if HELD_LINES.add(entries):
        return entries
    return ContactLogEntry.objects.bulk_create(entries)
