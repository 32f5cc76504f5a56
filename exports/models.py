"""A file made by the worker for one user: what was asked, how far it got, and the file.

The file's bytes are kept in the row (``content``, a PostgreSQL ``bytea``), not on a disk: the
web servers and the workers may run on different machines, and only the database is shared by
all of them. Exports are small (a summary PDF is about 100 KB, a CSV of 100,000 cases a few
MB, capped by ``EXPORT_MAX_BYTES``; everything the service holds, 63 MB at 100,000 cases, has
its own cap, ``EXPORT_EVERYTHING_MAX_BYTES``) and live a day, and deleting the row deletes the
file with it, in the same transaction: no file left behind on a disk when a row goes, nor a
row whose file went missing. Pages that list exports never load the bytes (``without_content``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def _in_a_day():
    return timezone.now() + datetime.timedelta(seconds=settings.EXPORT_KEEP_SECONDS)


class ExportQuerySet(models.QuerySet):
    def without_content(self):
        return self.defer("content")

    def current(self):
        """Not yet expired: what its requester may still see and download."""
        return self.filter(expires_at__gt=timezone.now())

    def unfinished(self):
        return self.filter(status__in=(Export.Status.QUEUED, Export.Status.RUNNING))


class Export(models.Model):
    """One file asked for by ``requester``, built by ``exports.tasks.build_export``.

    Queued → running → ready (``content`` holds the file) or failed (``error`` says why, in
    words for the requester). Only the requester ever sees it (``exports.selectors``), until
    ``expires_at``; the daily clean-up deletes it after that.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    # A key of exports.kinds.KINDS, e.g. "trustees_summary".
    kind = models.CharField(max_length=40)
    # What the builder needs, as validated when asked (e.g. {"start": ..., "end": ...}).
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    progress_text = models.CharField(max_length=200, blank=True)
    # How many times a worker has claimed it; a worker finishes only its own attempt.
    attempts = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=_in_a_day)

    objects = ExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="export_requester_idx"),
            models.Index(fields=["expires_at"], name="export_expires_idx"),
            models.Index(
                fields=["status", "created_at"],
                name="export_unfinished_idx",
                condition=models.Q(status__in=("queued", "running")),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="export_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(content__isnull=False),
                name="export_ready_has_content",
            ),
        ]

    def __str__(self):
        return f"{self.title} #{self.pk}"

    def get_absolute_url(self):
        return reverse("exports:detail", args=[self.pk])

    @property
    def audit_repr(self) -> str:
        return f"Export #{self.pk} ({self.title})"

    @property
    def title(self) -> str:
        from .kinds import title_of

        return title_of(self.kind)

    @property
    def description(self) -> str:
        """What was asked, in words (the period of a report), for the lists and the page."""
        from .kinds import describe

        return describe(self.kind, self.parameters)

    @property
    def is_unfinished(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
