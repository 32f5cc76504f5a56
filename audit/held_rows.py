"""Append-only rows (the audit trail, a case's timeline) held back and written in one INSERT at
the end of a unit of work.

The audit trail (audit.services) and a case's timeline (cases.timeline) are written a row at a
time by each service, which is right for one coordinator's click and costly for a sheet of
2,500 cases moved through every step of their lifecycle: a third of an import's inserts. While a
unit of work is ``held()``, those rows are kept in memory and written together when it ends, in
the same transaction, so they commit or roll back with what they record.

Only for rows nobody reads back before the unit ends (the import's services never read the
audit trail or the timeline) and only inside a transaction: if the block raises, the held rows
are dropped, and the caller's transaction or savepoint must be rolled back too (the import's
runner rolls back every refused group), or something would be saved that nothing recorded.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db import transaction


class HeldRows:
    """Rows of one model that may be held back; one instance per model, shared by a process
    (each thread, or task, holds its own: a context variable)."""

    def __init__(self, model):
        self.model = model
        self._rows = contextvars.ContextVar(f"held {model._meta.label_lower}", default=None)

    def add(self, rows: list) -> bool:
        """Keep ``rows`` (unsaved instances) if a unit of work is holding them; False if not,
        and the caller writes them itself."""
        held = self._rows.get()
        if held is None:
            return False
        held.extend(rows)
        return True

    @contextmanager
    def held(self):
        """Hold the rows written inside, and write them in one INSERT at the end. Nested, the
        outermost writes them."""
        if self._rows.get() is not None:
            yield
            return
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Held rows must be written in the transaction they record.")
        token = self._rows.set([])
        try:
            yield
            rows = self._rows.get()
            self._rows.set(None)
            if rows:
                self.model.objects.bulk_create(rows)
        finally:
            self._rows.reset(token)
