"""The daily digest: each coordinator gets one email listing what breaks a rule, through the
outbox (notifications.outbox.notify_staff), once a day whichever worker runs it."""

from django.utils import timezone

from accounts.roles import COORDINATOR, users_with_role
from notifications.models import OutboxMessage
from notifications.outbox import notify_staff

from .checker import find_breaches

# The email names cases and what kind of problem each has; the details (people's names) stay
# in the application, behind a login.
DIGEST_ROWS = 200


def digest_rows(found) -> list[dict]:
    """One row per case (or volunteer record), with the kinds of problem it has."""
    rows: dict[str, dict] = {}
    for breach in found:
        key = breach.case_reference or f"volunteer:{breach.volunteer_id}"
        row = rows.setdefault(
            key,
            {
                "reference": breach.case_reference,
                "volunteer_id": breach.volunteer_id if not breach.case_reference else None,
                "topics": [],
            },
        )
        if breach.topic not in row["topics"]:
            row["topics"].append(breach.topic)
    return list(rows.values())


def queue_rule_digest(today=None) -> int:
    """Queue today's digest for each coordinator, if anything breaks a rule; return how many
    were queued (0 when nothing is wrong, or it was already queued today)."""
    today = today or timezone.localdate()
    found = find_breaches()
    if not found:
        return 0
    rows = digest_rows(found)
    context = {"rows": rows[:DIGEST_ROWS], "count": len(rows), "problems": len(found)}
    return sum(
        notify_staff(
            kind=OutboxMessage.Kind.RULE_DIGEST,
            user=user,
            context=context,
            dedupe_key=f"rules:{user.pk}:{today.isoformat()}",
        )
        for user in users_with_role(COORDINATOR)
    )
