"""UK postcodes and phone numbers: parsed, checked and stored in one normal form."""

import re

import phonenumbers
from django.core.exceptions import ValidationError

# The UK postcode format (outward code, space, inward code), plus the one special case GIR 0AA.
POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")
# The first half alone ("TN9", "ME14"): a postcode district.
OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def normalise_postcode(value: str) -> str:
    """'tn91aa' -> 'TN9 1AA'. Raises ValidationError for anything that is not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        return ""
    if not POSTCODE.match(compact):
        raise ValidationError("Enter a UK postcode, for example TN9 1AA.", code="invalid_postcode")
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_district(postcode: str) -> str:
    """The outward code: 'TN9 1AA' -> 'TN9'."""
    return postcode.split(" ")[0] if postcode else ""


def normalise_phone(value: str) -> str:
    """'01732 123456' -> '+441732123456' (E.164). Raises ValidationError if not a valid number."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "Enter a valid phone number, for example 01732 123456 or 07911 123456.",
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(value: str) -> str:
    """'+441732123456' -> '01732 123456'; numbers abroad keep their international form."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return value
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
