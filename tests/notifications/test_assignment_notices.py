"""Assignment notices go through the outbox: written with the assignment, sent by the
dispatcher, retried while the mail server is down, and stopped if the volunteer is no longer on
the case or no longer works."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, CaseAssignment
from notifications.dispatch import dispatch_due
from notifications.models import OutboxMessage
from tests.factories import eligible_volunteer, ready_case
from volunteers.models import Volunteer
from volunteers.services import assign_pair

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOTICES = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.ASSIGNED)


def test_assigning_a_pair_queues_one_notice_each_in_the_same_transaction(
    coordinator, pair, django_capture_on_commit_callbacks
):
    case = ready_case()
    lead, co = pair

    with django_capture_on_commit_callbacks(execute=True):
        created = assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)

    assert len(mail.outbox) == 0  # nothing is sent on commit either: the dispatcher sends
    notices = list(NOTICES.order_by("volunteer__first_name"))
    assert [(n.volunteer, n.channel, n.address, n.status) for n in notices] == [
        (co, "email", "grace@example.org", "pending"),
        (lead, "email", "martin@example.org", "pending"),
    ]
    assert {a.notice for a in created} == set(notices)
    assert {n.dedupe_key for n in notices} == {f"assigned:{a.pk}" for a in created}
    assert all(n.due_at <= timezone.now() and n.session is None for n in notices)


def test_an_assignment_that_rolls_back_queues_nothing(coordinator, pair):
    case = ready_case()
    lead, _co = pair

    with pytest.raises(Exception, match="pairs"):
        assign_pair(case=case, lead=lead, co_mediator=lead, by=coordinator)

    assert not NOTICES.exists()


def test_assigning_the_same_pair_again_queues_nothing_more(coordinator, pair):
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)

    again = assign_pair(case=case, lead=pair[1], co_mediator=pair[0], by=coordinator)

    assert again == [] and NOTICES.count() == 2


def test_a_replacement_is_told_and_the_one_who_stays_is_not_told_again(coordinator, pair):
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)
    newcomer = eligible_volunteer(first_name="Nia", email="nia@example.org", postcode="TN1 1AA")

    assign_pair(case=case, lead=pair[0], co_mediator=newcomer, by=coordinator)

    assert sorted(NOTICES.values_list("address", flat=True)) == [
        "grace@example.org",
        "martin@example.org",
        "nia@example.org",
    ]


def test_the_email_says_which_case_and_links_to_it_and_nothing_confidential(coordinator, pair):
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)

    assert dispatch_due(max_seconds=5) == 2

    message = next(m for m in mail.outbox if m.to == ["martin@example.org"])
    assert message.subject == f"You have been assigned to case {case.reference}"
    assert "Hello Martin," in message.body and "as lead mediator, from" in message.body
    assert f"/cases/{case.reference}/" in message.body
    html = message.alternatives[0][0]
    assert f'/cases/{case.reference}/"' in html
    for confidential in ("Alice", "Carter", "Bob", "Dunn", "TN9", case.summary[:20]):
        assert confidential not in message.body and confidential not in html
    assert set(NOTICES.values_list("status", flat=True)) == {"sent"}


def test_each_send_is_recorded_in_the_audit_trail(coordinator, pair):
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)

    dispatch_due(max_seconds=5)
    dispatch_due(max_seconds=5)

    events = AuditEvent.objects.filter(object_type="notifications.outboxmessage")
    assert sorted(int(e.object_id) for e in events) == sorted(NOTICES.values_list("pk", flat=True))
    assert {e.case_reference for e in events} == {case.reference}
    assert {e.detail["sent"] for e in events} == {"assigned"}
    assert all("@" not in str(e.detail) + e.object_repr for e in events)  # no address


def test_a_volunteer_without_email_gets_a_text_and_one_without_either_gets_nothing(
    coordinator, settings, time_machine
):
    # In the day: a text asked for in quiet hours waits for the morning (the next test), and
    # this one must not depend on the hour the suite runs.
    time_machine.move_to(datetime.datetime(2026, 12, 8, 10, 0, tzinfo=LONDON), tick=False)
    settings.SMS_BACKEND = "notifications.sms.LoggingBackend"
    case = ready_case()
    texted = eligible_volunteer(email="", phone="+447911123456", postcode="ME15 6RT")
    unreachable = eligible_volunteer(email="", phone="", postcode="TN4 9LH")

    created = assign_pair(case=case, lead=texted, co_mediator=unreachable, by=coordinator)

    notice = NOTICES.get()
    assert (notice.volunteer, notice.channel, notice.address) == (texted, "sms", "+447911123456")
    assert {a.volunteer: a.notice for a in created} == {texted: notice, unreachable: None}
    assert dispatch_due(max_seconds=5) == 1


def test_a_text_asked_for_in_quiet_hours_waits_for_the_morning(coordinator, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 8, 22, 30, tzinfo=LONDON), tick=False)
    case = ready_case()
    texted = eligible_volunteer(email="", phone="+447911123456", postcode="ME15 6RT")

    assign_pair(case=case, lead=texted, co_mediator=eligible_volunteer(), by=coordinator)

    due = timezone.localtime(NOTICES.get(channel="sms").due_at)
    assert (due.date(), due.hour) == (datetime.date(2026, 12, 9), 8)


def test_a_notice_to_someone_taken_off_the_case_before_it_went_is_not_sent(coordinator, pair):
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)
    # However the assignment ended (here a raw update, as a data fix might): the dispatcher
    # checks just before sending.
    CaseAssignment.objects.filter(volunteer=pair[0]).update(ended_on=timezone.localdate())

    assert dispatch_due(max_seconds=5) == 1

    assert [m.to for m in mail.outbox] == [["grace@example.org"]]
    stopped = NOTICES.get(volunteer=pair[0])
    assert stopped.status == "cancelled" and "no longer be contacted" in stopped.last_error


def test_a_notice_to_someone_who_stopped_volunteering_is_not_sent(coordinator, pair):
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)
    Volunteer.objects.filter(pk=pair[1].pk).update(status=Volunteer.Status.INACTIVE)

    assert dispatch_due(max_seconds=5) == 1

    assert [m.to for m in mail.outbox] == [["martin@example.org"]]
    assert NOTICES.get(volunteer=pair[1]).status == "cancelled"


def test_no_notice_goes_about_a_case_that_closed_before_it_went(coordinator, pair):
    """Closing a case keeps its assignments (who mediated); a notice still waiting is moot."""
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)
    Case.objects.filter(pk=case.pk).update(
        status="closed", outcome="withdrawn", closed_on=timezone.localdate()
    )

    assert dispatch_due(max_seconds=5) == 0

    assert mail.outbox == []
    assert set(NOTICES.values_list("status", flat=True)) == {"cancelled"}


def test_a_notice_for_an_earlier_assignment_is_not_sent_after_a_new_one(coordinator, pair):
    """Taken off and put back on before the first notice went: told once, by the new one."""
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)
    other = eligible_volunteer(postcode="TN1 1AA")
    assign_pair(case=case, lead=pair[0], co_mediator=other, by=coordinator)
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)

    dispatch_due(max_seconds=5)

    assert [m.to for m in mail.outbox].count(["grace@example.org"]) == 1
    assert NOTICES.filter(volunteer=pair[1], status="sent").count() == 1


def test_with_the_mail_server_down_the_page_succeeds_and_the_email_goes_once_it_is_back(
    login, coordinator, pair, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.sinks.SMTPDown"
    time_machine.move_to(timezone.now(), tick=False)
    case = ready_case()
    lead, co = pair

    # Whatever runs when the assignment commits runs here too: none of it may touch SMTP.
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator).post(
            f"/cases/{case.reference}/assign/", {"lead": lead.pk, "co_mediator": co.pk}
        )

    assert response.status_code == 302
    assert set(case.assignments.values_list("volunteer", flat=True)) == {lead.pk, co.pk}
    # The dispatcher runs while SMTP is still down: each notice waits, with a backoff.
    assert dispatch_due(max_seconds=5) == 0
    for notice in NOTICES.all():
        assert (notice.status, notice.attempts) == ("pending", 1)
        assert notice.due_at == timezone.now() + datetime.timedelta(minutes=1)
        assert "SMTP is down" in notice.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert dispatch_due(max_seconds=5) == 0  # back, but the retry is not due yet
    time_machine.shift(datetime.timedelta(minutes=1))
    assert dispatch_due(max_seconds=5) == 2
    assert dispatch_due(max_seconds=5) == 0

    assert sorted(m.to[0] for m in mail.outbox) == ["grace@example.org", "martin@example.org"]
    assert {(n.status, n.attempts, n.last_error) for n in NOTICES.all()} == {("sent", 2, "")}


def test_taking_someone_off_the_case_cancels_their_notice_at_once(coordinator, pair):
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)

    assign_pair(
        case=case, lead=pair[0], co_mediator=eligible_volunteer(postcode="TN1 1AA"), by=coordinator
    )

    left = NOTICES.get(volunteer=pair[1])
    assert (left.status, left.last_error) == (
        "cancelled",
        "Taken off the case before the notice went",
    )


def test_the_checker_lists_a_notice_left_waiting_for_an_assignment_that_ended(coordinator, pair):
    from rules.checker import find_breaches

    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)
    CaseAssignment.objects.filter(volunteer=pair[0]).update(ended_on=timezone.localdate())

    (waiting,) = [b for b in find_breaches(with_volunteers=False) if b.topic == "Messages"]

    assert waiting.case_reference == case.reference
    assert "A message (assigned to a case, email) is waiting" in waiting.reason


def test_only_the_run_that_marks_a_message_sent_records_it(coordinator, pair, monkeypatch):
    """A run whose lease ran out while it was sending (another run took the row over, and
    will send it with the same key and record it) neither marks the row nor audits it."""
    from notifications import dispatch

    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)
    send = dispatch._send

    def taken_over_while_sending(reminder):
        provider_id = send(reminder)
        OutboxMessage.objects.filter(pk=reminder.pk).update(claim_token=uuid.uuid4())
        return provider_id

    monkeypatch.setattr(dispatch, "_send", taken_over_while_sending)
    dispatch_due(max_seconds=5)

    assert set(NOTICES.values_list("status", flat=True)) == {"sending"}
    assert not AuditEvent.objects.filter(object_type="notifications.outboxmessage").exists()


def test_a_notice_that_failed_is_on_the_coordinators_home_with_its_case(login, coordinator, pair):
    case = ready_case()
    assign_pair(case=case, lead=pair[0], co_mediator=pair[1], by=coordinator)
    NOTICES.filter(volunteer=pair[0]).update(status="failed", last_error="Mailbox unavailable")

    html = login(coordinator).get("/").content.decode()

    assert "Failed messages" in html and "Mailbox unavailable" in html
    assert f'href="/cases/{case.reference}/"' in html and pair[0].full_name in html
    assert "martin@example.org" not in html
