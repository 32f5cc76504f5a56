from django.conf import settings
from django.db import models


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
