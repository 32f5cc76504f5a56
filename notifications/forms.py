from django import forms

from .models import PartyReply
from .replies import REASON_MAX_CHARS

ANSWER_CHOICES = [
    (PartyReply.Answer.CONFIRM, "I will come"),
    (PartyReply.Answer.REARRANGE, "I need to rearrange"),
    (PartyReply.Answer.CANCEL, "Please cancel"),
]


class TypedTextField(forms.CharField):
    """Text as typed: a browser counts a line break as one character but sends two ("\r\n"),
    so line breaks are made one before the length is checked (492 characters typed with eight
    line breaks are 492, not 500)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class ReplyForm(forms.Form):
    """A party's answer to their reminder. A request to rearrange needs a reason (the service
    checks it too: notifications.replies.reply_record)."""

    answer = forms.ChoiceField(
        label="Your answer",
        choices=ANSWER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one of the answers."},
    )
    reason = TypedTextField(
        label="Anything we should know (needed if you ask to rearrange)",
        help_text=(
            f"For example, days and times that suit you better. At most {REASON_MAX_CHARS} "
            "characters."
        ),
        max_length=REASON_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The start the page showed: an answer is about that time (replies.reply_record).
    shown_start = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        # Only when the reason is really empty: one too long is already in error (and gone from
        # the cleaned data), and saying it is missing too would be wrong.
        if (
            data.get("answer") == PartyReply.Answer.REARRANGE
            and "reason" not in self.errors
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", "Tell us what would suit you better, or why.")
        return data
