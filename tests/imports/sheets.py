"""Volunteers sheets for the tests and the benchmark: valid rows, as CSV or XLSX."""

from __future__ import annotations

import csv
import datetime
import io

from django.utils import timezone
from openpyxl import Workbook

from imports.volunteers_sheet import VolunteersSheet

COLUMNS = [column.name for column in VolunteersSheet.columns]


def volunteer_row(n: int, **changes) -> dict:
    """A valid row: a volunteer with a current enhanced DBS check and the community course."""
    issued = timezone.localdate() - datetime.timedelta(days=200)
    row = {
        "volunteer_id": f"V-{n:05d}",
        "first_name": f"Sam{n}",
        "last_name": "Patel",
        "email": f"sam{n}@example.org",
        "phone": "07911 123456",
        "address": f"{n} High Street, Tonbridge",
        "postcode": "TN9 1AA",
        "languages": "English",
        "status": "in training",
        "notes": "",
        "dbs_certificate_number": f"{n:012d}",
        "dbs_issue_date": issued.strftime("%d/%m/%Y"),
        "dbs_enhanced": "yes",
        "dbs_update_service": "no",
        "dbs_last_status_check": "",
        "training_hours": "40",
        "training_completed": issued.isoformat(),
    }
    row.update(changes)
    return row


def as_csv(rows: list[dict], columns=None, *, encoding="utf-8") -> bytes:
    columns = columns or COLUMNS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    return out.getvalue().encode(encoding)


def as_xlsx(rows: list[dict], columns=None, *, typed=False) -> bytes:
    """``typed``: dates as date cells and hours as numbers, as a spreadsheet typed by hand."""
    columns = columns or COLUMNS
    book = Workbook()
    sheet = book.active
    sheet.title = "Volunteers"
    sheet.append(columns)
    for row in rows:
        cells = []
        for name in columns:
            value = row.get(name, "")
            if typed and name == "training_hours" and value:
                value = float(value)
            elif typed and name == "dbs_issue_date" and value:
                day, month, year = (int(part) for part in value.split("/"))
                value = datetime.datetime(year, month, day)  # noqa: DTZ001 - a spreadsheet's
            cells.append(value if value != "" else None)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
