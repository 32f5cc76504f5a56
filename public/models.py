"""The public pages keep one small record of their own: when a form was sent from an address,
and the nonce of the token it used (so that a token sends one form).

Only a salted SHA-256 of the IP address is stored, never the address itself, and rows older than
a day are deleted as new ones arrive (public.spam). Everything a person types goes through the
domain services into a case or a volunteer record.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class PublicSubmission(models.Model):
    class Form(models.TextChoices):
        REFERRAL = "referral", "Self-referral"
        VOLUNTEER = "volunteer", "Volunteer application"

    form = models.CharField(max_length=20, choices=Form.choices)
    ip_hash = models.CharField("IP address (salted SHA-256)", max_length=64)
    at = models.DateTimeField(default=timezone.now)
    # A submission caught by the spam defences: counted for the rate limit, nothing saved.
    discarded = models.BooleanField(default=False)
    # The random nonce of the form's signed token (public.spam): a token sends one form.
    token_nonce = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["ip_hash", "-at"], name="public_submission_ip_idx"),
            models.Index(fields=["-at"], name="public_submission_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["token_nonce"],
                condition=~Q(token_nonce=""),
                name="public_submission_token_once",
            )
        ]

    def __str__(self):
        return f"{self.get_form_display()} at {self.at:%Y-%m-%d %H:%M}"
