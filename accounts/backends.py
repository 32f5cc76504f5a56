"""The authentication backend: Django's ModelBackend, loading the user's roles with the user.

Every page asks which roles its user holds (accounts.roles). Fetched on their own that is one
more query on every request; aggregated into the query that loads the user from the session, it
is none — and still read fresh on each request, so a role taken away applies at once.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q

from .roles import ALL_ROLES, ROLES_ATTRIBUTE


class RoleAwareModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.annotate(
                role_names=ArrayAgg(
                    "groups__name",
                    filter=Q(groups__name__in=ALL_ROLES),
                    distinct=True,
                    default=[],
                )
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        setattr(user, ROLES_ATTRIBUTE, frozenset(user.role_names))
        return user
