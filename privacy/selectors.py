"""Finding a person across parties and volunteers, for a subject access request (coordinators
only: it reaches across every case)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, Value
from django.db.models.functions import Concat

from parties.models import Party
from parties.validators import OUTWARD_CODE, normalise_phone, normalise_postcode
from volunteers.models import Volunteer

MAX_RESULTS = 100


def _normalised(normalise, text: str) -> str:
    try:
        return normalise(text)
    except ValidationError:
        return ""


def _phone(text: str) -> str:
    """The number in the stored (E.164) form; leniently, since a number stored long ago may not
    pass today's check (07700 900xxx, say)."""
    phone = _normalised(normalise_phone, text)
    if phone:
        return phone
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) < 10 or len(digits) > 13 or not set(text) <= set("+0123456789 ()-"):
        return ""
    if text.strip().startswith("+"):
        return f"+{digits}"
    return f"+44{digits[1:]}" if digits.startswith("0") else f"+{digits}"


def find_person(text: str) -> tuple[list[Party], list[Volunteer]]:
    """Parties and volunteers matching a name (any part of it), an email address, a phone
    number (in any usual form) or a postcode (a whole one, or a district such as TN9)."""
    text = " ".join(text.split())
    if len(text) < 2:
        return [], []
    phone = _phone(text) if any(c.isdigit() for c in text) else ""
    postcode = _normalised(normalise_postcode, text)
    party_q = Q(full_name__icontains=text) | Q(email__iexact=text)
    volunteer_q = Q(name_text__icontains=text) | Q(email__iexact=text)
    if phone:
        party_q |= Q(phone=phone)
        volunteer_q |= Q(phone=phone)
    if postcode:
        party_q |= Q(postcode=postcode)
        volunteer_q |= Q(postcode=postcode)
    elif OUTWARD_CODE.match(text.upper()):
        district = text.upper()
        party_q |= Q(postcode__startswith=f"{district} ")
        volunteer_q |= Q(postcode__startswith=f"{district} ")
    parties = list(
        Party.objects.filter(party_q)
        .select_related("case")
        .order_by("full_name", "-case__received_on", "pk")[:MAX_RESULTS]
    )
    volunteers = list(
        Volunteer.objects.annotate(name_text=Concat("first_name", Value(" "), "last_name"))
        .filter(volunteer_q)
        .order_by("last_name", "first_name", "pk")[:MAX_RESULTS]
    )
    return parties, volunteers
