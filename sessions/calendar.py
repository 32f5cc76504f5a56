"""iCalendar files of sessions, for a mediator's calendar feed and for one session.

Times are written in Europe/London with its VTIMEZONE, so calendars show them right on both
sides of a clock change. An event says what the mediator needs and no more: the kind of
session, the case reference, where, and the first names of the parties attending (for a home
visit, the postcode and first line of the address they need to get there).
"""

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import MediationSession

FEED_DAYS_BACK = 30


def _location(session: MediationSession) -> str:
    if session.mode == MediationSession.Mode.HOME_VISIT:
        visited = next((p for p in session.parties.all() if p.postcode), None)
        if visited:
            return f"Home visit: {visited.address_line1}, {visited.postcode}".replace(" , ", " ")
        return "Home visit"
    return session.venue or session.get_mode_display()


def _event(session: MediationSession) -> Event:
    zone = timezone.get_current_timezone()
    event = Event()
    event.add("uid", f"session-{session.pk}@wkm-case-manager")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", f"{session.get_kind_display()} ({session.case.reference})")
    event.add("location", _location(session))
    first_names = ", ".join(p.first_name for p in session.parties.all() if p.full_name)
    event.add(
        "description",
        f"{session.get_mode_display()}. With: {first_names or 'no parties'}. "
        f"Details in WKM Case Manager: {settings.SITE_URL}{session.get_absolute_url()}",
    )
    if session.status == MediationSession.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def calendar_for(sessions, *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//WKM Case Manager//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_event(session))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_sessions(volunteer):
    """The volunteer's sessions of the last FEED_DAYS_BACK days and the future, on cases they
    may still see (rule 11: an ended assignment or an inactive volunteer drops them)."""
    from cases.models import Case

    since = timezone.now() - datetime.timedelta(days=FEED_DAYS_BACK)
    if volunteer.user is None:
        return volunteer.sessions.none()
    return (
        volunteer.sessions.filter(
            starts_at__gte=since, case__in=Case.objects.visible_to(volunteer.user)
        )
        .select_related("case")
        .prefetch_related("parties")
        .order_by("starts_at")
    )
