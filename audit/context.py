"""Who is acting, and from where: set once per request, read by ``record_event``.

Every audit event needs the person and the address they came from. Rather than pass the request
through every service (a ``request=None`` on sixty functions, only for the address), the
middleware below holds the current request for the length of the response, as
django-pghistory's does for its own context. Commands and tasks have no request: they name the
person as ``by=``/``actor=`` and the address is left empty, which is what it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_request: ContextVar = ContextVar("wkm_audit_request", default=None)


def current_request():
    """The request being answered in this thread or task, or None outside one."""
    return _request.get()


def in_admin() -> bool:
    """True while a page of the Django admin is being answered (its URL namespace is
    ``admin``): /audit/ can then show what was done through the admin."""
    match = getattr(current_request(), "resolver_match", None)
    return match is not None and "admin" in match.namespaces


@contextmanager
def acting_in(request) -> Iterator[None]:
    """Record what happens inside the block as done through ``request`` (its user, its
    address). The middleware wraps every request in it; tests and scripts may too."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


class AuditContextMiddleware:
    """First in the chain, so that even an idle session logged out by a later middleware is
    recorded with its address. The user is read when an event is written, not here: a login
    changes it half-way through the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_in(request):
            return self.get_response(request)
