"""The service's DBS policy, in one place (rule 4 of DESIGN.md).

An enhanced certificate is current until DBS_RENEWAL_YEARS after it was issued; a certificate on
the Update Service is current until DBS_UPDATE_SERVICE_CHECK_MONTHS after its last status check,
whichever is later. A basic (not enhanced) check is never current for mediation.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Max
from django.utils import timezone


def current_until(check) -> datetime.date | None:
    if not check.enhanced or check.issued_on is None:
        return None
    dates = [check.issued_on + relativedelta(years=settings.DBS_RENEWAL_YEARS)]
    if check.update_service and check.last_status_check_on:
        dates.append(
            check.last_status_check_on
            + relativedelta(months=settings.DBS_UPDATE_SERVICE_CHECK_MONTHS)
        )
    return max(dates)


def dbs_valid_until(volunteer) -> datetime.date | None:
    """The last day any of the volunteer's checks is current (uses prefetched checks if any)."""
    dates = [c.current_until for c in volunteer.dbs_checks.all() if c.current_until]
    return max(dates) if dates else None


def dbs_is_current(volunteer, on: datetime.date | None = None) -> bool:
    until = dbs_valid_until(volunteer)
    return until is not None and until >= (on or timezone.localdate())


def annotate_dbs(queryset):
    """Add ``dbs_until`` (the latest current_until) to a Volunteer queryset, for lists/filters."""
    return queryset.annotate(dbs_until=Max("dbs_checks__current_until"))


def dbs_state(until: datetime.date | None, today: datetime.date | None = None) -> str:
    """'missing', 'expired', 'expiring' (within DBS_WARNING_DAYS) or 'current'."""
    today = today or timezone.localdate()
    if until is None:
        return "missing"
    if until < today:
        return "expired"
    if until <= today + datetime.timedelta(days=settings.DBS_WARNING_DAYS):
        return "expiring"
    return "current"
