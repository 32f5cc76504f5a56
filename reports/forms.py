"""The date range every report takes (?start=YYYY-MM-DD&end=YYYY-MM-DD)."""

import datetime

from django import forms

from wkm.widgets import DateInput

from .periods import Period, last_full_quarter

EARLIEST = datetime.date(2000, 1, 1)
LONGEST_DAYS = 366 * 10


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="From", widget=DateInput(), help_text="The first day of the period."
    )
    end = forms.DateField(label="To", widget=DateInput(), help_text="The last day, included.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and start < EARLIEST:
            self.add_error("start", "Choose a date from 1 January 2000 on.")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must be on or after the start date.")
            elif (end - start).days >= LONGEST_DAYS:
                self.add_error("end", "Choose a period of at most ten years.")
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def period_form(data) -> PeriodForm:
    """Bound to the query string when it gives a date; otherwise the last full quarter."""
    if data.get("start") or data.get("end"):
        return PeriodForm(data)
    default = last_full_quarter()
    return PeriodForm({"start": default.start.isoformat(), "end": default.end.isoformat()})
