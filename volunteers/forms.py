"""Forms for volunteer records. They parse and check input; every write goes through
volunteers.services (the views pass the cleaned values on and show the service's errors)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from accounts.roles import SUPERVISOR, users_with_role
from wkm.forms import TextLimits
from wkm.widgets import DateInput

from .models import (
    Accreditation,
    Availability,
    DBSCheck,
    DeclaredConnection,
    TrainingRecord,
    Volunteer,
)
from .services import VOLUNTEER_EDITABLE_FIELDS


def _user_label(user) -> str:
    full_name = user.get_full_name()
    return f"{full_name} ({user.username})" if full_name else user.username


def values_for(form, names) -> dict:
    """The values to hand to a service: read from the form's instance, which the model's clean()
    has normalised (postcodes, phone numbers), for the fields the form edits."""
    return {name: getattr(form.instance, name) for name in names}


class VolunteerForm(TextLimits, forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = VOLUNTEER_EDITABLE_FIELDS
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("first_name", "last_name", "username")
        free = Q(is_active=True, volunteer__isnull=True)
        if self.instance.user_id:
            free |= Q(pk=self.instance.user_id)
        self.fields["user"].queryset = users.filter(free)
        self.fields["user"].label_from_instance = _user_label
        self.fields["user"].empty_label = "No login"
        self.fields["supervisor"].queryset = users_with_role(SUPERVISOR).order_by(
            "first_name", "last_name", "username"
        )
        self.fields["supervisor"].label_from_instance = _user_label
        self.fields["supervisor"].empty_label = "No supervisor"
        self.fields["status"].help_text = (
            "“Mediator” follows community accreditation. Making someone inactive (or an "
            "applicant, or in training) takes them off their cases, which then need a new "
            "mediator, and stops every message to them."
        )


class DBSCheckForm(forms.ModelForm):
    class Meta:
        model = DBSCheck
        fields = (
            "certificate_number",
            "enhanced",
            "issued_on",
            "update_service",
            "last_status_check_on",
        )
        widgets = {
            "certificate_number": forms.TextInput(attrs={"inputmode": "numeric"}),
            "issued_on": DateInput(),
            "last_status_check_on": DateInput(),
        }
        labels = {"issued_on": "Date of issue"}
        help_texts = {
            "certificate_number": "The 12-digit number printed on the certificate.",
            "last_status_check_on": "Only for a certificate on the Update Service.",
        }


class StatusCheckForm(forms.Form):
    """An Update Service status check that found the certificate still valid. The field keeps
    the model's name so the service's errors land next to it."""

    last_status_check_on = forms.DateField(label="Date of the status check", widget=DateInput())


class TrainingForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ("course", "hours", "completed_on", "notes")
        widgets = {
            "hours": forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "500"}),
            "completed_on": DateInput(),
        }
        labels = {"completed_on": "Date completed", "notes": "Notes (optional)"}


class AccreditationForm(forms.ModelForm):
    """Granting an accreditation. Coordinators also see ``prior_evidence``, to record a
    community accreditation gained before joining the service."""

    class Meta:
        model = Accreditation
        fields = ("kind", "granted_on", "prior_evidence")
        widgets = {"granted_on": DateInput()}
        labels = {"kind": "Accreditation", "granted_on": "Date granted"}

    def __init__(self, *args, may_record_prior: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_record_prior:
            del self.fields["prior_evidence"]
        else:
            self.fields["prior_evidence"].label = "Accredited before joining (optional)"
            self.fields["prior_evidence"].help_text = (
                "Only for community accreditation gained elsewhere: by whom and when, and the "
                "evidence you saw. Otherwise it follows three signed-off trainee cases."
            )


class RevokeAccreditationForm(TextLimits, forms.Form):
    reason = forms.CharField(
        label="Why is it being revoked?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_granted_on(self):
        granted_on = self.cleaned_data["granted_on"]
        if granted_on and granted_on > timezone.localdate():
            raise forms.ValidationError("The date granted cannot be in the future.")
        return granted_on


class ConnectionForm(forms.ModelForm):
    class Meta:
        model = DeclaredConnection
        fields = ("person_name", "street", "postcode", "note")
        labels = {"note": "Note (optional)"}
        help_texts = {
            "person_name": "Someone they know, whom they must not mediate for.",
            "street": "A street or area they live near or have links with.",
        }


def slot_value(weekday: int, part: str) -> str:
    return f"{weekday}-{part}"


SLOT_CHOICES = [
    (slot_value(day, part), f"{day_label} {part_label.lower()}")
    for day, day_label in Availability.Weekday.choices
    for part, part_label in Availability.Part.choices
]


class AvailabilityForm(forms.Form):
    """A week's grid of checkboxes: weekday × part of day."""

    slots = forms.MultipleChoiceField(
        label="When they can mediate",
        choices=SLOT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_volunteer(cls, volunteer, data=None):
        initial = [slot_value(a.weekday, a.part_of_day) for a in volunteer.availability.all()]
        return cls(data, initial={"slots": initial})

    def cleaned_slots(self) -> list[tuple[int, str]]:
        slots = []
        for value in self.cleaned_data["slots"]:
            day, part = value.split("-", 1)
            slots.append((int(day), part))
        return sorted(slots)

    def grid(self):
        """Rows for the template: (weekday label, [(value, label, checked), ...]) per weekday."""
        if self.is_bound:
            chosen = set(self.data.getlist("slots")) if hasattr(self.data, "getlist") else set()
        else:
            chosen = set(self.initial.get("slots", []))
        return [
            (
                day_label,
                [
                    (
                        slot_value(day, part),
                        f"{day_label} {part_label.lower()}",
                        slot_value(day, part) in chosen,
                    )
                    for part, part_label in Availability.Part.choices
                ],
            )
            for day, day_label in Availability.Weekday.choices
        ]

    @staticmethod
    def parts():
        return [label for _, label in Availability.Part.choices]
