"""Which fields of a model hold personal data: declared once, on the model, and read everywhere.

A model that holds data about a person says so with a class attribute::

    personal_data = PersonalData(
        contact=("address_line1", "postcode", "phone", "email"),
        personal=("full_name", "safeguarding_notes"),
        kept=("role", "created_at"),
        not_personal=("id", "case"),
    )

Every concrete field is in exactly one group (tests/wkm/test_personal_data.py fails otherwise, so
a new field cannot be added without deciding what it is):

- ``contact``: how to reach the person. Rule 10 (``cases.disclosure``) shows them to another
  party only with consent; the public forms ask for them; anonymisation clears them.
- ``personal``: anything else that identifies or describes the person (names, free text that may
  name anyone, equality answers). Anonymisation clears or replaces them.
- ``kept``: about the person, so in their subject access copy, but kept by anonymisation:
  once the name and contact details are gone these identify nobody and are the statistics
  (a party's role, a "do not email" flag, when the record was made).
- ``not_personal``: keys, links to other records, statuses and timestamps of the work itself.

Readers: ``cases.disclosure`` (contact details, rule 10), ``privacy.export`` (a party's and a
volunteer's details in a subject access copy), ``privacy.services`` (what retention and erasure
clear, through :meth:`PersonalData.cleared`), ``public.forms`` (the contact details asked for).

Models that hold no personal data, or whose personal data is governed by a rule of its own
rather than by case and volunteer retention, are listed in :data:`NOT_DECLARED` with the reason,
so the test can tell a model that was decided from one that was forgotten.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models


class PersonalData:
    """The declaration: field names by group (see the module docstring)."""

    def __init__(self, *, contact=(), personal=(), kept=(), not_personal=()):
        self.contact = tuple(contact)
        self.personal = tuple(personal)
        self.kept = tuple(kept)
        self.not_personal = tuple(not_personal)
        self.model = None

    def contribute_to_class(self, cls, name):
        """Django hands the declaration its model (as it does fields and managers), so that it
        can answer in the model's field order."""
        self.model = cls
        setattr(cls, name, self)

    @property
    def cleared_by_anonymisation(self) -> tuple[str, ...]:
        return self.contact + self.personal

    @property
    def in_subject_access(self) -> tuple[str, ...]:
        """Everything about the person, in the model's field order (the order of its forms)."""
        about = set(self.contact + self.personal + self.kept)
        return tuple(f.name for f in self.model._meta.concrete_fields if f.name in about)

    def cleared(self, **replacements) -> dict:
        """``{field: value}`` for an ``update()`` that anonymises a row: every contact and
        personal field blank, except those given a replacement (a name, "(anonymised)") by the
        caller. A replacement for a field not declared personal is a mistake, and refused."""
        stray = set(replacements) - set(self.cleared_by_anonymisation)
        if stray:
            raise ValueError(f"not personal fields of {self.model.__name__}: {sorted(stray)}")
        values = {name: _blank(self.model._meta.get_field(name)) for name in self.contact}
        values |= {name: _blank(self.model._meta.get_field(name)) for name in self.personal}
        return values | replacements


def _blank(field):
    """The empty value of a field that anonymisation clears."""
    if isinstance(field, models.JSONField):
        return field.get_default()
    if isinstance(field, (models.CharField, models.TextField)) and not field.null:
        return ""
    if field.null:
        return None
    raise TypeError(f"{field} cannot be cleared: declare it kept, or make it blank or null")


# Models of this project that need no declaration, and why.
NOT_DECLARED = {
    "referrers.ReferrerContact": "A professional at a referring organisation: a work name, "
    "email and phone given to be contacted about referrals, not someone the service works with; "
    "kept while they refer, retired or corrected by a coordinator.",
    "accounts.UserSession": "Which login sessions a user has: staff accounts, not the people "
    "the service works with; deleted when the session ends.",
    "audit.AuditEvent": "The append-only audit trail: staff accounts and addresses, object ids "
    "and counts, never a party's details (rule 12); kept under its own rule.",
    "cases.ReferenceCounter": "The last case number of each year.",
    "imports.ImportBatch": "A spreadsheet an administrator uploaded to import: its bytes (and "
    "the rows given back) are deleted once imported or discarded, and a day after the upload at "
    "the latest (imports.services.delete_expired); the record left is the file's name, SHA-256 "
    "and counts. What was imported is in the records it made, under their own declarations.",
    "mediation_sessions.ServiceSettings": "Whether home visits are suspended.",
    "mediation_sessions.CalendarFeed": "A volunteer's secret calendar link; deleted when the "
    "volunteer is anonymised.",
    "documents.GeneratedDocument": "A generated PDF: the letter holds personal data throughout, "
    "so anonymisation deletes the row and the file rather than clearing fields.",
    "accounts.EnrolmentLink": "A two-factor set-up link: whose, a hash of its token and its "
    "times; governed with the account it belongs to.",
    "public.PublicSubmission": "A salted hash of an address and the random code of the form's "
    "token, deleted after a day (public.spam).",
    "notifications.ReplyLinkMiss": "A salted hash of an address that opened a wrong reply "
    "link, and when; deleted after a day (notifications.replies).",
    "privacy.SubjectAccessRequest": "The record of answering a request (who asked, when): "
    "kept as evidence that the request was answered, outside case retention.",
    "privacy.Anonymisation": "What was anonymised and when: ids and counts only.",
    "exports.Export": "A file a user asked for (a report, a list, or an administrator's export "
    "of everything, which holds every record's personal data), seen by them alone and deleted "
    "with its row a day after it was asked for (exports.services.delete_expired).",
}


def project_models() -> list[type[models.Model]]:
    """The concrete models of this project's own apps, without their history (event) tables,
    which retention deletes with the record they copy."""
    import pghistory.models

    root = str(settings.BASE_DIR)
    return [
        model
        for config in apps.get_app_configs()
        if config.path.startswith(root) and "/.venv/" not in config.path
        for model in config.get_models()
        if not issubclass(model, pghistory.models.Event)
    ]


def declaring_models() -> list[type[models.Model]]:
    return [model for model in project_models() if "personal_data" in model.__dict__]
