import pytest
from django.core.exceptions import ValidationError

from parties.validators import display_phone, normalise_phone, normalise_postcode, postcode_district


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("tn91aa", "TN9 1AA"),
        (" TN9  1AA ", "TN9 1AA"),
        ("me142lp", "ME14 2LP"),
        ("SW1A1AA", "SW1A 1AA"),
        ("gir0aa", "GIR 0AA"),
        ("", ""),
    ],
)
def test_it_normalises_uk_postcodes(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["TN9", "12345", "TN9 1A", "not a postcode", "TNN9 1AA"])
def test_it_refuses_what_is_not_a_uk_postcode(typed):
    with pytest.raises(ValidationError, match="Enter a UK postcode"):
        normalise_postcode(typed)


def test_it_knows_the_district_of_a_postcode():
    assert postcode_district("TN9 1AA") == "TN9"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01732 123456", "+441732123456"),
        ("07911 123456", "+447911123456"),
        ("+44 7911 123456", "+447911123456"),
        ("0044 1732 123456", "+441732123456"),
    ],
)
def test_it_normalises_phone_numbers_to_e164(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "01732", "phone me", "0800 00"])
def test_it_refuses_invalid_phone_numbers(typed):
    with pytest.raises(ValidationError, match="valid phone number"):
        normalise_phone(typed)


def test_it_displays_uk_numbers_in_national_form():
    assert display_phone("+441732123456") == "01732 123456"
    assert display_phone("+33145678901").startswith("+33")
