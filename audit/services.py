"""Writing to the audit trail.

Rule 12 of DESIGN.md: every view of a case, party, note or agreement, every download, export,
change and login is recorded in an append-only log that the application cannot rewrite. Call
``record_event`` from the service or view that does the thing; the table refuses updates and
deletes (see ``AuditEvent.Meta.triggers``). Nothing confidential goes in: an object is described
by its type and id (or its ``audit_repr``), never by ``str(obj)``, which may hold a person's name.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

from .context import current_request
from .held_rows import HeldRows
from .models import AuditEvent

# While a sheet's case is imported, its events are written together (audit.held_rows).
HELD_EVENTS = HeldRows(AuditEvent)
events_held = HELD_EVENTS.held


def client_ip(request) -> str | None:
    """The client's IP address, as lockout, rate limits and the audit trail see it.

    Behind ``TRUSTED_PROXIES`` proxies (1 with ``BEHIND_TLS_PROXY``), each appends to
    X-Forwarded-For the address it was reached from, so the client's is the one the outermost
    of ours added: the TRUSTED_PROXIES-th from the right. Anything to its left was sent by the
    client and may be forged (the first address was trusted before: a rotating forged one
    never locked out). With no proxy, REMOTE_ADDR. Anything not an IP address is dropped.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if proxies and hops:
        address = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def record_event(
    *,
    action: str,
    actor=None,
    obj=None,
    case_reference: str = "",
    object_repr: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail and return it.

    The address, and ``actor`` when not given, come from the request being answered
    (``audit.context``): the person logged in, if anyone is. ``actor`` is given by services
    (their ``by``), commands and tasks. ``obj`` (any model instance) fills
    the object's type, id and description: its ``audit_repr`` if it has one, else
    "<verbose name> #<pk>". Its ``case_reference_for_audit`` fills ``case_reference`` when that
    is not given. ``detail`` is for small, non-confidential facts, e.g. ``{"to": "closed"}``.
    """
    event = _event(
        action=action,
        actor=actor,
        obj=obj,
        case_reference=case_reference,
        object_repr=object_repr,
        detail=detail,
    )
    if not HELD_EVENTS.add([event]):
        event.save()
    return event


def record_events(events: list[dict]) -> list[AuditEvent]:
    """Append several events at once (one INSERT), each given as record_event's arguments:
    for a service that does several audited things in one go (a case moved through its steps,
    a party's consents), so an import of thousands of cases does not write them one by one."""
    made = [_event(**event) for event in events]
    if HELD_EVENTS.add(made):
        return made
    return AuditEvent.objects.bulk_create(made)


def _event(
    *, action, actor=None, obj=None, case_reference="", object_repr="", detail=None
) -> AuditEvent:
    request = current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = "" if obj.pk is None else str(obj.pk)
        if not object_repr:
            object_repr = getattr(obj, "audit_repr", None) or (
                f"{obj._meta.verbose_name.capitalize()} #{obj.pk}"
            )
        if not case_reference:
            case_reference = getattr(obj, "case_reference_for_audit", None) or ""
    return AuditEvent(
        action=action,
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        object_type=object_type,
        object_id=object_id,
        object_repr=str(object_repr)[:200],
        case_reference=case_reference,
        ip=client_ip(request),
        detail=detail or {},
    )
