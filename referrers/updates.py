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
- *declined*: the case closes before any mediation took place (cases.services.case_close with
  withdrawn, unsuitable or not contactable, no mediation session held and no agreement made);
- *closed*: the case closes after mediation took place, with an outcome *category* (below).

Each stage is told once per case (closing again after a reopening is a new closing).

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
from django.utils import timezone
from django.utils.formats import date_format

from cases import timeline
from cases.models import Case, Outcome
from cases.models import Status as CaseStatus
from notifications.channels import is_mobile
from notifications.models import OutboxMessage
from parties.consent import withdrew_q
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


def closing_stage(case: Case, *, mediated: bool) -> tuple[str, str]:
    """(stage, category) for a case closed with its outcome; ``mediated``: mediation took place
    (cases.services.mediation_took_place)."""
    category = CATEGORY_OF_OUTCOME[Outcome(case.outcome)]
    if not mediated:
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
    """Whether every party of ``case`` consents now to the referrer being told (one query)."""
    return Case.objects.filter(pk=case.pk).filter(_parties_consent_q(OuterRef("pk"))).exists()


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


def queue(case: Case, stage: str, *, by, category: str = "") -> OutboxMessage | None:
    """Write the referrer's update for ``stage`` of ``case``, in the caller's transaction, if
    it may go (the module's docstring); None if not. Once per stage and case (per closing)."""
    from privacy.models import Anonymisation

    contact = recipient(case)
    if contact is None:
        return None
    where = route(contact)
    if where is None:
        tell(
            f"{contact.name} at {contact.referrer.name} has no email address or mobile number: "
            "they are not sent updates."
        )
        return None
    if Anonymisation.objects.filter(case=case).exists():
        return None
    if not parties_consent(case):
        tell(
            f"{contact.referrer.name} is not told: not every party has consented to the "
            "referrer being told how the case progresses."
        )
        return None
    channel, address = where
    key = f"referrer_update:{case.pk}:{stage}"
    if stage in CLOSING_STAGES:
        key += f":{_closing_key(case)}"
    today = timezone.localdate()
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=key,
        defaults={
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
        },
    )
    if created:
        what = Stage(stage).label.lower()
        how = message.get_channel_display().lower()
        timeline.log(case, f"{contact.referrer.name} will be told by {how}: {what}.", by=by)
        tell(f"{contact.name} at {contact.referrer.name} will be told: {what}.")
    return message


def after_transition(case: Case, *, frm: str, to: str, by) -> OutboxMessage | None:
    """The one call from cases.services.case_transition: accepted, or mediation started."""
    if frm == CaseStatus.REFERRED and to == CaseStatus.CONTACTING:
        return queue(case, Stage.ACCEPTED, by=by)
    if to == CaseStatus.ACTIVE:
        return queue(case, Stage.STARTED, by=by)
    return None


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
    case's updates still to go are cancelled (the dispatcher would refuse them anyway)."""
    if consent.kind not in (Consent.Kind.UPDATE_REFERRER, Consent.Kind.DATA_PROCESSING):
        return 0
    cancelled = cancel_pending(case=consent.party.case, reason="A party withdrew consent")
    if cancelled:
        tell("The update to the referrer still to go is cancelled.")
    return cancelled


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
