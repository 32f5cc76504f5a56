"""The parties' surveys and a case's lifecycle (cases.signals)."""

from django.dispatch import receiver

from cases.signals import case_closed, case_reopened

from .services import cancel_on_reopen, invite_on_close


@receiver(case_closed, dispatch_uid="surveys.case_closed")
def ask_for_feedback(sender, *, case, **kwargs):
    """The parties' feedback survey, written into the outbox in the closing's transaction."""
    invite_on_close(case)


@receiver(case_reopened, dispatch_uid="surveys.case_reopened")
def hold_the_surveys(sender, *, case, **kwargs):
    """The surveys not yet sent wait: a case open again is not over."""
    cancel_on_reopen(case)
