from django import forms

from .registry import SHEETS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the sheet holds",
        widget=forms.RadioSelect,
        choices=[(key, sheet.label) for key, sheet in SHEETS.items()],
    )
    file = forms.FileField(
        label="The sheet",
        help_text="A CSV file or an Excel workbook (.xlsx), with the template's header in row 1.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
