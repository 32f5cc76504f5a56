"""Mediators' private calendar feeds and the .ics file of one session."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from audit.models import AuditEvent
from sessions.models import CalendarFeed, MediationSession
from tests.factories import CaseFactory, PartyFactory, assign

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def next_spring_forward() -> datetime.date:
    """The next last Sunday of March (UK clocks go forward) at least a week away, so sessions
    either side of it are in the future whenever the tests run (28 Mar 2027 in 2026)."""
    year = timezone.localdate().year
    while True:
        day = datetime.date(year, 3, 31)
        day -= datetime.timedelta(days=(day.weekday() + 1) % 7)
        if day - datetime.timedelta(days=7) > timezone.localdate():
            return day
        year += 1


def london(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def session_on(case, starts_at, volunteer, *, mode="office", **fields):
    session = MediationSession.objects.create(
        case=case,
        kind=fields.pop("kind", "separate"),
        mode=mode,
        venue=fields.pop("venue", "WKM office, 1 High Street, Tonbridge"),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1, minutes=30),
        **fields,
    )
    session.mediators.set([volunteer])
    session.parties.set(case.parties.all())
    return session


@pytest.fixture
def volunteer(my_case):
    """``mediator``'s volunteer record, as ``my_case`` made it (not eligible: the feed does
    not ask)."""
    return my_case.assignments.get().volunteer


@pytest.fixture
def feed(volunteer):
    return CalendarFeed.objects.create(volunteer=volunteer)


def feed_url(feed):
    return reverse("calendar_feed", args=[feed.token])


def events(response):
    calendar = Calendar.from_ical(response.content)
    return calendar, sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_it_serves_a_feed_in_london_time_either_side_of_the_clock_change(
    client, my_case, volunteer, feed
):
    change = next_spring_forward()
    before, after = change - datetime.timedelta(days=2), change + datetime.timedelta(days=5)
    session_on(my_case, london(before, 10), volunteer)
    session_on(my_case, london(after, 10), volunteer, mode="home_visit", venue="")

    response = client.get(feed_url(feed))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    calendar, (gmt, bst) = events(response)
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/London"]
    for event in (gmt, bst):
        assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert gmt.decoded("dtstart") == london(before, 10)
    assert bst.decoded("dtstart") == london(after, 10)
    # 10:00 GMT is 10:00Z; 10:00 BST is 09:00Z.
    assert gmt.decoded("dtstart").astimezone(UTC).hour == 10
    assert bst.decoded("dtstart").astimezone(UTC).hour == 9
    assert my_case.reference in str(gmt["SUMMARY"])


def test_the_feed_names_no_party_by_their_surname(client, my_case, volunteer, feed):
    session_on(my_case, timezone.now() + datetime.timedelta(days=2), volunteer)
    session_on(my_case, timezone.now() + datetime.timedelta(days=4), volunteer, mode="home_visit")

    text = client.get(feed_url(feed)).content.decode()

    assert "Alice" in text and "Bob" in text
    assert "Carter" not in text and "Dunn" not in text
    for party in my_case.parties.all():
        assert party.email not in text and party.phone not in text


def test_the_feed_leaves_out_cases_the_mediator_no_longer_works_on(
    client, my_case, volunteer, feed
):
    session_on(my_case, timezone.now() + datetime.timedelta(days=2), volunteer)
    assert len(events(client.get(feed_url(feed)))[1]) == 1

    my_case.assignments.update(ended_on=timezone.localdate())

    assert events(client.get(feed_url(feed)))[1] == []


def test_an_unknown_token_answers_404(client, feed):
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
    assert client.get(feed_url(feed)).status_code == 200


def test_revoking_makes_a_new_address_and_the_old_one_404s(login, mediator, volunteer):
    client = login(mediator)
    page = client.get(reverse("calendar_settings"))
    feed = CalendarFeed.objects.get(volunteer=volunteer)
    old = feed_url(feed)
    assert old in page.content.decode()
    assert client.get(old).status_code == 200

    response = client.post(reverse("calendar_settings"), follow=True)

    feed.refresh_from_db()
    assert feed_url(feed) != old
    assert feed_url(feed) in response.content.decode()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(feed)).status_code == 200
    assert AuditEvent.objects.filter(
        action="change", actor=mediator, detail={"calendar_feed": "revoked"}
    ).exists()


def test_the_calendar_page_is_for_volunteers_only(login, client, coordinator):
    url = reverse("calendar_settings")
    assert client.get(url).status_code == 302

    assert login(coordinator).get(url).status_code == 404


def test_a_session_downloads_as_an_ics_attachment(login, mediator, my_case, volunteer):
    start = london(timezone.localdate() + datetime.timedelta(days=2), 14)
    session = session_on(my_case, start, volunteer)

    response = login(mediator).get(
        reverse("cases:session_ics", args=[my_case.reference, session.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{my_case.reference}-session-{session.pk}.ics"'
    )
    assert "no-store" in response["Cache-Control"]
    (event,) = events(response)[1]
    assert event.decoded("dtstart") == start
    assert AuditEvent.objects.filter(
        action="download", actor=mediator, object_id=str(session.pk)
    ).exists()


def test_another_mediator_cannot_download_a_session(login, other_mediator, my_case, volunteer):
    session = session_on(my_case, timezone.now() + datetime.timedelta(days=2), volunteer)
    other = CaseFactory()
    PartyFactory(case=other)
    assign(other, other_mediator)

    response = login(other_mediator).get(
        reverse("cases:session_ics", args=[my_case.reference, session.pk])
    )

    assert response.status_code == 404
