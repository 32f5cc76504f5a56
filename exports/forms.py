from django import forms


class EverythingForm(forms.Form):
    """What the "everything" export asks (its page, and exports.builders reading the post):
    the format of the files in the ZIP."""

    format = forms.ChoiceField(
        label="Format of the files",
        choices=[
            ("csv", "CSV: one file per table, for loading into another system"),
            ("xlsx", "XLSX: one workbook per table, for reading in a spreadsheet"),
        ],
        initial="csv",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose CSV or XLSX.", "invalid_choice": "Choose CSV or XLSX."},
    )
