"""The surveys' questions, for the party's page and for a coordinator typing in answers given by
phone: every question may be left unanswered (the service asks for at least one answer,
surveys.services); each question is a set of radio buttons in a fieldset with the question as
its legend."""

from django import forms

from notifications.forms import TypedTextField

from .models import FeedbackAnswer, FollowUpAnswer, Likert
from .services import COMMENTS_MAX_CHARS

YES_NO = [("yes", "Yes"), ("no", "No")]


def _likert(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=FeedbackAnswer._meta.get_field(name).verbose_name,
        choices=Likert.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _choice(name: str) -> forms.ChoiceField:
    field = FollowUpAnswer._meta.get_field(name)
    return forms.ChoiceField(
        label=field.verbose_name, choices=field.choices, required=False, widget=forms.RadioSelect
    )


def _yes_no(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=FollowUpAnswer._meta.get_field(name).verbose_name,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _comments() -> TypedTextField:
    return TypedTextField(
        label="Anything else you would like to tell us",
        help_text=f"Optional. At most {COMMENTS_MAX_CHARS} characters.",
        max_length=COMMENTS_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FeedbackForm(forms.Form):
    felt_heard = _likert("felt_heard")
    mediators_impartial = _likert("mediators_impartial")
    process_clear = _likert("process_clear")
    outcome_satisfaction = _likert("outcome_satisfaction")
    would_recommend = _likert("would_recommend")
    comments = _comments()


class FollowUpForm(forms.Form):
    agreement_holding = _choice("agreement_holding")
    problem_back = _choice("problem_back")
    contacted_referrer = _yes_no("contacted_referrer")
    contacted_police = _yes_no("contacted_police")
    contacted_council = _yes_no("contacted_council")
    comments = _comments()


FORMS = {"feedback": FeedbackForm, "follow_up": FollowUpForm}
