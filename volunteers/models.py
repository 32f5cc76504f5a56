"""Volunteers: the people who mediate, always in pairs."""

import pghistory
from django.conf import settings
from django.db import models


@pghistory.track(append_only=True)
class Volunteer(models.Model):
    class Status(models.TextChoices):
        APPLICANT = "applicant", "Applicant"
        IN_TRAINING = "in_training", "In training"
        TRAINEE = "trainee", "Trainee"
        MEDIATOR = "mediator", "Mediator"
        INACTIVE = "inactive", "Inactive"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        help_text="The login this volunteer uses, if they have one.",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLICANT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_trainee(self) -> bool:
        return self.status == self.Status.TRAINEE
