"""The parties' surveys: feedback when a case closes, and the outcome follow-up at the
follow-up date. Answers belong to the party (subject access, retention) and are reported only in
aggregate with small numbers suppressed (reports)."""

from django.conf import settings
from django.db import models

from wkm.personal_data import PersonalData


class Likert(models.IntegerChoices):
    STRONGLY_AGREE = 5, "Strongly agree"
    AGREE = 4, "Agree"
    NEITHER = 3, "Neither agree nor disagree"
    DISAGREE = 2, "Disagree"
    STRONGLY_DISAGREE = 1, "Strongly disagree"


class SurveyInvitation(models.Model):
    """One party asked one survey: the personal link in the message, or a coordinator asking by
    phone. Answered once (``answered_at``); the link stops at ``expires_at``."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", "Feedback after closing"
        FOLLOW_UP = "follow_up", "Outcome follow-up"

    class Via(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        LETTER = "letter", "Letter"
        PHONE = "phone", "Phone call"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    party = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    personal_data = PersonalData(
        kept=("kind", "via", "created_at", "expires_at", "answered_at"),
        not_personal=("id", "case", "party"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "kind"], name="survey_case_idx")]
        constraints = [
            models.UniqueConstraint(fields=["party", "kind"], name="survey_once_per_party"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class FeedbackAnswer(models.Model):
    """A party's answers to the feedback survey (each question may be left unanswered)."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="feedback"
    )
    felt_heard = models.PositiveSmallIntegerField(
        "I felt listened to", choices=Likert.choices, null=True, blank=True
    )
    mediators_impartial = models.PositiveSmallIntegerField(
        "The mediators did not take sides", choices=Likert.choices, null=True, blank=True
    )
    process_clear = models.PositiveSmallIntegerField(
        "I understood what would happen at each step", choices=Likert.choices, null=True, blank=True
    )
    outcome_satisfaction = models.PositiveSmallIntegerField(
        "I am satisfied with how things ended", choices=Likert.choices, null=True, blank=True
    )
    would_recommend = models.PositiveSmallIntegerField(
        "I would recommend mediation to someone else",
        choices=Likert.choices,
        null=True,
        blank=True,
    )
    comments = models.TextField("anything else you would like to tell us", blank=True)
    answered_at = models.DateTimeField()
    # The coordinator who typed in answers given by phone; empty when the party answered online.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    personal_data = PersonalData(
        personal=("comments",),
        kept=(
            "felt_heard",
            "mediators_impartial",
            "process_clear",
            "outcome_satisfaction",
            "would_recommend",
            "answered_at",
        ),
        not_personal=("id", "invitation", "recorded_by"),
    )

    def __str__(self):
        return f"Feedback #{self.pk}"


class FollowUpAnswer(models.Model):
    """A party's answers to the outcome follow-up: did it last?"""

    class Holding(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"
        NO_AGREEMENT = "no_agreement", "There was no agreement"

    class Returned(models.TextChoices):
        NO = "no", "No"
        SOMETIMES = "sometimes", "Sometimes"
        YES = "yes", "Yes"

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="follow_up"
    )
    agreement_holding = models.CharField(
        "Is the agreement holding?", max_length=12, choices=Holding.choices, blank=True
    )
    problem_back = models.CharField(
        "Has the problem come back?", max_length=10, choices=Returned.choices, blank=True
    )
    contacted_referrer = models.BooleanField(
        "Contacted the organisation that referred you about it since", null=True, blank=True
    )
    contacted_police = models.BooleanField(
        "Contacted the police about it since", null=True, blank=True
    )
    contacted_council = models.BooleanField(
        "Contacted the council about it since", null=True, blank=True
    )
    comments = models.TextField("anything else you would like to tell us", blank=True)
    answered_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    personal_data = PersonalData(
        personal=("comments",),
        kept=(
            "agreement_holding",
            "problem_back",
            "contacted_referrer",
            "contacted_police",
            "contacted_council",
            "answered_at",
        ),
        not_personal=("id", "invitation", "recorded_by"),
    )

    def __str__(self):
        return f"Follow-up answers #{self.pk}"
