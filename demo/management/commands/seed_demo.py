import secrets

import environ
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from demo.cases import create_demo_cases, create_demo_volunteers
from demo.users import DEMO_USERS, create_demo_users


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
            users = {user.username: user for user in create_demo_users(password=password)}
            volunteers = create_demo_volunteers(coordinator=users["coordinator"])
            create_demo_cases(coordinator=users["coordinator"], volunteers=volunteers)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins(password=password)

    def print_logins(self, *, password):
        names = ", ".join(username for username, *_ in DEMO_USERS)
        self.stdout.write(f"Demo logins: {names}")
        if password:
            self.stdout.write(f"Demo password (shown only now): {password}")
        else:
            self.stdout.write(
                "Demo password: the one printed the first time, or DEMO_PASSWORD if you set it."
            )
