from django import forms

from .models import Volunteer


class PairForm(forms.Form):
    lead = forms.ModelChoiceField(
        label="Lead mediator", queryset=Volunteer.objects.none(), empty_label="Choose a mediator"
    )
    co_mediator = forms.ModelChoiceField(
        label="Co-mediator", queryset=Volunteer.objects.none(), empty_label="Choose a mediator"
    )
    override_reason = forms.CharField(
        label="Override reason (only if a connection must be accepted)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A volunteer who knows a party, or shares their postcode, needs a recorded "
        "reason to be assigned.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        working = Volunteer.objects.filter(
            status__in=[Volunteer.Status.MEDIATOR, Volunteer.Status.TRAINEE]
        )
        for name in ("lead", "co_mediator"):
            self.fields[name].queryset = working
            self.fields[name].label_from_instance = lambda v: (
                f"{v.full_name} ({v.get_status_display().lower()}, {v.postcode or 'no postcode'})"
            )
