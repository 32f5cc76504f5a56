"""What can be exported: a registry of kinds, each with the function that builds its file.

A kind says who may ask for it (roles, checked again at download), how to read its parameters
from a form, how to describe them in words, what of them goes in the audit trail, and how to
build the file. Apps register their kinds in ``exports.builders``; adding one more (a report as
XLSX, say) is one ``register(...)`` call there, and the pages, the worker, the limits, the
audit and the clean-up come with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.roles import has_role

# progress(percent, text): how far the builder has got, shown to the requester as it works.
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Built:
    """A finished file. ``audit``: facts known only once it is made (row counts, its
    SHA-256), recorded in the audit trail when it is ready; none for most kinds."""

    content: bytes
    file_name: str
    content_type: str
    audit: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExportKind:
    key: str
    title: str  # e.g. "Trustees' summary (PDF)"
    # Who may ask for it and download it: any of these roles (accounts.roles).
    roles: tuple[str, ...]
    # parse(data, user) -> parameters (JSON-able), raising ValidationError with a message in
    # words. ``data`` is the form (a QueryDict) that asked; ``user`` who asked.
    parse: Callable[[dict, object], dict]
    # build(parameters, progress, user) -> Built, in the worker; ``user`` is the requester, for
    # kinds whose content depends on what they may see (the case list).
    build: Callable[[dict, Progress, object], Built]
    # describe(parameters) -> "1 October 2025 to 31 December 2025".
    describe: Callable[[dict], str] = field(default=lambda parameters: "")
    # audit(parameters) -> the small, non-confidential facts for the audit trail.
    audit: Callable[[dict], dict] = field(default=lambda parameters: {})
    # max_bytes() -> the largest file that may be kept in its row (EXPORT_MAX_BYTES unless the
    # kind has a limit of its own), and what to tell the requester when it is larger.
    max_bytes: Callable[[], int] = field(default=lambda: settings.EXPORT_MAX_BYTES)
    too_big_advice: str = "Ask for less (a shorter period, fewer cases)."
    # lease_seconds() -> how long a worker may take before another takes the file over.
    lease_seconds: Callable[[], int] = field(default=lambda: settings.EXPORT_LEASE_SECONDS)

    def allowed(self, user) -> bool:
        return bool(user is not None and user.is_authenticated and has_role(user, *self.roles))


KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.key in KINDS and KINDS[kind.key] is not kind:
        raise ValueError(f"export kind {kind.key!r} registered twice")
    KINDS[kind.key] = kind
    return kind


def get(key: str) -> ExportKind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValidationError("There is no such export.", code="unknown_kind") from None


def title_of(key: str) -> str:
    kind = KINDS.get(key)
    return kind.title if kind else "Export"


def describe(key: str, parameters: dict) -> str:
    kind = KINDS.get(key)
    return kind.describe(parameters) if kind else ""
