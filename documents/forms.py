from django import forms
from django.conf import settings

from wkm.widgets import DateInput

from .case_files import LOOSE_KINDS, REASON_MISSING, REASON_TOO_LONG
from .models import CaseFile
from .uploads import ALLOWED_IN_WORDS, MAX_FILES_PER_UPLOAD


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one <input type=file multiple>, as Django's documentation shows. Empty
    files pass here so that documents.uploads refuses them by name with the rest."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def limits_in_words() -> str:
    return (
        f"Up to {MAX_FILES_PER_UPLOAD} files at a time, each up to {settings.CASE_FILE_MAX_MB} "
        f"MB: {ALLOWED_IN_WORDS}."
    )


class CaseFileForm(forms.Form):
    # On the case page beside the timeline's form, whose fields have the same names.
    prefix = "file"
    files = MultipleFileField(label="Files", required=False)
    kind = forms.ChoiceField(
        label="Kind of file",
        choices=[("", "Choose a kind")]
        + [(k, label) for k, label in CaseFile.Kind.choices if k in LOOSE_KINDS],
    )
    description = forms.CharField(
        label="Description",
        max_length=200,
        help_text="What it is, for example “referral form from Town and Country Housing”.",
    )
    party = forms.TypedChoiceField(
        label="About one party",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Only for a file about one party alone: it is then never shown or sent where "
        "another party could see it.",
    )

    def __init__(self, *args, case, erased=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = limits_in_words()
        self.fields["party"].choices = [("", "No: the whole case")] + [
            (p.pk, p.full_name) for p in case.parties.all() if p.pk not in erased
        ]
        self._parties = {p.pk: p for p in case.parties.all()}

    def chosen_party(self):
        pk = self.cleaned_data.get("party")
        return self._parties.get(pk) if pk else None


class DeleteFileForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being deleted?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example “uploaded to the wrong case”. Kept with the file.",
        # The service's words (documents.case_files), not Django's "This field is required."
        error_messages={"required": REASON_MISSING, "max_length": REASON_TOO_LONG},
    )


class SignedScanForm(forms.Form):
    # On the agreement page beside the signature form, which also has a date.
    prefix = "scan"

    file = forms.FileField(
        label="Scan of the signed agreement",
        allow_empty_file=True,
        required=False,
    )
    signed_on = forms.DateField(label="Signed on", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.CASE_FILE_MAX_MB
        self.fields["file"].help_text = f"A PDF or image of the signed pages, up to {limit} MB."
