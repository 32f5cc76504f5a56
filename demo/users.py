"""The demo cast: one login per role, as in the README."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import ADMINISTRATOR, COORDINATOR, MEDIATOR, SUPERVISOR
from accounts.two_factor import new_backup_codes, required_by_role

# username, first name, last name, roles
DEMO_USERS = (
    ("coordinator", "Claire", "Okafor", (COORDINATOR,)),
    ("mediator", "Martin", "Hughes", (MEDIATOR,)),
    ("trainee", "Tara", "Whitfield", (MEDIATOR,)),
    ("supervisor", "Susan", "Patel", (SUPERVISOR, MEDIATOR)),
    ("admin", "Adam", "Reid", (ADMINISTRATOR,)),
)


@transaction.atomic
def create_demo_users(*, password: str) -> list:
    """Create the demo users; return them. Existing users of these names are left as they are.

    Those whose role needs two-factor authentication (coordinator, supervisor, admin) get ten
    backup codes each, for their first logins: ``demo_backup_codes`` gives them.
    """
    User = get_user_model()
    users = []
    for username, first, last, roles in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                # Staff, not a superuser: the Administrator role's own permissions
                # (accounts/migrations/0004) are what its jobs need, and no casework.
                "is_staff": ADMINISTRATOR in roles,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.set([Group.objects.get_or_create(name=name)[0] for name in roles])
            if required_by_role(user):
                user.demo_backup_codes = new_backup_codes(user)
        users.append(user)
    return users


def demo_backup_codes(users) -> dict[str, list[str]]:
    """{username: their ten backup codes} for the users just created who need two-factor."""
    return {
        user.username: user.demo_backup_codes
        for user in users
        if hasattr(user, "demo_backup_codes")
    }
