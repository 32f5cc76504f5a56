"""A case in mediation, and ways to look at what the invariant checker says of it."""

from types import SimpleNamespace

import pytest

from rules.checker import find_breaches
from sessions.services import session_book
from tests.factories import eligible_volunteer, forget_assignment_notices, ready_case
from tests.sessions.conftest import at
from volunteers.services import assign_pair


@pytest.fixture
def team(coordinator, mediator, other_mediator):
    """An active neighbour case (Alice Carter, Bob Dunn; both consented) worked by ``mediator``
    (lead, Martin) and ``other_mediator`` (Grace): every rule holds."""
    case = ready_case()
    lead = eligible_volunteer(mediator, postcode="ME15 6RT")
    co = eligible_volunteer(other_mediator, postcode="TN4 9LH")
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    forget_assignment_notices()
    case.refresh_from_db()
    alice = case.parties.get(full_name="Alice Carter")
    bob = case.parties.get(full_name="Bob Dunn")
    return SimpleNamespace(case=case, lead=lead, co=co, alice=alice, bob=bob)


@pytest.fixture
def book(coordinator):
    """book(case, kind=..., days=..., parties=...) -> a session through the service."""

    def _book(case, *, kind="separate", days=3, parties=None, mode="office", hour=10):
        return session_book(
            case=case,
            by=coordinator,
            kind=kind,
            mode=mode,
            venue="" if mode == "home_visit" else "WKM office, 1 High Street, Tonbridge",
            starts_at=at(days, hour),
            ends_at=at(days, hour + 1),
            parties=list(case.parties.all()) if parties is None else parties,
        )

    return _book


def breaches(case):
    return find_breaches(case_ids=[case.pk], with_volunteers=False)


def topics(case) -> set[str]:
    return {b.topic for b in breaches(case)}


def reasons(case) -> str:
    return " ".join(b.reason for b in breaches(case))
