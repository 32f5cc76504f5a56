"""What the case page shows coordinators of the surveys: for each party, whether they were asked
each survey, how, whether they answered and what (two queries, however many parties)."""

from dataclasses import dataclass, field

from django.utils import timezone

from parties.consent import contact_stopped, current_kinds
from parties.models import Consent

from .models import SurveyInvitation
from .services import ANSWER_FIELDS, Kind, mediated


def _shown(answer, name) -> str:
    value = getattr(answer, name)
    if value in (None, ""):
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if answer._meta.get_field(name).choices:
        return getattr(answer, f"get_{name}_display")()
    return value


def answer_rows(answer, kind: str) -> list[dict]:
    """[{question, answer}] in the survey's order; "" for a question left unanswered."""
    rows = []
    for name in ANSWER_FIELDS[kind]:
        question = str(answer._meta.get_field(name).verbose_name)
        rows.append(
            {"question": question[:1].upper() + question[1:], "answer": _shown(answer, name)}
        )
    return rows


@dataclass
class SurveyRow:
    """One survey of one party, for the case page."""

    kind: str
    label: str
    invitation: SurveyInvitation | None = None
    answers: list = field(default_factory=list)
    recorded_by: object = None
    can_record: bool = False
    due_later: bool = False  # the follow-up, to be asked (and recorded) from its date
    not_mediated: bool = False  # not asked: mediation did not take place


@dataclass
class PartySurveys:
    party: object
    surveys: list


def case_panel(case) -> list[PartySurveys]:
    """For each party of ``case``, a closed case (parties and their consents prefetched by
    cases.access). A reopened case's answers are kept, and shown again once it closes."""
    from privacy.models import Anonymisation

    invitations = {
        (i.party_id, i.kind): i
        for i in SurveyInvitation.objects.filter(case=case).select_related(
            "feedback__recorded_by", "follow_up__recorded_by"
        )
    }
    # The same rules as services.why_not_recordable, asked once for the case.
    was_mediated = mediated(case)
    follow_up_due = case.follow_up_on is not None and case.follow_up_on <= timezone.localdate()
    erased = set(Anonymisation.objects.filter(case=case).values_list("party_id", flat=True))
    panel = []
    for party in case.parties.all():
        askable = (
            None not in erased
            and party.pk not in erased
            and not contact_stopped(party)
            and Consent.Kind.DATA_PROCESSING in current_kinds(party)
        )
        rows = []
        for kind in Kind:
            row = SurveyRow(kind=kind.value, label=kind.label)
            row.invitation = invitations.get((party.pk, kind.value))
            answer = getattr(row.invitation, kind.value, None) if row.invitation else None
            if answer is not None:
                row.answers = answer_rows(answer, kind.value)
                row.recorded_by = answer.recorded_by
            row.can_record = (
                askable
                and was_mediated
                and answer is None
                and (kind != Kind.FOLLOW_UP or follow_up_due)
            )
            row.not_mediated = not was_mediated
            row.due_later = (
                askable
                and was_mediated
                and kind == Kind.FOLLOW_UP
                and case.follow_up_on is not None
                and not follow_up_due
            )
            rows.append(row)
        panel.append(PartySurveys(party=party, surveys=rows))
    return panel
