"""Booking a session on its page: the form, who will be reminded, a session recorded as held, only
coordinators; and every refusal on the page, with what was typed kept."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Status
from parties.models import Consent
from sessions import services
from sessions.models import MediationSession
from tests.factories import eligible_volunteer, ready_case
from tests.sessions.conftest import at
from tests.sessions.pages import book_now, local, page
from volunteers.services import assign_pair

pytestmark = pytest.mark.django_db


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
