from django import forms
from django.utils import timezone

from wkm.forms import TextLimits

from .models import SubjectAccessRequest


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, email, phone number or postcode",
        min_length=2,
        max_length=200,
        help_text="Part of a name is enough; a postcode district such as TN9 works too.",
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RequestForm(TextLimits, forms.ModelForm):
    class Meta:
        model = SubjectAccessRequest
        fields = ["subject_name", "requester", "requested_on", "notes"]
        widgets = {"requested_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "requested_on": "The month to answer starts from this date.",
            "notes": "How their identity was checked; anything agreed about the scope.",
        }

    def clean_requested_on(self):
        value = self.cleaned_data["requested_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future.")
        return value


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[
            (SubjectAccessRequest.Status.COMPLETED, "Completed: the copy was sent"),
            (SubjectAccessRequest.Status.REFUSED, "Refused"),
        ],
        widget=forms.RadioSelect,
    )
    completed_on = forms.DateField(label="On", widget=DateInput())
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a refusal: the reason (it is also what you tell the person).",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == SubjectAccessRequest.Status.REFUSED
            and not (data.get("notes") or "").strip()
        ):
            self.add_error("notes", "Give the reason for refusing.")
        when = data.get("completed_on")
        if when and when > timezone.localdate():
            self.add_error("completed_on", "The date cannot be in the future.")
        return data


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked these are the person's records, and that the erasure is due.",
        required=True,
        error_messages={"required": "Tick the box to confirm."},
    )


class ExportForm(forms.Form):
    include_safeguarding = forms.BooleanField(
        label="Include safeguarding notes",
        required=False,
        help_text="Only after checking that releasing them would put nobody at risk.",
    )
