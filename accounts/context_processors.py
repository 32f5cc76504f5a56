from .roles import ADMINISTRATOR, COORDINATOR, MEDIATOR, SUPERVISOR, roles_of


def roles(request):
    """Expose the user's roles to templates, so navigation shows each role only what it may use."""
    held = roles_of(request.user) if hasattr(request, "user") else frozenset()
    return {
        "user_roles": held,
        "is_coordinator": COORDINATOR in held,
        "is_mediator": MEDIATOR in held,
        "is_supervisor": SUPERVISOR in held,
        "is_administrator": ADMINISTRATOR in held,
    }
