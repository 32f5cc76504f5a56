"""Volunteers the records pages' tests share, beside the root conftest's cast."""

import pytest

from tests.factories import VolunteerFactory


@pytest.fixture
def stranger(db):
    """A volunteer no mediator or supervisor of the cast has anything to do with."""
    return VolunteerFactory(first_name="Sam", last_name="Stranger", email="sam@example.org")


@pytest.fixture
def own_volunteer(mediator):
    """``mediator``'s own volunteer record (not eligible: the records pages do not ask)."""
    return VolunteerFactory(user=mediator, first_name="Mo", last_name="Mediator")
