"""The case services: intake, lifecycle (rules 1 and 7), closing, reopening, the timeline."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases.models import Case, ContactLogEntry, ReferenceCounter, Status
from parties.models import Party
from tests.factories import (
    CaseFactory,
    PartyFactory,
    VolunteerFactory,
    assign,
    consent_all,
    eligible_volunteer,
)

pytestmark = pytest.mark.django_db

CASE_FIELDS = {
    "dispute_type": "neighbour",
    "referral_source": "council",
    "received_on": datetime.date(2026, 11, 20),
    "summary": "Dispute over a boundary hedge.",
}


def party(**overrides):
    return {
        "full_name": "Alice Carter",
        "role": "first_party",
        "postcode": "tn9 1aa",
        "phone": "01732 123456",
        "preferred_contact": "phone",
        **overrides,
    }


def test_it_logs_a_referral_with_its_parties_normalised_and_audited(coordinator):
    case = services.case_create(
        by=coordinator,
        fields=CASE_FIELDS,
        parties=[party(), party(full_name="Bob Dunn", role="other_party", postcode="TN9 1AB")],
    )

    assert case.reference == "WKM-2026-0001"
    assert case.status == Status.REFERRED
    assert case.coordinator == coordinator
    first = case.parties.get(full_name="Alice Carter")
    assert (first.postcode, first.phone) == ("TN9 1AA", "+441732123456")
    assert AuditEvent.objects.filter(
        action="create", case_reference=case.reference, actor=coordinator
    ).exists()


def test_it_saves_nothing_when_a_party_is_invalid(coordinator):
    with pytest.raises(ValidationError) as caught:
        services.case_create(
            by=coordinator, fields=CASE_FIELDS, parties=[party(), party(postcode="NOT A CODE")]
        )

    assert "postcode" in caught.value.message_dict
    assert not Case.objects.exists() and not Party.objects.exists()
    assert not ReferenceCounter.objects.exists()


def test_it_refuses_a_referral_without_parties(coordinator):
    with pytest.raises(ValidationError, match="at least one party"):
        services.case_create(by=coordinator, fields=CASE_FIELDS, parties=[])


def test_an_id_from_an_old_system_makes_one_case_only(coordinator):
    """Rule of the sheets: importing the same case twice makes no second one; a blank id is
    no id (any number of typed referrals have none)."""
    fields = {**CASE_FIELDS, "external_id": "C-0042"}
    services.case_create(by=coordinator, fields=fields, parties=[party()])
    with pytest.raises(ValidationError) as caught:
        services.case_create(by=coordinator, fields=fields, parties=[party()])

    assert caught.value.message_dict == {
        "external_id": ["A case with the id “C-0042” has already been imported."]
    }
    assert Case.objects.filter(external_id="C-0042").count() == 1
    for _ in range(2):
        services.case_create(by=coordinator, fields=CASE_FIELDS, parties=[party()])
    assert Case.objects.filter(external_id="").count() == 2
    with pytest.raises(ValidationError) as caught:  # its field's own checks still apply
        services.case_create(
            by=coordinator, fields={**CASE_FIELDS, "external_id": "C" * 65}, parties=[party()]
        )
    assert "at most 64 characters" in caught.value.message_dict["external_id"][0]


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        (1, "The date received cannot be in the future."),
        (datetime.date(1999, 12, 31), "Enter a date from 1 January 2000 onwards."),
    ],
)
def test_the_date_received_is_not_tomorrow_nor_before_2000_typed_or_edited(
    coordinator, case, received_on, message
):
    if isinstance(received_on, int):
        received_on = timezone.localdate() + datetime.timedelta(days=received_on)
    with pytest.raises(ValidationError) as caught:
        services.case_create(
            by=coordinator, fields={**CASE_FIELDS, "received_on": received_on}, parties=[party()]
        )
    assert caught.value.message_dict == {"received_on": [message]}
    assert Case.objects.count() == 1  # the fixture's only
    with pytest.raises(ValidationError) as caught:
        services.case_update(case=case, by=coordinator, fields={"received_on": received_on})
    assert caught.value.message_dict == {"received_on": [message]}
    case.refresh_from_db()
    assert case.received_on != received_on


def test_it_moves_a_case_forward_and_audits_it(case, coordinator):
    services.case_transition(case=case, to=Status.CONTACTING, by=coordinator)

    case.refresh_from_db()
    assert case.status == Status.CONTACTING
    event = AuditEvent.objects.get(action="transition", case_reference=case.reference)
    assert event.detail == {"from": "referred", "to": "contacting"}


def test_it_refuses_a_move_the_lifecycle_does_not_have(case, coordinator):
    with pytest.raises(ValidationError, match="cannot move to"):
        services.case_transition(case=case, to=Status.ACTIVE, by=coordinator)

    case.refresh_from_db()
    assert case.status == Status.REFERRED


def test_rule_7_it_is_not_ready_until_every_party_has_consented(case, coordinator):
    case.status = Status.AWAITING_CONSENT
    case.save()
    alice, bob = case.parties.order_by("id")
    consent_all(alice)

    with pytest.raises(ValidationError, match="waiting for consent from Bob Dunn"):
        services.case_transition(case=case, to=Status.READY, by=coordinator)

    consent_all(bob)
    services.case_transition(case=case, to=Status.READY, by=coordinator)
    case.refresh_from_db()
    assert case.status == Status.READY


def test_rule_1_it_becomes_active_only_with_exactly_two_current_mediators(
    case, coordinator, mediator, other_mediator
):
    case.status = Status.READY
    case.save()
    for user in (mediator, other_mediator):
        eligible_volunteer(user)
    assign(case, mediator)

    with pytest.raises(ValidationError, match="exactly two current mediators"):
        services.case_transition(case=case, to=Status.ACTIVE, by=coordinator)

    assign(case, other_mediator, role="co_mediator")
    services.case_transition(case=case, to=Status.ACTIVE, by=coordinator)
    case.refresh_from_db()
    assert case.status == Status.ACTIVE


def test_rule_1_an_ended_assignment_does_not_count_towards_the_pair(
    case, coordinator, mediator, other_mediator
):
    case.status = Status.READY
    case.save()
    assign(case, mediator)
    ended = assign(case, other_mediator, role="co_mediator")
    ended.ended_on = datetime.date(2026, 11, 12)
    ended.save()

    with pytest.raises(ValidationError, match="exactly two current mediators"):
        services.case_transition(case=case, to=Status.ACTIVE, by=coordinator)


def test_it_closes_an_unmediated_case_as_withdrawn_with_a_follow_up(case, coordinator):
    today = timezone.localdate()

    services.case_close(
        case=case,
        by=coordinator,
        outcome="withdrawn",
        closed_on=today,
        follow_up_on=services.suggested_follow_up(today),
    )

    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (Status.CLOSED, "withdrawn", today)
    assert case.follow_up_on == today + datetime.timedelta(days=90)
    assert case.status_before_close == Status.REFERRED


def test_it_refuses_an_agreement_outcome_for_a_case_never_mediated(case, coordinator):
    case.status = Status.ACTIVE  # active, but no session was ever held
    case.save()

    with pytest.raises(ValidationError) as caught:
        services.case_close(
            case=case, by=coordinator, outcome="full_agreement", closed_on=timezone.localdate()
        )

    assert "needs mediation to have taken place" in str(caught.value.message_dict["outcome"])
    case.refresh_from_db()
    assert case.status == Status.ACTIVE


@pytest.mark.parametrize("evidence", ["held_session", "agreed_agreement"])
def test_it_allows_an_agreement_outcome_once_mediation_took_place(case, coordinator, evidence):
    case.status = Status.ACTIVE
    case.save()
    if evidence == "held_session":
        start = timezone.now() - datetime.timedelta(days=2)
        case.sessions.create(
            kind="joint", mode="office", status="held",
            starts_at=start, ends_at=start + datetime.timedelta(hours=1),
        )  # fmt: skip
    else:
        case.agreements.create(version=1, status="agreed", agreed_at=timezone.now())

    services.case_close(
        case=case, by=coordinator, outcome="full_agreement", closed_on=timezone.localdate()
    )

    case.refresh_from_db()
    assert case.outcome == "full_agreement"


@pytest.mark.parametrize(
    ("closed_on", "follow_up_on", "field"),
    [
        (datetime.date(2026, 10, 1), None, "closed_on"),  # before it was received
        (datetime.date(2099, 1, 1), None, "closed_on"),  # in the future
        (datetime.date(2026, 11, 20), datetime.date(2026, 11, 19), "follow_up_on"),
    ],
)
def test_it_refuses_impossible_closing_dates(case, coordinator, closed_on, follow_up_on, field):
    with pytest.raises(ValidationError) as caught:
        services.case_close(
            case=case,
            by=coordinator,
            outcome="withdrawn",
            closed_on=closed_on,
            follow_up_on=follow_up_on,
        )

    assert field in caught.value.message_dict
    case.refresh_from_db()
    assert case.status == Status.REFERRED


def test_it_refuses_to_close_a_closed_case(case, coordinator):
    services.case_close(
        case=case, by=coordinator, outcome="unsuitable", closed_on=timezone.localdate()
    )

    with pytest.raises(ValidationError, match="already closed"):
        services.case_close(
            case=case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
        )


def test_it_reopens_to_the_stage_it_was_closed_from_with_the_reason_on_the_timeline(
    case, coordinator
):
    case.status = Status.AWAITING_CONSENT
    case.save()
    services.case_close(
        case=case, by=coordinator, outcome="not_contactable", closed_on=timezone.localdate()
    )

    services.case_reopen(case=case, by=coordinator, reason="Bob phoned back")

    case.refresh_from_db()
    assert case.status == Status.AWAITING_CONSENT
    assert (case.outcome, case.closed_on) == ("", None)
    assert case.log_entries.filter(text__contains="Bob phoned back").exists()


def test_it_refuses_to_reopen_without_a_reason_or_an_open_case(case, coordinator):
    with pytest.raises(ValidationError, match="Only a closed case"):
        services.case_reopen(case=case, by=coordinator, reason="because")
    services.case_close(
        case=case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        services.case_reopen(case=case, by=coordinator, reason="   ")


def test_it_adds_a_private_note_for_a_party_of_the_case(case, mediator):
    alice = case.parties.first()

    entry = services.log_entry_add(
        case=case,
        by=mediator,
        kind="meeting",
        text="Alice said she is afraid of Bob's dog.",
        occurred_at=timezone.now(),
        party=alice,
        private_to=alice,
    )

    assert entry.private_to == alice
    assert AuditEvent.objects.filter(object_type="cases.contactlogentry", action="create").exists()


def test_it_refuses_a_note_about_a_party_of_another_case(case, mediator):
    stranger = PartyFactory(case=CaseFactory())

    with pytest.raises(ValidationError) as caught:
        services.log_entry_add(
            case=case,
            by=mediator,
            kind="note",
            text="x",
            occurred_at=timezone.now(),
            private_to=stranger,
        )

    assert "private_to" in caught.value.message_dict
    assert not ContactLogEntry.objects.exists()


def test_it_refuses_a_contact_in_the_future(case, mediator):
    with pytest.raises(ValidationError, match="cannot be recorded in the future"):
        services.log_entry_add(
            case=case,
            by=mediator,
            kind="call",
            text="x",
            occurred_at=timezone.now() + datetime.timedelta(days=1),
        )

    assert not ContactLogEntry.objects.exists()


def test_it_lets_only_the_author_edit_and_publish_a_draft(case, coordinator, mediator):
    draft = services.log_entry_add(
        case=case,
        by=mediator,
        kind="note",
        text="half",
        occurred_at=timezone.now(),
        is_draft=True,
    )

    with pytest.raises(ValidationError, match="Only the author"):
        services.log_entry_update(entry=draft, by=coordinator, fields={"text": "x"})
    services.log_entry_update(entry=draft, by=mediator, fields={"text": "whole", "is_draft": False})

    draft.refresh_from_db()
    assert (draft.text, draft.is_draft) == ("whole", False)
    with pytest.raises(ValidationError, match="Only drafts"):
        services.log_entry_update(entry=draft, by=mediator, fields={"text": "rewritten"})


def test_it_keeps_field_level_history_of_case_changes(case, coordinator):
    services.case_update(case=case, by=coordinator, fields={"summary": "A new summary."})
    Case.objects.filter(pk=case.pk).update(summary="Changed in bulk")  # bypasses the service

    history = list(case.events.order_by("pgh_id").values_list("summary", flat=True))
    assert history[-2:] == ["A new summary.", "Changed in bulk"]


def test_visible_to_sees_assigned_cases_only(case, mediator, other_mediator, coordinator):
    assign(case, mediator)
    VolunteerFactory(user=other_mediator)

    assert list(Case.objects.visible_to(mediator)) == [case]
    assert list(Case.objects.visible_to(other_mediator)) == []
    assert list(Case.objects.visible_to(coordinator)) == [case]


def test_it_refuses_to_reopen_an_anonymised_case(case, coordinator):
    from privacy.models import Anonymisation

    services.case_close(
        case=case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )
    Anonymisation.objects.create(case=case, reason="retention")

    with pytest.raises(ValidationError, match="anonymised"):
        services.case_reopen(case=case, by=coordinator, reason="They called back")
