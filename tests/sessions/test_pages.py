"""Session pages on a case: booking, every refusal shown on the page, rescheduling, cancelling,
outcomes; the home-visits switch and its banner; the home-page panels."""

import datetime
import html as html_lib

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import ContactLogEntry, Status
from notifications.models import OutboxMessage
from parties.models import Consent
from sessions import services
from sessions.models import MediationSession, ServiceSettings
from tests.factories import UserFactory, eligible_volunteer, ready_case
from tests.sessions.conftest import at
from volunteers.services import assign_pair

pytestmark = pytest.mark.django_db

SESSION_URLS = [
    "session_detail",
    "session_reschedule",
    "session_cancel",
    "session_outcome",
    "session_ics",
]


def local(moment: datetime.datetime) -> str:
    """What a datetime-local input sends."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def page(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def paired_case(coordinator, mediator):
    """A case whose parties have consented, with ``mediator`` as lead and Grace Hall as
    co-mediator."""
    mediator.first_name, mediator.last_name = "Martin", "Lewis"
    mediator.save()
    case = ready_case()
    lead = eligible_volunteer(mediator, email="martin@example.org", postcode="ME15 6RT")
    co = eligible_volunteer(
        first_name="Grace", last_name="Hall", email="grace@example.org", postcode="TN4 9LH"
    )
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    case.refresh_from_db()
    return case


def form_data(case, **overrides):
    data = {
        "kind": "separate",
        "mode": "office",
        "venue": "WKM office, 1 High Street, Tonbridge",
        "starts_at": local(at(3, 10)),
        "ends_at": local(at(3, 11, 30)),
        "parties": [p.pk for p in case.parties.all()],
        "notes": "Bring the noise diary.",
    }
    data.update(overrides)
    return data


def book_now(case, by, **overrides):
    fields = {
        "kind": "separate",
        "mode": "office",
        "venue": "WKM office",
        "starts_at": at(3, 10),
        "ends_at": at(3, 11, 30),
        "parties": list(case.parties.all()),
    }
    fields.update(overrides)
    return services.session_book(case=case, by=by, **fields)


def url(name, session):
    return reverse(f"cases:{name}", args=[session.case.reference, session.pk])


# Booking ---------------------------------------------------------------------------------------


def test_it_shows_the_pair_and_ticks_every_party_on_the_booking_form(
    login, coordinator, paired_case
):
    response = login(coordinator).get(reverse("cases:session_new", args=[paired_case.reference]))

    html = page(response)
    assert response.status_code == 200
    assert "Martin Lewis" in html and "Grace Hall" in html
    for party in paired_case.parties.all():
        assert f'value="{party.pk}"' in html
    assert html.count("checked") >= paired_case.parties.count()
    assert "Record a session that was held" in html


def test_it_books_a_session_through_the_page(login, coordinator, paired_case):
    client = login(coordinator)

    response = client.post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case),
        follow=True,
    )

    session = paired_case.sessions.get()
    assert response.redirect_chain[-1][0] == session.get_absolute_url()
    assert session.status == "scheduled"
    assert timezone.localtime(session.starts_at) == at(3, 10)
    assert {v.full_name for v in session.mediators.all()} == {"Martin Lewis", "Grace Hall"}
    assert set(session.parties.all()) == set(paired_case.parties.all())
    html = page(response)
    assert "Session booked" in html
    assert session.reminders.count() == 8
    assert "Bring the noise diary." in html
    case_page = page(client.get(paired_case.get_absolute_url()))
    assert f"{at(3, 10):%-d %b %Y}, 10:00" in case_page
    assert "Separate meeting" in case_page and "Scheduled" in case_page


def test_booking_says_who_will_be_reminded_and_how(login, coordinator, paired_case):
    """Not "reminders will go to everyone": a party on a landline who prefers calls, and one
    who prefers letters, are the office's to tell."""
    alice, bob = paired_case.parties.order_by("pk")
    alice.preferred_contact, alice.phone = "phone", "+441732123456"
    alice.save()
    bob.preferred_contact = "letter"
    bob.save()

    response = login(coordinator).post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case),
        follow=True,
    )

    html = page(response)
    assert "Reminders will go to Grace Hall and Martin Lewis by email." in html
    assert f"{bob.full_name} needs a letter and {alice.full_name} needs a phone call" in html
    assert "everyone attending" not in html


def test_it_records_a_session_that_was_held(login, coordinator, paired_case):
    login(coordinator).post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case, starts_at=local(at(-1, 10)), ends_at=local(at(-1, 11)), held="on"),
    )

    session = paired_case.sessions.get()
    assert session.status == "held"
    assert not session.reminders.exists()


def test_it_lets_only_coordinators_book(login, mediator, paired_case):
    client = login(mediator)

    response = client.get(reverse("cases:session_new", args=[paired_case.reference]))

    assert response.status_code == 403
    assert "Book a session" not in page(client.get(paired_case.get_absolute_url()))


# Every refusal, on the page, with what was typed kept -----------------------------------------


def assert_refused(response, *reasons):
    html = page(response)
    assert response.status_code == 200
    assert "This session cannot be booked" in html
    for reason in reasons:
        assert reason in html
    # Nothing typed is lost.
    assert 'value="WKM office, 1 High Street, Tonbridge"' in html
    assert "Bring the noise diary." in html
    assert not MediationSession.objects.filter(notes="Bring the noise diary.").exists()


def test_it_refuses_an_end_before_the_start(login, coordinator, paired_case):
    response = login(coordinator).post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case, starts_at=local(at(3, 11)), ends_at=local(at(3, 10))),
    )

    assert_refused(response, "The session must end after it starts.")
    assert f'value="{local(at(3, 11))}"' in page(response)


def test_it_refuses_a_past_session_unless_it_is_recorded_as_held(login, coordinator, paired_case):
    response = login(coordinator).post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case, starts_at=local(at(-2, 10)), ends_at=local(at(-2, 11))),
    )

    assert_refused(response, "This time has passed", "record a session that was held")


def test_it_refuses_a_session_for_a_case_without_a_current_pair(login, coordinator):
    case = ready_case()
    case.status = Status.ACTIVE
    case.save()
    client = login(coordinator)

    form = page(client.get(reverse("cases:session_new", args=[case.reference])))
    response = client.post(reverse("cases:session_new", args=[case.reference]), form_data(case))

    assert "No current pair" in form
    assert_refused(
        response, "This case needs its pair of mediators: assign a pair before booking a session."
    )


def test_it_refuses_a_joint_meeting_before_every_party_has_consented(
    login, coordinator, paired_case
):
    bob = paired_case.parties.get(full_name="Bob Dunn")
    Consent.objects.filter(party=bob, kind="mediate").update(withdrawn_at=timezone.now())

    response = login(coordinator).post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case, kind="joint"),
    )

    assert_refused(
        response, "No joint meeting until every party has consented: waiting for Bob Dunn."
    )


def test_it_refuses_a_home_visit_while_home_visits_are_suspended(
    login, coordinator, administrator, paired_case
):
    services.home_visits_suspend(by=administrator, reason="Covid-19 restrictions")

    response = login(coordinator).post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case, mode="home_visit"),
    )

    assert_refused(response, "Home visits are suspended (Covid-19 restrictions)")


def test_it_refuses_a_mediator_booked_twice_and_names_them_and_the_other_case(
    login, coordinator, paired_case
):
    martin = paired_case.assignments.get(role="lead").volunteer
    other = ready_case()
    assign_pair(case=other, lead=martin, co_mediator=eligible_volunteer(), by=coordinator)
    book_now(other, coordinator)

    response = login(coordinator).post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case, starts_at=local(at(3, 11)), ends_at=local(at(3, 12))),
    )

    assert_refused(
        response, "Martin Lewis is already booked for a session on", f"({other.reference})"
    )


def test_it_refuses_a_party_booked_twice(login, coordinator, paired_case):
    first = book_now(paired_case, coordinator)

    response = login(coordinator).post(
        reverse("cases:session_new", args=[paired_case.reference]),
        form_data(paired_case, starts_at=local(at(3, 11)), ends_at=local(at(3, 12))),
    )

    assert_refused(
        response,
        "Alice Carter is already booked for a session on",
        "Bob Dunn is already booked for a session on",
        f"({first.case.reference})",
    )


# The session page and its actions ---------------------------------------------------------------


def test_it_shows_a_session_with_its_reminders_and_audits_the_view(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator)

    response = login(coordinator).get(session.get_absolute_url())

    html = page(response)
    assert response.status_code == 200
    assert "Martin Lewis" in html and "Alice Carter" in html
    assert "Session reminder: pending" in html
    assert "Text message" in html or "Email" in html
    assert url("session_ics", session) in html
    assert "Booked" in html  # the history of changes
    assert AuditEvent.objects.filter(
        action="view", object_type="mediation_sessions.mediationsession", object_id=session.pk
    ).exists()


def test_it_reschedules_a_session_and_keeps_the_history(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator)
    client = login(coordinator)
    assert client.get(url("session_reschedule", session)).status_code == 200

    response = client.post(
        url("session_reschedule", session),
        {
            "starts_at": local(at(5, 14)),
            "ends_at": local(at(5, 15)),
            "mode": "video",
            "venue": "Video link sent by email",
        },
        follow=True,
    )

    session.refresh_from_db()
    assert timezone.localtime(session.starts_at) == at(5, 14)
    assert session.mode == "video"
    note = ContactLogEntry.objects.get(case=paired_case, text__contains="moved from")
    assert f"{at(3, 10):%-d %b %Y}, 10:00" in note.text
    html = page(response)
    assert "Session moved" in html
    assert "Start moved from" in html and "mode changed from At the office to Video call" in html


def test_it_shows_why_a_session_cannot_be_moved(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator)

    response = login(coordinator).post(
        url("session_reschedule", session),
        {"starts_at": local(at(5, 14)), "ends_at": local(at(5, 13)), "mode": "office"},
    )

    html = page(response)
    assert "The session cannot be moved" in html
    assert "The session must end after it starts." in html
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at) == at(3, 10)


def test_it_cancels_a_session(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator)

    response = login(coordinator).post(
        url("session_cancel", session), {"reason": "Alice is unwell"}, follow=True
    )

    session.refresh_from_db()
    assert session.status == "cancelled"
    assert "Session cancelled" in page(response)
    assert ContactLogEntry.objects.filter(text__contains="cancelled: Alice is unwell").exists()
    assert session.reminders.filter(kind="session_cancelled").exists()

    again = login(coordinator).post(url("session_cancel", session), {}, follow=True)
    assert "Only a scheduled session can be cancelled." in page(again)


def test_the_assigned_mediator_records_the_outcome(login, mediator, coordinator, paired_case):
    session = book_now(paired_case, coordinator)
    MediationSession.objects.filter(pk=session.pk).update(
        starts_at=at(-1, 10), ends_at=at(-1, 11, 30)
    )
    client = login(mediator)
    assert client.get(session.get_absolute_url()).status_code == 200

    response = client.post(
        url("session_outcome", session),
        {"status": "held", "notes": "Both agreed to a quiet hour after 10pm."},
        follow=True,
    )

    session.refresh_from_db()
    assert session.status == "held"
    assert session.notes == "Both agreed to a quiet hour after 10pm."
    assert "Outcome recorded: Held." in page(response)
    assert not session.reminders.filter(status="pending").exists()


def test_it_records_did_not_attend(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator, held=True, starts_at=at(-1), ends_at=at(-1, 11))

    login(coordinator).post(url("session_outcome", session), {"status": "did_not_attend"})

    session.refresh_from_db()
    assert session.status == "did_not_attend"


def test_it_shows_why_an_outcome_cannot_be_recorded_yet(login, mediator, coordinator, paired_case):
    session = book_now(paired_case, coordinator)
    client = login(mediator)

    empty = page(client.post(url("session_outcome", session), {}))
    early = page(client.post(url("session_outcome", session), {"status": "held", "notes": "x"}))

    assert "Choose held or did not attend." in empty
    assert "Record the outcome once the session has started." in early
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_the_assigned_mediator_cannot_manage_sessions(login, mediator, coordinator, paired_case):
    session = book_now(paired_case, coordinator)
    client = login(mediator)

    assert client.get(reverse("cases:session_new", args=[paired_case.reference])).status_code == 403
    assert client.get(url("session_reschedule", session)).status_code == 403
    assert client.post(url("session_reschedule", session), {}).status_code == 403
    assert client.post(url("session_cancel", session), {}).status_code == 403
    html = page(client.get(session.get_absolute_url()))
    assert "Reschedule" not in html and "Cancel this session" not in html
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_a_mediator_of_another_case_gets_404_on_every_session_url(
    login, coordinator, other_mediator, paired_case
):
    session = book_now(paired_case, coordinator)
    other = ready_case()
    assign_pair(
        case=other,
        lead=eligible_volunteer(other_mediator),
        co_mediator=eligible_volunteer(),
        by=coordinator,
    )
    client = login(other_mediator)

    assert client.get(reverse("cases:session_new", args=[paired_case.reference])).status_code == 404
    for name in SESSION_URLS:
        if name != "session_cancel":
            assert client.get(url(name, session)).status_code == 404, name
        assert client.post(url(name, session), {}).status_code in (404, 405), name
    assert client.post(url("session_cancel", session), {}).status_code == 404
    # A session of another case, through this mediator's own case: 404 too.
    own = reverse("cases:session_detail", args=[other.reference, session.pk])
    assert client.get(own).status_code == 404


# Home visits suspended ---------------------------------------------------------------------------


def test_only_administrators_switch_home_visits(login, coordinator, client):
    assert login(coordinator).get(reverse("home_visits")).status_code == 403
    client.logout()
    assert client.get(reverse("home_visits")).status_code == 302


def test_suspending_home_visits_shows_a_banner_until_they_resume(login, administrator, coordinator):
    client = login(administrator)
    until = timezone.localdate() + datetime.timedelta(days=30)

    response = client.post(
        reverse("home_visits"),
        {
            "action": "suspend",
            "home_visits_reason": "Covid-19 restrictions",
            "home_visits_suspended_from": "",
            "home_visits_suspended_until": until.isoformat(),
        },
        follow=True,
    )

    banner = f"Home visits are suspended: Covid-19 restrictions (until {until:%-d %b %Y})"
    assert banner in " ".join(page(response).split())
    coordinator_home = " ".join(page(login(coordinator).get("/")).split())
    assert banner in coordinator_home
    assert ServiceSettings.current().home_visits_suspended

    client = login(administrator)
    response = client.post(reverse("home_visits"), {"action": "resume"}, follow=True)

    assert "Home visits are suspended" not in page(response)
    assert "Home visits are suspended" not in page(login(coordinator).get("/"))
    events = AuditEvent.objects.filter(object_type="mediation_sessions.servicesettings")
    assert [e.detail for e in events.order_by("id")] == [
        {"home_visits": "suspended"},
        {"home_visits": "resumed"},
    ]
    assert {e.actor_username for e in events} == {administrator.username}


def test_it_shows_why_home_visits_cannot_be_suspended(login, administrator):
    today = timezone.localdate()

    response = login(administrator).post(
        reverse("home_visits"),
        {
            "action": "suspend",
            "home_visits_reason": "",
            "home_visits_suspended_from": today.isoformat(),
            "home_visits_suspended_until": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    html = page(response)
    assert "Say why home visits are suspended." in html
    assert not ServiceSettings.current().home_visits_suspended

    response = login(administrator).post(
        reverse("home_visits"),
        {
            "action": "suspend",
            "home_visits_reason": "Office move",
            "home_visits_suspended_from": today.isoformat(),
            "home_visits_suspended_until": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert "The end is before the start." in page(response)
    assert 'value="Office move"' in page(response)
    assert not ServiceSettings.current().home_visits_suspended


def test_the_banner_announces_a_suspension_that_starts_later(login, administrator, coordinator):
    start = timezone.localdate() + datetime.timedelta(days=10)
    services.home_visits_suspend(by=administrator, reason="Office move", suspended_from=start)

    html = " ".join(page(login(coordinator).get("/")).split())

    assert f"Home visits will be suspended from {start:%-d %b %Y}: Office move" in html


def test_future_home_visits_are_flagged_on_the_case_page_and_the_dashboard(
    login, coordinator, administrator, paired_case
):
    visit = book_now(paired_case, coordinator, mode="home_visit", venue="")
    book_now(paired_case, coordinator, starts_at=at(4, 10), ends_at=at(4, 11))
    services.home_visits_suspend(by=administrator, reason="Covid-19 restrictions")
    client = login(coordinator)

    case_page = page(client.get(paired_case.get_absolute_url()))
    home = page(client.get("/"))
    session_page = page(client.get(visit.get_absolute_url()))

    assert case_page.count("Flagged: home visits suspended — reschedule") == 1
    attention = home[home.index('id="attention-heading"') :]
    assert "falls while home visits are suspended" in attention
    assert url("session_reschedule", visit) in attention
    assert "this home visit needs to be rescheduled" in session_page


def test_the_admin_switches_home_visits_through_the_services(login, coordinator):
    admin_user = UserFactory(
        username="root", roles=["Administrator"], is_staff=True, is_superuser=True
    )
    client = login(admin_user)
    ServiceSettings.objects.get_or_create(pk=1)

    assert client.get("/admin/mediation_sessions/servicesettings/").status_code == 302
    refused = client.post(
        "/admin/mediation_sessions/servicesettings/1/change/",
        {"home_visits_suspended": "on", "home_visits_reason": ""},
    )
    assert refused.status_code == 200
    assert "Say why home visits are suspended." in page(refused)

    response = client.post(
        "/admin/mediation_sessions/servicesettings/1/change/",
        {"home_visits_suspended": "on", "home_visits_reason": "Flu outbreak"},
    )

    assert response.status_code == 302
    assert ServiceSettings.current().home_visits_reason == "Flu outbreak"
    assert AuditEvent.objects.filter(detail={"home_visits": "suspended"}).count() == 1


# Home panels ------------------------------------------------------------------------------------


def test_the_coordinator_sees_the_week_ahead_and_failed_reminders(login, coordinator, paired_case):
    soon = book_now(paired_case, coordinator)
    book_now(paired_case, coordinator, starts_at=at(10, 10), ends_at=at(10, 11))
    failed = soon.reminders.filter(party__isnull=False).first()
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status="failed", last_error="Number unreachable"
    )

    response = login(coordinator).get("/")

    html = page(response)
    assert response.context["upcoming_sessions_count"] == 1
    assert url("session_detail", soon) in html
    assert "Failed messages" in html
    assert "Number unreachable" in html
    assert failed.party.full_name in html  # whom to reach another way
    assert failed.address not in html


def test_the_mediator_sees_their_next_sessions_and_their_calendar(
    login, mediator, coordinator, paired_case
):
    session = book_now(paired_case, coordinator)

    html = page(login(mediator).get("/"))

    assert "My next sessions" in html
    assert url("session_detail", session) in html
    assert reverse("calendar_settings") in html
