from django import forms

from accounts.roles import COORDINATOR, users_with_role
from parties.models import Party
from wkm.forms import TextLimits
from wkm.widgets import DateInput, DateTimeInput

from . import lists
from .models import Case, ContactLogEntry
from .services import CASE_EDITABLE_FIELDS


def coordinators():
    return users_with_role(COORDINATOR).order_by("first_name", "last_name")


class CaseForm(lists.ListChoicesMixin, TextLimits, forms.ModelForm):
    """The case's details. Its referrer is typed, with the organisations and people on record
    offered as one types (templates/referrers/_datalists.html), and made records of by the
    service (referrers.intake)."""

    list_fields = {"dispute_type": lists.DISPUTE_TYPE, "referral_source": lists.REFERRAL_SOURCE}

    add_organisation = forms.BooleanField(
        label="Add it as a new organisation",
        required=False,
        help_text="Tick this if the organisation is not on the list yet.",
    )

    class Meta:
        model = Case
        fields = tuple(f for f in CASE_EDITABLE_FIELDS if f not in ("referrer", "referrer_person"))
        labels = {
            "referrer_organisation": "Referring organisation",
            "referrer_name": "Person who referred",
            "referrer_contact": "Their email or phone",
        }
        help_texts = {
            "referrer_organisation": "Start typing to pick one we know. Leave empty for a "
            "self-referral.",
            "referrer_name": "Pick someone at the organisation, or type a new name to add them.",
            "referrer_contact": "Updates about the case go to this email address, with the "
            "parties' consent.",
        }
        widgets = {
            "received_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "risk_notes": forms.Textarea(attrs={"rows": 2}),
            "referrer_organisation": forms.TextInput(
                attrs={"list": "referrer-organisations", "autocomplete": "off"}
            ),
            "referrer_name": forms.TextInput(
                attrs={"list": "referrer-people", "autocomplete": "off"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinators()
        self.fields["coordinator"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["coordinator"].required = False
        self.fields["coordinator"].help_text = "Leave empty to take the case yourself."
        # The organisation first, then whether to add it, then its person: a person is picked
        # from the organisation's people (static/js/referrer-picker.js, referrers.intake).
        order = list(self.fields)
        order.remove("add_organisation")
        order.remove("referrer_organisation")
        at = order.index("referrer_name")
        order[at:at] = ["referrer_organisation", "add_organisation"]
        self.order_fields(order)

    def case_fields(self) -> dict:
        """The case's own fields (the referrer's records come from ``referrer_pick``)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def referrer_pick(self):
        from referrers.intake import ReferrerPick

        data = self.cleaned_data
        return ReferrerPick(
            organisation=data["referrer_organisation"],
            person=data["referrer_name"],
            contact=data["referrer_contact"],
            add_organisation=data["add_organisation"],
            source=data["referral_source"],
        )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "Choose an outcome")])
    closed_on = forms.DateField(label="Date closed", widget=DateInput())
    follow_up_on = forms.DateField(
        label="Follow-up date",
        required=False,
        widget=DateInput(),
        help_text="Suggested: three months after closing. Leave empty for no follow-up.",
    )

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "Choose an outcome")] + [
            (o, lists.label(lists.OUTCOME, o)) for o in outcomes
        ]


class ReopenForm(TextLimits, forms.Form):
    reason = forms.CharField(
        label="Why is the case being reopened?", widget=forms.Textarea(attrs={"rows": 3})
    )


class LogEntryForm(TextLimits, forms.ModelForm):
    class Meta:
        model = ContactLogEntry
        fields = ("kind", "occurred_at", "party", "text", "private_to", "is_draft")
        widgets = {"occurred_at": DateTimeInput(), "text": forms.Textarea(attrs={"rows": 3})}
        labels = {"is_draft": "Save as a draft (only you will see it until you publish it)"}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # Updates are written by the services as things happen, not typed.
        self.fields["kind"].choices = [
            c for c in self.fields["kind"].choices if c[0] != ContactLogEntry.Kind.EVENT
        ]
        empty_labels = {
            "party": "Nobody in particular",
            "private_to": "Not private: all of the case team may use it",
        }
        # The choices come from the case's parties as the page already has them (case_for
        # prefetches them); the queryset still checks what is posted.
        parties = list(case.parties.all())
        for name, empty_label in empty_labels.items():
            field = self.fields[name]
            field.queryset = Party.objects.filter(case=case)
            field.empty_label = empty_label
            field.choices = [("", empty_label)] + [
                (party.pk, field.label_from_instance(party)) for party in parties
            ]
