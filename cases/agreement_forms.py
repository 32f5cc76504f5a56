from django import forms
from django.utils.text import capfirst

from volunteers.models import Volunteer
from wkm.widgets import DateInput

from .models import Agreement, AgreementTerm

# What an agreement's texts may hold, so that its PDF stays a few pages long and quick to render
# (documents.rendering; the number of terms is bounded by cases.agreements.MAX_TERMS). The model
# fields are unbounded TextFields: the bound lives here, not in a migration.
MAX_INTRODUCTION_CHARS = 4000
MAX_TERM_CHARS = 1000


class AgreementForm(forms.ModelForm):
    introduction = forms.CharField(
        label=capfirst(Agreement._meta.get_field("introduction").verbose_name),
        help_text=Agreement._meta.get_field("introduction").help_text,
        required=False,
        max_length=MAX_INTRODUCTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Agreement
        fields = ("introduction", "review_on")
        widgets = {"review_on": DateInput()}


class TermForm(forms.ModelForm):
    what = forms.CharField(
        label=capfirst(AgreementTerm._meta.get_field("what").verbose_name),
        max_length=MAX_TERM_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="It follows “… will”: for example, turn the music down after 10pm on weeknights.",
    )

    class Meta:
        model = AgreementTerm
        fields = ("who", "what", "by_when")

    def __init__(self, *args, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if form_id:  # shown below the terms, but sent with the draft's form (form="…")
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


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
            for a in case.current_assignments()
        ]
        self.fields["signer"].choices = [("", "Choose a person"), *parties, *mediators]

    def chosen_signer(self, case):
        """(party, volunteer) for the chosen signer."""
        kind, pk = self.cleaned_data["signer"].split(":")
        if kind == "party":
            return case.parties.get(pk=pk), None
        return None, Volunteer.objects.get(pk=pk)
