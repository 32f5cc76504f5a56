"""Parties: the people in a case, and the consent each gives."""

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from wkm.personal_data import PersonalData

from .validators import display_phone, normalise_phone, normalise_postcode


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    AGE_18_24 = "18_24", "18–24"
    AGE_25_44 = "25_44", "25–44"
    AGE_45_64 = "45_64", "45–64"
    AGE_65_PLUS = "65_plus", "65 or over"
    NOT_SAID = "not_said", "Prefer not to say"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    OTHER = "other", "In another way"
    NOT_SAID = "not_said", "Prefer not to say"


class Ethnicity(models.TextChoices):
    """The five broad groups of the census for England and Wales."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_SAID = "not_said", "Prefer not to say"


class Disability(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SAID = "not_said", "Prefer not to say"


@pghistory.track(append_only=True)
class Party(models.Model):
    class Role(models.TextChoices):
        FIRST_PARTY = "first_party", "First party (referred)"
        OTHER_PARTY = "other_party", "Other party"
        FAMILY_MEMBER = "family_member", "Family member"
        SUPPORTER = "supporter", "Supporter"
        OTHER = "other", "Other"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone call"
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="parties")
    full_name = models.CharField(max_length=200)
    role = models.CharField("role in the dispute", max_length=20, choices=Role.choices)
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, help_text="For example TN9 1AA.")
    phone = models.CharField(
        max_length=20, blank=True, help_text="A UK number, for example 01732 123456."
    )
    email = models.EmailField(blank=True)
    preferred_contact = models.CharField(
        "preferred contact method", max_length=10, choices=ContactMethod.choices
    )
    preferred_times = models.CharField(
        "safe times to contact",
        max_length=200,
        blank=True,
        help_text="For example: weekdays after 6pm.",
    )
    contact_restrictions = models.TextField(
        blank=True, help_text="For example: do not leave voicemail; do not write to the address."
    )
    no_text_messages = models.BooleanField(
        "do not send text messages", default=False, help_text="No reminders by text either."
    )
    no_email = models.BooleanField("do not email", default=False)
    language = models.CharField("preferred language", max_length=100, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    accessibility_needs = models.TextField(blank=True)
    under_18 = models.BooleanField("under 18", default=False)
    guardian_name = models.CharField("parent or guardian's name", max_length=200, blank=True)
    guardian_contact = models.CharField(
        "parent or guardian's phone or email", max_length=200, blank=True
    )
    safeguarding_notes = models.TextField(blank=True)
    # Equality monitoring: optional, asked once, reported only in aggregate (small numbers hidden).
    age_band = models.CharField(
        "age band (equality monitoring)", max_length=20, choices=AgeBand.choices, blank=True
    )
    gender = models.CharField(
        "gender (equality monitoring)", max_length=20, choices=Gender.choices, blank=True
    )
    ethnicity = models.CharField(
        "ethnic group (equality monitoring)", max_length=20, choices=Ethnicity.choices, blank=True
    )
    disability = models.CharField(
        "disability (equality monitoring)", max_length=20, choices=Disability.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(
        contact=("address_line1", "address_line2", "town", "postcode", "phone", "email"),
        personal=(
            "full_name",
            "preferred_times",
            "contact_restrictions",
            "language",
            "accessibility_needs",
            "guardian_name",
            "guardian_contact",
            "safeguarding_notes",
            "age_band",
            "gender",
            "ethnicity",
            "disability",
        ),
        kept=(
            "role",
            "preferred_contact",
            "no_text_messages",
            "no_email",
            "interpreter_needed",
            "under_18",
            "created_at",
        ),
        not_personal=("id", "case"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "parties"
        indexes = [
            # Postcode searches, whole or by district (LIKE 'TN3 %', whatever the database's
            # collation), straight to the cases: from the index alone.
            models.Index(
                fields=["postcode"],
                opclasses=["varchar_pattern_ops"],
                include=["case"],
                name="party_postcode_idx",
            ),
            # The equality report reads these four answers for the parties of the cases in a
            # period: from the index alone.
            models.Index(
                fields=["case"],
                include=["age_band", "gender", "ethnicity", "disability"],
                name="party_case_equality_idx",
            ),
            # Name search (icontains compares UPPER(full_name)) uses trigrams, not a scan; so
            # does the search for names spelt nearly right (word similarity, cases.search).
            GinIndex(OpClass(Upper("full_name"), name="gin_trgm_ops"), name="party_name_trgm_idx"),
            # A street searched for in the address lines ("Priory Road"), the same way.
            GinIndex(
                OpClass(Upper("address_line1"), name="gin_trgm_ops"),
                OpClass(Upper("address_line2"), name="gin_trgm_ops"),
                name="party_address_trgm_idx",
            ),
            # A phone number searched for, in its stored E.164 form.
            models.Index(fields=["phone"], include=["case"], name="party_phone_idx"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse(
            "cases:party_detail", kwargs={"reference": self.case.reference, "pk": self.pk}
        )

    @property
    def first_name(self) -> str:
        """What messages and other parties call them ("at Margaret's home"): the first word of
        the name, the only name a party record keeps."""
        return (self.full_name.split() or [""])[0]

    def clean(self):
        """Normalise postcode and phone, and check the details the chosen contact method needs."""
        errors = {}
        for name, normalise in (("postcode", normalise_postcode), ("phone", normalise_phone)):
            try:
                setattr(self, name, normalise(getattr(self, name)))
            except ValidationError as error:
                errors[name] = error.messages
        needs = {
            self.ContactMethod.PHONE: ("phone", "Give a phone number to be called on."),
            self.ContactMethod.SMS: ("phone", "Give a mobile number for text messages."),
            self.ContactMethod.EMAIL: ("email", "Give an email address to be emailed at."),
            self.ContactMethod.LETTER: ("postcode", "Give a postal address to be written to."),
        }
        if self.preferred_contact in needs:
            field, message = needs[self.preferred_contact]
            if not getattr(self, field) and field not in errors:
                errors[field] = [message]
        if self.under_18 and not self.guardian_name.strip():
            errors["guardian_name"] = ["Give the name of the parent or guardian of a child."]
        if errors:
            raise ValidationError(errors)

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def holds_every_consent(self) -> bool:
        """Every kind of consent given and not withdrawn (from prefetched consents)."""
        from .consent import current_kinds

        return len(current_kinds(self)) == len(Consent.Kind.choices)

    @property
    def audit_repr(self) -> str:
        return f"Party #{self.pk}"

    @property
    def case_reference_for_audit(self) -> str:
        return self.case.reference


@pghistory.track(append_only=True)
class Consent(models.Model):
    """One consent a party gave; withdrawing it sets withdrawn_at and keeps the record."""

    class Kind(models.TextChoices):
        MEDIATE = "mediate", "To take part in mediation"
        SHARE_DETAILS = "share_details", "To share contact details with the other party"
        DATA_PROCESSING = "data_processing", "To the processing of their personal data"
        # Not needed for mediation (parties.consent.REQUIRED_KINDS): only for the referrer to
        # hear how the case goes (referrers.updates), and only while every party holds it.
        UPDATE_REFERRER = "update_referrer", "To the referrer being told how the case progresses"

    class Method(models.TextChoices):
        VERBAL = "verbal", "Verbally"
        WRITTEN = "written", "In writing"

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    given_at = models.DateTimeField("given on")
    method = models.CharField("how", max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_method = models.CharField(
        "how it was withdrawn", max_length=10, choices=Method.choices, blank=True
    )
    withdrawal_note = models.CharField("note on the withdrawal", max_length=300, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    personal_data = PersonalData(
        personal=("notes", "withdrawal_note"),
        kept=("kind", "given_at", "method", "withdrawn_at", "withdrawn_method"),
        not_personal=("id", "party", "recorded_by", "withdrawn_recorded_by"),
    )

    class Meta:
        ordering = ["party", "kind", "-given_at"]
        indexes = [
            # Withdrawals (rules.checker, notifications.outbox): a few rows among many.
            models.Index(
                fields=["party", "kind"],
                condition=models.Q(withdrawn_at__isnull=False),
                name="consent_withdrawn_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_current_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.party_id})"

    def clean(self):
        if self.given_at and self.given_at > timezone.now():
            raise ValidationError({"given_at": "Consent cannot be given in the future."})

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None

    @property
    def audit_repr(self) -> str:
        return f"Consent #{self.pk}"
