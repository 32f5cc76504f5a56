"""Reporting periods, the previous period to compare with, and the date range form."""

import datetime

import pytest

from reports.forms import PeriodForm, period_form
from reports.periods import Period, last_full_quarter, presets


def d(year, month, day):
    return datetime.date(year, month, day)


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        # Whole months: the same number of calendar months before.
        (Period(d(2025, 10, 1), d(2025, 12, 31)), Period(d(2025, 7, 1), d(2025, 9, 30))),
        (Period(d(2026, 1, 1), d(2026, 3, 31)), Period(d(2025, 10, 1), d(2025, 12, 31))),
        (Period(d(2026, 3, 1), d(2026, 3, 31)), Period(d(2026, 2, 1), d(2026, 2, 28))),
        (Period(d(2025, 4, 1), d(2026, 3, 31)), Period(d(2024, 4, 1), d(2025, 3, 31))),
        # A period to date, over a month long: the same dates a year before (the same months).
        (Period(d(2026, 4, 1), d(2026, 12, 4)), Period(d(2025, 4, 1), d(2025, 12, 4))),
        (Period(d(2026, 10, 1), d(2026, 12, 4)), Period(d(2025, 10, 1), d(2025, 12, 4))),
        # Otherwise the same number of days.
        (Period(d(2026, 3, 10), d(2026, 3, 16)), Period(d(2026, 3, 3), d(2026, 3, 9))),
        (Period(d(2026, 1, 1), d(2026, 1, 1)), Period(d(2025, 12, 31), d(2025, 12, 31))),
    ],
)
def test_it_compares_with_the_period_before_of_the_same_length(period, previous):
    assert period.previous == previous


@pytest.mark.parametrize(
    ("today", "quarter"),
    [
        (d(2026, 11, 25), Period(d(2026, 7, 1), d(2026, 9, 30))),
        (d(2026, 1, 1), Period(d(2025, 10, 1), d(2025, 12, 31))),
        (d(2026, 3, 31), Period(d(2025, 10, 1), d(2025, 12, 31))),
        (d(2026, 4, 1), Period(d(2026, 1, 1), d(2026, 3, 31))),
    ],
)
def test_it_defaults_to_the_last_full_quarter(today, quarter):
    assert last_full_quarter(today) == quarter


def test_it_offers_common_periods():
    offered = dict(presets(d(2026, 11, 25)))

    assert offered["Last full quarter"] == Period(d(2026, 7, 1), d(2026, 9, 30))
    assert offered["This financial year so far"] == Period(d(2026, 4, 1), d(2026, 11, 25))
    assert offered["Last financial year"] == Period(d(2025, 4, 1), d(2026, 3, 31))
    assert offered["Last 12 full months"] == Period(d(2025, 11, 1), d(2026, 10, 31))


def test_it_lists_the_months_of_a_period():
    period = Period(d(2025, 11, 15), d(2026, 2, 3))

    assert period.months() == [d(2025, 11, 1), d(2025, 12, 1), d(2026, 1, 1), d(2026, 2, 1)]
    assert period.label == "15 Nov 2025 to 3 Feb 2026"
    assert period.query == "start=2025-11-15&end=2026-02-03"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start": "2026-03-01", "end": "2026-02-01"}, "end", "on or after the start date"),
        ({"start": "2010-01-01", "end": "2026-02-01"}, "end", "at most ten years"),
        ({"start": "1999-12-31", "end": "2000-02-01"}, "start", "from 1 January 2000"),
        ({"start": "2026-03-01", "end": ""}, "end", "This field is required"),
        ({"start": "yesterday", "end": "2026-03-01"}, "start", "Enter a valid date"),
    ],
)
def test_it_refuses_a_bad_period_next_to_the_field(data, field, message):
    form = PeriodForm(data)

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_it_uses_the_last_full_quarter_when_no_period_is_given():
    form = period_form({})

    assert form.is_valid()
    assert form.period == last_full_quarter()
