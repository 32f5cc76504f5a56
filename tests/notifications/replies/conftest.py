"""Parties answer a reminder from its personal link (notifications.replies): Alice and Bob on the
root conftest's ``active_case``, and a joint session of theirs."""

import pytest


@pytest.fixture
def alice(active_case):
    """Alice Carter, as the root ``active_case`` has her."""
    return active_case.parties.get(full_name="Alice Carter")


@pytest.fixture
def bob(active_case):
    """The other party, with details planted to look for where they must not be."""
    bob = active_case.parties.get(full_name="Bob Dunn")
    bob.address_line1 = "17 Secret Gardens"
    bob.email = "bob.dunn@example.org"
    bob.phone = "+447700900123"
    bob.save()
    return bob


@pytest.fixture
def session(book, alice, bob):
    """A joint meeting of both, with confidential notes."""
    session = book(kind="joint", mode="neutral_venue", venue="Tonbridge Library, Avebury Avenue")
    session.notes = "Bob says he is worried about money"
    session.save()
    return session
