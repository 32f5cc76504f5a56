import secrets

import environ
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from demo.cases import create_demo_cases, create_demo_volunteers
from demo.users import DEMO_USERS, create_demo_users, demo_backup_codes


class Command(BaseCommand):
    help = (
        "Load demo users and data once. The password comes from DEMO_PASSWORD, or is generated "
        "and printed the first time. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        if get_user_model().objects.filter(username="coordinator").exists():
            self.stdout.write("Demo data is already loaded; nothing to do.")
            self.print_logins(password=None)
            return
        password = environ.Env().str("DEMO_PASSWORD", default="") or secrets.token_urlsafe(12)
        with transaction.atomic():
            created = create_demo_users(password=password)
            users = {user.username: user for user in created}
            volunteers = create_demo_volunteers(coordinator=users["coordinator"])
            create_demo_cases(coordinator=users["coordinator"], volunteers=volunteers)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins(password=password)
        self.print_backup_codes(demo_backup_codes(created))

    def print_backup_codes(self, codes: dict[str, list[str]]):
        """All ten two-factor backup codes of each user whose role needs them (shown only now:
        one is used up at each login until an authenticator app is set up)."""
        if not codes:
            return
        self.stdout.write("Two-factor backup codes (shown only now; each works once):")
        for username, theirs in codes.items():
            self.stdout.write(f"  {username:<12} {' '.join(theirs)}")
        self.stdout.write(
            "After logging in, set up an authenticator app or make new backup codes on your "
            "account page (click your name)."
        )

    def print_logins(self, *, password):
        names = ", ".join(username for username, *_ in DEMO_USERS)
        self.stdout.write(f"Demo logins: {names}")
        if password:
            self.stdout.write(f"Demo password (shown only now): {password}")
        else:
            self.stdout.write(
                "Demo password: the one printed the first time, or DEMO_PASSWORD if you set it."
            )
