"""What a case's lifecycle (cases.signals) and its pair (volunteers.signals) do to its sessions."""

from django.dispatch import receiver

from cases.signals import case_closed
from volunteers.signals import pair_assigned

from .services import follow_the_new_pair, stop_with_the_case


@receiver(case_closed, dispatch_uid="sessions.case_closed")
def cancel_what_was_to_come(sender, *, case, by, **kwargs):
    stop_with_the_case(case, by=by)


@receiver(pair_assigned, dispatch_uid="sessions.pair_assigned")
def hand_over_the_sessions(sender, *, case, pair, **kwargs):
    follow_the_new_pair(case, pair)
