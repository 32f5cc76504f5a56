"""Mediation sessions, their calendar feeds and the service-wide settings they depend on.

Writes go through sessions.services (booking rules), which asks notifications.outbox to write
the reminders in the same transaction.
"""

import secrets

import pghistory
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wkm.personal_data import PersonalData


@pghistory.track(append_only=True)
class MediationSession(models.Model):
    class Kind(models.TextChoices):
        INTAKE = "intake", "Intake visit"
        SEPARATE = "separate", "Separate meeting"
        JOINT = "joint", "Joint meeting"
        SHUTTLE = "shuttle", "Shuttle mediation"
        FOLLOW_UP = "follow_up", "Follow-up"
        RESTORATIVE = "restorative", "Restorative conference"

    class Mode(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        OFFICE = "office", "At the office"
        NEUTRAL_VENUE = "neutral_venue", "Neutral venue"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video call"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"

    # Joint work: the parties meet, or the mediators carry words between them. None of it happens
    # until every party has consented, and a withdrawal stops it (rule 7).
    JOINT_KINDS = (Kind.JOINT, Kind.SHUTTLE, Kind.RESTORATIVE)

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    venue = models.CharField(
        "venue or joining details",
        max_length=300,
        blank=True,
        help_text="The address of the venue, or how to join a call. Not needed for home visits.",
    )
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    mediators = models.ManyToManyField(
        "volunteers.Volunteer", related_name="sessions", verbose_name="mediators attending"
    )
    parties = models.ManyToManyField(
        "parties.Party", related_name="sessions", verbose_name="parties attending"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    notes = models.TextField(
        "confidential notes", blank=True, help_text="Seen by the case team only."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(
        personal=("venue", "notes"),
        not_personal=(
            "id",
            "case",
            "kind",
            "mode",
            "starts_at",
            "ends_at",
            "status",
            "created_by",
            "created_at",
        ),
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "mediation session"
        indexes = [
            models.Index(fields=["case", "starts_at"], name="session_case_idx"),
            # Each case's first session held (the timeliness report).
            models.Index(
                fields=["case", "starts_at"],
                condition=models.Q(status="held"),
                name="session_held_idx",
            ),
            models.Index(fields=["status", "starts_at"], name="session_status_idx"),
            models.Index(fields=["mode", "status", "starts_at"], name="session_mode_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.case}"

    def get_absolute_url(self):
        return reverse(
            "cases:session_detail", kwargs={"reference": self.case.reference, "pk": self.pk}
        )

    @property
    def audit_repr(self) -> str:
        return f"Session #{self.pk}"

    @property
    def case_reference_for_audit(self) -> str:
        return self.case.reference

    @property
    def is_upcoming(self) -> bool:
        return self.status == self.Status.SCHEDULED and self.starts_at > timezone.now()


class ServiceSettings(models.Model):
    """Service-wide switches set by administrators; one row (pk=1), read with ``current()``."""

    home_visits_suspended = models.BooleanField(default=False)
    home_visits_reason = models.CharField(
        "reason", max_length=300, blank=True, help_text="Shown in the banner to every user."
    )
    home_visits_suspended_from = models.DateField("suspended from", null=True, blank=True)
    home_visits_suspended_until = models.DateField(
        "suspended until", null=True, blank=True, help_text="Leave empty until further notice."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "service settings"
        verbose_name_plural = "service settings"

    def __str__(self):
        return "Service settings"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    CACHE_KEY = "service-settings"
    CACHE_SECONDS = 30

    @classmethod
    def current(cls) -> "ServiceSettings":
        """The settings, read fresh (for rules). A missing row means nothing is switched on."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def cached(cls) -> "ServiceSettings":
        """The settings for display (the banner on every page): at most CACHE_SECONDS old in
        other processes; saving clears this process's copy at once."""
        service = cache.get(cls.CACHE_KEY)
        if service is None:
            service = cls.current()
            cache.set(cls.CACHE_KEY, service, cls.CACHE_SECONDS)
        return service

    def home_visits_suspended_on(self, day) -> bool:
        if not self.home_visits_suspended:
            return False
        if self.home_visits_suspended_from and day < self.home_visits_suspended_from:
            return False
        return not (self.home_visits_suspended_until and day > self.home_visits_suspended_until)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A mediator's private iCalendar address. Revoking it replaces the token."""

    volunteer = models.OneToOneField(
        "volunteers.Volunteer", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar of {self.volunteer}"
