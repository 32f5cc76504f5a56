"""The parties' surveys: who is asked, how, and what happens when they answer.

**Who is asked.** Only on a case where mediation took place (``mediated``: a meeting held or an
agreement reached, the rule a mediated outcome needs): the questions are about the mediators and
the meetings; a party who never met a mediator (a case withdrawn, unsuitable or not contactable
before any meeting) cannot answer them, would skew the figures and — "not contactable" — may not
want to hear from us at all. When a mediated case closes (``invite_on_close``, called by
cases.services.case_close in its transaction), each of its parties who holds a current consent
to the processing of their data, whose contact has not stopped (parties.consent.contact_stopped)
and whose records have not been erased (privacy) gets the feedback survey; at the case's
follow-up date the daily job (``queue_follow_up_surveys``) sends the outcome follow-up the same
way. Never twice: one
invitation per party and survey (its unique constraint), one message or one call or letter per
invitation (their dedupe keys, ``survey:<invitation id>``).

**How.** By the way the party hears of everything else (notifications.channels.party_route): an
email or a text with their personal link (surveys.links), written into the outbox in the
caller's transaction; or, for a party who asked for letters or for calls on a landline, a call
or letter for a coordinator (notifications.ManualContact): the letter carries the short address
and a QR code shown on the case page, the call is the coordinator asking the questions and
recording the answers (``record_by_phone``). A party with no postal address to write to (or no
number to call) is not reachable and is not asked.

**While it is open.** A link answers until SURVEY_LINK_DAYS after it was sent, once. If the
case is reopened (``cancel_on_reopen``, from cases.services.case_reopen) the messages, calls and
letters not yet sent are cancelled and the link says the survey is not open: the case is not
over, so it is not the time to ask how it went. When the case closes again, a party who has
not been told yet is asked then (the cancelled message goes after all, with a new date on the
link); one who was already told is not told twice, and their link works again until its date.
A withdrawal of consent cancels what was to go to them (notifications.outbox.cancel_messages_to,
which covers every kind), and an erasure does too (``forget``). Whatever the route of a change,
the dispatcher asks surveys.conditions again just before sending.

**Answers** (``record_answers``) belong to the party: one per invitation (a row lock and the
one-to-one constraint: two submissions at once make one answer); a follow-up answered counts as
the case's follow-up (cases.services.follow_up_done). They go to coordinators only: the case page
shows them to coordinators, not to the mediators they are about (parties answer more freely
when they know their answers go to the office), and never to another party (rule 10).
"""

from __future__ import annotations

import contextlib
import datetime
import enum
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import AuditEvent
from audit.services import record_event
from cases.models import Case, Status
from cases.querysets import follow_up_due_q
from parties.consent import contact_stopped, current_kinds
from parties.models import Consent, Party
from privacy.status import party_erased
from wkm.consequences import tell

from .conditions import MESSAGE_KINDS
from .models import FeedbackAnswer, FollowUpAnswer, SurveyInvitation

Kind = SurveyInvitation.Kind
Via = SurveyInvitation.Via
COMMENTS_MAX_CHARS = 2000


def link_days() -> int:
    return getattr(settings, "SURVEY_LINK_DAYS", 28)


def _dedupe_key(invitation: SurveyInvitation) -> str:
    return f"survey:{invitation.pk}"


def invitation_id_of_task(task) -> int | None:
    """The invitation a survey call or letter (notifications.ManualContact) stands for, from
    its dedupe key: the case page shows the letter's link without another query."""
    prefix, _, pk = (task.dedupe_key or "").partition(":")
    return int(pk) if prefix == "survey" and pk.isdigit() else None


# --- Who may be asked -----------------------------------------------------------------------


NOT_MEDIATED = "No feedback survey: mediation did not take place."


def mediated(case: Case) -> bool:
    """Mediation took place on ``case``: cases.services.mediation_took_place, which a mediated
    outcome (cases.lifecycle.MEDIATED_OUTCOMES) already required when the case closed — so such
    an outcome answers without a query. Kept on the instance for the loops over its parties."""
    from cases.lifecycle import MEDIATED_OUTCOMES
    from cases.services import mediation_took_place

    known = getattr(case, "_surveys_mediated", None)
    if known is None:
        known = case.outcome in MEDIATED_OUTCOMES or mediation_took_place(case)
        case._surveys_mediated = known
    return known


def why_not_asked(party: Party) -> str:
    """Why ``party`` may not be asked a survey now ("" if they may): consent to the processing
    of their data (a survey is more processing), contact not stopped, records not erased.
    Uses prefetched consents."""
    if contact_stopped(party):
        return f"{party.full_name} withdrew consent: they may no longer be contacted."
    if Consent.Kind.DATA_PROCESSING not in current_kinds(party):
        return f"{party.full_name} has not consented to the processing of their data."
    if party_erased(party):
        return f"{party.full_name}'s records have been erased."
    return ""


def survey_route(party: Party):
    """How ``party`` is asked (a notifications.channels.Route), or None: not at all."""
    from notifications.channels import party_route
    from notifications.models import ManualContact

    if why_not_asked(party):
        return None
    route = party_route(party)
    if route is None:
        return None
    if route.method == ManualContact.Method.LETTER and not (party.address_line1 and party.postcode):
        return None  # nowhere to write to
    if route.method == ManualContact.Method.PHONE and not party.phone:
        return None
    return route


# --- Asking ---------------------------------------------------------------------------------


def _already_told(invitation: SurveyInvitation) -> bool:
    """A message, call or letter for this invitation is waiting, or has been sent or made."""
    from notifications.models import ManualContact, OutboxMessage

    key = _dedupe_key(invitation)
    return (
        OutboxMessage.objects.filter(dedupe_key=key)
        .exclude(status=OutboxMessage.Status.CANCELLED)
        .exists()
        or ManualContact.objects.filter(dedupe_key=key)
        .exclude(status=ManualContact.Status.CANCELLED)
        .exists()
    )


def _month(day) -> str:
    """ "March 2026" (en-GB), or "" without a date."""
    return date_format(day, "F Y") if day else ""


def _write_message(invitation, route, expires_at) -> None:
    """The email or text for ``invitation``: written, or the cancelled one sent after all."""
    from notifications.models import OutboxMessage
    from notifications.outbox import outside_quiet_hours

    now = timezone.now()
    fields = {
        "kind": MESSAGE_KINDS[invitation.kind],
        "channel": route.channel,
        "party": invitation.party,
        "address": route.address,
        # The reference is for the audit trail of its sending, not for the wording.
        "context": {
            "invitation": invitation.pk,
            "expires_on": date_format(timezone.localtime(expires_at), "j F Y"),
            "reference": invitation.case.reference,
            # When it ended, in the party's words ("In March 2026 …"), not "a few months ago".
            "closed_in": _month(invitation.case.closed_on),
        },
        # Nothing here is urgent: a text due in quiet hours waits for the morning.
        "due_at": outside_quiet_hours(now, route.channel, now + datetime.timedelta(days=1)),
        "status": OutboxMessage.Status.PENDING,
        "last_error": "",
        "attempts": 0,
        "claimed_until": None,
    }
    OutboxMessage.objects.update_or_create(dedupe_key=_dedupe_key(invitation), defaults=fields)


def _write_task(invitation, route) -> None:
    """The call or letter for ``invitation``: written, or the cancelled one reopened."""
    from notifications.models import ManualContact

    ManualContact.objects.update_or_create(
        dedupe_key=_dedupe_key(invitation),
        defaults={
            "case": invitation.case,
            "party": invitation.party,
            "kind": MESSAGE_KINDS[invitation.kind],
            "method": route.method,
            "reason": route.reason,
            "due_at": timezone.now(),
            "status": ManualContact.Status.OPEN,
            "done_at": None,
            "done_by": None,
        },
    )


def invite(*, case: Case, party: Party, kind: str) -> SurveyInvitation | None:
    """Ask ``party`` the survey ``kind`` by their route now; return the invitation, or None
    when they may not be asked (see the module docstring). Inside the caller's transaction."""
    if case.status != Status.CLOSED or party.case_id != case.pk:
        return None
    if kind == Kind.FOLLOW_UP and case.follow_up_on is None:
        return None
    if not mediated(case):
        return None
    route = survey_route(party)
    if route is None:
        return None
    expires_at = timezone.now() + datetime.timedelta(days=link_days())
    via = route.method if route.by_hand else route.channel
    invitation, created = SurveyInvitation.objects.get_or_create(
        party=party, kind=kind, defaults={"case": case, "via": via, "expires_at": expires_at}
    )
    invitation.asked_now = False
    if not created:
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        invitation.asked_now = False
        if invitation.answered_at is not None or _already_told(invitation):
            return invitation
        invitation.via, invitation.expires_at = via, expires_at
        invitation.save(update_fields=["via", "expires_at"])
    invitation.case, invitation.party = case, party
    if route.by_hand:
        _write_task(invitation, route)
    else:
        _write_message(invitation, route, expires_at)
    invitation.asked_now = True
    record_event(
        action=AuditEvent.Action.CREATE,
        obj=invitation,
        case_reference=case.reference,
        detail={"survey": kind, "party": party.pk, "via": via},
    )
    return invitation


def reroute(party: Party) -> list[SurveyInvitation]:
    """The party's contact details changed (notifications.outbox.replan_messages_to, which
    re-addresses their survey messages still to go, or cancels them when no message may reach
    them now): a survey of theirs not answered, whose message was so cancelled, is asked by
    their route now — a call or a letter; one already sent, or still to go, is left alone."""
    case = Case.objects.get(pk=party.case_id)
    if case.status != Status.CLOSED:
        return []
    party = Party.objects.prefetch_related("consents").get(pk=party.pk)
    unanswered = SurveyInvitation.objects.filter(party=party, answered_at__isnull=True)
    asked = [
        invite(case=case, party=party, kind=kind)
        for kind in unanswered.values_list("kind", flat=True)
    ]
    return [i for i in asked if i is not None and i.asked_now]


def _summary(invitations: list[SurveyInvitation], what: str) -> str:
    invitations = [i for i in invitations if i.asked_now]
    by_hand = [i for i in invitations if i.via in (Via.LETTER, Via.PHONE)]
    sent = len(invitations) - len(by_hand)
    words = []
    if sent:
        words.append(f"{sent} by text or email")
    if by_hand:
        words.append(f"{len(by_hand)} by a call or letter for you to make (see To phone or write)")
    return f"The parties will be asked {what}: {' and '.join(words)}." if words else ""


def invite_on_close(case: Case) -> list[SurveyInvitation]:
    """Ask each party of ``case``, which has just closed, for their feedback — if mediation
    took place; if not, the coordinator is told why nobody is asked."""
    if not mediated(case):
        tell(NOT_MEDIATED)
        return []
    parties = Party.objects.filter(case=case).prefetch_related("consents")
    invited = [invite(case=case, party=party, kind=Kind.FEEDBACK) for party in parties]
    invited = [i for i in invited if i is not None]
    tell(_summary(invited, "for their feedback"))
    return invited


def queue_follow_up_surveys(today=None) -> int:
    """The daily job: the outcome follow-up to each party of each closed case whose follow-up
    date has come and which nobody has followed up yet (cases.querysets.follow_up_due_q, as the
    coordinators' follow-up reminder), where mediation took place (``invite`` asks nobody on
    a case that closed before any meeting: nothing to follow up). A follow-up date more than
    SURVEY_LINK_DAYS past is not sent automatically (a case closed long ago, the job switched
    off for a while): the coordinator decides. Running it twice, or on two workers, asks
    nobody twice (one invitation per party and survey). Returns how many parties were asked
    now."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=link_days())
    due = Case.objects.filter(follow_up_due_q(today), follow_up_on__gte=since).order_by("pk")
    asked = 0
    for case_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            if not Case.objects.filter(follow_up_due_q(today), pk=case.pk).exists():
                continue  # reopened or followed up meanwhile
            for party in Party.objects.filter(case=case).prefetch_related("consents"):
                invitation = invite(case=case, party=party, kind=Kind.FOLLOW_UP)
                asked += bool(invitation and invitation.asked_now)
    return asked


def _cancel(messages, tasks, reason: str) -> int:
    from notifications.models import ManualContact, OutboxMessage

    unsent = [OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
    cancelled = messages.filter(status__in=unsent).update(
        status=OutboxMessage.Status.CANCELLED, last_error=reason[:300]
    )
    tasks.filter(status=ManualContact.Status.OPEN).update(status=ManualContact.Status.CANCELLED)
    return cancelled


def cancel_on_reopen(case: Case) -> int:
    """The case is open again: what was still to go to its parties about the surveys is
    cancelled (their links say the survey is not open while the case is). Returns how many
    messages."""
    from notifications.models import ManualContact, OutboxMessage

    kinds = list(MESSAGE_KINDS.values())
    return _cancel(
        OutboxMessage.objects.filter(party__case=case, kind__in=kinds),
        ManualContact.objects.filter(case=case, kind__in=kinds),
        "The case was reopened",
    )


def forget(party_ids) -> int:
    """The parties' records are being anonymised (privacy.services): nothing more about the
    surveys goes to them, and their comments are cleared (their own words, which may name
    anyone). Returns how many answers held comments."""
    from notifications.models import ManualContact, OutboxMessage

    kinds = list(MESSAGE_KINDS.values())
    _cancel(
        OutboxMessage.objects.filter(party__in=party_ids, kind__in=kinds),
        ManualContact.objects.filter(party__in=party_ids, kind__in=kinds),
        "The party's records were erased",
    )
    return clear_comments(invitation__party__in=party_ids)


def clear_comments(**which) -> int:
    """Clear the personal fields (wkm.personal_data: the comments) of the answers ``which``
    selects; return how many held any."""
    cleared = 0
    for model in (FeedbackAnswer, FollowUpAnswer):
        rows = model.objects.filter(**which)
        declared = model.personal_data
        cleared += rows.exclude(**declared.cleared()).update(**declared.cleared())
    return cleared


# --- Answering ------------------------------------------------------------------------------


class LinkState(enum.Enum):
    WRONG = "wrong"  # not a link of ours: 404, counted as a wrong guess
    ANSWERED = "answered"  # answered already (online or by phone)
    CLOSED = "closed"  # the case is open again, or the party may no longer be asked
    EXPIRED = "expired"  # past its date
    OPEN = "open"


class SurveyRefused(Exception):
    """The invitation can no longer be answered: ``state`` says why."""

    def __init__(self, state: LinkState):
        super().__init__(state.value)
        self.state = state


def state_of(invitation: SurveyInvitation, *, by_phone: bool = False, now=None) -> LinkState:
    """Whether ``invitation`` may be answered now (its case and party loaded, the party's
    consents prefetched). An answer by phone does not need the link's date."""
    now = now or timezone.now()
    if invitation.answered_at is not None:
        return LinkState.ANSWERED
    if invitation.case.status != Status.CLOSED or why_not_asked(invitation.party):
        return LinkState.CLOSED
    if not by_phone and invitation.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.OPEN


@dataclass
class Link:
    state: LinkState
    invitation: SurveyInvitation | None = None


def open_link(token: str, *, now=None) -> Link:
    """The invitation a link names and whether it can be answered: three queries."""
    from .links import read_token

    pk = read_token(token)
    invitation = (
        SurveyInvitation.objects.select_related("case", "party")
        .prefetch_related("party__consents")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if invitation is None:
        return Link(LinkState.WRONG)
    return Link(state_of(invitation, now=now), invitation)


VIEW_AUDITED_EVERY = datetime.timedelta(hours=1)


def record_page_view(invitation: SurveyInvitation, *, now=None) -> bool:
    """The party opened their survey page: into the audit trail (as the reminders' reply page
    is, with no address kept), at most once an hour per invitation — a page reloaded, or
    opened again and again by a browser restoring its tabs, would otherwise fill the trail with
    the same line (and anyone holding the link could write to the trail at will). The answer
    itself is always audited (``record_answers``). Returns whether a line was written."""
    now = now or timezone.now()
    seen = AuditEvent.objects.filter(
        case_reference=invitation.case.reference,
        at__gt=now - VIEW_AUDITED_EVERY,
        action=AuditEvent.Action.VIEW,
        object_type=SurveyInvitation._meta.label_lower,
        object_id=str(invitation.pk),
    )
    if seen.exists():
        return False
    record_event(
        action=AuditEvent.Action.VIEW,
        obj=invitation,
        object_repr="Survey page of a party",
        case_reference=invitation.case.reference,
        detail={"survey_page": "viewed", "party": invitation.party_id},
    )
    return True


ANSWER_MODELS = {Kind.FEEDBACK: FeedbackAnswer, Kind.FOLLOW_UP: FollowUpAnswer}
ANSWER_FIELDS = {
    Kind.FEEDBACK: (
        "felt_heard",
        "mediators_impartial",
        "process_clear",
        "outcome_satisfaction",
        "would_recommend",
        "comments",
    ),
    Kind.FOLLOW_UP: (
        "agreement_holding",
        "problem_back",
        "contacted_referrer",
        "contacted_police",
        "contacted_council",
        "comments",
    ),
}


def _check_answers(kind: str, answers: dict) -> dict:
    fields = ANSWER_FIELDS[kind]
    unknown = set(answers) - set(fields)
    if unknown:
        raise ValueError(f"not a question of this survey: {sorted(unknown)}")
    answers = {name: answers.get(name) for name in fields}
    answers["comments"] = (answers["comments"] or "").strip()
    if len(answers["comments"]) > COMMENTS_MAX_CHARS:
        raise ValidationError({"comments": f"Please keep it to {COMMENTS_MAX_CHARS} characters."})
    if all(value in (None, "") for value in answers.values()):
        # "Prefer not to say" everywhere and an empty box is no answer to keep; it is also what
        # a party who would rather not take part sends, so the message says they need not.
        raise ValidationError(
            "Answer at least one question, or write something in the box, to send your answers. "
            "If you would rather not answer any, there is nothing to send: you can close this page."
        )
    for name in ("agreement_holding", "problem_back"):  # text choices: "" when not answered
        if name in answers and answers[name] is None:
            answers[name] = ""
    return answers


@transaction.atomic
def record_answers(
    *, invitation: SurveyInvitation, answers: dict, by=None, now=None
) -> FeedbackAnswer | FollowUpAnswer:
    """Record the party's answers to ``invitation``: online (``by`` None) or given by phone
    and typed in by the coordinator ``by``. Raises SurveyRefused (answered already — a second
    submission sent at the same moment waits for the first and finds it — closed or expired)
    or ValidationError. The message, call or letter not yet made is then not needed; a
    follow-up answered is the case's follow-up done."""
    from cases.services import follow_up_done
    from notifications.models import ManualContact, OutboxMessage

    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("case", "party")
        .get(pk=invitation.pk)
    )
    state = state_of(invitation, by_phone=by is not None, now=now)
    if state is not LinkState.OPEN:
        raise SurveyRefused(state)
    answers = _check_answers(invitation.kind, answers)
    model = ANSWER_MODELS[invitation.kind]
    answer = model(invitation=invitation, answered_at=now, recorded_by=by, **answers)
    answer.full_clean(exclude=["invitation"])
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError as error:  # the one-to-one: answered meanwhile, however
        raise SurveyRefused(LinkState.ANSWERED) from error
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    key = _dedupe_key(invitation)
    OutboxMessage.objects.filter(
        dedupe_key=key, status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
    ).update(status=OutboxMessage.Status.CANCELLED, last_error="Answered already")
    tasks = ManualContact.objects.filter(dedupe_key=key, status=ManualContact.Status.OPEN)
    if by is not None:
        tasks.update(status=ManualContact.Status.DONE, done_at=now, done_by=by)
    else:
        tasks.update(status=ManualContact.Status.CANCELLED)
    record_event(
        action=AuditEvent.Action.CREATE,
        actor=by,
        obj=answer,
        case_reference=invitation.case.reference,
        detail={
            "survey": invitation.kind,
            "party": invitation.party_id,
            "by_phone": by is not None,
        },
    )
    case = invitation.case
    if invitation.kind == Kind.FOLLOW_UP and case.follow_up_on and not case.follow_up_done_on:
        # Marked done (or reopened) at the same moment: nothing left to do.
        with contextlib.suppress(ValidationError):
            follow_up_done(case=case, by=by)
    return answer


def asks_about_referrer(case: Case) -> bool:
    """The follow-up asks whether they contacted the organisation that referred them unless
    nobody did: a self-referral with no referring organisation on record."""
    return not (case.referral_source == "self" and case.referrer_id is None)


def why_not_recordable(case: Case, party: Party, kind: str) -> str:
    """Why a coordinator may not record ``party``'s answers to ``kind`` by phone now ("" if
    they may). Uses the party's prefetched consents."""
    if party.case_id != case.pk:
        return "Choose a party of this case."
    if kind not in Kind.values:
        return "That is not a survey."
    if case.status != Status.CLOSED:
        return "The surveys are asked once the case has closed."
    if kind == Kind.FOLLOW_UP and case.follow_up_on is None:
        return "This case has no follow-up date."
    if kind == Kind.FOLLOW_UP and case.follow_up_on > timezone.localdate():
        # Recording it would mark the case's follow-up done months early.
        return (
            f"The follow-up is due on {date_format(case.follow_up_on, 'j F Y')}: its answers "
            "can be recorded from then."
        )
    if not mediated(case):
        return "No survey on this case: mediation did not take place."
    why = why_not_asked(party)
    if why:
        return why
    if SurveyInvitation.objects.filter(party=party, kind=kind, answered_at__isnull=False).exists():
        return f"{party.full_name} has already answered this survey."
    return ""


def record_by_phone(*, case: Case, party: Party, kind: str, answers: dict, by):
    """A coordinator asked ``party`` the survey ``kind`` by phone and types in the answers
    (recorded as theirs, audited). The party need not have been sent the survey; they must
    still be one who may be asked, of a closed case (with a follow-up date, for the
    follow-up)."""
    with transaction.atomic():
        # Under the case's lock: not while it is being reopened.
        case = Case.objects.select_for_update().get(pk=case.pk)
        party = Party.objects.prefetch_related("consents").get(pk=party.pk)
        why = why_not_recordable(case, party, kind)
        if why:
            raise ValidationError(why)
        invitation, _created = SurveyInvitation.objects.get_or_create(
            party=party,
            kind=kind,
            defaults={"case": case, "via": Via.PHONE, "expires_at": timezone.now()},
        )
        try:
            return record_answers(invitation=invitation, answers=answers, by=by)
        except SurveyRefused as refused:
            if refused.state is LinkState.ANSWERED:
                raise ValidationError(
                    f"{party.full_name} has already answered this survey."
                ) from refused
            raise ValidationError("This survey cannot be answered now.") from refused
