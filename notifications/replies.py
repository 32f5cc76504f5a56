"""Parties answer a session reminder: "I will come", "I need to rearrange", "Please cancel".

From the personal link in the reminder (notifications.reply_links, the page in
notifications.views) or by texting back (the inbound SMS webhook). Either way the answer is a
``PartyReply`` written by ``reply_record``, which also puts it on the case timeline (about that
party only: cases.disclosure shows it to no other party) and in the audit trail, as done by
nobody (a member of the public; no address kept). It asks and the coordinator decides: a request
to cancel or rearrange changes nothing about the session.

A link answers only while its session is ahead. A session no longer scheduled, a case closed or
a party who withdrew consent (parties.consent.contact_stopped) gets a page asking them to phone,
with no details. An address that opens ``MISSES_PER_HOUR`` (100) wrong links in an hour is
refused (429) until the hour has passed: only a salted hash of it is kept (wkm.addresses.ip_hash),
for a day.
"""

from __future__ import annotations

import datetime
import enum
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from audit.context import acting_in
from audit.models import AuditEvent
from audit.services import record_event
from cases import timeline
from cases.models import Status as CaseStatus
from parties.consent import contact_stopped
from parties.models import Party
from parties.validators import normalise_phone
from sessions.models import MediationSession

from .messages import place_for
from .models import OutboxMessage, PartyReply, ReplyLinkMiss
from .reply_links import read_token

REASON_MAX_CHARS = 500
# Answers kept per party and session: enough to change one's mind, not to flood the timeline.
MAX_REPLIES = 10
MISS_WINDOW = datetime.timedelta(hours=1)
KEEP_MISSES_FOR = datetime.timedelta(days=1)

Answer = PartyReply.Answer


class ReplyRefused(Exception):
    """The session can no longer be answered from a message (see LinkState.CLOSED)."""


class TooManyReplies(Exception):
    """The party has answered MAX_REPLIES times already: they are asked to phone."""


def misses_per_hour() -> int:
    return getattr(settings, "REPLY_LINK_MISSES_PER_HOUR", 100)


# --- Which appointment a link opens ---------------------------------------------------------


class LinkState(enum.Enum):
    WRONG = "wrong"  # not a link of ours, or not for a party attending that session: 404
    EXPIRED = "expired"  # the session has started: 404 too, but not counted as a wrong link
    CLOSED = "closed"  # cancelled or held, case closed, or the party may not be contacted
    OPEN = "open"


@dataclass
class Link:
    state: LinkState
    party: Party | None = None
    session: MediationSession | None = None


def state_of(party: Party, session: MediationSession, *, now=None) -> LinkState:
    """Whether ``party`` may still answer about ``session`` (consents prefetched, case loaded)."""
    now = now or timezone.now()
    if session.starts_at <= now:
        return LinkState.EXPIRED
    if (
        session.status != MediationSession.Status.SCHEDULED
        or session.case.status == CaseStatus.CLOSED
        or contact_stopped(party)
    ):
        return LinkState.CLOSED
    return LinkState.OPEN


def open_link(token: str, *, now=None) -> Link:
    """The party and session a reply link names, and whether it can be answered. Two queries."""
    ids = read_token(token)
    if ids is None:
        return Link(LinkState.WRONG)
    session_id, party_id = ids
    session = (
        MediationSession.objects.select_related("case")
        .filter(pk=session_id, parties=party_id)
        .first()
    )
    party = (
        Party.objects.filter(pk=party_id, case_id=session.case_id)
        .prefetch_related("consents")
        .first()
        if session is not None
        else None
    )
    if party is None:
        return Link(LinkState.WRONG)
    return Link(state_of(party, session, now=now), party=party, session=session)


def appointment(session: MediationSession, *, party: Party) -> dict:
    """What the party is told of their appointment, in the words of their reminders: the kind,
    date, time and place as worded for them (notifications.messages), nothing about anyone else."""
    start = timezone.localtime(session.starts_at)
    return {
        "session_kind": session.get_kind_display().lower(),
        "date": date_format(start, "l j F Y"),
        "time": f"{start:%H:%M}",
        "place": place_for(session, party=party),
    }


# --- Wrong links from one address -----------------------------------------------------------


def throttled_for(hashed_ip: str, *, now=None) -> int:
    """How many seconds more the address is refused (0: it is not). One query: the limit-th
    latest wrong link within the hour; once it is an hour old there are fewer than the limit in
    the window (no more are counted while refused), so that is when the refusal ends."""
    now = now or timezone.now()
    limit = misses_per_hour()
    oldest_counted = (
        ReplyLinkMiss.objects.filter(ip_hash=hashed_ip, at__gte=now - MISS_WINDOW)
        .order_by("-at")
        .values_list("at", flat=True)[limit - 1 : limit]
        .first()
    )
    if oldest_counted is None:
        return 0
    return max(1, math.ceil((oldest_counted + MISS_WINDOW - now).total_seconds()))


def record_miss(hashed_ip: str, *, now=None) -> None:
    now = now or timezone.now()
    ReplyLinkMiss.objects.filter(at__lt=now - KEEP_MISSES_FOR).delete()
    ReplyLinkMiss.objects.create(ip_hash=hashed_ip, at=now)


# --- Recording an answer --------------------------------------------------------------------


def _timeline_text(reply: PartyReply, party: Party, session: MediationSession) -> str:
    start = timezone.localtime(session.starts_at)
    day = date_format(start, "D j M Y")
    what = f"the {session.get_kind_display().lower()} on {day}, {start:%H:%M}"
    how = "by text message" if reply.channel == PartyReply.Channel.SMS else "from their reminder"
    said = f": “{reply.reason}”" if reply.reason else ""
    if reply.answer == Answer.CONFIRM:
        return f"{party.full_name} confirmed {how} that they will come to {what}{said}."
    verb = "rearrange" if reply.answer == Answer.REARRANGE else "cancel"
    return (
        f"{party.full_name} asked {how} to {verb} {what}{said}. The session is still booked: "
        "change it on its page if that is what is needed."
    )


@transaction.atomic
@acting_in(None)
def reply_record(
    *,
    party: Party,
    session: MediationSession,
    answer: str,
    channel: str,
    reason: str = "",
    hashed_ip: str = "",
    provider_message_id: str | None = None,
    about: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> tuple[PartyReply, bool]:
    """Record ``party``'s answer about ``session``; return (the reply, whether it is new).

    ``about``: the start the party was shown (the reply page they opened, the reminder a text
    answers). If the session has moved since, an answer from the page is refused — they are
    shown the new time and asked again — and a text is recorded as about the old time (the
    coordinator sees it, greyed; it does not count for the new time).

    The same answer with the same words again (a page sent twice, "YES" texted twice) is the
    reply already recorded; a text already received (its provider id) is too. Raises
    ReplyRefused when the session can no longer be answered, TooManyReplies, or
    ValidationError (a request to rearrange needs a reason; reasons are at most
    REASON_MAX_CHARS).
    """
    now = now or timezone.now()
    # One answer at a time per party: two sent at once cannot both pass the checks below.
    party = Party.objects.select_for_update().prefetch_related("consents").get(pk=party.pk)
    session = MediationSession.objects.select_related("case").get(pk=session.pk)
    if not session.parties.filter(pk=party.pk).exists():
        raise ReplyRefused
    if state_of(party, session, now=now) is not LinkState.OPEN:
        raise ReplyRefused
    if answer not in Answer.values:
        raise ValidationError({"answer": "Choose one of the answers."})
    about = about or session.starts_at
    if about != session.starts_at and channel == PartyReply.Channel.WEB:
        start = timezone.localtime(session.starts_at)
        raise ValidationError(
            "The time of this appointment changed while this page was open: it is now "
            f"{date_format(start, 'l j F')} at {start:%H:%M}. Please check it and answer again."
        )
    reason = reason.strip()
    if answer == Answer.REARRANGE and not reason:
        raise ValidationError({"reason": "Tell us what would suit you better, or why."})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({"reason": f"Please keep it to {REASON_MAX_CHARS} characters."})
    if provider_message_id:
        already = PartyReply.objects.filter(provider_message_id=provider_message_id).first()
        if already is not None:
            return already, False
    previous = list(PartyReply.objects.filter(party=party, session=session)[:MAX_REPLIES])
    # The same answer about another time (the session was moved since) is a new answer.
    if previous and (previous[0].answer, previous[0].reason, previous[0].for_starts_at) == (
        answer,
        reason,
        about,
    ):
        return previous[0], False
    if len(previous) >= MAX_REPLIES:
        raise TooManyReplies
    reply = PartyReply.objects.create(
        party=party,
        session=session,
        answer=answer,
        reason=reason,
        channel=channel,
        received_at=now,
        for_starts_at=about,
        ip_hash=hashed_ip,
        provider_message_id=provider_message_id or None,
    )
    timeline.log(
        session.case, _timeline_text(reply, party, session), by=None, when=now, party=party
    )
    record_event(
        action=AuditEvent.Action.CREATE,
        obj=reply,
        case_reference=session.case.reference,
        detail={"answer": answer, "channel": channel, "party": party.pk, "session": session.pk},
    )
    return reply, True


def latest_reply(party: Party, session: MediationSession) -> PartyReply | None:
    """The party's answer about the session's time now: one about a time it was moved from is
    no answer (they said they would come on another day)."""
    return PartyReply.objects.filter(
        party=party, session=session, for_starts_at=session.starts_at
    ).first()


# --- Texts back -----------------------------------------------------------------------------

CONFIRM_WORDS = {"YES", "Y", "CONFIRM", "CONFIRMED", "OK"}
CANCEL_WORDS = {"NO", "N", "CANCEL"}


def answer_for_text(body: str) -> tuple[str, str] | None:
    """(answer, reason) for a text message: YES/Y/CONFIRM (any case, trailing punctuation
    ignored) confirm; NO/N/CANCEL ask to cancel; anything else is a request to rearrange with
    the text as its reason, for the coordinator to read. An empty text is no answer."""
    text = " ".join((body or "").split())
    if not text:
        return None
    word = text.upper().strip(" .!")
    if word in CONFIRM_WORDS:
        return Answer.CONFIRM, ""
    if word in CANCEL_WORDS:
        return Answer.CANCEL, ""
    return Answer.REARRANGE, text[:REASON_MAX_CHARS]


def _e164(number: str) -> str:
    """The sender as stored on the reminders it may answer; "" for what is not a number."""
    try:
        return normalise_phone(number)
    except ValidationError:
        return ""


def text_received(*, sender: str, body: str, message_id: str, now=None) -> str:
    """Record a text sent back to the service (the inbound SMS webhook) as the reply of the
    party whose latest sent text reminder, of a session still ahead, went to that number.
    Returns what happened, in words without the number, for the log: "recorded", "repeat"
    (that provider id was already recorded, or the same answer again), "unknown number",
    "no answer", "closed" or "too many"."""
    now = now or timezone.now()
    number = _e164(sender)
    reminder = (
        OutboxMessage.objects.filter(
            kind=OutboxMessage.Kind.SESSION_REMINDER,
            channel=OutboxMessage.Channel.SMS,
            status=OutboxMessage.Status.SENT,
            party__isnull=False,
            session__status=MediationSession.Status.SCHEDULED,
            session__starts_at__gt=now,
            address=number,
        )
        .select_related("party", "session")
        .order_by(F("sent_at").desc(nulls_last=True), "-id")
        .first()
        if number
        else None
    )
    if reminder is None:
        return "unknown number"
    answer = answer_for_text(body)
    if answer is None:
        return "no answer"
    named = (reminder.context or {}).get("starts_at")  # gone after retention: the time now
    try:
        _reply, created = reply_record(
            party=reminder.party,
            session=reminder.session,
            answer=answer[0],
            reason=answer[1],
            channel=PartyReply.Channel.SMS,
            provider_message_id=message_id,
            about=datetime.datetime.fromisoformat(named) if named else None,
            now=now,
        )
    except (ReplyRefused, ValidationError):
        return "closed"
    except TooManyReplies:
        return "too many"
    except IntegrityError:  # the same text, recorded by a request running at the same time
        return "repeat"
    return "recorded" if created else "repeat"


# --- The coordinator's home -----------------------------------------------------------------


@dataclass
class RepliesAhead:
    counts: dict[str, int] = field(default_factory=dict)
    # The latest answer of each party who asked to rearrange or cancel, soonest session first
    # (rows read by notifications.home.office_panels).
    requests: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        """ "3 parties confirmed, 1 asked to rearrange" """
        words = []
        for answer, one, many in (
            (Answer.CONFIRM, "party confirmed", "parties confirmed"),
            (Answer.REARRANGE, "asked to rearrange", "asked to rearrange"),
            (Answer.CANCEL, "asked to cancel", "asked to cancel"),
        ):
            n = self.counts.get(answer, 0)
            if n:
                words.append(f"{n} {one if n == 1 else many}")
        return ", ".join(words)


def latest_by_session(case) -> dict[int, list[PartyReply]]:
    """Each party's latest answer about each session of ``case``, by session id, for the case
    page: one query, however many sessions. An answer about a time the session was moved from
    comes with ``old_time`` set (the words for that time), to be shown as such: it is no answer
    about the time now."""
    latest = (
        PartyReply.objects.filter(session__case=case)
        .order_by("session_id", "party_id", "-received_at", "-id")
        .distinct("session_id", "party_id")
        .select_related("party")
        .annotate(session_starts_at=F("session__starts_at"))
        .only(
            "session",
            "party",
            "party__full_name",
            "answer",
            "channel",
            "received_at",
            "for_starts_at",
        )
    )
    found: dict[int, list[PartyReply]] = {}
    for reply in latest:
        reply.old_time = ""
        if reply.for_starts_at != reply.session_starts_at:
            start = timezone.localtime(reply.for_starts_at)
            reply.old_time = f"{date_format(start, 'D j M')} {start:%H:%M}"
        found.setdefault(reply.session_id, []).append(reply)
    return found
