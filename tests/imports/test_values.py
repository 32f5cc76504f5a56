import datetime
from decimal import Decimal

import pytest

from imports.values import parse_date, parse_decimal, parse_yes_no


@pytest.mark.parametrize("text", ["23/11/2026", "2026-11-23", " 23/11/2026 "])
def test_dates_en_gb_and_iso(text):
    assert parse_date(text) == datetime.date(2026, 11, 23)


@pytest.mark.parametrize("text", ["11/23/2026", "23 Nov 2026", "2026-02-30"])
def test_not_dates(text):
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True), ("no", False),
     ("n", False),
     ("False", False), ("0", False), ("", None)],
)  # fmt: skip
def test_yes_no(text, value):
    assert parse_yes_no(text) is value


def test_numbers():
    assert parse_decimal("37.5") == Decimal("37.5")
    for text in ("nan", "Infinity", "forty"):
        with pytest.raises(ValueError, match="not a number"):
            parse_decimal(text)
