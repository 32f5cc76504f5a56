"""A supervisor's part of rule 11: they see the cases of the trainees they supervise, while the
trainee case has not ended and they themselves still volunteer. Registered with
cases.querysets.visible_to as this app is ready (VolunteersConfig.ready), because the trainee
cases live here, a layer above cases."""

from django.db.models import Exists

from accounts.roles import SUPERVISOR, has_role
from cases.querysets import WORKING_STATUSES, also_visible

from .models import TraineeCase, Volunteer


def stopped_volunteering(user):
    """``user``'s volunteer record, if they have one that no longer works (empty otherwise)."""
    return Volunteer.objects.filter(user=user).exclude(status__in=WORKING_STATUSES)


@also_visible
def supervised_case_ids(user):
    if not has_role(user, SUPERVISOR):
        return None
    return (
        TraineeCase.objects.filter(trainee__supervisor=user)
        .exclude(status=TraineeCase.Status.ENDED)
        .exclude(Exists(stopped_volunteering(user)))
        .order_by()
        .values("case_id")
    )
