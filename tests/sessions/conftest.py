import datetime

import pytest
from django.utils import timezone

from tests.factories import eligible_volunteer, ready_case
from volunteers.services import assign_pair


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


@pytest.fixture
def paired_case(coordinator, mediator):
    """A case whose parties have consented, with ``mediator`` as lead and Grace Hall as
    co-mediator."""
    mediator.first_name, mediator.last_name = "Martin", "Lewis"
    mediator.save()
    case = ready_case()
    lead = eligible_volunteer(mediator, email="martin@example.org", postcode="ME15 6RT")
    co = eligible_volunteer(
        first_name="Grace", last_name="Hall", email="grace@example.org", postcode="TN4 9LH"
    )
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    case.refresh_from_db()
    return case
