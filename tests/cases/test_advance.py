"""cases.services.case_advance: a case brought in part-way along (imports) is taken through
every stage between, each step refused as case_transition refuses it, in one write."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases.models import Case, ContactLogEntry
from tests.factories import CaseFactory, PartyFactory, consent_all, eligible_volunteer, ready_case

pytestmark = pytest.mark.django_db


def transitions(case):
    events = AuditEvent.objects.filter(action="transition", object_id=str(case.pk))
    return [(e.detail["from"], e.detail["to"]) for e in events.order_by("pk")]


def test_each_step_is_audited_and_told_on_the_timeline(coordinator):
    case = ready_case(status="referred")

    services.case_advance(case=case, to="ready", by=coordinator)

    assert case.status == "ready"  # the caller's object follows, as case_transition's does
    assert Case.objects.get(pk=case.pk).status == "ready"
    assert transitions(case) == [
        ("referred", "contacting"),
        ("contacting", "awaiting_consent"),
        ("awaiting_consent", "ready"),
    ]
    lines = ContactLogEntry.objects.filter(case=case, text__startswith="Status:")
    assert sorted(lines.values_list("text", flat=True)) == [
        "Status: Awaiting consent → Ready to assign.",
        "Status: Contacting parties → Awaiting consent.",
        "Status: Referred → Contacting parties.",
    ]


def test_ready_needs_every_partys_consent_and_nothing_moves_without_it(coordinator):
    case = CaseFactory(status="referred")
    consent_all(PartyFactory(case=case, full_name="Alice Carter"))
    PartyFactory(case=case, full_name="Bob Dunn")

    with pytest.raises(ValidationError, match="waiting for consent from Bob Dunn"):
        services.case_advance(case=case, to="ready", by=coordinator)

    assert Case.objects.get(pk=case.pk).status == "referred"
    assert transitions(case) == []


def test_active_needs_a_pair(coordinator):
    case = ready_case(status="awaiting_consent")
    with pytest.raises(ValidationError, match="assign a pair first"):
        services.case_advance(case=case, to="active", by=coordinator)
    assert Case.objects.get(pk=case.pk).status == "awaiting_consent"


def test_a_pair_kept_through_a_pause_starts_again_if_it_may(coordinator):
    from volunteers.services import assign_pair

    case = ready_case()
    assign_pair(
        case=case, lead=eligible_volunteer(), co_mediator=eligible_volunteer(), by=coordinator
    )
    services.case_transition(case=case, to="awaiting_consent", by=coordinator)

    services.case_advance(case=case, to="active", by=coordinator)

    assert case.status == "active"
    assert transitions(case)[-2:] == [("awaiting_consent", "ready"), ("ready", "active")]


@pytest.mark.parametrize("to", ["closed", "referred", "nonsense"])
def test_only_forward_to_an_open_stage(coordinator, to):
    case = ready_case(status="contacting")
    with pytest.raises(ValidationError, match="cannot be moved forward"):
        services.case_advance(case=case, to=to, by=coordinator)
    assert Case.objects.get(pk=case.pk).status == "contacting"


def test_to_where_it_is_already_changes_nothing(coordinator):
    case = ready_case(status="ready")
    services.case_advance(case=case, to="ready", by=coordinator)
    assert transitions(case) == []


def test_one_write_whatever_the_number_of_steps(coordinator, django_assert_max_num_queries):
    case = ready_case(status="referred")
    # The savepoint's two statements, the lock, the parties and their consents, the write, the
    # audit and timeline lines (the referrer: nobody to tell, nothing asked).
    with django_assert_max_num_queries(8):
        services.case_advance(case=case, to="ready", by=coordinator)


def test_a_pair_assigned_as_of_an_earlier_day_is_asked_again_for_today(coordinator):
    """assign_pair checks the pair on the day given (a case recorded late); starting mediation
    today asks again today: a DBS check that lapsed since stops it."""
    from volunteers.models import DBSCheck
    from volunteers.services import assign_pair

    case = ready_case()
    lead, co = eligible_volunteer(), eligible_volunteer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    DBSCheck.objects.filter(volunteer=co).update(current_until=yesterday)

    with pytest.raises(ValidationError, match="no current enhanced DBS check"):
        assign_pair(
            case=case,
            lead=lead,
            co_mediator=co,
            by=coordinator,
            on=yesterday - datetime.timedelta(days=1),
        )
    assert Case.objects.get(pk=case.pk).status == "ready"
