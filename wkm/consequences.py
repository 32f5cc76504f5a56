"""What a change did besides the change asked for, in plain words for the person who made it.

A service that closes a case also cancels its sessions; one that makes a volunteer inactive also
takes them off their cases. It says so with ``tell("Cancelled the joint meeting on Tue 15 Dec and
its 8 reminders.")``; a page that called it shows each sentence as a message
(``shown_to(request)``), a command prints them, and anything else may ignore them. Sentences
are only shown when the change succeeded: a refused change raises before the page shows
anything. Each consequence is also on the case's timeline and in the audit trail: these words are
for the moment, not the record.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib import messages

_listening: ContextVar[list[str] | None] = ContextVar("wkm_consequences", default=None)


def tell(sentence: str) -> None:
    """Say what a change also did, to whoever is listening (nobody, by default)."""
    heard = _listening.get()
    if heard is not None and sentence:
        heard.append(sentence)


@contextmanager
def listen() -> Iterator[list[str]]:
    """Collect what the services called inside the block tell."""
    heard: list[str] = []
    token = _listening.set(heard)
    try:
        yield heard
    finally:
        _listening.reset(token)


@contextmanager
def shown_to(request) -> Iterator[list[str]]:
    """Collect, and if the block completes, show each sentence to ``request``'s user."""
    with listen() as heard:
        yield heard
    for sentence in heard:
        messages.info(request, sentence)
