from django.apps import apps
from django.db import models

from accounts.roles import COORDINATOR, SUPERVISOR, has_role

# Volunteers in these states may work on cases; an inactive volunteer loses access at once.
WORKING_STATUSES = ("trainee", "mediator")


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The cases ``user`` may see. Rule 11 of DESIGN.md, in one place:

        - coordinators see every case;
        - mediators and trainees see the cases they are currently assigned to, while their
          volunteer record is active — an assignment that has ended, or a volunteer made
          inactive, hides the case on the next request;
        - supervisors also see, read-only, the cases of the trainees they supervise;
        - everybody else, and anonymous or inactive users, see nothing.

        Everything that reads cases or their parties, notes, consents, audit, documents or
        exports starts here, so a case out of scope answers 404 wherever it is asked for.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, COORDINATOR):
            return self
        assignment = apps.get_model("cases", "CaseAssignment")
        trainee_case = apps.get_model("volunteers", "TraineeCase")
        assigned = models.Exists(
            assignment.objects.filter(
                case=models.OuterRef("pk"),
                volunteer__user=user,
                volunteer__status__in=WORKING_STATUSES,
                ended_on__isnull=True,
            )
        )
        if not has_role(user, SUPERVISOR):
            return self.filter(assigned)
        supervised = models.Exists(
            trainee_case.objects.filter(case=models.OuterRef("pk"), supervisor=user)
        )
        return self.filter(assigned | supervised)
