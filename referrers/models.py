"""Referring organisations (housing providers, councils' ASB teams, police, schools) and the
people at them, kept as records so that a case can say who referred it and the referrer can be
told, with the parties' consent, how it went (referrers.updates)."""

from django.db import models
from django.db.models.functions import Upper

from wkm.personal_data import PersonalData


class Referrer(models.Model):
    """An organisation that refers cases. Retired, not deleted: its cases keep pointing at it."""

    name = models.CharField(max_length=200)
    # The referral source it usually is (a code of the editable list of referral sources).
    kind = models.CharField("usually referred as", max_length=30, blank=True)
    email = models.EmailField("general email", blank=True)
    phone = models.CharField("general phone", max_length=30, blank=True)
    address = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(
        not_personal=(
            "id",
            "name",
            "kind",
            "email",
            "phone",
            "address",
            "notes",
            "retired_at",
            "created_at",
        ),
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Upper("name"), name="referrer_name_once"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def kind_label(self) -> str:
        """The referral source it usually is, in words ("" when not said), by the editable list."""
        from cases import lists

        return lists.label(lists.REFERRAL_SOURCE, self.kind)

    @property
    def phone_display(self) -> str:
        from parties.validators import display_phone

        return display_phone(self.phone)


class ReferrerContact(models.Model):
    """A person at a referring organisation: who referred, and who hears about the case. Their
    work details, not the details of someone the service works with: kept while they refer,
    retired or corrected by a coordinator (wkm.personal_data.NOT_DECLARED)."""

    referrer = models.ForeignKey(Referrer, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    # Whether this person is sent the updates on the cases they referred (referrers.updates).
    receives_updates = models.BooleanField("sent case updates", default=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["referrer", "name"], name="referrer_contact_idx")]

    def __str__(self):
        return f"{self.name} ({self.referrer})"

    @property
    def can_be_sent_updates(self) -> bool:
        """They have an email address or a mobile number to send updates to
        (referrers.updates.route)."""
        from .updates import route

        return route(self) is not None

    @property
    def phone_display(self) -> str:
        from parties.validators import display_phone

        return display_phone(self.phone)
