"""What the referrer hears of a case's lifecycle (cases.signals; referrers.updates decides)."""

from django.dispatch import receiver

from cases.signals import case_closed, case_moved, case_reopened

from . import updates


@receiver(case_moved, dispatch_uid="referrers.case_moved")
def tell_of_the_move(sender, *, case, steps, by, **kwargs):
    updates.after_transition(case, steps=steps, by=by)


@receiver(case_closed, dispatch_uid="referrers.case_closed")
def tell_of_the_closing(sender, *, case, mediated, by, **kwargs):
    updates.after_close(case, mediated=mediated, by=by)


@receiver(case_reopened, dispatch_uid="referrers.case_reopened")
def cancel_the_closing_update(sender, *, case, **kwargs):
    updates.after_reopen(case)
