"""Quiet hours: no text message goes out from QUIET_HOURS_START to QUIET_HOURS_END, London time.

The one place that knows what quiet hours are, asked both when a text is scheduled
(outbox.outside_quiet_hours) and again just before it is sent (dispatch), because a text can fall
due at night however carefully it was scheduled: a retry after a failure, a backlog after an
outage, a lease taken over from a dead worker. Emails are not held.

Moments may come in any time zone (a booking form's London time, a row's UTC time): the hour is
read in London, and the end of quiet hours is built from a London date and hour, so it is
08:00 on the right day whichever side of a clock change it falls.
"""

import datetime

from django.conf import settings
from django.utils import timezone

# How long before quiet hours begin a text that cannot wait for the morning is sent instead.
EVENING_MARGIN = datetime.timedelta(minutes=15)


def _london(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def in_quiet_hours(moment: datetime.datetime) -> bool:
    """Whether a text sent at ``moment`` would arrive in quiet hours."""
    start, end = settings.QUIET_HOURS_START, settings.QUIET_HOURS_END
    hour = timezone.localtime(moment).hour
    if start > end:  # overnight, the usual case: 21:00 to 08:00
        return hour >= start or hour < end
    return start <= hour < end  # within one day (start == end: no quiet hours)


def quiet_hours_end(moment: datetime.datetime) -> datetime.datetime:
    """The first moment a text may go at or after ``moment``: ``moment`` itself outside quiet
    hours, otherwise the end of the quiet hours it falls in (08:00 London, that morning or the
    next)."""
    if not in_quiet_hours(moment):
        return moment
    local = timezone.localtime(moment)
    end = _london(local.date(), settings.QUIET_HOURS_END)
    if end <= local:  # in the evening: they end tomorrow morning
        end = _london(local.date() + datetime.timedelta(days=1), settings.QUIET_HOURS_END)
    return end


def last_moment_before(moment: datetime.datetime) -> datetime.datetime:
    """For a ``moment`` in quiet hours, the last good time to send a text before them: a
    little before they began (20:45 London, that evening or the one before)."""
    local = timezone.localtime(moment)
    began = _london(local.date(), settings.QUIET_HOURS_START)
    if began > local:  # in the small hours: they began yesterday evening
        began = _london(local.date() - datetime.timedelta(days=1), settings.QUIET_HOURS_START)
    return began - EVENING_MARGIN
