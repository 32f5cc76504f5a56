"""Login throttling with django-axes: what it counts by, and the page a locked-out person sees.

Failures are counted per username and, separately, per IP address (``AXES_LOCKOUT_PARAMETERS``);
``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME`` lock that username (or address) out
until the cool-off has passed since the latest failure. The page says when to try again and whom
to call, and is the same whether or not the username exists.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils import timezone

from audit.services import client_ip


def lockout_client_ip(request) -> str | None:
    """The address failures are counted against: the same one the audit trail records."""
    return client_ip(request)


def lockout_username(request, credentials=None) -> str | None:
    """The username failures are counted against, as typed, cut to what a username can be:
    django-axes stores it in a column of 255 characters, and PostgreSQL refuses NUL bytes."""
    field = get_user_model().USERNAME_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if username is None:
        return None
    return str(username).replace("\x00", "")[:150]


def lockout_response(request, original_response=None, credentials=None):
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    return render(
        request,
        "accounts/locked_out.html",
        {
            "try_again_at": until,
            "same_day": until.date() == timezone.localdate(),
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "service_name": settings.SERVICE_NAME,
            "service_phone": settings.SERVICE_PHONE,
        },
        status=429,
    )
