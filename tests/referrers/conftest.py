"""A case referred by a person at an organisation, whose parties have consented to the referrer
being told how it goes, ready to be moved along its stages."""

import pytest
from django.utils import timezone

from parties.models import Consent
from tests.factories import (
    ConsentFactory,
    ReferrerContactFactory,
    ReferrerFactory,
    consent_all,
    eligible_volunteer,
    forget_assignment_notices,
    ready_case,
)


def consent_to_updates(case):
    for party in case.parties.all():
        ConsentFactory(party=party, kind=Consent.Kind.UPDATE_REFERRER)


@pytest.fixture
def housing(db):
    return ReferrerFactory(name="Town and Country Housing")


@pytest.fixture
def pat(housing):
    return ReferrerContactFactory(
        referrer=housing, name="Pat Jones", email="pat.jones@tch.example.org"
    )


@pytest.fixture
def referred_case(pat):
    """A case just referred by Pat Jones of Town and Country Housing; its two parties have
    consented to mediation, data processing and updates to the referrer."""
    case = ready_case(status="referred", referrer=pat.referrer, referrer_person=pat)
    consent_to_updates(case)
    return case


@pytest.fixture
def paired(referred_case, coordinator):
    """The case with an eligible pair assigned: assigning a pair to a case ready to assign
    starts mediation (volunteers.services.assign_pair), so it is active."""
    from volunteers.services import assign_pair

    case = referred_case
    case.status = "ready"
    case.save()
    lead, co = eligible_volunteer(), eligible_volunteer()
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    forget_assignment_notices()
    case.refresh_from_db()
    return case


__all__ = ["consent_all", "consent_to_updates", "timezone"]
