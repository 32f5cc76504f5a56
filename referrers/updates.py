"""Telling the referrer how a case they referred is going, with the parties' consent.

**Who**: the person who referred it (``Case.referrer_person``), while they and their organisation
are not retired and they are marked to receive updates; by email, or by text to a mobile when
they gave no email address. Nobody else at the organisation.

**When** (one call per stage, from the service where the change happens):

- *accepted*: the case leaves "referred" for "contacting parties" (cases.services.case_transition):
  the service has taken the referral on and is contacting the people in it;
- *mediation started*: the case becomes "active" (case_transition): a pair is assigned and
  mediation begins (DESIGN.md's lifecycle; a session being held is a detail of mediation the
  referrer does not hear about);
- *declined*: the case closes before mediation began (cases.services.case_close with withdrawn,
  unsuitable or not contactable, no mediation session held, no agreement made, and the case never
  active);
- *closed*: the case closes after mediation took place or began, with an outcome *category*
  (below). A case that was active (the referrer may have been told "mediation started") and
  ends without a session held is "closed: not resolved", never "will not go ahead": the referrer
  is not told two things that contradict each other.

Each stage is told once per case (closing again after a reopening is a new closing), and
**in order**: never a stage that comes before one already told.

**Consent that comes later** (the office's usual order: "Start contacting parties" first, the
parties' consents recorded while contacting them): when a consent is recorded that completes
"every party consents" (parties.services.consents_record calls ``after_consent_given``), the
referrer is told the *latest* stage the case has reached, if it has not been told it or a later
one: "accepted" for a case being contacted, awaiting consent or ready; "mediation started" for
one active (or that was); the closing for one closed. Only the latest, not every stage missed:
each stage says the earlier ones ("mediation started" means the referral was taken on), and a
stale stage told late ("we began contacting the people involved" while mediation is under way)
would mislead. An update cancelled earlier (a consent withdrawn, a contact retired) is the stage
not told, and is written again then.

**With whose consent**: every party of the case holds, now, consent "to the referrer being
told how the case progresses" (parties.models.Consent.Kind.UPDATE_REFERRER), and none has
withdrawn consent to the processing of their data. One party without it, and the referrer is
told nothing: what a case does is about all of the people in it. The consent is not needed
for mediation (parties.consent.REQUIRED_KINDS). Asked when the update is written and again by
the dispatcher just before it goes (``may_go_q``): a consent withdrawn later, a party added
without it, a contact retired or told not to receive updates, a reopened case, or a case whose
records were erased (privacy) all stop an update still to go; a withdrawal also cancels it at
once (parties.services.consent_withdraw).

**What**: our case reference, the referrer's own organisation name, the stage, the date and,
on closing, the category — never a summary, note, log entry, risk note, agreement term, party's
name or detail, nor the exact outcome (a party "withdrew" or was "unsuitable" is theirs, not the
referrer's, to know). The message's context holds only those values, and its templates
(emails/referrer_update-*, sms/referrer_update.txt) use only them
(tests/referrers/test_updates_confidentiality.py plants a sentinel in every confidential field).
"""

from django.db import models
from django.db.models import Exists, F, IntegerField, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from cases import timeline
from cases.models import Case, Outcome
from cases.models import Status as CaseStatus
from notifications.channels import is_mobile
from notifications.models import OutboxMessage
from parties.consent import kinds_held, withdrew_from, withdrew_q
from parties.models import Consent, Party
from wkm.consequences import tell

from .models import ReferrerContact

KIND = OutboxMessage.Kind.REFERRER_UPDATE
UNSENT = (OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING)


class Stage(models.TextChoices):
    ACCEPTED = "accepted", "Referral accepted"
    STARTED = "started", "Mediation started"
    DECLINED = "declined", "Mediation will not go ahead"
    CLOSED = "closed", "Case closed"


# What each stage says, in the message.
STAGE_SENTENCES = {
    Stage.ACCEPTED: "we accepted the referral and began contacting the people involved.",
    Stage.STARTED: "mediation started.",
    Stage.DECLINED: "we closed the case: mediation will not go ahead.",
    Stage.CLOSED: "we closed the case.",
}
# Stages that are about a closing: they go only while the case is still closed.
CLOSING_STAGES = (Stage.DECLINED, Stage.CLOSED)


class Category(models.TextChoices):
    """A closing outcome as the referrer hears it: a few plain categories, not the outcome."""

    RESOLVED = "resolved", "Resolved"
    PARTLY_RESOLVED = "partly_resolved", "Partly resolved"
    NOT_RESOLVED = "not_resolved", "Not resolved"
    DID_NOT_GO_AHEAD = "did_not_go_ahead", "Did not go ahead"


CATEGORY_OF_OUTCOME = {
    Outcome.FULL_AGREEMENT: Category.RESOLVED,
    Outcome.PARTIAL_AGREEMENT: Category.PARTLY_RESOLVED,
    Outcome.IMPROVED_COMMUNICATION: Category.PARTLY_RESOLVED,
    Outcome.NO_AGREEMENT: Category.NOT_RESOLVED,
    # Ending early: before mediation, it did not go ahead; after, it was not resolved.
    Outcome.WITHDRAWN: Category.DID_NOT_GO_AHEAD,
    Outcome.UNSUITABLE: Category.DID_NOT_GO_AHEAD,
    Outcome.NOT_CONTACTABLE: Category.DID_NOT_GO_AHEAD,
}


# The order stages are told in (a closing is the last, whichever it is).
ORDER = {Stage.ACCEPTED: 0, Stage.STARTED: 1, Stage.DECLINED: 2, Stage.CLOSED: 2}


def was_active(case: Case) -> bool:
    """Mediation began: the case is active, was active when it closed, its history (the
    field-level history django-pghistory keeps of every case) shows it active once, or the
    referrer was sent, or is about to be sent, "mediation started"."""
    if CaseStatus.ACTIVE in (case.status, case.status_before_close):
        return True
    return (
        case.events.filter(status=CaseStatus.ACTIVE).exists()
        or _told(case).filter(context__stage=Stage.STARTED).exists()
    )


def closing_stage(case: Case, *, mediated: bool) -> tuple[str, str]:
    """(stage, category) for a case closed with its outcome; ``mediated``: mediation took place
    (cases.services.mediation_took_place). A case where mediation began (``was_active``) is
    "closed", even with no session held: the referrer may have heard "mediation started"."""
    category = CATEGORY_OF_OUTCOME[Outcome(case.outcome)]
    if not mediated and not was_active(case):
        return Stage.DECLINED, Category.DID_NOT_GO_AHEAD
    if category == Category.DID_NOT_GO_AHEAD:
        category = Category.NOT_RESOLVED
    return Stage.CLOSED, category


# --- Who, and whether -----------------------------------------------------------------------


def route(contact: ReferrerContact) -> tuple[str, str] | None:
    """(channel, address): email, or a text to a mobile when they gave no email; None."""
    if contact.email:
        return OutboxMessage.Channel.EMAIL, contact.email
    if is_mobile(contact.phone):
        return OutboxMessage.Channel.SMS, contact.phone
    return None


def recipient(case: Case) -> ReferrerContact | None:
    """The person the case's updates go to, if anyone may get them now."""
    contact = case.referrer_person
    if contact is None or contact.retired_at is not None or not contact.receives_updates:
        return None
    if contact.referrer.is_retired or contact.referrer_id != case.referrer_id:
        return None
    return contact


def _parties_consent_q(case_id) -> Q:
    """Every party of the case ``case_id`` points at consents now (the module's docstring)."""
    parties = Party.objects.filter(case_id=case_id)
    holds = Consent.objects.filter(
        party=OuterRef("pk"), kind=Consent.Kind.UPDATE_REFERRER, withdrawn_at__isnull=True
    )
    return (
        Q(Exists(parties))
        & ~Q(Exists(parties.filter(~Q(Exists(holds)))))
        & ~Q(Exists(parties.filter(withdrew_q(Consent.Kind.DATA_PROCESSING))))
    )


def _anonymised(case_id):
    from privacy.models import Anonymisation

    return Anonymisation.objects.filter(case_id=case_id)


def parties_consent(case: Case) -> bool:
    """Whether every party of ``case`` consents now to the referrer being told: what
    ``_parties_consent_q`` asks in SQL of many rows, asked of one case's parties read afresh
    with their consents (two plain queries; the SQL form cost more to build and plan than to
    answer, each time a case moved — an import moves thousands)."""
    # Two index lookups, rows as named tuples (a join let PostgreSQL scan every consent), read
    # by parties.consent's own rule.
    parties = list(Party.objects.filter(case_id=case.pk).values_list("pk", flat=True))
    consents: dict[int, list] = {party: [] for party in parties}
    given = Consent.objects.filter(party_id__in=parties).values_list(
        "party_id", "kind", "withdrawn_at", named=True
    )
    for consent in given:
        consents[consent.party_id].append(consent)
    return bool(consents) and all(
        Consent.Kind.UPDATE_REFERRER in kinds_held(held)
        and not withdrew_from(held, Consent.Kind.DATA_PROCESSING)
        for held in consents.values()
    )


def may_go_q() -> Q:
    """An outbox row may still go, as far as referrer updates go: true of any other message; for
    an update to a referrer's contact, everything the module's docstring asks, asked in SQL of
    the row (notifications.outbox.may_still_go_q, just before sending)."""
    case_id = Cast(KeyTextTransform("case", OuterRef("context")), IntegerField())
    case = Case.objects.filter(pk=case_id)
    still_theirs = case.filter(referrer_person=OuterRef("referrer_contact_id"))
    closed = case.filter(status=CaseStatus.CLOSED)
    return Q(referrer_contact__isnull=True) | (
        Q(
            kind=KIND,
            referrer_contact__retired_at__isnull=True,
            referrer_contact__receives_updates=True,
            referrer_contact__referrer__retired_at__isnull=True,
        )
        # Still the person who referred the case (not someone since put in their place).
        & Q(Exists(still_theirs))
        & _parties_consent_q(case_id)
        # Never after the case's records were erased or anonymised (privacy).
        & ~Q(Exists(_anonymised(case_id)))
        # A closing is told only while the case is closed.
        & (~Q(context__stage__in=[str(s) for s in CLOSING_STAGES]) | Q(Exists(closed)))
    )


def still_on_route_q() -> Q:
    """A referrer's update still goes to the address the contact has now (as
    notifications.outbox.still_on_route_q asks for parties, volunteers and users)."""
    by_sms = Q(channel=OutboxMessage.Channel.SMS)
    by_email = Q(channel=OutboxMessage.Channel.EMAIL)
    return Q(referrer_contact__isnull=True) | (
        (by_email & Q(address=F("referrer_contact__email")))
        | (by_sms & Q(address=F("referrer_contact__phone")) & Q(referrer_contact__email=""))
    )


# --- Writing and cancelling ----------------------------------------------------------------


def _closing_key(case: Case) -> str:
    return case.status_changed_at.isoformat()


def _told(case: Case):
    """The case's updates sent, or written and still to go (not those cancelled)."""
    return OutboxMessage.objects.filter(
        kind=KIND,
        context__case=case.pk,
        status__in=(*UNSENT, OutboxMessage.Status.SENT),
    )


def _key(case: Case, stage: str) -> str:
    key = f"referrer_update:{case.pk}:{stage}"
    if stage in CLOSING_STAGES:
        key += f":{_closing_key(case)}"
    return key


def _told_later(case: Case, stage: str) -> bool:
    """A stage after ``stage`` was told, or is to be, in the case's current run (a closing
    before a reopening is over: its update was cancelled or went before)."""
    later = [str(s) for s in Stage if ORDER[s] > ORDER[Stage(stage)]]
    told = _told(case).filter(context__stage__in=later)
    if case.status == CaseStatus.CLOSED:
        return told.filter(dedupe_key__endswith=f":{_closing_key(case)}").exists()
    return told.exclude(context__stage__in=[str(s) for s in CLOSING_STAGES]).exists()


def why_not(case: Case, *, contact: ReferrerContact | None = None) -> str:
    """Why the referrer of ``case`` may not be told anything now, in a sentence; "" if they
    may (the module's docstring: who, and with whose consent)."""
    from privacy.models import Anonymisation

    contact = contact or case.referrer_person
    if contact is None:
        if case.referrer_id is None:
            return ""  # nobody on record referred it: nothing to say
        return (
            f"Nobody at {case.referrer.name} is told how the case goes: the case names no "
            "person there who referred it."
        )
    at = f"{contact.name} at {contact.referrer.name}"
    if contact.retired_at is not None or contact.referrer.is_retired:
        return f"{at} is not told: they are retired from the referrers on record."
    if contact.referrer_id != case.referrer_id:
        return ""
    if not contact.receives_updates:
        return f"{at} is not told: they are marked not to be sent case updates."
    if route(contact) is None:
        return f"{at} has no email address or mobile number: they are not sent updates."
    if Anonymisation.objects.filter(case=case).exists():
        return f"{at} is not told: the case's records were erased or anonymised."
    if not parties_consent(case):
        return (
            f"{contact.referrer.name} is not told: not every party has consented to the "
            "referrer being told how the case progresses."
        )
    return ""


def queue(
    case: Case, stage: str, *, by, category: str = "", quiet: bool = False
) -> OutboxMessage | None:
    """Write the referrer's update for ``stage`` of ``case``, in the caller's transaction, if
    it may go (the module's docstring); None if not, and the coordinator is told why (unless
    ``quiet``). Once per stage and case (per closing), never after a later stage was told; an
    update of the stage cancelled earlier is written again."""
    contact = recipient(case)
    reason = why_not(case, contact=contact)
    if contact is None or reason:
        if not quiet:
            tell(reason)
        return None
    if _told_later(case, stage):
        return None
    channel, address = route(contact)
    today = timezone.localdate()
    values = {
        "kind": KIND,
        "channel": channel,
        "referrer_contact": contact,
        "address": address,
        # Only what the message says (and the case's id, for the dispatcher's checks).
        "context": {
            "case": case.pk,
            "reference": case.reference,
            "organisation": contact.referrer.name,
            "stage": str(stage),
            "stage_label": Stage(stage).label,
            "stage_sentence": STAGE_SENTENCES[Stage(stage)],
            "date": date_format(today, "j F Y"),
            "category": Category(category).label if category else "",
        },
        "due_at": timezone.now(),
    }
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=_key(case, stage), defaults=values
    )
    if not created and message.status == OutboxMessage.Status.CANCELLED:
        # Not told (a consent withdrawn, a contact retired since): written again, as new.
        for name, value in values.items():
            setattr(message, name, value)
        message.status = OutboxMessage.Status.PENDING
        message.last_error = ""
        message.claimed_until = None
        message.save()
        created = True
    if created:
        what = Stage(stage).label.lower()
        how = message.get_channel_display().lower()
        timeline.log(case, f"{contact.referrer.name} will be told by {how}: {what}.", by=by)
        tell(f"{contact.name} at {contact.referrer.name} will be told: {what}.")
    return message


def after_transition(case: Case, *, steps: list[tuple[str, str]], by) -> OutboxMessage | None:
    """The one call from cases.services' moves along the lifecycle, with the (from, to) steps
    just taken: mediation started, else accepted. Only the furthest: a case taken through
    both at once (cases.services.case_advance) is told once."""
    if any(to == CaseStatus.ACTIVE for _frm, to in steps):
        return queue(case, Stage.STARTED, by=by)
    if (CaseStatus.REFERRED, CaseStatus.CONTACTING) in steps:
        return queue(case, Stage.ACCEPTED, by=by)
    return None


def reached(case: Case, *, mediated: bool | None = None) -> tuple[str, str] | None:
    """(stage, category): the latest stage ``case`` has reached; None while only referred."""
    if case.status == CaseStatus.REFERRED:
        # Nothing moves a case back to referred (cases.lifecycle), nor reopens one that was
        # ever active as referred: it never reached a stage, and its history need not be read.
        return None
    if case.status == CaseStatus.CLOSED:
        if mediated is None:
            from cases.services import mediation_took_place

            mediated = mediation_took_place(case)
        return closing_stage(case, mediated=mediated)
    if was_active(case):
        return Stage.STARTED, ""
    if case.status != CaseStatus.REFERRED:
        return Stage.ACCEPTED, ""
    return None


def after_consent_given(case: Case, *, kinds, by) -> OutboxMessage | None:
    """A party's consent was recorded (parties.services.consents_record): if it completes
    "every party consents", the referrer is told the latest stage reached and not yet told
    (the module's docstring: consent that comes later)."""
    if not {Consent.Kind.UPDATE_REFERRER, Consent.Kind.DATA_PROCESSING} & set(kinds):
        return None
    if case.referrer_person_id is None:
        return None
    latest = reached(case)
    if latest is None:
        return None
    stage, category = latest
    # Say why not only when the consent to the referrer being told was the one given.
    quiet = Consent.Kind.UPDATE_REFERRER not in kinds
    return queue(case, stage, by=by, category=category, quiet=quiet)


def after_close(case: Case, *, mediated: bool, by) -> OutboxMessage | None:
    """The one call from cases.services.case_close: declined, or closed with its category."""
    stage, category = closing_stage(case, mediated=mediated)
    return queue(case, stage, by=by, category=category)


def pending_for_case(case: Case):
    return OutboxMessage.objects.filter(kind=KIND, status__in=UNSENT, context__case=case.pk)


def cancel_pending(*, case: Case | None = None, contacts=None, reason: str) -> int:
    """Cancel the updates still to go about ``case``, or to ``contacts``; return how many."""
    if case is not None:
        found = pending_for_case(case)
    else:
        found = OutboxMessage.objects.filter(
            kind=KIND, status__in=UNSENT, referrer_contact__in=contacts
        )
    return found.update(status=OutboxMessage.Status.CANCELLED, last_error=reason[:300])


def after_reopen(case: Case) -> int:
    """A closing update still to go is moot once the case is reopened."""
    return (
        pending_for_case(case)
        .filter(context__stage__in=list(CLOSING_STAGES))
        .update(status=OutboxMessage.Status.CANCELLED, last_error="The case was reopened")
    )


def after_consent_withdrawn(consent: Consent) -> int:
    """A party withdrew consent to the referrer being told, or to the use of their data: the
    case's updates still to go are cancelled (the dispatcher would refuse them anyway), and the
    coordinator is told what that means for the referrer."""
    if consent.kind not in (Consent.Kind.UPDATE_REFERRER, Consent.Kind.DATA_PROCESSING):
        return 0
    case = consent.party.case
    cancelled = cancel_pending(case=case, reason="A party withdrew consent")
    contact = case.referrer_person
    who = f"{contact.name} at {contact.referrer.name}" if contact else "The referrer"
    if contact is not None or cancelled:
        tell(withdrawal_sentence(who, cancelled))
    return cancelled


def withdrawal_sentence(who: str, cancelled: int) -> str:
    """What withdrawing the consent means for the referrer, for the withdrawal's page and the
    message after it."""
    sentence = f"{who} will not be told anything more about this case"
    if cancelled:
        sentence += (
            f": {cancelled} update{pluralize(cancelled)} still to go "
            f"{'was' if cancelled == 1 else 'were'} cancelled"
        )
    return sentence + "."


def readdress_pending(contact: ReferrerContact) -> int:
    """A contact's email or phone changed: their updates still to go follow, or are cancelled
    when they can no longer be reached."""
    where = route(contact)
    pending = OutboxMessage.objects.filter(kind=KIND, status__in=UNSENT, referrer_contact=contact)
    if where is None:
        return pending.update(
            status=OutboxMessage.Status.CANCELLED, last_error="Contact details changed"
        )
    channel, address = where
    return pending.update(
        channel=channel, address=address, status=OutboxMessage.Status.PENDING, claimed_until=None
    )


def withdrawal_preview(consent: Consent) -> str:
    """What withdrawing ``consent`` will stop for the referrer, for the page that asks to
    confirm it; "" when it stops nothing of theirs."""
    if consent.kind not in (Consent.Kind.UPDATE_REFERRER, Consent.Kind.DATA_PROCESSING):
        return ""
    case = consent.party.case
    contact = case.referrer_person
    if contact is None:
        return ""
    pending = pending_for_case(case).count()
    sentence = f"stop the updates to {contact.name} at {contact.referrer.name} about this case"
    if pending:
        sentence += (
            f" ({pending} waiting to be sent will be cancelled): they will not be told "
            "anything more"
        )
    else:
        sentence += ": they will not be told anything more"
    return sentence
