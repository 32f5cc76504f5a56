from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.utils.html import format_html

from wkm.forms import TextLimits
from wkm.widgets import DateTimeInput

from .models import Consent, Party
from .services import PARTY_EDITABLE_FIELDS

# What a coordinator needs first, on the phone to a party; the rest folds away under "More about
# this party" (opened when it holds something, or an error), so a two-party referral is one
# screen of fields rather than four.
ESSENTIAL_FIELDS = (
    "full_name",
    "role",
    "phone",
    "email",
    "preferred_contact",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
)
MORE_SUMMARY = (
    "More about this party (optional): safe times to call, restrictions, language, access "
    "needs, under 18, safeguarding, equality monitoring"
)


class _MoreOpening(HTML):
    """The start of the "More about this party" fold, open for the form being rendered (a
    formset's forms share one template context, so it is asked of ``form``, not of it)."""

    def __init__(self):
        super().__init__("")

    def render(self, form, context, **kwargs):
        opened = " open" if form.more_open else ""
        return format_html(
            '<details class="mb-3 border rounded px-3 pt-2"{}><summary class="mb-2">{}</summary>',
            opened,
            MORE_SUMMARY,
        )


class PartyForm(TextLimits, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        more = [name for name in self.fields if name not in ESSENTIAL_FIELDS]
        self.order_fields([*ESSENTIAL_FIELDS, *more])
        self.more_fields = more
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *ESSENTIAL_FIELDS,
            _MoreOpening(),
            *more,
            HTML("</details>"),
        )

    @property
    def more_open(self) -> bool:
        """Unfolded when one of the optional fields has an error or a value (typed, or saved)."""
        if any(name in self.errors for name in self.more_fields):
            return True
        if self.is_bound:
            return any(
                self.data.get(self.add_prefix(name)) not in (None, "", "off")
                for name in self.more_fields
            )
        return bool(self.instance.pk) and any(
            getattr(self.instance, name) for name in self.more_fields
        )

    class Meta:
        model = Party
        fields = PARTY_EDITABLE_FIELDS
        widgets = {
            "contact_restrictions": forms.Textarea(attrs={"rows": 2}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
            "safeguarding_notes": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }


# The intake page shows two parties (the second may stay blank); "Add another party" adds more.
# absolute_max: a posted TOTAL_FORMS of a million must not build (and render) Django's default
# max_num + 1000 forms, which took a minute and a 10 MB page for one small request.
class BasePartyFormSet(forms.BaseFormSet):
    summary_label = "Party"  # "Party 2: Phone — …" in the error summary
    # Most referrals are the person referred and the other side: their roles come chosen.
    roles_by_position = (Party.Role.FIRST_PARTY, Party.Role.OTHER_PARTY)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.roles_by_position):
            kwargs["initial"] = {"role": self.roles_by_position[index]}
        return kwargs

    default_error_messages = {
        "too_few_forms": "Add at least one party: their name, role and how to contact them.",
        "too_many_forms": "A referral can list at most %(num)d parties; add more from the case.",
    }


PartyFormSet = forms.formset_factory(
    PartyForm,
    formset=BasePartyFormSet,
    extra=1,
    min_num=1,
    validate_min=True,
    max_num=12,
    validate_max=True,
    absolute_max=12,
)


class ConsentWithdrawalForm(forms.Form):
    withdrawn_at = forms.DateTimeField(label="When they withdrew it", widget=DateTimeInput())
    method = forms.ChoiceField(
        label="How they told us",
        choices=[("", "Choose how"), *Consent.Method.choices],
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: rang the office; does not want to meet the other party.",
    )


class ConsentForm(forms.Form):
    """Every consent a party gives in one conversation, recorded at once; only the kinds they
    do not hold already are offered."""

    kinds = forms.MultipleChoiceField(
        label="What they consent to",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one consent they have given."},
    )
    method = forms.ChoiceField(
        label="How they gave it",
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they gave it verbally or in writing."},
    )
    given_at = forms.DateTimeField(label="When", widget=DateTimeInput())
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, held=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [c for c in Consent.Kind.choices if c[0] not in held]
