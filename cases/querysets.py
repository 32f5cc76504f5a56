from django.db import models

from accounts.roles import COORDINATOR, has_role


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The cases ``user`` may see. Rule 11 of DESIGN.md, in one place:

        - coordinators see every case;
        - anyone else (mediators, trainees, supervisors) sees the cases they are currently
          assigned to — an assignment that has ended hides the case on the next request;
        - everybody else, and anonymous or inactive users, see nothing.

        Everything that reads cases or their parties, notes, consents, audit, documents or
        exports starts here, so a case out of scope answers 404 wherever it is asked for.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, COORDINATOR):
            return self
        return self.filter(
            models.Exists(
                self.model.assignments.rel.related_model.objects.filter(
                    case=models.OuterRef("pk"), volunteer__user=user, ended_on__isnull=True
                )
            )
        )
