"""A case that closes stops everything still to come; a mediated outcome needs mediation to have
taken place; a reopened case goes only as far as its consents and pair allow."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services as case_services
from cases.models import ContactLogEntry, Status
from home.views import my_next_sessions
from notifications.models import OutboxMessage
from sessions.calendar import calendar_for, feed_sessions
from sessions.models import MediationSession
from tests.factories import DBSCheckFactory, held_session
from tests.rules.conftest import breaches
from volunteers.models import DBSCheck
from wkm.consequences import listen

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def close(case, by, outcome="withdrawn"):
    with listen() as told:
        case_services.case_close(case=case, by=by, outcome=outcome, closed_on=TODAY)
    return told


# --- Closing ------------------------------------------------------------------------------------


def test_closing_cancels_the_sessions_to_come_with_their_reminders(team, book, coordinator):
    separate = book(team.case, kind="separate", days=3, parties=[team.alice])
    joint = book(team.case, kind="joint", days=9)
    pending = OutboxMessage.objects.filter(status="pending", kind="session_reminder").count()

    told = close(team.case, coordinator)

    for session in (separate, joint):
        session.refresh_from_db()
        assert session.status == MediationSession.Status.CANCELLED
    assert not OutboxMessage.objects.filter(kind="session_reminder", status="pending").exists()
    assert told == [
        f"Cancelled 2 sessions (the separate meeting on {separate.starts_at:%a} "
        f"{timezone.localtime(separate.starts_at).day} {separate.starts_at:%b}, the joint meeting "
        f"on {joint.starts_at:%a} {timezone.localtime(joint.starts_at).day} {joint.starts_at:%b}) "
        f"and their {pending} reminders.",
        "No feedback survey: mediation did not take place.",
    ]
    note = ContactLogEntry.objects.get(case=team.case, text__startswith="Cancelled because")
    assert "the case closed" in note.text and "joint meeting" in note.text


def test_a_cancellation_notice_goes_only_to_those_told_of_the_session(team, book, coordinator):
    separate = book(team.case, kind="separate", days=3, parties=[team.alice])
    joint = book(team.case, kind="joint", days=9)
    # Alice has already been reminded of the separate meeting; nobody of the joint one.
    separate.reminders.filter(party=team.alice, lead_minutes=2880).update(status="sent")

    close(team.case, coordinator)

    notices = OutboxMessage.objects.filter(kind="session_cancelled")
    assert {(n.session_id, n.party_id) for n in notices if n.party_id} == {
        (separate.pk, team.alice.pk)
    }
    # The mediators have both sessions on their home page and calendar: both are told.
    assert {(n.session_id, n.volunteer_id) for n in notices if n.volunteer_id} == {
        (s.pk, v.pk) for s in (separate, joint) for v in (team.lead, team.co)
    }


def test_closed_sessions_leave_the_mediators_home_and_show_cancelled_in_their_calendar(
    team, book, coordinator, mediator
):
    session = book(team.case, kind="joint", days=5)
    assert list(my_next_sessions(mediator)) == [session]

    close(team.case, coordinator)

    assert list(my_next_sessions(mediator)) == []
    feed = calendar_for(feed_sessions(team.lead), name="x").decode()
    assert f"session-{session.pk}@" in feed and "STATUS:CANCELLED" in feed


def test_closing_also_stops_reminders_of_a_session_whose_time_passed_unrecorded(
    team, book, coordinator, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    session = book(team.case, days=3)
    time_machine.shift(datetime.timedelta(days=4))  # it took place (or not); nobody recorded it
    assert session.reminders.filter(status="pending").exists()  # the dispatcher has not run

    close(team.case, coordinator)

    assert not session.reminders.filter(status="pending").exists()


def test_a_session_held_before_closing_is_not_touched(team, book, coordinator):
    held = held_session(team.case)
    book(team.case, days=4)

    close(team.case, coordinator, outcome="full_agreement")

    held.refresh_from_db()
    assert held.status == MediationSession.Status.HELD


# --- The outcome ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome", ["full_agreement", "partial_agreement", "no_agreement", "improved_communication"]
)
def test_a_mediated_outcome_needs_a_session_held(team, coordinator, login, outcome):
    response = login(coordinator).post(
        f"/cases/{team.case.reference}/close/",
        {"outcome": outcome, "closed_on": TODAY.isoformat()},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "needs mediation to have taken place" in html
    assert 'id="error_1_id_outcome"' in html
    team.case.refresh_from_db()
    assert team.case.status == Status.ACTIVE

    held_session(team.case)
    response = login(coordinator).post(
        f"/cases/{team.case.reference}/close/",
        {"outcome": outcome, "closed_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    team.case.refresh_from_db()
    assert (team.case.status, team.case.outcome) == (Status.CLOSED, outcome)


def test_an_intake_visit_alone_is_not_mediation(team, coordinator):
    held_session(team.case, kind="intake")

    with pytest.raises(ValidationError, match="an intake visit does not count"):
        case_services.case_close(
            case=team.case, by=coordinator, outcome="full_agreement", closed_on=TODAY
        )


def test_an_agreement_agreed_counts_as_mediation(team, coordinator):
    team.case.agreements.create(version=1, status="agreed", agreed_at=timezone.now())

    case_services.case_close(
        case=team.case, by=coordinator, outcome="partial_agreement", closed_on=TODAY
    )


def test_the_close_page_says_which_sessions_closing_will_cancel(team, book, coordinator, login):
    session = book(team.case, kind="joint", days=6)

    html = login(coordinator).get(f"/cases/{team.case.reference}/close/").content.decode()

    assert "Closing the case cancels the sessions still to come" in html
    assert f"Joint meeting, {timezone.localtime(session.starts_at):%a} " in html


# --- Reopening ----------------------------------------------------------------------------------


def test_a_reopened_case_goes_back_to_active_when_its_pair_and_consents_allow(team, coordinator):
    held_session(team.case)
    close(team.case, coordinator, outcome="no_agreement")

    case_services.case_reopen(case=team.case, by=coordinator, reason="They asked to try again")

    team.case.refresh_from_db()
    assert team.case.status == Status.ACTIVE


def test_a_reopened_case_waits_for_a_pair_whose_dbs_check_has_lapsed(team, coordinator):
    held_session(team.case)
    close(team.case, coordinator, outcome="no_agreement")
    DBSCheck.objects.filter(volunteer=team.co).delete()
    DBSCheckFactory(volunteer=team.co, issued_on=TODAY - datetime.timedelta(days=4 * 365))

    with listen() as told:
        case_services.case_reopen(case=team.case, by=coordinator, reason="Asked to try again")

    team.case.refresh_from_db()
    assert team.case.status == Status.READY
    assert "no current enhanced DBS check" in " ".join(told)
    with pytest.raises(ValidationError, match="pair must be changed"):
        case_services.case_transition(case=team.case, to=Status.ACTIVE, by=coordinator)


def test_a_reopened_case_waits_for_consent_withdrawn_meanwhile(team, coordinator):
    from parties.services import consent_withdraw

    close(team.case, coordinator)
    consent_withdraw(consent=team.bob.consents.get(kind="mediate"), by=coordinator)

    case_services.case_reopen(case=team.case, by=coordinator, reason="Alice rang")

    team.case.refresh_from_db()
    assert team.case.status == Status.AWAITING_CONSENT
    assert any("Bob Dunn withdrew from mediation" in b.reason for b in breaches(team.case))


def test_a_case_closed_early_reopens_no_further_than_it_had_gone(case, coordinator):
    case_services.case_transition(case=case, to=Status.CONTACTING, by=coordinator)
    close(case, coordinator, outcome="not_contactable")

    case_services.case_reopen(case=case, by=coordinator, reason="A new number")

    case.refresh_from_db()
    assert case.status == Status.CONTACTING


def test_the_notice_of_a_session_cancelled_by_closing_says_it_will_not_be_rearranged(
    team, book, coordinator
):
    from notifications.messages import render_message
    from sessions.services import session_cancel

    called_off = book(team.case, kind="separate", days=2, parties=[team.alice])
    session_cancel(session=called_off, by=coordinator, reason="Room double-booked")
    later = book(team.case, kind="separate", days=4, parties=[team.alice])
    later.reminders.filter(party=team.alice, lead_minutes=2880).update(status="sent")

    close(team.case, coordinator)

    texts = {
        n.session.starts_at: render_message(n).text
        for n in OutboxMessage.objects.filter(kind="session_cancelled", party=team.alice)
    }
    plain, final = (texts[k] for k in sorted(texts))
    assert "We will be in touch" in plain and "will not be rearranged" not in plain
    assert "It will not be rearranged" in final and "We will be in touch" not in final


def test_a_session_left_on_a_closed_case_cannot_be_moved(team, book, coordinator):
    from sessions.services import session_reschedule

    session = book(team.case, days=3)
    # Closed behind the services (a data fix): the session was not cancelled with it.
    type(team.case).objects.filter(pk=team.case.pk).update(
        status=Status.CLOSED, outcome="withdrawn", closed_on=TODAY
    )

    with pytest.raises(ValidationError, match="This case is closed; reopen it"):
        session_reschedule(
            session=session,
            by=coordinator,
            starts_at=session.starts_at + datetime.timedelta(days=1),
            ends_at=session.ends_at + datetime.timedelta(days=1),
        )
    session.refresh_from_db()
    assert session.status == MediationSession.Status.SCHEDULED
