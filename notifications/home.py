"""What the coordinator's home page shows of messages, read in one query (every page keeps to
12): the calls and letters due soon (notifications.manual), the messages that failed for good,
and what parties answered from their reminders (notifications.replies).

The three are rows of one shape — a UNION ALL of three queries — read as plain objects."""

import datetime
from types import SimpleNamespace

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.formats import date_format

from sessions.models import MediationSession

from .manual import DUE_SOON
from .models import ManualContact, OutboxMessage, PartyReply
from .replies import RepliesAhead

SHAPE = (
    "x_source",
    "x_id",
    "x_case",
    "x_session",
    "x_kind",
    "x_via",
    "x_who",
    "x_due",
    "x_note",
    "x_session_kind",
    "x_starts",
    "x_total",
)


def _text(value):
    return Value(value, output_field=CharField())


def _row(values: dict) -> SimpleNamespace:
    return SimpleNamespace(**{name.removeprefix("x_"): value for name, value in values.items()})


def _tasks(now, rows):
    """Calls and letters to make by DUE_SOON from now (overdue ones too), still to do."""
    return (
        ManualContact.objects.to_do()
        .filter(due_at__lt=now + DUE_SOON)
        .annotate(
            x_source=_text("task"),
            x_id=F("pk"),
            x_case=F("case__reference"),
            x_session=F("session_id"),
            x_kind=F("kind"),
            x_via=F("method"),
            x_who=F("party__full_name"),
            x_due=F("due_at"),
            x_note=F("reason"),
            x_session_kind=F("session__kind"),
            x_starts=F("session__starts_at"),
            x_total=Window(Count("pk")),
        )
        .order_by("due_at", "id")
        .values(*SHAPE)[:rows]
    )


def _failed(rows):
    """The latest messages that failed for good."""
    return (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
        .annotate(
            x_source=_text("failed"),
            x_id=F("pk"),
            # A message about a case but no session (an assignment notice) names it in context.
            x_case=Coalesce(
                F("session__case__reference"), KT("context__reference"), output_field=CharField()
            ),
            x_session=F("session_id"),
            x_kind=F("kind"),
            x_via=F("channel"),
            # Whom to reach another way: the coordinator may see every name.
            x_who=Case(
                When(party__isnull=False, then=F("party__full_name")),
                When(
                    volunteer__isnull=False,
                    then=Concat("volunteer__first_name", Value(" "), "volunteer__last_name"),
                ),
                default=Concat(_text("staff: "), "user__username"),
                output_field=CharField(),
            ),
            x_due=F("due_at"),
            x_note=F("last_error"),
            x_session_kind=_text(""),
            x_starts=Value(None, output_field=DateTimeField()),
            x_total=Value(0, output_field=IntegerField()),
        )
        .order_by("-due_at", "-id")
        .values(*SHAPE)[:rows]
    )


def _replies(now, days):
    """Each party's latest answer about the scheduled sessions of the next ``days`` days, at
    their time now (a later answer of the same party about the same session and time replaces
    it; an answer given before the session was moved counts for nothing). Every one is read —
    they are counted — and there are at most as many as parties due at sessions that week."""
    later = PartyReply.objects.filter(
        session=OuterRef("session_id"),
        party=OuterRef("party_id"),
        for_starts_at=OuterRef("for_starts_at"),
    ).filter(
        Q(received_at__gt=OuterRef("received_at"))
        | Q(received_at=OuterRef("received_at"), pk__gt=OuterRef("pk"))
    )
    return (
        PartyReply.objects.filter(
            ~Exists(later),
            # Only answers about the session's time now: one given before it was moved is not.
            for_starts_at=F("session__starts_at"),
            session__status=MediationSession.Status.SCHEDULED,
            session__starts_at__gte=now,
            session__starts_at__lt=now + datetime.timedelta(days=days),
        )
        .annotate(
            x_source=_text("reply"),
            x_id=F("pk"),
            x_case=F("session__case__reference"),
            x_session=F("session_id"),
            x_kind=F("answer"),
            x_via=F("channel"),
            x_who=F("party__full_name"),
            x_due=F("received_at"),
            x_note=F("reason"),
            x_session_kind=F("session__kind"),
            x_starts=F("session__starts_at"),
            x_total=Value(0, output_field=IntegerField()),
        )
        .order_by()
        .values(*SHAPE)
    )


def office_panels(*, rows: int = 20, replies_days: int = 7, now=None) -> dict:
    """``manual_contacts_due`` (the first ``rows`` calls and letters due soon, and how many),
    ``failed_reminders`` (the latest ``rows`` failed messages) and ``party_replies`` (answers
    counted, with the first ``rows`` requests to rearrange or cancel, soonest session first)."""
    now = now or timezone.now()
    found = [
        _row(values)
        for values in _tasks(now, rows).union(_failed(rows), _replies(now, replies_days), all=True)
    ]
    sessions = dict(MediationSession.Kind.choices)
    to_do = sorted((r for r in found if r.source == "task"), key=lambda r: (r.due, r.id))
    for r in to_do:
        r.via_label = ManualContact.Method(r.via).label
        words = "their session"
        if r.starts is not None:
            start = timezone.localtime(r.starts)
            words = f"the {sessions.get(r.session_kind, 'session').lower()} on " + (
                f"{date_format(start, 'D j M Y')} at {start:%H:%M}"
            )
        if r.kind in (ManualContact.Kind.SURVEY_FEEDBACK, ManualContact.Kind.SURVEY_FOLLOW_UP):
            # A survey call or letter has no session: the same words as the case page
            # (ManualContact.about), built from the row's kind and method with no query.
            r.about = ManualContact(kind=r.kind, method=r.via).about
        elif r.kind == ManualContact.Kind.SESSION_CANCELLED:
            r.about = f"Tell them {words} is cancelled"
        else:
            r.about = f"Remind them of {words}"
    kinds = dict(OutboxMessage.Kind.choices)
    failed = sorted(
        (r for r in found if r.source == "failed"), key=lambda r: (r.due, r.id), reverse=True
    )
    for r in failed:
        r.kind_label = kinds.get(r.kind, r.kind)
        r.via_label = OutboxMessage.Channel(r.via).label
    replies = RepliesAhead()
    requests = []
    for r in (r for r in found if r.source == "reply"):
        replies.counts[r.kind] = replies.counts.get(r.kind, 0) + 1
        if r.kind != PartyReply.Answer.CONFIRM:
            r.answer_label = PartyReply.Answer(r.kind).label
            r.via_label = PartyReply.Channel(r.via).label
            r.session_kind_label = sessions.get(r.session_kind, "session")
            requests.append(r)
    replies.requests = sorted(requests, key=lambda r: (r.starts, r.session, r.id))[:rows]
    return {
        "manual_contacts_due": {
            "count": to_do[0].total if to_do else 0,
            "rows": to_do,
            "days": DUE_SOON.days,
        },
        "failed_reminders": failed,
        "party_replies": replies,
    }
