import datetime

import pytest
from django.utils import timezone


def at(days: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A London time ``days`` from today."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def book(active_case, coordinator):
    """book(**overrides) -> a session on ``active_case`` three days ahead, through the service."""
    from sessions.services import session_book

    def _book(case=None, **overrides):
        case = case or active_case
        fields = {
            "kind": "separate",
            "mode": "office",
            "venue": "WKM office, 1 High Street, Tonbridge",
            "starts_at": at(3, 10),
            "ends_at": at(3, 11, 30),
            "parties": list(case.parties.all()),
        }
        fields.update(overrides)
        return session_book(case=case, by=coordinator, **fields)

    return _book
