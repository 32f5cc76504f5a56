"""What a case's lifecycle does to the trainee cases on it (cases.signals)."""

from django.dispatch import receiver

from cases.signals import case_closed, case_reopened
from wkm.consequences import tell

from .services import CLOSED_BEFORE_MEDIATION, end_trainee_cases, reopen_trainee_cases


@receiver(case_closed, dispatch_uid="volunteers.case_closed")
def end_trainee_cases_closed_before_mediation(sender, *, case, mediated, by, **kwargs):
    """A case closed before mediation never counts towards a trainee's three."""
    if mediated:
        return
    if end_trainee_cases(case.trainee_cases.all(), reason=CLOSED_BEFORE_MEDIATION, by=by):
        tell("The trainee case ended: a case closed before mediation does not count.")


@receiver(case_reopened, dispatch_uid="volunteers.case_reopened")
def take_back_trainee_cases(sender, *, case, by, **kwargs):
    reopen_trainee_cases(case, by=by)
