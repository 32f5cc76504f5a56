"""What the session pages' tests share: a session's URL, a booking through the service, a page's
text, times as the pages show them."""

import datetime
import html as html_lib

from django.urls import reverse
from django.utils import timezone

from sessions import services
from tests.sessions.conftest import at


def local(moment: datetime.datetime) -> str:
    """What a datetime-local input sends."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def page(response) -> str:
    return html_lib.unescape(response.content.decode())


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
