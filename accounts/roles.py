"""Who may do what: the four roles of the service, held as Django groups.

A person may hold several roles (a supervisor is usually also a mediator). Whether someone is a
*trainee* is a fact about their volunteer record, not a role: trainees are mediators.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

COORDINATOR = "Coordinator"
MEDIATOR = "Mediator"
SUPERVISOR = "Supervisor"
ADMINISTRATOR = "Administrator"
ALL_ROLES = (COORDINATOR, MEDIATOR, SUPERVISOR, ADMINISTRATOR)
# Where a user object keeps its roles for the rest of the request (set by
# accounts.backends.RoleAwareModelBackend when it loads the user, else on first use).
ROLES_ATTRIBUTE = "_wkm_roles"


def roles_of(user) -> frozenset[str]:
    """The role names ``user`` holds, looked up once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, ROLES_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        setattr(user, ROLES_ATTRIBUTE, cached)
    return cached


def users_with_role(role: str):
    """The active users who hold ``role``."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=role, is_active=True)


def has_role(user, *roles: str) -> bool:
    """True if ``user`` holds any of ``roles``."""
    return not roles_of(user).isdisjoint(roles)


def role_required(*roles: str):
    """View decorator: users without one of ``roles`` get 403 (anonymous users never get
    here: LoginRequiredMiddleware has sent them to the login page).

    Use it for pages a role may or may not use at all. Objects a user may not see (another
    mediator's case) are hidden with 404 by the scoped querysets, never by this decorator.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
