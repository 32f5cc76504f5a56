from django import forms

from wkm.widgets import DateTimeInput

from .models import Consent, Party
from .services import PARTY_EDITABLE_FIELDS


class PartyForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = PARTY_EDITABLE_FIELDS
        widgets = {
            "contact_restrictions": forms.Textarea(attrs={"rows": 2}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
            "safeguarding_notes": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }


# The intake page shows two parties (the second may stay blank); "Add another party" adds more.
# absolute_max: a posted TOTAL_FORMS of a million must not build (and render) Django's default
# max_num + 1000 forms, which took a minute and a 10 MB page for one small request.
PartyFormSet = forms.formset_factory(
    PartyForm,
    extra=1,
    min_num=1,
    validate_min=True,
    max_num=12,
    validate_max=True,
    absolute_max=12,
)


class ConsentWithdrawalForm(forms.Form):
    withdrawn_at = forms.DateTimeField(label="When they withdrew it", widget=DateTimeInput())
    method = forms.ChoiceField(
        label="How they told us",
        choices=[("", "Choose how"), *Consent.Method.choices],
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: rang the office; does not want to meet the other party.",
    )


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ("kind", "method", "given_at", "notes")
        widgets = {"given_at": DateTimeInput()}
        labels = {"notes": "Notes (optional)"}
