import datetime

import pytest
from django.utils import timezone

from cases.services import case_close
from tests.factories import held_session, ready_case


@pytest.fixture
def close(coordinator):
    """Close ``case`` through the service, today, after a joint meeting held (the surveys are
    asked only where mediation took place), with no agreement, and a follow-up date
    ``follow_up_days`` ahead (None: none)."""

    def _close(case, follow_up_days=90):
        held_session(case)
        today = timezone.localdate()
        follow_up = (
            today + datetime.timedelta(days=follow_up_days) if follow_up_days is not None else None
        )
        return case_close(
            case=case,
            by=coordinator,
            outcome="no_agreement",
            closed_on=today,
            follow_up_on=follow_up,
        )

    return _close


@pytest.fixture
def case(db):
    """Alice Carter and Bob Dunn, both consented, reached by text (mobiles)."""
    return ready_case()
