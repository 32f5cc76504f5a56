"""Writes to parties and their consent. See cases.services for the conventions.

A change to the parties can break a rule that held when the case moved on, so each write here
asks again what it may have broken: a new party has not consented (no joint work until they do),
a party who moves or joins may be a mediator's neighbour or acquaintance (rule 8), and a party
who withdraws consent is never contacted again.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import AuditEvent
from audit.services import record_event, record_events
from cases import services as case_services
from cases import timeline
from cases.models import Status
from notifications.outbox import (
    PARTY_CONTACT_FIELDS,
    Notify,
    cancel_messages_to,
    replan_messages_to,
)
from parties.areas import refresh_case_district
from referrers import updates as referrer_updates
from sessions.models import MediationSession
from sessions.services import cancel_sessions, future_sessions, stopped_by_withdrawal
from volunteers.eligibility import tell_unaccepted_conflicts
from wkm.consequences import tell

from .consent import CONTACT_STOPPING_KINDS
from .models import Consent, Party

# A change to these may make a party a mediator's neighbour (rule 8).
ADDRESS_FIELDS = ("full_name", "address_line1", "address_line2", "postcode")

PARTY_EDITABLE_FIELDS = tuple(
    f.name
    for f in Party._meta.get_fields()
    if getattr(f, "editable", False) and f.concrete and f.name not in {"id", "case", "created_at"}
)


@transaction.atomic
def party_add(*, case, by, fields: dict) -> Party:
    """Add a party. On a case already past consent, no joint work can be booked until they
    consent (sessions.services), and joint work already booked is flagged until then."""
    party = Party(case=case, **fields)
    party.full_clean()
    party.save()
    refresh_case_district(case)  # the first party with a postcode gives the case its area
    record_event(action=AuditEvent.Action.CREATE, actor=by, obj=party)
    timeline.log(case, f"{party.full_name} added ({party.get_role_display().lower()}).", by=by)
    if case.is_open:
        joint = list(future_sessions(case).filter(kind__in=MediationSession.JOINT_KINDS))
        if joint:
            listed = ", ".join(
                f"the {s.get_kind_display().lower()} on "
                f"{date_format(timezone.localtime(s.starts_at), 'D j M')}"
                for s in joint
            )
            tell(
                f"{party.full_name} has not consented yet: {listed} stays booked but needs their "
                "consent (or cancelling), and no more joint work can be booked until they consent."
            )
        tell_unaccepted_conflicts([case])
    return party


@transaction.atomic
def party_update(*, party: Party, by, fields: dict) -> Party:
    """Change a party's details; a new name or address is checked against the pair (rule 8),
    and new contact details or restrictions re-plan what is still to go to them
    (notifications.outbox.replan_messages_to)."""
    unknown = set(fields) - set(PARTY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    # Compared with the row as stored: a form may already have set the new values on ``party``.
    stored = Party.objects.get(pk=party.pk)
    moved = any(getattr(stored, name) != fields[name] for name in ADDRESS_FIELDS if name in fields)
    contact_before = [getattr(stored, name) for name in PARTY_CONTACT_FIELDS]
    for name, value in fields.items():
        setattr(party, name, value)
    party.full_clean()
    party.save()
    if stored.postcode != party.postcode:
        refresh_case_district(party.case)
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=party, detail={"fields": sorted(fields)}
    )
    if moved and party.case.is_open:
        tell_unaccepted_conflicts([party.case])
    if contact_before != [getattr(party, name) for name in PARTY_CONTACT_FIELDS]:
        # What was queued at booking follows the new details (the dispatcher would otherwise
        # stop it unsent, and nothing take its place).
        tell(replan_messages_to(party=party))
    return party


@transaction.atomic
def consent_record(
    *,
    party: Party,
    by,
    kind: str,
    given_at: datetime.datetime,
    method: str,
    notes: str = "",
) -> Consent:
    """Record a consent. A party holds at most one current consent of each kind."""
    return consents_record(
        party=party, by=by, kinds=[kind], given_at=given_at, method=method, notes=notes,
    )[0]  # fmt: skip


@transaction.atomic
def consents_record(
    *,
    party: Party,
    by,
    kinds,
    given_at: datetime.datetime,
    method: str,
    notes: str = "",
) -> list[Consent]:
    """Record the consents a party gave at once (one conversation, one letter): all or none,
    and one line on the case's timeline."""
    given = ConsentsGiven(party=party, kinds=kinds, given_at=given_at, method=method, notes=notes)
    return case_consents_record(case=party.case, by=by, given=[given])


@dataclass(frozen=True)
class ConsentsGiven:
    """What one party consented to, when and how: one entry of case_consents_record."""

    party: Party
    kinds: Sequence[str]
    given_at: datetime.datetime
    method: str
    notes: str = ""


@transaction.atomic
def case_consents_record(*, case, by, given: list[ConsentsGiven]) -> list[Consent]:
    """Record consents given by the parties of ``case``, each entry as consents_record records
    one (a line each on the timeline), all or none: for a case brought in from another system
    with its consents (imports.cases_sheet), in a few statements rather than a few per entry.
    The referrer hears once, at the end, if the case now has every party's consent.

    A refusal is a ValidationError whose ``given`` is the entry it is about."""
    parties = {party.pk: party for party in (entry.party for entry in given)}
    if any(party.case_id != case.pk for party in parties.values()):
        raise ValueError("every party must be one of the case's")
    # Serialise consents of one party (the one-current-consent rule: held, below).
    list(Party.objects.select_for_update().filter(pk__in=sorted(parties)).order_by("pk"))
    held = set(
        Consent.objects.filter(party__in=sorted(parties), withdrawn_at__isnull=True).values_list(
            "party_id", "kind"
        )
    )
    recorded: list[Consent] = []
    for entry in given:
        try:
            recorded += _consents(entry, held, by=by)
        except ValidationError as error:
            error.given = entry
            raise
    Consent.objects.bulk_create(recorded)
    record_events(
        [
            {
                "action": AuditEvent.Action.CREATE,
                "actor": by,
                "obj": consent,
                "case_reference": case.reference,
                "detail": {"kind": consent.kind},
            }
            for consent in recorded
        ]
    )
    lines = []
    for entry in given:
        party = entry.party
        kinds = "; ".join(Consent.Kind(kind).label.lower() for kind in entry.kinds)
        how = Consent.Method(entry.method).label.lower()
        lines.append((f"{party.full_name} consented {kinds} ({how}).", entry.given_at, party))
    timeline.log_many(case, lines, by=by)
    # The last consent in: the referrer hears the stage the case has reached, if not yet told.
    kinds = {kind for entry in given for kind in entry.kinds}
    referrer_updates.after_consent_given(case, kinds=kinds, by=by)
    return recorded


def _consents(entry: ConsentsGiven, held: set, *, by) -> list[Consent]:
    """The entry's consents, checked and not yet saved; ``held`` (party id, kind) grows."""
    party = entry.party
    if not entry.kinds:
        raise ValidationError({"kinds": "Tick at least one consent they have given."})
    consents = []
    for kind in entry.kinds:
        if (party.pk, kind) in held:
            raise ValidationError({"kind": f"{party.full_name} has already given this consent."})
        consent = Consent(
            party=party,
            kind=kind,
            given_at=entry.given_at,
            method=entry.method,
            notes=entry.notes,
            recorded_by=by,
        )
        # The party is locked and its current consents read (the one-current-consent rule:
        # held); the fields are checked here, the references and that rule's constraint by
        # the database (not again by a query each: an import records thousands).
        consent.full_clean(exclude=["party", "recorded_by"], validate_constraints=False)
        consents.append(consent)
        held.add((party.pk, kind))
    return consents


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    by,
    withdrawn_at: datetime.datetime | None = None,
    method: str = "",
    note: str = "",
) -> Consent:
    """Record that a party withdrew a consent, and stop what it allowed:

    - to mediate: every joint session still to come is cancelled with its reminders (the
      others attending are told), and so are meetings the party was to attend alone; a case
      ready or active goes back to awaiting consent, and its page prompts closing as
      withdrawn;
    - to mediate, or to the processing of their data: no message of any kind goes to them any
      more (pending ones are cancelled; parties.consent.contact_stopped stops new ones), and a
      case that was ready or active goes back to awaiting consent;
    - to share details: their contact details leave whatever is printed for others from now on
      (cases.disclosure).
    """
    consent = Consent.objects.select_for_update().select_related("party__case").get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError("This consent has already been withdrawn.")
    withdrawn_at = withdrawn_at or timezone.now()
    if withdrawn_at < consent.given_at:
        raise ValidationError(
            {"withdrawn_at": "A consent cannot be withdrawn before it was given."}
        )
    if withdrawn_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"withdrawn_at": "A withdrawal cannot be recorded in the future."})
    if method and method not in Consent.Method.values:
        raise ValidationError({"method": "Choose how they withdrew."})
    consent.withdrawn_at = withdrawn_at
    consent.withdrawn_recorded_by = by
    consent.withdrawn_method = method
    consent.withdrawal_note = note.strip()[:300]
    consent.save(
        update_fields=[
            "withdrawn_at",
            "withdrawn_recorded_by",
            "withdrawn_method",
            "withdrawal_note",
        ]
    )
    party = consent.party
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=consent,
        case_reference=party.case.reference,
        detail={"withdrawn": consent.kind},
    )
    how = f" ({consent.get_withdrawn_method_display().lower()})" if method else ""
    timeline.log(
        party.case,
        f"{party.full_name} withdrew consent {consent.get_kind_display().lower()}{how}."
        + (f" {consent.withdrawal_note}" if consent.withdrawal_note else ""),
        by=by,
        when=withdrawn_at,
        party=party,
    )
    if consent.kind == Consent.Kind.MEDIATE:
        _stop_mediation(party, by=by)
    if consent.kind in CONTACT_STOPPING_KINDS:
        cancelled = cancel_messages_to(party=party, reason="Consent withdrawn")
        if cancelled:
            tell(
                f"Cancelled {cancelled} message{pluralize(cancelled)} still to go to "
                f"{party.full_name}: nothing more will be sent to them."
            )
        _back_to_awaiting_consent(party, by=by)
    referrer_updates.after_consent_withdrawn(consent)
    return consent


def withdrawal_preview(consent: Consent) -> dict:
    """What recording this withdrawal will stop, for the page that asks to confirm it."""
    party = consent.party
    stops_contact = consent.kind in CONTACT_STOPPING_KINDS
    return {
        "sessions_to_cancel": list(stopped_by_withdrawal(party))
        if consent.kind == Consent.Kind.MEDIATE
        else [],
        "stops_contact": stops_contact,
        "messages_to_cancel": party_messages_pending(party) if stops_contact else 0,
        "back_to_awaiting_consent": stops_contact
        and party.case.status in (Status.READY, Status.ACTIVE),
        "referrer_told": referrer_updates.withdrawal_preview(consent),
    }


def party_messages_pending(party: Party) -> int:
    from notifications.models import OutboxMessage

    return OutboxMessage.objects.filter(
        party=party, status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
    ).count()


def _stop_mediation(party: Party, *, by) -> None:
    cancelled = cancel_sessions(
        stopped_by_withdrawal(party),
        by=by,
        because=f"{party.full_name} withdrew from mediation",
        notify=Notify.EVERYONE,
    )
    tell(cancelled.describe())


def _back_to_awaiting_consent(party: Party, *, by) -> None:
    """A case is ready or active only while every party consents (rule 7)."""
    case = party.case
    if case.status in (Status.READY, Status.ACTIVE):
        case_services.case_transition(case=case, to=Status.AWAITING_CONSENT, by=by)
        tell(
            f"{case.reference} is back to awaiting consent: close it as withdrawn, or record "
            f"{party.full_name}'s consent again if they change their mind."
        )
