"""The referrer of a case as the intake and case-edit forms give it: an organisation picked
from those on record (or added there and then) and the person who referred, picked from its
contacts (or added to them).

The form has three text boxes, the case's own ``referrer_organisation``, ``referrer_name`` and
``referrer_contact``, with the organisations and people on record offered as the user types (a
``<datalist>``: searchable, and usable with hundreds of organisations, without any script from
elsewhere). ``resolve`` turns what was typed into records, inside the case service's
transaction, so a referral that is refused adds no organisation:

- an organisation is the one on record with that name, whatever its capitals and spaces; a
  name we do not have is refused unless "add it as a new organisation" is ticked (a typing
  slip must not make a second "Town and Country Housing"); a retired one is refused (bring it
  back first), except the one the case already has;
- the person is the organisation's current contact with that name, or a new contact of it with
  the email address or phone number typed beside the name; blanks of an existing contact are
  filled from it, nothing of theirs is overwritten;
- the free-text fields keep the names as on record, so search and exports read the same.

The public form (public.services.referral_submit) does not come here: what an agency types
there is kept as typed, for a coordinator to match when they take the case on.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from parties.validators import normalise_phone

from .models import Referrer, ReferrerContact
from .services import contact_create, contact_update, find_by_name, referrer_create, tidy_name


@dataclass(frozen=True)
class ReferrerPick:
    organisation: str = ""
    person: str = ""
    contact: str = ""  # a phone number or an email address, as typed
    add_organisation: bool = False
    source: str = ""  # the case's referral source: a new organisation is usually this kind


def _split_contact(text: str) -> dict:
    """{"email": …} or {"phone": …} from what was typed, or {} when it is neither."""
    text = (text or "").strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            return {}
        return {"email": text}
    try:
        phone = normalise_phone(text)
    except ValidationError:
        return {}
    return {"phone": phone} if phone else {}


def _organisation(pick: ReferrerPick, *, by, current: Referrer | None) -> Referrer | None:
    name = tidy_name(pick.organisation)
    if not name:
        return None
    referrer = find_by_name(name)
    if referrer is None:
        if not pick.add_organisation:
            raise ValidationError(
                {
                    "referrer_organisation": (
                        f"We have no organisation called “{name}”. Pick one from the list as "
                        "you type, or tick “Add it as a new organisation”."
                    )
                }
            )
        kind = "" if pick.source in ("", "self") else pick.source
        try:
            return referrer_create(by=by, fields={"name": name, "kind": kind})
        except ValidationError as error:
            raise ValidationError({"referrer_organisation": error.messages}) from error
    if referrer.is_retired and referrer != current:
        raise ValidationError(
            {
                "referrer_organisation": (
                    f"“{referrer.name}” is retired. Bring it back from the referring "
                    "organisations page first, or pick another."
                )
            }
        )
    return referrer


def _person(
    pick: ReferrerPick, referrer: Referrer, *, by, current: ReferrerContact | None
) -> ReferrerContact | None:
    name = tidy_name(pick.person)
    if not name:
        return None
    same = list(referrer.contacts.filter(name__iexact=name).order_by("retired_at", "pk"))
    details = _split_contact(pick.contact)
    active = next((c for c in same if c.retired_at is None), None)
    if active is None and current is not None and current in same:
        return current  # the case keeps its person, retired since
    if active is None and same:
        raise ValidationError(
            {
                "referrer_name": (
                    f"{same[0].name} at {referrer.name} is retired. Bring them back from the "
                    "organisation's page first, or give another name."
                )
            }
        )
    if active is None:
        return contact_create(referrer=referrer, by=by, fields={"name": name, **details})
    blanks = {field: value for field, value in details.items() if not getattr(active, field)}
    if blanks:
        active = contact_update(contact=active, by=by, fields=blanks)
    return active


def _kept_as_typed(pick: ReferrerPick, case) -> bool:
    """An organisation a case already has as text only (typed on the public form, say) and
    that is not on record stays text when the case is edited for something else: a coordinator
    correcting a summary is not made to match the referrer first."""
    if case is None or case.referrer_id is not None or pick.add_organisation:
        return False
    name = tidy_name(pick.organisation)
    return (
        bool(name)
        and name.casefold() == tidy_name(case.referrer_organisation).casefold()
        and find_by_name(name) is None
    )


def _check_not_someone_on_record(pick: ReferrerPick, case) -> None:
    """A person typed with no organisation who is a contact on record is refused with the
    question to answer: saved as text only, the case would link neither them nor their
    organisation, and they would never be told how it goes. (The intake page's script fills
    the organisation in when the person picked is on record; this is the rule.) A case being
    edited keeps the name it already has."""
    name = tidy_name(pick.person)
    if not name:
        return
    if case is not None and name.casefold() == tidy_name(case.referrer_name).casefold():
        return
    at = list(
        ReferrerContact.objects.filter(
            name__iexact=name, retired_at__isnull=True, referrer__retired_at__isnull=True
        )
        .select_related("referrer")
        .order_by("referrer__name")[:4]
    )
    if not at:
        return
    known = " or ".join(f"“{c.referrer.name}”" for c in at)
    raise ValidationError(
        {
            "referrer_organisation": (
                f"Which organisation is {at[0].name} at? We have {at[0].name} at {known}: "
                "give their organisation, or clear the person's name."
            )
        }
    )


def resolve(pick: ReferrerPick, *, by, case=None) -> dict:
    """The case's referrer fields for ``pick`` (records made as needed, in the caller's
    transaction); ``case``: the case being edited, whose own organisation and person may be
    kept even if retired since."""
    current_org = case.referrer if case is not None else None
    current_person = case.referrer_person if case is not None else None
    if _kept_as_typed(pick, case):
        return {
            "referrer": None,
            "referrer_person": None,
            "referrer_organisation": case.referrer_organisation,
            "referrer_name": tidy_name(pick.person),
            "referrer_contact": (pick.contact or "").strip(),
        }
    referrer = _organisation(pick, by=by, current=current_org)
    if referrer is None:
        _check_not_someone_on_record(pick, case)
        return {
            "referrer": None,
            "referrer_person": None,
            "referrer_organisation": "",
            "referrer_name": tidy_name(pick.person),
            "referrer_contact": (pick.contact or "").strip(),
        }
    person = _person(pick, referrer, by=by, current=current_person)
    return {
        "referrer": referrer,
        "referrer_person": person,
        "referrer_organisation": referrer.name,
        "referrer_name": person.name if person else "",
        "referrer_contact": (pick.contact or "").strip(),
    }


def check_case(case) -> None:
    """The person who referred a case works at its referring organisation (whatever set them:
    a page, the admin)."""
    person = case.referrer_person
    if person is not None and person.referrer_id != case.referrer_id:
        raise ValidationError(
            {"referrer_person": "Choose a person at the case's referring organisation."}
        )
