"""Reading a cell's text as a date, a yes/no or a number, the same way for every sheet.

Spreadsheets kept by hand write the same thing many ways: a date as 23/11/2026 (en-GB, what
Excel shows here) or 2026-11-23 (ISO, what the XLSX reader gives for a date cell and what other
systems export); yes as Yes, Y, TRUE or 1. Each function raises ``ValueError`` with words for
the administrator, which the sheet turns into a problem on that row and column.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from wkm.request_limits import LONG_TEXT_MAX_CHARS

YES = frozenset({"yes", "y", "true", "1", "x"})  # "x": a ticked column
NO = frozenset({"no", "n", "false", "0"})
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# An ISO date, perhaps with the midnight a spreadsheet added ("2026-11-23 00:00:00").
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def parse_date(text: str) -> datetime.date | None:
    """23/11/2026 or 2026-11-23; None for an empty cell."""
    text = text.strip()
    if not text:
        return None
    if match := _UK_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"“{text}” is not a date: write it as 23/11/2026 or 2026-11-23.")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        # 11/23/2026 is most often a month written first: say the form wanted.
        raise ValueError(
            f"“{text}” is not a date in the calendar: write it as 23/11/2026 or 2026-11-23."
        ) from None


def parse_yes_no(text: str, *, default: bool | None = None) -> bool | None:
    """yes/no, y/n, true/false, 1/0, or x for yes (any case); ``default`` for an empty cell."""
    value = text.strip().lower()
    if not value:
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(f"“{text}” is not yes or no: write yes or no.")


def parse_decimal(text: str) -> Decimal | None:
    """A number such as 40 or 37.5; None for an empty cell."""
    value = text.strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a number.") from None
    if not number.is_finite():
        raise ValueError(f"“{text}” is not a number.")
    return number


def too_long(text: str, limit: int | None = None) -> str:
    """The words a form says of a box typed past its limit (``limit``: a model field's
    max_length; else LONG_TEXT_MAX_CHARS, every form's longest box); "" when it fits. Without
    this a pasted cell would go in longer than the record's own edit form then takes."""
    try:
        MaxLengthValidator(limit or LONG_TEXT_MAX_CHARS)(text)
    except ValidationError as error:
        return error.messages[0]
    return ""


def max_lengths(model, fields_by_column: dict[str, str]) -> dict[str, int]:
    """Each column's model field's max_length, for the columns written as typed to a CharField
    (a choice's cell is a name read to its code, and checked as one)."""
    limits = {}
    for column, name in fields_by_column.items():
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if limit and not field.choices:
            limits[column] = limit
    return limits
