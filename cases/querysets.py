from django.apps import apps
from django.db import models
from django.utils import timezone

from accounts.roles import COORDINATOR, has_role

# Volunteers in these states may work on cases; an inactive volunteer loses access at once.
WORKING_STATUSES = ("trainee", "mediator")


class CaseAssignmentQuerySet(models.QuerySet):
    def current(self):
        """The current pair, in one place: assignments that have not ended, of volunteers who
        may work (a trainee or a mediator). An inactive volunteer, an applicant or someone back
        in training is never in it, even while their assignment is still open (a record changed
        outside the services): access, booking, lifecycle, documents, reminders and reports all
        count the pair this way. ``CaseAssignment.is_current`` says the same of one row."""
        return self.filter(ended_on__isnull=True, volunteer__status__in=WORKING_STATUSES)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The cases ``user`` may see. Rule 11 of DESIGN.md, in one place:

        - coordinators see every case;
        - mediators and trainees see the cases they are currently assigned to, while their
          volunteer record is active — an assignment that has ended, or a volunteer made
          inactive, hides the case on the next request;
        - supervisors also see, read-only, the cases of the trainees they supervise now (their
          volunteer record names them): a trainee given a new supervisor takes their cases
          along on the next request; a trainee case that ended (the trainee left the case, or
          it closed before mediation) is no longer shown; a supervisor who has stopped
          volunteering (their own volunteer record no longer works) supervises nobody
          (volunteers.visibility, registered below with ``also_visible``);
        - everybody else, and anonymous or inactive users, see nothing.

        Everything that reads cases or their parties, notes, consents, audit, documents or
        exports starts here, so a case out of scope answers 404 wherever it is asked for.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, COORDINATOR):
            return self
        # The ids of the user's cases, found from their side (a few dozen index entries), so
        # PostgreSQL joins to those cases instead of testing every case in the table.
        case_ids = current_assignments_of(user).order_by().values("case_id")
        for more in _ALSO_VISIBLE:
            found = more(user)
            if found is not None:
                case_ids = case_ids.union(found)
        return self.filter(pk__in=case_ids)


# The apps above this one that widen who sees a case (the supervisors' part of rule 11 lives
# with the trainee cases, in volunteers.visibility), each a function of the user giving the ids
# of the more cases they may see, or None. Registered as their app is ready, so cases imports
# nothing above it; without them a supervisor sees only their own assignments (closed, not open).
_ALSO_VISIBLE: list = []


def also_visible(case_ids_for):
    """Register ``case_ids_for(user)`` (a queryset of case ids, or None) with ``visible_to``."""
    if case_ids_for not in _ALSO_VISIBLE:
        _ALSO_VISIBLE.append(case_ids_for)
    return case_ids_for


def follow_up_due_q(today=None) -> models.Q:
    """Closed cases whose follow-up date has come and that nobody has followed up yet: the
    coordinator's home panel, the case list's filter and the daily reminder all use this."""
    today = today or timezone.localdate()
    return models.Q(status="closed", follow_up_on__lte=today, follow_up_done_on__isnull=True)


def current_assignments_of(user):
    """The case assignments that give ``user`` their cases: their places in current pairs (the
    mediator half of ``visible_to``)."""
    return apps.get_model("cases", "CaseAssignment").objects.current().filter(volunteer__user=user)
