"""Every field of every model is classified (wkm.personal_data), so a new one cannot slip past
anonymisation, subject access or rule 10 unnoticed."""

import pytest

from parties.models import Party
from wkm.personal_data import NOT_DECLARED, declaring_models, project_models

GROUPS = ("contact", "personal", "kept", "not_personal")


def test_it_classifies_every_concrete_field_of_a_declaring_model_exactly_once():
    problems = []
    for model in declaring_models():
        declared = model.personal_data
        names = [name for group in GROUPS for name in getattr(declared, group)]
        fields = {f.name for f in model._meta.concrete_fields}
        label = model._meta.label
        problems += [f"{label}.{n}: not classified" for n in sorted(fields - set(names))]
        problems += [f"{label}.{n}: no such field" for n in sorted(set(names) - fields)]
        twice = {n for n in names if names.count(n) > 1}
        problems += [f"{label}.{n}: in two groups" for n in sorted(twice)]
    assert not problems, "\n".join(problems)


def test_it_knows_of_every_model_of_the_project():
    """A new model either declares its personal data or says, in NOT_DECLARED, why it needn't."""
    labels = {model._meta.label for model in project_models()}
    declaring = {model._meta.label for model in declaring_models()}
    assert labels - declaring - set(NOT_DECLARED) == set()
    assert declaring & set(NOT_DECLARED) == set()
    assert set(NOT_DECLARED) <= labels
    # The models the privacy services clear or export are among them.
    assert {
        "parties.Party", "parties.Consent", "cases.Case", "cases.ContactLogEntry",
        "mediation_sessions.MediationSession", "notifications.OutboxMessage",
        "volunteers.Volunteer",
    } <= declaring  # fmt: skip


def test_it_can_clear_every_field_anonymisation_clears():
    for model in declaring_models():
        cleared = model.personal_data.cleared()
        assert set(cleared) == set(model.personal_data.cleared_by_anonymisation)
        assert all(value in ("", None, {}, []) for value in cleared.values()), model


def test_a_replacement_must_be_for_a_personal_field():
    assert Party.personal_data.cleared(full_name="Party 1")["full_name"] == "Party 1"
    with pytest.raises(ValueError, match="role"):
        Party.personal_data.cleared(role="x")


def test_subject_access_has_every_field_about_the_person_in_form_order():
    fields = Party.personal_data.in_subject_access
    assert fields[:3] == ("full_name", "role", "address_line1")
    assert {"safeguarding_notes", "under_18", "email"} <= set(fields)
    assert "case" not in fields and "id" not in fields
