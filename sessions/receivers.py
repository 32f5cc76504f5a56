"""What a case's lifecycle does to its sessions (cases.signals)."""

from django.dispatch import receiver

from cases.signals import case_closed

from .services import stop_with_the_case


@receiver(case_closed, dispatch_uid="sessions.case_closed")
def cancel_what_was_to_come(sender, *, case, by, **kwargs):
    stop_with_the_case(case, by=by)
