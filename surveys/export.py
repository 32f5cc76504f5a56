"""A party's survey answers in their subject access copy (privacy.export): theirs, in their
words — never another party's."""

from django.utils import timezone

from .models import SurveyInvitation
from .selectors import answer_rows


def survey_answers_of(party) -> list[dict]:
    """[{survey, asked_by, answered_at, given_by_phone, answers: [{question, answer}]}]"""
    found = []
    invitations = (
        SurveyInvitation.objects.filter(party=party, answered_at__isnull=False)
        .select_related("feedback", "follow_up")
        .order_by("answered_at", "pk")
    )
    for invitation in invitations:
        answer = getattr(invitation, invitation.kind, None)
        if answer is None:
            continue
        found.append(
            {
                "survey": invitation.get_kind_display(),
                "asked_by": invitation.get_via_display(),
                "answered_at": timezone.localtime(answer.answered_at),
                "given_by_phone": answer.recorded_by_id is not None,
                "answers": answer_rows(answer, invitation.kind),
            }
        )
    return found
