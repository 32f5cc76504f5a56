"""Apply the retention policy now (Celery beat also runs it daily).

    manage.py apply_retention --dry-run   # list what would be anonymised; change nothing
    manage.py apply_retention

Cases are listed by reference and volunteers by number: never a name, since this output may
end up in logs.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from privacy import services


class Command(BaseCommand):
    help = "Anonymise closed cases and unsuccessful volunteer applications past retention."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be anonymised, and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        cases = list(services.cases_due(today))
        volunteers = list(services.volunteers_due())
        self.stdout.write(
            f"Retention policy: closed cases {settings.RETENTION_CLOSED_CASE_YEARS} years after "
            f"closing (closed on or before {date_format(services.case_cutoff(today), 'j M Y')}); "
            f"unsuccessful volunteer applications after "
            f"{settings.RETENTION_APPLICATION_MONTHS} months."
        )
        if dry_run:
            self.stdout.write(f"Dry run: nothing is changed. Would anonymise {len(cases)} "
                              f"case(s) and {len(volunteers)} volunteer record(s).")  # fmt: skip
            for case in cases:
                counts = services.preview_case(case)
                summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
                self.stdout.write(
                    f"  case {case.reference} (closed {date_format(case.closed_on, 'j M Y')}): "
                    f"{summary}"
                )
            for volunteer in volunteers:
                created = date_format(timezone.localtime(volunteer.created_at), "j M Y")
                self.stdout.write(
                    f"  volunteer #{volunteer.pk} ({volunteer.get_status_display().lower()}, "
                    f"record created {created})"
                )
            return
        result = services.apply_retention(today=today)
        self.stdout.write(
            f"Anonymised {len(result.cases)} case(s) and {len(result.volunteers)} volunteer "
            "record(s)."
        )
        for reference in result.cases:
            self.stdout.write(f"  case {reference}")
        for pk in result.volunteers:
            self.stdout.write(f"  volunteer #{pk}")
        if result.failed:
            raise CommandError(f"Could not anonymise: {', '.join(result.failed)} (see the log).")
