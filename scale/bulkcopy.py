"""Writing many rows fast: PostgreSQL COPY … FROM STDIN through Django's own connection.

A ``CopyTable`` takes rows as keyword arguments named after a model's fields (attnames, e.g.
``case_id``), fills whatever a row leaves out from the model's field defaults, and sends them
to the server in chunks with ``copy_expert``. Ids are assigned here, above the table's current
maximum, with the table locked against other writers, so rows can refer to each other before
they are sent; the id sequence is moved past them at the end. Django's foreign keys are
DEFERRABLE INITIALLY DEFERRED, so the order in which tables are sent does not matter inside
the one transaction: every reference is checked at commit.

COPY does not pass through Django's execute wrappers, so anything that relies on them (such as
``pgtrigger.ignore``) must have set its transaction-local variables before the first COPY.
"""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

from django.db import connection, models

# Table and column names below come from the models, never from input: S608 does not apply.

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}")
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value).translate(_ESCAPES)
    raise TypeError(f"cannot COPY a {type(value).__name__}: {value!r}")


class CopyTable:
    flush_rows = 20_000

    def __init__(self, model, cursor):
        meta = model._meta
        self.model = model
        self.cursor = cursor
        self.table = meta.db_table
        fields = list(meta.concrete_fields)
        self.keys = [f.attname for f in fields]
        quote = connection.ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in fields)
        self.pk = meta.pk.attname
        self.auto_pk = isinstance(meta.pk, models.AutoField)
        self.defaults = {}
        for f in fields:
            if f.primary_key:
                continue
            if f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif f.blank and isinstance(f, models.CharField | models.TextField):
                self.defaults[f.attname] = ""
        self.lines: list[str] = []
        self.count = 0
        self.next_id = 1
        self._checked = False

    def lock(self) -> None:
        """Keep other writers out until commit, and start our ids above the existing rows."""
        quote = connection.ops.quote_name
        self.cursor.execute(f"LOCK TABLE {quote(self.table)} IN SHARE ROW EXCLUSIVE MODE")
        if self.auto_pk:
            self.cursor.execute(
                f"SELECT COALESCE(MAX({quote(self.pk)}), 0) FROM {quote(self.table)}"  # noqa: S608
            )
            self.next_id = self.cursor.fetchone()[0] + 1

    def add(self, **values) -> int | None:
        if self.auto_pk and self.pk not in values:
            values[self.pk] = self.next_id
            self.next_id += 1
        if not self._checked:
            unknown = set(values) - set(self.keys)
            if unknown:
                raise ValueError(f"{self.table}: unknown columns {sorted(unknown)}")
            self._checked = True
        try:
            row = [values[k] if k in values else self.defaults[k] for k in self.keys]
        except KeyError as error:
            raise ValueError(f"{self.table}: no value for {error.args[0]}") from None
        self.lines.append("\t".join(map(copy_text, row)))
        self.count += 1
        if len(self.lines) >= self.flush_rows:
            self.flush()
        return values.get(self.pk)

    def flush(self) -> None:
        if not self.lines:
            return
        data = io.StringIO("\n".join(self.lines) + "\n")
        self.lines = []
        self.cursor.copy_expert(f"COPY {self.table} ({self.columns}) FROM STDIN", data)

    def finish(self) -> None:
        self.flush()
        if self.auto_pk and self.count:
            quote = connection.ops.quote_name
            latest = f"SELECT MAX({quote(self.pk)}) FROM {quote(self.table)}"  # noqa: S608
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), ({latest}))", [self.table, self.pk]
            )
