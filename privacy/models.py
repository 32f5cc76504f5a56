"""Data protection: subject access requests, and a record of every anonymisation.

The rules (what retention keeps and removes, what an export may hold) live in privacy.services
and privacy.export; this module holds the data only.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def due_date(requested_on):
    """One calendar month to answer (UK GDPR art. 12(3)); relativedelta keeps it in the next
    month when that month is shorter (31 January -> 28 or 29 February)."""
    return requested_on + relativedelta(months=1)


class SubjectAccessRequest(models.Model):
    """A person asked what we hold about them (and possibly for it to be erased).

    ``parties`` and ``volunteers`` are the records the coordinator found to be that person; the
    export and the erasure work on exactly those.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"
        REFUSED = "refused", "Refused"

    subject_name = models.CharField(
        "name of the person", max_length=200, help_text="Who the request is about."
    )
    requester = models.CharField(
        "who asked, and how",
        max_length=300,
        help_text="For example: the person themselves, by letter; or their solicitor, by email.",
    )
    requested_on = models.DateField("received on")
    due_on = models.DateField("answer due by", editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField("completed or refused on", null=True, blank=True)
    notes = models.TextField(blank=True)
    parties = models.ManyToManyField("parties.Party", blank=True, related_name="+")
    volunteers = models.ManyToManyField("volunteers.Volunteer", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = "subject access request"
        indexes = [models.Index(fields=["status", "due_on"], name="sar_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(completed_on__isnull=False),
                name="sar_closed_has_date",
            ),
        ]

    def __str__(self):
        return f"Subject access request #{self.pk}"

    def save(self, *args, **kwargs):
        if self.requested_on:
            self.due_on = due_date(self.requested_on)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("privacy:request_detail", kwargs={"pk": self.pk})

    @property
    def audit_repr(self) -> str:
        return f"Subject access request #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def days_left(self) -> int:
        return (self.due_on - timezone.localdate()).days


class Anonymisation(models.Model):
    """What was anonymised, when and why: a whole case (``party`` empty) under the retention
    policy, one party's records on an erasure request, or a volunteer's record. It holds no
    personal data, and it is what makes retention idempotent (a case anonymised once is not
    looked at again)."""

    class Reason(models.TextChoices):
        RETENTION = "retention", "Retention period ended"
        ERASURE = "erasure", "Erasure requested"

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    party = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    request = models.ForeignKey(
        SubjectAccessRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="anonymisations",
    )
    counts = models.JSONField(default=dict, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-performed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, volunteer__isnull=True)
                | models.Q(case__isnull=True, party__isnull=True, volunteer__isnull=False),
                name="anonymisation_case_or_volunteer",
            ),
            # A whole case is anonymised under the retention policy once.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(party__isnull=True, case__isnull=False),
                name="anonymisation_case_once",
            ),
            models.UniqueConstraint(
                fields=["party"],
                condition=models.Q(party__isnull=False),
                name="anonymisation_party_once",
            ),
            models.UniqueConstraint(
                fields=["volunteer"],
                condition=models.Q(volunteer__isnull=False),
                name="anonymisation_volunteer_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} at {self.performed_at:%Y-%m-%d}"
