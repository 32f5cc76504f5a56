"""What the pages show of the invariant checker, without asking it again on every page view.

Checking every open case takes a dozen set-wise queries (rules.checker). The answer only changes
when the data does, or the day does, so it is kept in the cache under a *fingerprint* of the
data: the newest row of each history table django-pghistory keeps (its triggers see every write,
from a service, the admin or a raw SQL fix), the newest outbox row, the service settings and the
date. One query asks for the fingerprint; a page recomputes only when it has moved. Entries also
expire after ``CACHE_SECONDS``, so what no history table sees (an outbox row changed by hand)
shows within minutes.
"""

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from notifications.models import OutboxMessage
from sessions.models import ServiceSettings

from .checker import Breach, find_breaches

CACHE_SECONDS = 300

# The models whose changes can make or mend a breach, each kept in history by django-pghistory.
HISTORY_OF = (
    "cases.CaseEvent",
    "cases.CaseAssignmentEvent",
    "parties.PartyEvent",
    "parties.ConsentEvent",
    "mediation_sessions.MediationSessionEvent",
    "volunteers.VolunteerEvent",
    "volunteers.DBSCheckEvent",
    "volunteers.TrainingRecordEvent",
    "volunteers.AccreditationEvent",
    "volunteers.DeclaredConnectionEvent",
    "volunteers.TraineeCaseEvent",
    "cases.ListEntryEvent",  # the messages name dispute types by their editable labels
)


def fingerprint() -> str:
    """Changes whenever anything the checker reads changes (one query). The SQL is built from
    the models' own table names, nothing from a request."""
    tables = [apps.get_model(label)._meta.db_table for label in HISTORY_OF]
    quote = connection.ops.quote_name
    newest = [f"(SELECT MAX(pgh_id) FROM {quote(table)})" for table in tables]  # noqa: S608
    reminders = quote(OutboxMessage._meta.db_table)
    service = quote(ServiceSettings._meta.db_table)
    newest.append(f"(SELECT MAX(id) FROM {reminders})")  # noqa: S608
    newest.append(f"(SELECT MAX(updated_at)::text FROM {service})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(newest))
        values = cursor.fetchone()
    return ":".join(str(v) for v in (*values, timezone.localdate()))


def _cached(key: str, compute):
    stamp = fingerprint()
    held = cache.get(key)
    if held is not None and held[0] == stamp:
        return held[1]
    value = compute()
    cache.set(key, (stamp, value), CACHE_SECONDS)
    return value


def breaches() -> list[Breach]:
    """Every breach now (rules.checker.find_breaches), from the cache while nothing changed."""
    return _cached("rules:breaches", find_breaches)


def breaches_of_case(case) -> list[Breach]:
    """The breaches of one case, checked for that case alone (a few small queries) when
    anything changed."""
    return _cached(
        f"rules:breaches:case:{case.pk}",
        lambda: find_breaches(case_ids=[case.pk], with_volunteers=False),
    )
