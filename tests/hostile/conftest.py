import datetime

import pytest
from django.apps import apps
from django.utils import timezone


def verified_login(client, user):
    """Log ``user`` in, past two-factor authentication when the project asks for it (a session
    already verified with a device, as accounts.two_factor leaves it after a good code)."""
    client.force_login(user)
    if apps.is_installed("django_otp.plugins.otp_static"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_static.models import StaticDevice

        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="hostile-tests", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def staff(coordinator, client):
    """The test client, logged in as the coordinator."""
    return verified_login(client, coordinator)


def local(days: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def form_time(moment: datetime.datetime) -> str:
    """As the browser's datetime-local input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")
