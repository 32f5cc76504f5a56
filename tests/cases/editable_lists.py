"""What the editable lists' tests share: an entry, renaming and retiring through the service,
a report period, a CSV download's rows."""

import csv
import io

from cases import lists
from cases.models import ListEntry

PERIOD = {"start": "2026-10-01", "end": "2026-12-31"}


def entry(name, code) -> ListEntry:
    return ListEntry.objects.get(list=name, code=code)


def rename(name, code, label, by=None):
    return lists.entry_change(entry=entry(name, code), by=by, label=label)


def retire(code, by=None):
    return lists.entry_change(entry=entry(lists.REFERRAL_SOURCE, code), by=by, retired=True)


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode() if response.streaming else None
    text = text if text is not None else response.content.decode()
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
