"""Reporting periods: a range of whole days, and the period before it to compare with."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import timezone

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def whole_months(self) -> int:
        """How many calendar months the period covers exactly (0 if it is not whole months)."""
        if self.start.day != 1 or (self.end + ONE_DAY).day != 1:
            return 0
        after = self.end + ONE_DAY
        return (after.year - self.start.year) * 12 + after.month - self.start.month

    @property
    def previous(self) -> Period:
        """What to compare with: for whole months, the same number of months just before (a
        quarter with the quarter before); for a period to date — from the first of a month to
        part-way through one, like "this financial year so far" — the same dates a year before
        (1 April to 4 December with 1 April to 4 December last year, the same months of the
        year); otherwise the same number of days just before."""
        end = self.start - ONE_DAY
        months = self.whole_months
        if months:
            return Period(self.start - relativedelta(months=months), end)
        if self.start.day == 1 and self.days > 31:
            year = relativedelta(years=1)
            return Period(self.start - year, self.end - year)
        return Period(end - datetime.timedelta(days=self.days - 1), end)

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches, in order."""
        month = self.start.replace(day=1)
        months = []
        while month <= self.end:
            months.append(month)
            month += relativedelta(months=1)
        return months

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[from, to) as aware datetimes at local midnight, for filtering timestamps."""
        zone = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone),
            datetime.datetime.combine(self.end + ONE_DAY, datetime.time.min, tzinfo=zone),
        )

    @property
    def label(self) -> str:
        """23 Nov 2026 style, as everywhere in the app: "1 Oct 2026 to 31 Dec 2026"."""
        return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"

    @property
    def long_label(self) -> str:
        """ "1 October 2026 to 31 December 2026", for documents."""
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def quarter_start(day: datetime.date) -> datetime.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def last_full_quarter(today: datetime.date | None = None) -> Period:
    """The last calendar quarter that has ended (the default of every report)."""
    today = today or timezone.localdate()
    this_quarter = quarter_start(today)
    return Period(this_quarter - relativedelta(months=3), this_quarter - ONE_DAY)


def financial_year_start(day: datetime.date) -> datetime.date:
    """UK charities' usual financial year runs from 1 April."""
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def presets(today: datetime.date | None = None) -> list[tuple[str, Period]]:
    """Common periods offered as one-click links beside the date range form."""
    today = today or timezone.localdate()
    last_quarter = last_full_quarter(today)
    this_month = today.replace(day=1)
    year_start = financial_year_start(today)
    return [
        ("Last full quarter", last_quarter),
        ("The quarter before", last_quarter.previous),
        ("This quarter so far", Period(quarter_start(today), today)),
        ("This financial year so far", Period(year_start, today)),
        (
            "Last financial year",
            Period(year_start - relativedelta(years=1), year_start - ONE_DAY),
        ),
        (
            "Last 12 full months",
            Period(this_month - relativedelta(months=12), this_month - ONE_DAY),
        ),
        (
            "Last calendar year",
            Period(datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)),
        ),
    ]
