"""Forms for booking, moving and recording sessions, and for the home-visits switch.

They only parse what was typed: every rule (pairs, consent, clashes, times, home visits) is
checked by sessions.services, and its refusals are put back on the form by
wkm.forms.add_service_errors, so nothing typed is lost.
"""

from django import forms

from parties.models import Party
from wkm.forms import TextLimits
from wkm.widgets import DateInput, DateTimeInput

from .models import MediationSession, ServiceSettings

_model_field = MediationSession._meta.get_field


class _TimesMixin(forms.Form):
    starts_at = forms.DateTimeField(
        label="Starts", widget=DateTimeInput(), help_text="UK time (Europe/London)."
    )
    ends_at = forms.DateTimeField(label="Ends", widget=DateTimeInput())


class SessionForm(TextLimits, _TimesMixin):
    """Booking a session (or recording one that was held) for a case's current pair."""

    field_order = (
        "kind",
        "mode",
        "venue",
        "starts_at",
        "ends_at",
        "parties",
        "notes",
        "held",
    )

    kind = forms.ChoiceField(
        label="Kind of session",
        choices=[("", "Choose a kind of session"), *MediationSession.Kind.choices],
    )
    mode = forms.ChoiceField(
        label="How it takes place",
        choices=[("", "Choose how it takes place"), *MediationSession.Mode.choices],
    )
    venue = forms.CharField(
        label="Venue or joining details",
        max_length=_model_field("venue").max_length,
        required=False,
        help_text=_model_field("venue").help_text,
    )
    parties = forms.ModelMultipleChoiceField(
        label="Parties attending",
        queryset=Party.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one party who will attend."},
    )
    notes = forms.CharField(
        label="Confidential notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_model_field("notes").help_text,
    )
    held = forms.BooleanField(
        label="Record a session that was held",
        required=False,
        help_text="Tick to record a session that has already taken place; no reminders are sent.",
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        parties = case.parties.all()
        self.fields["parties"].queryset = Party.objects.filter(case=case)
        if not self.is_bound:
            self.initial.setdefault("parties", [p.pk for p in parties])


class RescheduleForm(_TimesMixin):
    field_order = ("starts_at", "ends_at", "mode", "venue")

    mode = forms.ChoiceField(label="How it takes place", choices=MediationSession.Mode.choices)
    venue = forms.CharField(
        label="Venue or joining details",
        max_length=_model_field("venue").max_length,
        required=False,
        help_text=_model_field("venue").help_text,
    )


class CancelForm(TextLimits, forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Added to the case timeline. Everyone attending is told it is off.",
    )


class OutcomeForm(TextLimits, forms.Form):
    status = forms.ChoiceField(
        label="What happened?",
        choices=[
            (MediationSession.Status.HELD, "It was held"),
            (MediationSession.Status.DID_NOT_ATTEND, "Someone did not attend"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose held or did not attend."},
    )
    notes = forms.CharField(
        label="Confidential notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Seen by the case team only. Leave as it is to keep the notes already saved.",
    )


class HomeVisitsSuspendForm(forms.Form):
    """Field names match ServiceSettings, so the service's errors land next to their field."""

    home_visits_reason = forms.CharField(
        label="Why are home visits suspended?",
        max_length=ServiceSettings._meta.get_field("home_visits_reason").max_length,
        help_text="Shown in the banner to every user.",
        error_messages={"required": "Say why home visits are suspended."},
    )
    home_visits_suspended_from = forms.DateField(
        label="Suspended from",
        required=False,
        widget=DateInput(),
        help_text="Leave empty to suspend them now.",
    )
    home_visits_suspended_until = forms.DateField(
        label="Suspended until",
        required=False,
        widget=DateInput(),
        help_text="Leave empty until further notice.",
    )
