"""Writes to parties and their consent. See cases.services for the conventions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event

from .models import Consent, Party

PARTY_EDITABLE_FIELDS = tuple(
    f.name
    for f in Party._meta.get_fields()
    if getattr(f, "editable", False) and f.concrete and f.name not in {"id", "case", "created_at"}
)


def _audit(action, *, by, party, request=None, obj=None, **detail):
    record_event(
        action=action,
        actor=by,
        request=request,
        obj=obj or party,
        case_reference=party.case.reference,
        detail=detail or None,
    )


@transaction.atomic
def party_add(*, case, by, fields: dict, request=None) -> Party:
    party = Party(case=case, **fields)
    party.full_clean()
    party.save()
    _audit(AuditEvent.Action.CREATE, by=by, party=party, request=request)
    return party


@transaction.atomic
def party_update(*, party: Party, by, fields: dict, request=None) -> Party:
    unknown = set(fields) - set(PARTY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(party, name, value)
    party.full_clean()
    party.save()
    _audit(AuditEvent.Action.CHANGE, by=by, party=party, request=request, fields=sorted(fields))
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
    request=None,
) -> Consent:
    """Record a consent. A party holds at most one current consent of each kind."""
    Party.objects.select_for_update().get(pk=party.pk)  # serialise consents of one party
    if party.consents.filter(kind=kind, withdrawn_at__isnull=True).exists():
        raise ValidationError({"kind": f"{party.full_name} has already given this consent."})
    consent = Consent(
        party=party, kind=kind, given_at=given_at, method=method, notes=notes, recorded_by=by
    )
    consent.full_clean()
    consent.save()
    _audit(AuditEvent.Action.CREATE, by=by, party=party, request=request, obj=consent, kind=kind)
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, by, withdrawn_at: datetime.datetime | None = None, request=None
) -> Consent:
    """Withdraw a consent. Withdrawing consent to mediate stops joint work (rule 7): the case
    page then asks the coordinator to close the case as withdrawn."""
    consent = Consent.objects.select_for_update().select_related("party__case").get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError("This consent has already been withdrawn.")
    consent.withdrawn_at = withdrawn_at or timezone.now()
    if consent.withdrawn_at < consent.given_at:
        raise ValidationError("A consent cannot be withdrawn before it was given.")
    consent.withdrawn_recorded_by = by
    consent.save(update_fields=["withdrawn_at", "withdrawn_recorded_by"])
    _audit(
        AuditEvent.Action.CHANGE,
        by=by,
        party=consent.party,
        request=request,
        obj=consent,
        withdrawn=consent.kind,
    )
    return consent
