"""What data protection refuses of a case's lifecycle (cases.signals)."""

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from cases.signals import case_reopening

from .models import Anonymisation


@receiver(case_reopening, dispatch_uid="privacy.case_reopening")
def never_reopen_an_anonymised_case(sender, *, case, **kwargs):
    if Anonymisation.objects.filter(case=case).exists():
        raise ValidationError(
            "This case has been anonymised (retention or an erasure request): it cannot be "
            "reopened. Log a new referral instead."
        )
