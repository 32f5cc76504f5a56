"""The surveys' questions, for the party's page and for a coordinator typing in answers given by
phone: every question may be left unanswered (the service asks for at least one answer,
surveys.services); each question is a set of radio buttons in a fieldset with the question as
its legend."""

from django import forms

from notifications.forms import TypedTextField

from .models import FeedbackAnswer, FollowUpAnswer, Likert
from .services import COMMENTS_MAX_CHARS

YES_NO = [("yes", "Yes"), ("no", "No")]
# Last of each question's choices: a way back for one clicked by mistake (a radio button once
# chosen cannot be unticked), and what "you can leave out any" means on the page.
NO_ANSWER = ("", "Prefer not to say")


def _likert(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=FeedbackAnswer._meta.get_field(name).verbose_name,
        choices=[*Likert.choices, NO_ANSWER],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _choice(name: str) -> forms.ChoiceField:
    field = FollowUpAnswer._meta.get_field(name)
    return forms.ChoiceField(
        label=field.verbose_name,
        choices=[*field.choices, NO_ANSWER],
        required=False,
        widget=forms.RadioSelect,
    )


def _yes_no(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=FollowUpAnswer._meta.get_field(name).verbose_name,
        choices=[*YES_NO, NO_ANSWER],
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

    def __init__(self, *args, ask_referrer: bool = True, **kwargs):
        """``ask_referrer`` False (a self-referral: surveys.services.asks_about_referrer)
        leaves out the question about the organisation that referred them: there was none."""
        super().__init__(*args, **kwargs)
        if not ask_referrer:
            del self.fields["contacted_referrer"]


FORMS = {"feedback": FeedbackForm, "follow_up": FollowUpForm}


def survey_form(kind: str, case, data=None):
    """The form of the survey ``kind`` for a party of ``case``."""
    from .services import asks_about_referrer

    if kind == "follow_up":
        return FollowUpForm(data, ask_referrer=asks_about_referrer(case))
    return FORMS[kind](data)
