"""When a survey message may still go, and a survey call or letter is still to do, in SQL.

notifications.outbox.may_still_go_q and notifications.models.still_wanted_q ask these of every
survey row just before sending it or showing it, so that whatever changed since it was written
— the case reopened, the party answered by phone, their data erased, the link expired, by a
service, the admin or a data fix — stops it, even before the services cancel it.
"""

from django.db.models import Exists, IntegerField, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Now

from .models import SurveyInvitation

# The outbox's and the calls-and-letters' kinds for each survey (the same values in both).
MESSAGE_KINDS = {
    SurveyInvitation.Kind.FEEDBACK: "survey_feedback",
    SurveyInvitation.Kind.FOLLOW_UP: "survey_follow_up",
}
SURVEY_KIND_OF = {value: key for key, value in MESSAGE_KINDS.items()}


def _open_invitations():
    """Invitations that may still be answered: not yet, on a case that is closed, of a party
    (and a case) not anonymised."""
    from cases.models import Status
    from privacy.models import Anonymisation

    erased = Anonymisation.objects.filter(
        Q(party=OuterRef("party_id")) | Q(case=OuterRef("case_id"), party__isnull=True)
    )
    return SurveyInvitation.objects.filter(
        answered_at__isnull=True, case__status=Status.CLOSED
    ).exclude(Exists(erased))


def _still_wanted(invitations):
    """The follow-up survey is the follow-up: once the case's follow-up is done another way
    (a call logged, the button), its message, call or letter is not sent, so nobody is asked
    twice (its link still takes an answer from a party who has it)."""
    return invitations.exclude(
        kind=SurveyInvitation.Kind.FOLLOW_UP, case__follow_up_done_on__isnull=False
    )


def message_may_go_q() -> Q:
    """A survey message (its context names its invitation) goes only while its invitation is
    open and its link has not expired; any other message is not this module's business."""
    invitation = _still_wanted(_open_invitations()).filter(
        pk=Cast(KeyTextTransform("invitation", OuterRef("context")), IntegerField()),
        party=OuterRef("party_id"),
        expires_at__gt=Now(),
    )
    return ~Q(kind__in=MESSAGE_KINDS.values()) | Q(Exists(invitation))


def task_wanted_q() -> Q:
    """A survey call or letter is still to do while the party's invitation of that survey is
    open (a letter or a call after the link's date is still worth it: the coordinator asks
    the questions by phone, or the letter gives the phone number)."""
    wanted = ~Q(kind__in=MESSAGE_KINDS.values())
    for kind, task_kind in MESSAGE_KINDS.items():
        invitation = _still_wanted(_open_invitations()).filter(
            party=OuterRef("party_id"), kind=kind
        )
        wanted |= Q(kind=task_kind) & Q(Exists(invitation))
    return wanted
