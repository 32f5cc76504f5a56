"""One spreadsheet uploaded to be imported: the file, what checking it found, what importing did.

The uploaded bytes are kept in the row (``content``, a PostgreSQL ``bytea``), as exports keep
theirs: the web server that took the upload and the worker that reads it may be different
machines, and only the database is shared by all of them. A sheet holds personal data (names,
addresses, DBS numbers), so the bytes are kept no longer than needed: they go when the batch is
imported or discarded, and ``imports.services.delete_expired`` removes what is left a day after
the upload (``IMPORT_KEEP_SECONDS``). What remains is the record: who uploaded which file (its
SHA-256), when, and the counts. The "rest" spreadsheet (the rows not imported, with their
problems) lives as long, for the administrator to download.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def _in_a_day():
    return timezone.now() + datetime.timedelta(seconds=settings.IMPORT_KEEP_SECONDS)


class ImportBatchQuerySet(models.QuerySet):
    def without_content(self):
        return self.defer("content", "rest_content")


class ImportBatch(models.Model):
    """Waiting → checking → checked (the preview) → waiting to import → importing → imported;
    or failed (``error`` says why), or discarded by the administrator."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to be checked"
        CHECKING = "checking", "Being checked"
        CHECKED = "checked", "Checked"
        IMPORT_WAITING = "import_waiting", "Waiting to be imported"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        DISCARDED = "discarded", "Discarded"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", "Import every row, or nothing"
        VALID_ONLY = "valid", "Import the valid rows, give back the rest"

    # Being worked on by the worker: the page keeps checking.
    UNFINISHED = (Status.WAITING, Status.CHECKING, Status.IMPORT_WAITING, Status.IMPORTING)

    kind = models.CharField(max_length=40)  # a key of imports.registry.SHEETS
    file_name = models.CharField(max_length=200)
    format = models.CharField(max_length=4, choices=Format.choices)
    sha256 = models.CharField("SHA-256", max_length=64)
    # A CSV's: "utf-8", or "windows-1252" (Excel's plain CSV), which the preview mentions.
    encoding = models.CharField(max_length=20, blank=True)
    size = models.PositiveIntegerField()
    content = models.BinaryField(null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100, of the last run
    # How many times a worker has claimed it; a worker finishes only its own attempt.
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # [{"row": 3, "column": "email", "message": "..."}], row 1 being the header; of the check,
    # then of the import.
    problems = models.JSONField(default=list, blank=True)
    # The first rows as read, for the preview: [{"number": 2, "values": {...}}].
    sample = models.JSONField(default=list, blank=True)
    rows = models.PositiveIntegerField(default=0)  # rows read (not blank)
    records = models.PositiveIntegerField(default=0)  # groups of rows (volunteers, cases)
    valid = models.PositiveIntegerField(default=0)  # records that would go in (new, no problem)
    already_imported = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    mode = models.CharField(max_length=5, choices=Mode.choices, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The rows not imported (valid-rows-only), with a "problems" column, in the uploaded format.
    rest_content = models.BinaryField(null=True, blank=True, editable=False)
    rest_rows = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(default=_in_a_day)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "import"
        indexes = [
            models.Index(fields=["-uploaded_at"], name="import_uploaded_idx"),
            models.Index(fields=["expires_at"], name="import_expires_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="import_progress_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} #{self.pk}"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def audit_repr(self) -> str:
        return f"Import #{self.pk}"

    @property
    def sheet(self):
        from .registry import SHEETS

        return SHEETS.get(self.kind)

    @property
    def label(self) -> str:
        sheet = self.sheet
        return sheet.label if sheet else self.kind

    @property
    def is_unfinished(self) -> bool:
        return self.status in self.UNFINISHED

    @property
    def problem_rows(self) -> int:
        return len({p["row"] for p in self.problems})

    @property
    def may_import_all(self) -> bool:
        return self.status == self.Status.CHECKED and not self.problems and self.valid > 0

    @property
    def may_import_valid(self) -> bool:
        return self.status == self.Status.CHECKED and bool(self.problems) and self.valid > 0

    @property
    def may_discard(self) -> bool:
        return self.status in (self.Status.CHECKED, self.Status.FAILED)
