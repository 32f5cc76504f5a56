import secrets
import time

import environ
import pgtrigger
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cases.models import Case
from scale.generator import ScaleGenerator, history_triggers
from volunteers.models import Volunteer


class Command(BaseCommand):
    help = (
        "Fill an empty database (after migrate) with realistic synthetic data for benchmarks: "
        "N cases with ~2.5 parties, ~4 sessions and ~3 log entries each, max(20, N/50) "
        "volunteers, consents, pairs, trainee cases, reminders and the demo logins "
        "(coordinator, mediator, trainee, supervisor, admin). Deterministic for a given --seed "
        "(dates are relative to today). Written with COPY in one transaction: all or nothing. "
        "It refuses to run on a database that already has cases or volunteers. "
        "The field-level history triggers (django-pghistory) are skipped for this load: they "
        "would double the writes and record 'created' events for changes nobody made; the "
        "append-only audit trail gets each case's creation and status changes instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1000, help="how many cases (1000)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (42)")
        parser.add_argument(
            "--password",
            default="",
            help="password of the demo logins (default: DEMO_PASSWORD, else a random one, "
            "printed once)",
        )
        parser.add_argument(
            "--no-vacuum",
            action="store_true",
            help="skip VACUUM (ANALYZE) of the loaded tables afterwards (ANALYZE still runs)",
        )

    def handle(self, *args, cases, seed, password, no_vacuum, **options):
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        if Case.objects.exists() or Volunteer.objects.exists():
            raise CommandError(
                "This database already has cases or volunteers; seed_scale only fills an empty "
                "one. Use a fresh database (for example DATABASE_URL=…/wkm_scale, then "
                "`manage.py migrate`), or drop and recreate this one."
            )
        shown_password = None
        if not password:
            password = environ.Env().str("DEMO_PASSWORD", default="")
        if not password:
            password = shown_password = secrets.token_urlsafe(12)
        started = time.monotonic()
        generator = ScaleGenerator(cases=cases, seed=seed, password=password, log=self.say)
        triggers = history_triggers()
        self.say(
            f"seed_scale: {cases:,} cases, seed {seed}; skipping {len(triggers)} history triggers"
        )
        in_transaction = connection.in_atomic_block
        with transaction.atomic(), pgtrigger.ignore(*triggers), connection.cursor() as cursor:
            # pgtrigger.ignore sets a transaction-local variable on each statement it sees;
            # COPY bypasses Django's execute wrappers, so set it once before the first COPY.
            cursor.execute("SELECT 1")
            counts = generator.run(cursor)
            generator.say("committing (foreign keys are checked now)")
        generator.say("analysing tables")
        generator.analyse(vacuum=not (no_vacuum or in_transaction))
        elapsed = time.monotonic() - started
        width = max(len(label) for label in counts)
        for label, count in sorted(counts.items(), key=lambda item: -item[1]):
            self.say(f"  {label:<{width}}  {count:>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {sum(counts.values()):,} rows for {cases:,} cases in {elapsed:.1f} s."
            )
        )
        if generator.reused:
            self.say(f"Existing logins kept as they were: {', '.join(generator.reused)}")
        self.say("Logins: coordinator, mediator, trainee, supervisor, admin")
        if shown_password:
            self.say(f"Their password (shown only now): {shown_password}")
        else:
            self.say("Their password: --password or DEMO_PASSWORD, as given.")

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
