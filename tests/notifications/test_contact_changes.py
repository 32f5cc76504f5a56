"""A person's contact details changed after a session was booked: what is still to go to them
follows the new details (notifications.outbox.replan_messages_to, called by the services), and
the dispatcher sends nothing that no longer matches them however the change was made
(outbox.still_on_route_q, part of may_still_go_q)."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from notifications import dispatch
from notifications.models import ManualContact, OutboxMessage
from parties.forms import PartyForm
from parties.services import party_update
from tests.factories import MOBILE
from volunteers.services import volunteer_update
from wkm.consequences import listen

pytestmark = pytest.mark.django_db

LANDLINE = "+441732123456"
PENDING, SENT, CANCELLED = "pending", "sent", "cancelled"


def alice(case):
    """Alice prefers texts, on a mobile (with an email address too)."""
    case.parties.filter(full_name="Alice Carter").update(preferred_contact="sms")
    return case.parties.get(full_name="Alice Carter")


def to(person, **filters):
    field = "party" if person._meta.model_name == "party" else "volunteer"
    return OutboxMessage.objects.filter(kind="session_reminder", **{field: person}, **filters)


def make_due(session):
    session.reminders.update(due_at=timezone.now() - datetime.timedelta(minutes=1))


def routes(messages):
    return sorted(messages.values_list("channel", "address", "status"))


def test_no_text_messages_replaces_her_texts_by_emails(active_case, book, coordinator):
    party = alice(active_case)
    session = book()
    assert routes(to(party)) == [("sms", MOBILE, PENDING)] * 2

    with listen() as heard:
        party_update(party=party, by=coordinator, fields={"no_text_messages": True})

    assert routes(to(party, status=PENDING)) == [("email", party.email, PENDING)] * 2
    assert to(party, channel="sms", status=CANCELLED).count() == 2
    assert heard == ["2 messages to Alice Carter will now go by email."]
    make_due(session)
    dispatch.dispatch_due(max_seconds=10)
    assert not to(party, status=SENT, channel="sms").exists()
    assert [m.to for m in mail.outbox].count([party.email]) == 2


def test_a_raw_update_of_no_text_messages_stops_the_pending_text_at_send_time(
    active_case, book, settings
):
    settings.SMS_BACKEND = "notifications.sms.LoggingBackend"
    party = alice(active_case)
    session = book()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE parties_party SET no_text_messages = true WHERE id = %s", [party.pk])
    make_due(session)

    dispatch.dispatch_due(max_seconds=10)

    stopped = to(party)
    assert {m.status for m in stopped} == {CANCELLED}
    assert all("contact details or restrictions changed" in m.last_error for m in stopped)
    # Bob's texts, untouched, went.
    assert {m.status for m in to(active_case.parties.get(full_name="Bob Dunn"))} == {SENT}


def test_no_text_messages_for_someone_who_prefers_calls_is_a_call_task(
    active_case, book, coordinator
):
    party = active_case.parties.get(full_name="Bob Dunn")
    session = book()

    party_update(party=party, by=coordinator, fields={"no_text_messages": True})

    assert not to(party, status=PENDING).exists()
    task = ManualContact.objects.get(party=party, session=session, status="open")
    assert task.method == "phone"


def test_letter_and_do_not_email_after_a_new_address_cancels_the_emails_for_a_letter(
    active_case, book, coordinator
):
    party = alice(active_case)
    party_update(party=party, by=coordinator, fields={"preferred_contact": "email"})
    old = party.email
    session = book()
    assert routes(to(party)) == [("email", old, PENDING)] * 2

    party_update(party=party, by=coordinator, fields={"email": "alice.new@example.org"})
    assert routes(to(party, status=PENDING)) == [("email", "alice.new@example.org", PENDING)] * 2
    with listen() as heard:
        party_update(
            party=party, by=coordinator, fields={"preferred_contact": "letter", "no_email": True}
        )

    assert not to(party, status=PENDING).exists()
    task = ManualContact.objects.get(party=party, session=session, status="open")
    assert task.method == "letter"
    assert heard == [
        "Reminders to Alice Carter are now yours to give by writing to them: see calls and letters."
    ]


def test_a_raw_change_of_email_and_letter_sends_nothing_to_the_old_address(active_case, book):
    party = alice(active_case)
    party.preferred_contact = "email"
    party.save()
    session = book()
    from parties.models import Party

    Party.objects.filter(pk=party.pk).update(email="new@example.org")
    make_due(session)
    dispatch.dispatch_due(max_seconds=10)
    assert {m.status for m in to(party)} == {CANCELLED}
    assert [party.email] not in [m.to for m in mail.outbox]

    # Letters: nothing electronic, even at the address they have now.
    OutboxMessage.objects.create(
        kind="session_reminder",
        channel="email",
        party=party,
        session=session,
        address="new@example.org",
        lead_minutes=120,
        due_at=timezone.now(),
    )
    Party.objects.filter(pk=party.pk).update(preferred_contact="letter")
    dispatch.dispatch_due(max_seconds=10)
    assert not to(party, status=SENT).exists()


def test_a_call_task_becomes_email_reminders_when_she_switches_to_email(
    active_case, book, coordinator
):
    party = alice(active_case)
    party_update(
        party=party, by=coordinator, fields={"phone": LANDLINE, "preferred_contact": "phone"}
    )
    session = book()
    task = ManualContact.objects.get(party=party, session=session)
    assert task.method == "phone" and not to(party).exists()

    party_update(party=party, by=coordinator, fields={"preferred_contact": "email"})

    task.refresh_from_db()
    assert task.status == CANCELLED
    assert routes(to(party)) == [("email", party.email, PENDING)] * 2


def test_switching_back_reopens_the_same_task_and_a_done_one_stays_done(
    active_case, book, coordinator
):
    party = alice(active_case)
    party_update(
        party=party, by=coordinator, fields={"phone": LANDLINE, "preferred_contact": "phone"}
    )
    session = book()
    task = ManualContact.objects.get(party=party, session=session)

    party_update(party=party, by=coordinator, fields={"preferred_contact": "email"})
    party_update(party=party, by=coordinator, fields={"preferred_contact": "phone"})
    task.refresh_from_db()
    assert task.status == "open" and ManualContact.objects.filter(party=party).count() == 1
    assert not to(party, status=PENDING).exists()

    ManualContact.objects.filter(pk=task.pk).update(status="done")
    party_update(party=party, by=coordinator, fields={"preferred_contact": "letter"})
    task.refresh_from_db()
    assert task.status == "done" and task.method == "phone"
    assert ManualContact.objects.filter(party=party).count() == 1
    # She was phoned about this session: emailing her now is not needed either.
    party_update(party=party, by=coordinator, fields={"preferred_contact": "email"})
    task.refresh_from_db()
    assert task.status == "done" and not to(party).filter(status=PENDING).exists()


def test_a_changed_email_moves_her_referral_acknowledgement(active_case, coordinator):
    from notifications.outbox import queue_referral_acknowledgement

    party = alice(active_case)
    party_update(party=party, by=coordinator, fields={"preferred_contact": "email"})
    message = queue_referral_acknowledgement(party, reply_days=5)

    party_update(party=party, by=coordinator, fields={"email": "alice.new@example.org"})

    message.refresh_from_db()
    assert (message.address, message.status) == ("alice.new@example.org", PENDING)


def test_a_volunteers_new_email_readdresses_reminders_and_assignment_notice(
    active_case, book, coordinator
):
    from notifications.outbox import queue_assignment_notices

    martin = active_case.assignments.get(volunteer__first_name="Martin").volunteer
    book()
    assignment = active_case.assignments.get(volunteer=martin)
    queue_assignment_notices([assignment])
    notice = assignment.notice

    with listen() as heard:
        volunteer_update(volunteer=martin, by=coordinator, fields={"email": "m.new@example.org"})

    pending = OutboxMessage.objects.filter(volunteer=martin, status=PENDING)
    assert {m.address for m in pending} == {"m.new@example.org"}
    assert pending.count() == 3
    notice.refresh_from_db()
    assert notice.address == "m.new@example.org"
    assert heard == [f"3 messages to {martin.full_name} will now go by email."]


def test_a_change_that_keeps_the_route_rewrites_nothing(active_case, book, coordinator):
    party = alice(active_case)
    book()
    before = set(to(party).values_list("pk", flat=True))

    with listen() as heard:
        party_update(party=party, by=coordinator, fields={"email": "alice.new@example.org"})

    assert set(to(party, status=PENDING).values_list("pk", flat=True)) == before
    assert heard == []


def test_a_volunteers_old_address_is_not_used_after_a_raw_change(active_case, book):
    from volunteers.models import Volunteer

    martin = active_case.assignments.get(volunteer__first_name="Martin").volunteer
    session = book()
    Volunteer.objects.filter(pk=martin.pk).update(email="m.new@example.org")
    make_due(session)
    dispatch.dispatch_due(max_seconds=10)
    assert {m.status for m in to(martin)} == {CANCELLED}
    assert ["martin@example.org"] not in [m.to for m in mail.outbox]


def test_a_staff_notice_goes_only_to_the_users_email_now(coordinator):
    from notifications.outbox import notify_staff

    coordinator.email = "c.old@example.org"
    coordinator.save()
    notify_staff(kind="late_notice", user=coordinator, context={}, dedupe_key="x")
    type(coordinator).objects.filter(pk=coordinator.pk).update(email="c.new@example.org")
    dispatch.dispatch_due(max_seconds=10)
    message = OutboxMessage.objects.get(dedupe_key="x")
    assert message.status == CANCELLED and not mail.outbox


def test_the_party_edit_page_replans_her_reminders(active_case, book, client, coordinator):
    party = alice(active_case)
    book()
    form = PartyForm(instance=party)
    data = {
        name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None
    }
    data = {k: v for k, v in data.items() if v is not False}
    data["no_text_messages"] = "on"
    client.force_login(coordinator)

    response = client.post(
        reverse("cases:party_edit", args=[active_case.reference, party.pk]), data, follow=True
    )

    assert response.status_code == 200
    assert routes(to(party, status=PENDING)) == [("email", party.email, PENDING)] * 2
    assert "2 messages to Alice Carter will now go by email." in response.content.decode()


def test_an_applicants_new_email_moves_the_acknowledgement_rather_than_cancelling_it(
    coordinator,
):
    from notifications.outbox import queue_application_acknowledgement
    from tests.factories import VolunteerFactory

    applicant = VolunteerFactory(status="applicant", email="old@example.org")
    message = queue_application_acknowledgement(applicant, reply_days=10)

    volunteer_update(volunteer=applicant, by=coordinator, fields={"email": "new@example.org"})

    message.refresh_from_db()
    assert (message.address, message.status) == ("new@example.org", PENDING)


def test_a_cancellation_notice_she_can_no_longer_be_sent_becomes_a_letter(
    active_case, book, coordinator
):
    from notifications.outbox import Notify, cancel_session_reminders

    party = alice(active_case)
    session = book()
    session.status = "cancelled"
    session.save()
    cancel_session_reminders(session, notify=Notify.EVERYONE)
    notice = OutboxMessage.objects.get(party=party, kind="session_cancelled")

    party_update(party=party, by=coordinator, fields={"preferred_contact": "letter"})

    notice.refresh_from_db()
    assert notice.status == CANCELLED
    task = ManualContact.objects.get(party=party, kind="session_cancelled")
    assert (task.method, task.status) == ("letter", "open")
    # Bob, still texted, gets no task.
    assert not ManualContact.objects.exclude(party=party).exists()
