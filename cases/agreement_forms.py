from django import forms

from volunteers.models import Volunteer
from wkm.widgets import DateInput

from .models import Agreement, AgreementTerm


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ("introduction", "review_on")
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4}), "review_on": DateInput()}


class TermForm(forms.ModelForm):
    class Meta:
        model = AgreementTerm
        fields = ("who", "what", "by_when")
        widgets = {"what": forms.Textarea(attrs={"rows": 2})}


class SignatureForm(forms.Form):
    signer = forms.ChoiceField(label="Who signed")
    signed_on = forms.DateField(label="Date", widget=DateInput())
    verbal = forms.BooleanField(label="They agreed verbally but did not sign", required=False)
    note = forms.CharField(label="Note (optional)", required=False, max_length=200)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        parties = [(f"party:{p.pk}", p.full_name) for p in case.parties.all()]
        mediators = [
            (f"volunteer:{a.volunteer_id}", f"{a.volunteer.full_name} (mediator)")
            for a in case.assignments.all()
            if a.ended_on is None
        ]
        self.fields["signer"].choices = [("", "Choose a person"), *parties, *mediators]

    def chosen_signer(self, case):
        """(party, volunteer) for the chosen signer."""
        kind, pk = self.cleaned_data["signer"].split(":")
        if kind == "party":
            return case.parties.get(pk=pk), None
        return None, Volunteer.objects.get(pk=pk)
