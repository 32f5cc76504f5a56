"""The editable lists' admin (cases.lists_admin) fed hostile input: never a 500; saved through
cases.lists' services, or the form back with a message and nothing saved."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases import lists
from cases.models import ListEntry

from .checks import submit
from .strategies import HOSTILE, SCRIPT, checkbox, form_data, hostile_number, hostile_text, odd_text

# admin_client is the root conftest's administrator, logged in and verified.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_seeded")]

WRITTEN_EVENTS = AuditEvent.objects.exclude(action=AuditEvent.Action.VIEW)


ENTRY = form_data(
    valid={
        "label": odd_text(),
        "position": st.sampled_from(["", "0", "15", "32767"]),
        "retired": checkbox,
    },
    hostile={
        "label": hostile_text(),
        "position": hostile_number(),
        "retired": hostile_text(8),
    },
)


@HOSTILE
@given(data=ENTRY)
@example(data={"label": "Police", "position": ""})  # already in the list
@example(data={"label": SCRIPT, "position": "-1"})
@example(data={"label": "x" * 101, "position": "10"})
def test_admin_list_entry_add(admin_client, data):
    submit(
        admin_client,
        "/admin/cases/listentry/add/",
        data,
        counted=[ListEntry, WRITTEN_EVENTS],
    )


@HOSTILE
@given(data=ENTRY)
@example(data={"label": "Self-referral", "position": "10", "retired": "on"})  # pinned
@example(data={"label": "police", "position": "40"})  # another source's name
def test_admin_list_entry_change(admin_client, data):
    for code in ("school", "self"):
        entry = ListEntry.objects.get(list=lists.REFERRAL_SOURCE, code=code)
        before = ListEntry.objects.filter(pk=entry.pk).values().get()

        response = submit(
            admin_client,
            f"/admin/cases/listentry/{entry.pk}/change/",
            data,
            counted=[ListEntry, WRITTEN_EVENTS],
        )

        after = ListEntry.objects.filter(pk=entry.pk).values().get()
        if response.status_code == 200:
            assert after == before
        assert after["code"] == code
        assert code != "self" or after["retired_at"] is None
