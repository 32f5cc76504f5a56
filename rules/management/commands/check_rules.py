"""manage.py check_rules: list every open case and volunteer breaking a rule now."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from rules.checker import find_breaches


class Command(BaseCommand):
    help = (
        "List every open case and volunteer that breaks a rule of the service now (the same "
        "check as the coordinator's home page). Exits 1 if there is any, 0 if none."
    )

    def handle(self, *args, **options):
        found = find_breaches()
        if not found:
            self.stdout.write("No problems: every open case and volunteer keeps the rules.")
            return
        for breach in found:
            about = breach.case_reference or f"volunteer #{breach.volunteer_id}"
            self.stdout.write(f"{about}\trule {breach.rule}\t{breach.topic}\t{breach.reason}")
        raise CommandError(f"{len(found)} problem{pluralize(len(found))} found.", returncode=1)
