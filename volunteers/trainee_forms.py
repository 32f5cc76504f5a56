"""Forms for the trainee pathway (reflection, feedback, review, accreditation) and for hours.

The rules live in volunteers.services: these forms only parse. Text fields are not ``required``
so that an empty one reaches the service, whose message is the one shown next to the field.
"""

from django import forms

from cases.models import Case
from wkm.forms import TextLimits
from wkm.widgets import DateInput

from .models import VolunteerHours


class ReflectionForm(TextLimits, forms.Form):
    reflection = forms.CharField(
        label="Your reflection on the case",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What went well, what you found hard, and what you would do differently.",
    )


class FeedbackForm(TextLimits, forms.Form):
    feedback = forms.CharField(
        label="Your feedback for the trainee",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="How the trainee worked with the parties and with you as co-mediator.",
    )

    def __init__(self, *args, on_behalf_of: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if on_behalf_of:
            field = self.fields["feedback"]
            field.label = f"{on_behalf_of}'s feedback for the trainee"
            field.help_text = (
                f"What {on_behalf_of} told you of how the trainee worked with the parties and "
                "with them as co-mediator, as near to their words as you can."
            )


class ReviewForm(TextLimits, forms.Form):
    SIGN_OFF, MORE_WORK = "sign_off", "more_work"

    comments = forms.CharField(
        label="Your comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you ask for more work; optional when you sign the case off.",
    )
    # Set by the button pressed ("Sign off" / "Ask for more work"), not rendered as a field.
    decision = forms.ChoiceField(
        choices=[(SIGN_OFF, "Sign off"), (MORE_WORK, "Ask for more work")],
        error_messages={"required": "Choose “Sign off” or “Ask for more work”."},
    )

    @property
    def sign_off(self) -> bool:
        return self.cleaned_data["decision"] == self.SIGN_OFF


class GrantAccreditationForm(forms.Form):
    """Which trainee to accredit, among the volunteers the user may accredit."""

    volunteer = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers


class HoursForm(forms.Form):
    activity = forms.ChoiceField(choices=VolunteerHours.Activity.choices)
    case = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        required=False,
        empty_label="No case",
        help_text="Needed for casework.",
        error_messages={"invalid_choice": "Choose one of your cases."},
    )
    date = forms.DateField(widget=DateInput())
    hours = forms.DecimalField(max_digits=4, decimal_places=1, help_text="For example 1.5.")
    miles = forms.DecimalField(
        max_digits=5,
        decimal_places=1,
        initial=0,
        required=False,
        help_text="Miles travelled, if you claim mileage.",
    )
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = (
            Case.objects.visible_to(user).only("id", "reference").order_by("-reference")
        )
        self.fields["case"].label_from_instance = lambda case: case.reference

    def clean_miles(self):
        return self.cleaned_data["miles"] or 0
