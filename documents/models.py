import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from wkm.personal_data import PersonalData


class GeneratedDocument(models.Model):
    """A PDF made for a case: stored with its SHA-256 and what it was made from, so what was
    sent can be shown later and checked byte for byte."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", "Agreement"
        INVITATION = "invitation", "Invitation letter"
        OUTCOME = "outcome", "Outcome letter"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    agreement = models.ForeignKey(
        "cases.Agreement", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    agreement_version = models.PositiveSmallIntegerField(null=True, blank=True)
    party = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The party a letter is addressed to.",
    )
    file = models.FileField(upload_to="documents/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "kind"], name="document_case_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.case}"

    @property
    def audit_repr(self) -> str:
        return f"Document #{self.pk}"

    @property
    def case_reference_for_audit(self) -> str:
        return self.case.reference

    @property
    def download_name(self) -> str:
        """The case reference and what it is, never a person's name."""
        suffix = f"-v{self.agreement_version}" if self.agreement_version else ""
        return f"{self.case.reference}-{self.kind}{suffix}.pdf"


def _random_name(instance, filename) -> str:
    """Stored under a random name with no extension: nothing of the person or of what the
    uploader called it reaches the disk, and nothing there can be guessed or run."""
    return f"case-files/{uuid.uuid4().hex}"


class CaseFileQuerySet(models.QuerySet):
    def present(self):
        """Not deleted: what the case page lists and may be downloaded."""
        return self.filter(deleted_at__isnull=True, removed_at__isnull=True)


class CaseFile(models.Model):
    """A file uploaded to a case: a referral form, a signed agreement scanned back, a letter.

    Its type was decided from its content when it came in (``content_type``, documents.uploads),
    never from its name. The bytes live in the default storage (``MEDIA_ROOT`` or an S3 bucket,
    private, outside the web root, reached only through the storage API) under a random name
    and are served only through the case's visibility. About one ``party``: rule 10 applies
    (never shown, exported or attached where another party could see it). Deleting is soft
    (``deleted_at`` with a reason); the bytes go at the case's retention or the party's erasure
    (``removed_at``)."""

    class Kind(models.TextChoices):
        REFERRAL_FORM = "referral_form", "Referral form"
        SIGNED_AGREEMENT = "signed_agreement", "Signed agreement"
        CORRESPONDENCE = "correspondence", "Correspondence"
        OTHER = "other", "Other"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField(max_length=200, blank=True)
    party = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name="about one party",
        help_text="Only this party's: never shown or sent where another party could see it.",
    )
    agreement = models.ForeignKey(
        "cases.Agreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scans",
        help_text="For a signed agreement: the version it is a scan of.",
    )
    # The uploader's file name made safe (documents.uploads.safe_name), with the extension of
    # the type its content has.
    name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_random_name, max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deletion_reason = models.CharField(max_length=500, blank=True)
    # When the bytes were removed from storage (retention or erasure); the row stays as a record
    # that there was a file.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = CaseFileQuerySet.as_manager()

    personal_data = PersonalData(
        personal=("description", "name", "deletion_reason"),
        kept=("kind", "uploaded_at"),
        not_personal=(
            "id",
            "case",
            "party",
            "agreement",
            "content_type",
            "size",
            "sha256",
            # A random storage name; the bytes themselves are removed with removed_at.
            "file",
            "uploaded_by",
            "deleted_at",
            "deleted_by",
            "removed_at",
        ),
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(
                fields=["case", "-uploaded_at"],
                condition=models.Q(deleted_at__isnull=True, removed_at__isnull=True),
                name="casefile_case_idx",
            ),
            models.Index(fields=["party"], name="casefile_party_idx"),
            models.Index(fields=["agreement"], name="casefile_agreement_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def audit_repr(self) -> str:
        return f"File #{self.pk}"

    @property
    def case_reference_for_audit(self) -> str:
        return self.case.reference
