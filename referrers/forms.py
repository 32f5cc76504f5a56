from django import forms

from cases import lists
from cases.models import ReferralSource
from wkm.forms import TextLimits

from .models import Referrer, ReferrerContact
from .services import CONTACT_FIELDS, REFERRER_FIELDS


class ReferrerForm(TextLimits, forms.ModelForm):
    class Meta:
        model = Referrer
        fields = REFERRER_FIELDS
        labels = {"name": "Organisation's name"}
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "kind": "The referral source its cases usually come as.",
            "notes": "For the office: how they like to refer, who to ask. Never about a case.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(
            label="Usually referred as",
            required=False,
            choices=[("", "Not said")]
            + [
                (code, label)
                for code, label in lists.choices(
                    lists.REFERRAL_SOURCE,
                    include=[self.instance.kind] if self.instance.kind else (),
                    mark_retired=True,
                )
                if code != ReferralSource.SELF
            ],
            help_text=self.Meta.help_texts["kind"],
        )

    def _get_validation_exclusions(self):
        """The name is checked by the service (referrers.services: taken, whatever its capitals
        and spacing, said in words a coordinator understands), not by the model's constraint,
        whose message is only its name; the form field still checks its length."""
        return {*super()._get_validation_exclusions(), "name"}


class ContactForm(TextLimits, forms.ModelForm):
    class Meta:
        model = ReferrerContact
        fields = CONTACT_FIELDS
        labels = {
            "name": "Name",
            "email": "Email address",
            "receives_updates": "Send them updates on the cases they refer",
        }
        help_texts = {
            "email": "Updates go here (or by text to a mobile if there is no email address).",
            "receives_updates": "Only ever with the consent of every party in the case: the "
            "stage and the outcome's category, nothing more.",
        }


class ReferrerSearchForm(forms.Form):
    q = forms.CharField(label="Search by organisation or person", required=False, max_length=100)
    retired = forms.BooleanField(label="Include retired organisations", required=False)
