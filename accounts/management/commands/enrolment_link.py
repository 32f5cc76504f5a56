"""``manage.py enrolment_link USERNAME``: issue a two-factor set-up link from the server.

For the first administrator of a new installation (nobody yet can issue one from the app) and
as break-glass when no administrator can log in. Whoever can run this holds the server, so it
asks for nothing more; the link is audited like one issued in the app, as by manage.py.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.enrolment import issue_enrolment_link


class Command(BaseCommand):
    help = "Issue a one-time link with which USERNAME sets up two-factor authentication."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        try:
            issued = issue_enrolment_link(user=user, by=None)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        expires = timezone.localtime(issued.link.expires_at)
        self.stdout.write(
            f"Set-up link for {username}, works once until {expires:%d/%m/%Y %H:%M}:\n{issued.url}"
        )
