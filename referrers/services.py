"""Every write to a referring organisation or its contacts. The pages, the admin and intake
(referrers.intake) all call these.

Each takes keyword arguments, runs in a transaction, validates with full_clean(), raises
ValidationError with a message a coordinator understands, and leaves an audit record. Nothing is
deleted: an organisation or a person who no longer refers is *retired* (hidden from lists and from
intake's choices, kept on the cases that name them), and can be brought back.

A contact retired, or told not to receive updates, gets none from then on: their pending updates
are cancelled here, and the dispatcher asks again before sending (referrers.updates).
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from cases import lists
from cases.models import Case, ReferralSource
from parties.validators import normalise_phone
from wkm.consequences import tell

from .models import Referrer, ReferrerContact

REFERRER_FIELDS = ("name", "kind", "email", "phone", "address", "notes")
CONTACT_FIELDS = ("name", "job_title", "email", "phone", "receives_updates")


def tidy_name(name: str) -> str:
    """A name as it is kept: trimmed, inner runs of spaces made one (so "Town  and Country "
    is the organisation "Town and Country" already on record)."""
    return re.sub(r"\s+", " ", name or "").strip()


def find_by_name(name: str, *, exclude_pk=None) -> Referrer | None:
    """The organisation called ``name``, whatever its case and spacing (retired ones too)."""
    found = Referrer.objects.filter(name__iexact=tidy_name(name))
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.first()


def _check_name(referrer: Referrer) -> None:
    referrer.name = tidy_name(referrer.name)
    if not referrer.name:
        raise ValidationError({"name": "Give the organisation's name."})
    same = find_by_name(referrer.name, exclude_pk=referrer.pk)
    if same is not None:
        retired = " (retired: bring it back from its page instead)" if same.is_retired else ""
        raise ValidationError(
            {"name": f"There is already an organisation called “{same.name}”{retired}."}
        )


def _check_kind(referrer: Referrer, *, kept: str = "") -> None:
    """An organisation usually refers as one of the current referral sources, never as a
    self-referral; the one it has may stay after that source is retired."""
    kind = referrer.kind
    if not kind or kind == kept:
        return
    if kind == ReferralSource.SELF:
        raise ValidationError({"kind": "An organisation does not refer as a self-referral."})
    lists.check_current(lists.REFERRAL_SOURCE, kind, field="kind")


def _phone(instance, errors_key: str = "phone") -> None:
    """Keep a UK phone number in the form the rest of the service keeps them (E.164)."""
    if instance.phone:
        try:
            instance.phone = normalise_phone(instance.phone)
        except ValidationError as error:
            raise ValidationError({errors_key: error.messages}) from error


def _changed(instance, fields: dict) -> list[str]:
    return sorted(name for name, value in fields.items() if getattr(instance, name) != value)


def _only(fields: dict, allowed: tuple) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")


@transaction.atomic
def referrer_create(*, by, fields: dict) -> Referrer:
    _only(fields, REFERRER_FIELDS)
    referrer = Referrer(**fields)
    _check_name(referrer)
    _check_kind(referrer)
    _phone(referrer)
    referrer.full_clean()
    referrer.save()
    record_event(action=AuditEvent.Action.CREATE, actor=by, obj=referrer)
    return referrer


@transaction.atomic
def referrer_update(*, referrer: Referrer, by, fields: dict) -> Referrer:
    _only(fields, REFERRER_FIELDS)
    referrer = Referrer.objects.select_for_update(no_key=True).get(pk=referrer.pk)
    kept_kind = referrer.kind
    for name, value in fields.items():
        setattr(referrer, name, value)
    _check_name(referrer)
    _check_kind(referrer, kept=kept_kind)
    _phone(referrer)
    before = Referrer.objects.get(pk=referrer.pk)
    changed = _changed(before, {f: getattr(referrer, f) for f in fields})
    referrer.full_clean()
    referrer.save()
    if changed:
        record_event(
            action=AuditEvent.Action.CHANGE, actor=by, obj=referrer, detail={"fields": changed}
        )
    if "name" in changed:
        _rename_on_cases(Case.objects.filter(referrer=referrer), "referrer_organisation", referrer)
    return referrer


def _rename_on_cases(cases, field: str, record) -> int:
    """A renamed organisation or person reaches the cases that name it: their free-text copy
    (what the case page, search and exports read) says the name on record, in the same
    transaction. One set-based UPDATE; django-pghistory's trigger writes one history row per
    case, as for any other change to a case's fields — kept on purpose (the case's text did
    change, and its history says when), unlike the backfill, which only filled links and left
    the text as typed. Told to whoever renamed it."""
    renamed = cases.exclude(**{field: record.name}).update(**{field: record.name})
    if renamed:
        tell(f"The new name is on its {renamed} case{pluralize(renamed)} too.")
    return renamed


@transaction.atomic
def referrer_retire(*, referrer: Referrer, by) -> Referrer:
    """Retire an organisation: it leaves the lists and intake, its cases keep it, and nobody
    there is sent an update any more (the dispatcher asks; pending ones are cancelled here)."""
    from .updates import cancel_pending

    referrer = Referrer.objects.select_for_update(no_key=True).get(pk=referrer.pk)
    if referrer.is_retired:
        raise ValidationError("This organisation is already retired.")
    referrer.retired_at = timezone.now()
    referrer.save(update_fields=["retired_at"])
    record_event(action=AuditEvent.Action.CHANGE, actor=by, obj=referrer, detail={"retired": True})
    cancel_pending(contacts=referrer.contacts.all(), reason="The organisation was retired")
    return referrer


@transaction.atomic
def referrer_unretire(*, referrer: Referrer, by) -> Referrer:
    referrer = Referrer.objects.select_for_update(no_key=True).get(pk=referrer.pk)
    if not referrer.is_retired:
        raise ValidationError("This organisation is not retired.")
    referrer.retired_at = None
    referrer.save(update_fields=["retired_at"])
    record_event(action=AuditEvent.Action.CHANGE, actor=by, obj=referrer, detail={"retired": False})
    return referrer


def _check_contact(contact: ReferrerContact) -> None:
    """A name, and not one a colleague at the organisation already has, whatever its capitals
    and spacing: intake picks a person by name (referrers.intake), so "Pat Jones" and
    "pat jones" at one organisation would be two records of one person, and the case would
    link the first it found."""
    contact.name = tidy_name(contact.name)
    if not contact.name:
        raise ValidationError({"name": "Give the person's name."})
    same = ReferrerContact.objects.filter(referrer=contact.referrer, name__iexact=contact.name)
    if contact.pk is not None:
        same = same.exclude(pk=contact.pk)
    same = same.first()
    if same is not None:
        retired = " (retired: bring them back instead)" if same.retired_at else ""
        raise ValidationError(
            {
                "name": f"{same.name} is already a contact at {contact.referrer.name}{retired}: "
                "edit them rather than adding them twice."
            }
        )
    contact.email = (contact.email or "").strip()
    _phone(contact)


@transaction.atomic
def contact_create(*, referrer: Referrer, by, fields: dict) -> ReferrerContact:
    _only(fields, CONTACT_FIELDS)
    referrer = Referrer.objects.select_for_update(no_key=True).get(pk=referrer.pk)
    if referrer.is_retired:
        raise ValidationError(
            "This organisation is retired: bring it back before adding people to it."
        )
    contact = ReferrerContact(referrer=referrer, **fields)
    _check_contact(contact)
    contact.full_clean()
    contact.save()
    record_event(
        action=AuditEvent.Action.CREATE,
        actor=by,
        obj=contact,
        detail={"referrer": referrer.pk},
    )
    return contact


@transaction.atomic
def contact_update(*, contact: ReferrerContact, by, fields: dict) -> ReferrerContact:
    """Edit a contact. Updates still to go to them follow a new email address; turning updates
    off cancels those still to go."""
    from .updates import cancel_pending, readdress_pending

    _only(fields, CONTACT_FIELDS)
    contact = ReferrerContact.objects.select_for_update(no_key=True).get(pk=contact.pk)
    before = ReferrerContact.objects.get(pk=contact.pk)
    for name, value in fields.items():
        setattr(contact, name, value)
    _check_contact(contact)
    changed = _changed(before, {f: getattr(contact, f) for f in fields})
    contact.full_clean()
    contact.save()
    if changed:
        record_event(
            action=AuditEvent.Action.CHANGE,
            actor=by,
            obj=contact,
            detail={"fields": changed, "referrer": contact.referrer_id},
        )
    if "name" in changed:
        _rename_on_cases(Case.objects.filter(referrer_person=contact), "referrer_name", contact)
    if not contact.receives_updates:
        cancel_pending(contacts=[contact], reason="Updates turned off for this person")
    elif {"email", "phone"} & set(changed):
        readdress_pending(contact)
    return contact


@transaction.atomic
def contact_retire(*, contact: ReferrerContact, by) -> ReferrerContact:
    from .updates import cancel_pending

    contact = ReferrerContact.objects.select_for_update(no_key=True).get(pk=contact.pk)
    if contact.retired_at is not None:
        raise ValidationError("This person is already retired.")
    contact.retired_at = timezone.now()
    contact.save(update_fields=["retired_at"])
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=contact,
        detail={"retired": True, "referrer": contact.referrer_id},
    )
    cancel_pending(contacts=[contact], reason="The person was retired")
    return contact


@transaction.atomic
def contact_unretire(*, contact: ReferrerContact, by) -> ReferrerContact:
    contact = ReferrerContact.objects.select_for_update(no_key=True).get(pk=contact.pk)
    if contact.retired_at is None:
        raise ValidationError("This person is not retired.")
    if contact.referrer.is_retired:
        raise ValidationError("Their organisation is retired: bring it back first.")
    contact.retired_at = None
    contact.save(update_fields=["retired_at"])
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=contact,
        detail={"retired": False, "referrer": contact.referrer_id},
    )
    return contact
