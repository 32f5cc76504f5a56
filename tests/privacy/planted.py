"""Plant a distinctive value in every field a model declares personal (wkm.personal_data), then
look for any of them after anonymisation: in the rows and in their history.

The anonymisation code reads the same declaration, so checking "every declared field is blank"
against it would prove little. What this adds: every declared field of every record is filled
(so none is empty by chance), the values are looked for in the django-pghistory event tables too,
and the test maps every declaring model to the records of a case or a volunteer, so a model that
declares personal fields but is forgotten by the anonymiser fails here.
"""

from __future__ import annotations

import itertools

from django.db import models

from cases.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Case,
    CaseAssignment,
    ContactLogEntry,
)
from documents.models import CaseFile
from notifications.models import OutboxMessage, PartyReply
from parties.models import Consent, Party
from sessions.models import MediationSession
from surveys.models import FeedbackAnswer, FollowUpAnswer
from volunteers.models import (
    Accreditation,
    DBSCheck,
    DeclaredConnection,
    TraineeCase,
    TrainingRecord,
    Volunteer,
    VolunteerHours,
)

# Where each record that declares personal fields (wkm.personal_data) hangs from the case or
# the volunteer whose anonymisation must clear it.
CASE_RECORDS = {
    Case: "pk",
    Party: "case",
    Consent: "party__case",
    ContactLogEntry: "case",
    MediationSession: "case",
    OutboxMessage: "session__case",
    PartyReply: "party__case",
    Agreement: "case",
    AgreementTerm: "agreement__case",
    AgreementSignature: "agreement__case",
    CaseAssignment: "case",
    TraineeCase: "case",
    VolunteerHours: "case",
    FeedbackAnswer: "invitation__case",
    FollowUpAnswer: "invitation__case",
    CaseFile: "case",
}
VOLUNTEER_RECORDS = {
    Volunteer: "pk",
    DBSCheck: "volunteer",
    TrainingRecord: "volunteer",
    Accreditation: "volunteer",
    DeclaredConnection: "volunteer",
    VolunteerHours: "volunteer",
    OutboxMessage: "volunteer",
}


def records(paths: dict, owner) -> dict:
    return {model: model.objects.filter(**{path: owner.pk}) for model, path in paths.items()}


_serial = itertools.count(1)


def _value(field) -> object:
    # Short enough for the narrowest field (a postcode, 8 characters); updates skip validation.
    marker = f"¤{next(_serial):05d}"
    if isinstance(field, models.JSONField):
        return {"planted": marker}
    return marker


def plant(rows_by_model: dict) -> dict:
    """Give each declared contact and personal field of each row its own value; return
    ``{(model, pk, field): value}``. Fails if a model has no row to plant in (the check would
    then prove nothing for it)."""
    planted = {}
    for model, rows in rows_by_model.items():
        names = model.personal_data.cleared_by_anonymisation
        pks = list(rows.values_list("pk", flat=True))
        assert pks, f"no {model.__name__} to plant personal values in"
        for pk in pks:
            values = {name: _value(model._meta.get_field(name)) for name in names}
            # One update per row: django-pghistory records it, so history holds them too.
            model.objects.filter(pk=pk).update(**values)
            planted |= {(model, pk, name): value for name, value in values.items()}
    return planted


def _event_model(model):
    return next(
        (
            m
            for m in model._meta.apps.get_models()
            if getattr(m, "pgh_tracked_model", None) is model
        ),
        None,
    )


def still_there(planted: dict) -> list[str]:
    """Every planted value still found, in its row or in any history row of its model."""
    found = []
    for (model, pk, name), value in planted.items():
        if model.objects.filter(pk=pk, **{name: value}).exists():
            found.append(f"{model.__name__} #{pk}.{name}")
        events = _event_model(model)
        if events is not None and events.objects.filter(**{name: value}).exists():
            found.append(f"{model.__name__} #{pk}.{name} (history)")
    return found
