"""``manage.py status``: what /health/ shows a monitor with its token, for cron and a shell.

One line per component (database, Redis, a Celery worker, the outbox's backlog, beat's last
run) and the overall status; exits 1 when any component is not "ok", so that cron or a
monitor's script can act on it. ``--json`` prints /health/'s body instead. The checks run
afresh (no remembered result), within HEALTH_TIMEOUT_SECONDS (wkm.health).
"""

import json

from django.core.management.base import BaseCommand

from wkm.health import Health, check_now


def _outbox_words(details: dict) -> str:
    if details["due"] is None:
        return "the database did not answer"
    if not details["due"]:
        return "nothing due"
    return f"{details['due']} due, the oldest waiting {details['oldest_due_seconds']} s"


def _beat_words(details: dict, state: str) -> str:
    if state == "down":
        return "the database did not answer"
    if details["last_run_seconds"] is None:
        return "has no schedule: beat has never started"
    return f"last sent a task {details['last_run_seconds']} s ago"


def lines(health: Health) -> list[str]:
    components, details = health.components, health.details
    words = {
        "outbox": _outbox_words(details["outbox"]),
        "beat": _beat_words(details["beat"], components["beat"]),
    }
    out = []
    for name, state in components.items():
        line = f"{name:<9} {state}"
        if name in words:
            limit = details[name]["late_after_seconds"]
            line = f"{line:<15} {words[name]} (late after {limit} s)"
        out.append(line)
    out.append(f"{'status':<9} {'ok' if health.ok else 'down'}")
    return out


class Command(BaseCommand):
    help = "Check the database, Redis, a worker, the outbox and beat; exit 1 if one is not ok."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print /health/'s JSON body.")

    def handle(self, *args, **options):
        health = check_now()
        if options["json"]:
            self.stdout.write(json.dumps(health.as_json(with_components=True)))
        else:
            self.stdout.write("\n".join(lines(health)))
        if not health.ok:
            raise SystemExit(1)
