"""What the volunteer records' page tests share: their addresses, the date, the form's data."""

import datetime

from django.urls import reverse
from django.utils import timezone

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def url(name, volunteer=None, **kwargs):
    if volunteer is not None:
        kwargs["pk"] = volunteer.pk
    return reverse(f"volunteers:{name}", kwargs=kwargs)


def volunteer_data(**overrides):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya@example.org",
        "phone": "07911 123456",
        "address": "3 High Street\nTonbridge",
        "postcode": "tn9 1aa",
        "languages": "English, Gujarati",
        "status": "applicant",
    }
    data.update(overrides)
    return data
