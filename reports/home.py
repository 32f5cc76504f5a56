"""The coordinator's home page panels: what needs doing next, each in one query (the rows
shown and, by a window count, how many there are in all)."""

import datetime

from django.db.models import Count, DateField, F, Value, Window
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.filters import not_contacted_q
from cases.models import Case, Status
from cases.querysets import follow_up_due_q
from cases.selectors import party_names
from volunteers.models import TraineeCase
from volunteers.selectors import ready_q

from .queries import DaysBetween

PANEL_ROWS = 20
# What the panels show of a case: narrow rows, however many there are to count.
CASE_COLUMNS = (
    "reference",
    "received_on",
    "dispute_type",
    "referral_source",
    "status",
    "status_changed_at",
    "outcome",
    "closed_on",
    "follow_up_on",
)


def _panel(queryset, case_field: str = "pk") -> dict:
    rows = list(
        queryset.annotate(panel_total=Window(Count("pk")), party_names=party_names(case_field))[
            :PANEL_ROWS
        ]
    )
    return {"rows": rows, "count": rows[0].panel_total if rows else 0}


def coordinator_panels(today: datetime.date | None = None) -> dict:
    """New referrals not yet contacted (oldest first, with their age in days), cases waiting
    for consent and ready to assign (longest waiting first), trainee cases ready for sign-off,
    and follow-ups due (longest overdue first) — five queries however many cases there
    are."""
    today = today or timezone.localdate()
    day = Value(today, output_field=DateField())
    waiting = DaysBetween(day, TruncDate("status_changed_at"))
    return {
        "not_contacted": _panel(
            Case.objects.filter(not_contacted_q())
            .only(*CASE_COLUMNS)
            .annotate(age_days=DaysBetween(day, F("received_on")))
            .order_by("received_on", "id")
        ),
        "awaiting_consent": _panel(
            Case.objects.filter(status=Status.AWAITING_CONSENT)
            .only(*CASE_COLUMNS)
            .annotate(waiting_days=waiting)
            .order_by("status_changed_at", "id")
        ),
        "ready_to_assign": _panel(
            Case.objects.filter(status=Status.READY)
            .only(*CASE_COLUMNS)
            .annotate(waiting_days=waiting)
            .order_by("status_changed_at", "id")
        ),
        "sign_offs_waiting": _panel(
            TraineeCase.objects.filter(ready_q())
            .select_related("case", "trainee", "supervisor")
            .order_by("feedback_at", "id"),
            case_field="case_id",
        ),
        # Longest overdue first: a follow-up leaves the list when it is done (a contact
        # logged, or marked done on the case page).
        "follow_ups_due": _panel(
            Case.objects.filter(follow_up_due_q(today))
            .only(*CASE_COLUMNS)
            .annotate(overdue_days=DaysBetween(day, F("follow_up_on")))
            .order_by("follow_up_on", "id")
        ),
    }
