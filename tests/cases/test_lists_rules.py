"""What the lists refuse (no dispute type or outcome added or retired, pinned sources kept, codes
never changed, enforced by the database too), their order, and the audit of each change."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction

from audit.models import AuditEvent
from cases import lists, services
from cases.models import Case, DisputeType, ListEntry
from tests.cases.editable_lists import entry, rename, retire
from tests.factories import CaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_seeded")]


# --- The fixed lists and the pinned sources -----------------------------------------------------


def test_no_dispute_type_or_outcome_can_be_added():
    for name in (lists.DISPUTE_TYPE, lists.OUTCOME):
        with pytest.raises(ValidationError, match="fixed, as rules depend on them"):
            lists.entry_add(by=None, label="Something new", name=name)


def test_no_dispute_type_or_outcome_can_be_retired():
    for name, code in ((lists.DISPUTE_TYPE, "family"), (lists.OUTCOME, "withdrawn")):
        with pytest.raises(ValidationError, match="cannot be retired, as rules depend on it"):
            lists.entry_change(entry=entry(name, code), by=None, retired=True)
        assert entry(name, code).retired_at is None


@pytest.mark.parametrize("code", ["self", "other_agency"])
def test_the_sources_the_public_form_uses_cannot_be_retired(code):
    with pytest.raises(ValidationError, match="the public referral form uses it"):
        retire(code)


def test_the_database_refuses_a_retired_dispute_type_or_pinned_source():
    for name, code in ((lists.DISPUTE_TYPE, "family"), (lists.REFERRAL_SOURCE, "self")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ListEntry.objects.filter(list=name, code=code).update(
                retired_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
            )


def test_the_database_refuses_to_change_a_code_or_delete_an_entry():
    with pytest.raises(InternalError, match="Cannot update"), transaction.atomic():
        ListEntry.objects.filter(list=lists.OUTCOME, code="withdrawn").update(code="gave_up")
    with pytest.raises(InternalError, match="Cannot delete"), transaction.atomic():
        entry(lists.REFERRAL_SOURCE, "health").delete()


def test_the_rules_still_work_on_a_renamed_dispute_type(coordinator):
    rename(lists.DISPUTE_TYPE, "parent_teen", "Parents and teenagers")

    assert lists.label(lists.DISPUTE_TYPE, DisputeType.PARENT_TEEN) == "Parents and teenagers"
    assert Case(dispute_type="parent_teen").get_dispute_type_display() == "Parents and teenagers"


# --- Order ------------------------------------------------------------------------------------


def test_the_position_orders_every_form(login, coordinator):
    lists.entry_change(entry=entry(lists.DISPUTE_TYPE, "workplace"), by=None, position=5)
    lists.entry_change(entry=entry(lists.OUTCOME, "not_contactable"), by=None, position=1)

    assert [code for code, _ in lists.choices(lists.DISPUTE_TYPE)][:2] == ["workplace", "neighbour"]
    assert services.closing_outcomes(CaseFactory())[0] == "not_contactable"
    html = login(coordinator).get("/cases/new/").content.decode()
    assert html.index('value="workplace"') < html.index('value="neighbour"')


def test_a_position_out_of_range_is_refused():
    with pytest.raises(ValidationError, match="from 0 to 32767"):
        lists.entry_change(entry=entry(lists.OUTCOME, "withdrawn"), by=None, position=-1)


# --- The audit trail --------------------------------------------------------------------------


def test_each_change_is_audited_with_the_label_before_and_after(administrator):
    added = lists.entry_add(by=administrator, label="GP surgery")
    rename(lists.OUTCOME, "withdrawn", "Withdrew", by=administrator)
    retire("gp_surgery", by=administrator)

    events = AuditEvent.objects.filter(object_type="cases.listentry").order_by("pk")
    assert [(e.action, e.actor, e.object_id) for e in events] == [
        ("create", administrator, str(added.pk)),
        ("change", administrator, str(entry(lists.OUTCOME, "withdrawn").pk)),
        ("change", administrator, str(added.pk)),
    ]
    assert events[0].detail == {
        "list": "referral_source",
        "code": "gp_surgery",
        "label": "GP surgery",
        "position": 80,
    }
    assert events[1].detail["label"] == {"from": "Withdrawn", "to": "Withdrew"}
    assert events[2].detail["retired"] is True


def test_a_change_that_changes_nothing_is_not_recorded():
    lists.entry_change(entry=entry(lists.OUTCOME, "withdrawn"), by=None, label="Withdrawn")

    assert not AuditEvent.objects.filter(object_type="cases.listentry").exists()
