"""The public forms. They parse what people type; the models' own clean() checks postcodes,
phone numbers and what each contact method needs (so the rules match the staff pages), and the
writes go through public.services into the domain services."""

from django import forms

from cases import lists
from cases.models import ReferralSource
from parties.models import Party
from volunteers.forms import AvailabilityForm
from volunteers.models import Volunteer

from .spam import HONEYPOT_FIELD

# The kinds of dispute, in everyday words (the values are cases.models.DisputeType's).
DISPUTE_CHOICES = [
    ("neighbour", "With a neighbour"),
    ("family", "Within a family"),
    ("parent_teen", "Between a parent and a teenager"),
    ("community", "In a community group, club or place of worship"),
    ("workplace", "At work"),
    ("restorative", "After someone was harmed, and the people involved want to meet"),
    ("other", "Something else, or I am not sure"),
]


def agency_choices() -> list[tuple[str, str]]:
    """The current referral sources (cases.lists) but self-referral, read as the form is made."""
    return [
        ("", "Choose a kind of organisation"),
        *[
            (value, label)
            for value, label in lists.choices(lists.REFERRAL_SOURCE)
            if value != ReferralSource.SELF
        ],
    ]


class HoneypotMixin:
    """Adds the honeypot box. The template hides it; a person never fills it in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label="Leave this box empty",
            required=False,
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )


class ReferralForm(HoneypotMixin, forms.Form):
    who = forms.ChoiceField(
        label="Who is filling in this form?",
        choices=[
            ("self", "I am one of the people in the disagreement"),
            ("agency", "I work for an organisation and I am referring someone"),
        ],
        initial="self",
        widget=forms.RadioSelect,
    )
    referrer_name = forms.CharField(label="Your name", max_length=200, required=False)
    referrer_organisation = forms.CharField(
        label="Your organisation", max_length=200, required=False
    )
    agency_kind = forms.ChoiceField(
        label="Kind of organisation", choices=agency_choices, required=False
    )
    referrer_contact = forms.CharField(
        label="Your work phone number or email address",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    dispute_type = forms.ChoiceField(
        label="Where is the disagreement?",
        choices=DISPUTE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the closest answer, or “Something else”."},
    )
    summary = forms.CharField(
        label="What is happening?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="In your own words: what the disagreement is about, how long it has gone on, "
        "and what you would like to change. A few sentences is enough.",
        error_messages={"required": "Tell us a little about what is happening."},
    )
    other_people = forms.CharField(
        label="Who is it with? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Their names, and their address if you know it. We never tell them who "
        "contacted us without your permission.",
    )
    risk_violence = forms.BooleanField(label="There have been threats or violence", required=False)
    consent_contact = forms.BooleanField(
        label="I agree to be contacted about this, in the way and at the times given above.",
        error_messages={"required": "Tick this box so that we can contact you."},
    )
    consent_data = forms.BooleanField(
        label="I agree to West Kent Mediation keeping and using what is on this form to "
        "arrange mediation.",
        error_messages={"required": "Tick this box so that we can keep your details."},
    )

    def clean(self):
        data = super().clean()
        if data.get("who") == "agency":
            needed = {
                "referrer_name": "Give your name, so that we can contact you about the referral.",
                "referrer_organisation": "Give the name of your organisation.",
                "referrer_contact": "Give a phone number or email address we can reach you on.",
            }
            for name, message in needed.items():
                if not (data.get(name) or "").strip():
                    self.add_error(name, message)
        return data

    def is_agency(self) -> bool:
        return self.cleaned_data["who"] == "agency"

    def case_fields(self) -> dict:
        """The case's fields (cases.services.case_create), from the checked answers."""
        data = self.cleaned_data
        agency = self.is_agency()
        referrer = ("referrer_name", "referrer_organisation", "referrer_contact")
        return {
            "dispute_type": data["dispute_type"],
            "referral_source": (data.get("agency_kind") or ReferralSource.OTHER_AGENCY)
            if agency
            else ReferralSource.SELF,
            **{name: data[name].strip() if agency else "" for name in referrer},
            "summary": data["summary"],
            "risk_violence": data["risk_violence"],
        }


# The details of the person who wants help, checked by Party.clean() (postcode, phone, and the
# detail their chosen contact method needs). Every contact detail a party has (as Party declares
# them, wkm.personal_data) is asked for; the rest of what a coordinator records is not.
PERSON_FIELDS = (
    "full_name",
    *Party.personal_data.contact,
    "preferred_contact",
    "preferred_times",
    "contact_restrictions",
    "language",
    "interpreter_needed",
    "accessibility_needs",
)


class PersonForm(forms.ModelForm):
    preferred_contact = forms.ChoiceField(
        label="How should we contact you first?",
        choices=Party.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how we should contact you first."},
    )

    class Meta:
        model = Party
        fields = PERSON_FIELDS
        labels = {
            "full_name": "Full name",
            "address_line1": "Address line 1",
            "address_line2": "Address line 2 (optional)",
            "town": "Town or city",
            "postcode": "Postcode",
            "phone": "Phone number",
            "email": "Email address",
            "preferred_times": "When is it safe to contact you?",
            "contact_restrictions": "Anything we should not do? (optional)",
            "language": "Which language would you like to use? (optional)",
            "interpreter_needed": "I would like an interpreter",
            "accessibility_needs": "Anything that would make it easier for you to take part? "
            "(optional)",
        }
        help_texts = {
            "postcode": "For example TN9 1AA.",
            "phone": "For example 01732 123456 or 07911 123456.",
            "preferred_times": "For example: weekday mornings, or after 6pm when the children "
            "are in bed.",
            "contact_restrictions": "For example: do not leave a voicemail, or do not write to "
            "this address.",
            "accessibility_needs": "For example: step-free access, large print, or a hearing loop.",
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "town": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_restrictions": forms.Textarea(attrs={"rows": 2}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("instance", Party(role=Party.Role.FIRST_PARTY))
        super().__init__(*args, **kwargs)
        self.fields["preferred_times"].required = True
        self.fields["preferred_times"].error_messages["required"] = (
            "Tell us when it is safe to contact you, for example “weekday mornings”."
        )

    def party_fields(self) -> dict:
        """The checked values (postcode and phone normalised by Party.clean())."""
        return {"role": Party.Role.FIRST_PARTY} | {
            name: getattr(self.instance, name) for name in PERSON_FIELDS
        }


# Every contact detail a volunteer has (Volunteer.personal_data), between the name and languages.
APPLICANT_FIELDS = ("first_name", "last_name", *Volunteer.personal_data.contact, "languages")


class VolunteerApplicationForm(HoneypotMixin, forms.ModelForm):
    why = forms.CharField(
        label="Why would you like to volunteer as a mediator?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A few sentences is plenty.",
        error_messages={"required": "Tell us a little about why you would like to volunteer."},
    )
    experience = forms.CharField(
        label="Anything else you would like us to know? (optional)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: other volunteering, work with the public, or training you have "
        "done. No experience is needed: we train every volunteer.",
    )
    consent_data = forms.BooleanField(
        label="I agree to West Kent Mediation keeping and using what is on this form to "
        "consider my application.",
        error_messages={"required": "Tick this box so that we can keep your application."},
    )

    class Meta:
        model = Volunteer
        fields = APPLICANT_FIELDS
        labels = {
            "first_name": "First name",
            "last_name": "Last name",
            "email": "Email address",
            "phone": "Phone number (optional)",
            "address": "Address (optional)",
            "postcode": "Postcode",
            "languages": "Languages you speak (optional)",
        }
        help_texts = {
            "phone": "For example 01732 123456 or 07911 123456.",
            "postcode": "For example TN9 1AA. We use it to offer you cases near you.",
            "languages": "For example: English, Polish. Speaking another language helps us "
            "serve more people.",
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["postcode"].required = True
        self.fields["email"].error_messages["required"] = "Give an email address."
        self.fields["postcode"].error_messages["required"] = "Give your postcode."

    def volunteer_fields(self) -> dict:
        """The checked values (postcode and phone normalised by Volunteer.clean())."""
        return {name: getattr(self.instance, name) for name in APPLICANT_FIELDS}


class ApplicantAvailabilityForm(AvailabilityForm):
    """The staff pages' weekday × part-of-day grid, asked of the applicant."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slots"].label = "When could you usually volunteer?"
