"""Apply the retention policy now (Celery beat also runs it daily).

    manage.py apply_retention --dry-run   # list what would be anonymised; change nothing
    manage.py apply_retention

Cases are listed by reference and volunteers by number: never a name, since this output may
end up in logs. Messages that went more than OUTBOX_RETENTION_DAYS ago (notifications.retention)
are counted by kind.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from notifications import retention
from notifications.models import OutboxMessage
from privacy import services


def _by_kind(counts: dict[str, int]) -> str:
    """Counts only, never a recipient: e.g. "Session reminder 3, DBS expiry warning 1"."""
    labels = dict(OutboxMessage.Kind.choices)
    return ", ".join(f"{labels.get(kind, kind)} {n}" for kind, n in counts.items())


class Command(BaseCommand):
    help = (
        "Anonymise closed cases and unsuccessful volunteer applications past retention, and "
        "clear the address and context of messages sent long enough ago."
    )

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
            f"{settings.RETENTION_APPLICATION_MONTHS} months; addresses and contents of "
            f"messages {settings.OUTBOX_RETENTION_DAYS} days after they went (ended before "
            f"{date_format(timezone.localtime(retention.cutoff(today)), 'j M Y')})."
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
            messages = retention.count_due(today)
            self.stdout.write(
                f"Would clear the address and context of {sum(messages.values())} outbox "
                f"message(s){': ' + _by_kind(messages) if messages else ''}."
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
        messages = result.outbox_messages
        self.stdout.write(
            f"Cleared the address and context of {sum(messages.values())} outbox message(s)"
            f"{': ' + _by_kind(messages) if messages else ''}."
        )
        if result.failed:
            raise CommandError(f"Could not anonymise: {', '.join(result.failed)} (see the log).")
