"""The lists' cache: labels cost no query once read, one query reads all three, a saved entry or
another process's change is read again, one version per request; and the pages' query counts."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import lists
from cases.models import Case, ListEntry
from tests.cases.editable_lists import rename, retire
from tests.factories import CaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_seeded")]


# --- The cache --------------------------------------------------------------------------------


def test_labels_cost_no_query_once_read(django_assert_num_queries):
    lists.labels(lists.REFERRAL_SOURCE)

    with django_assert_num_queries(0):
        for _ in range(100):
            Case(dispute_type="family", referral_source="police").get_referral_source_display()
            lists.choices(lists.OUTCOME)


def test_one_query_reads_all_three_lists(django_assert_num_queries):
    cache.clear()

    with django_assert_num_queries(1):
        lists.labels(lists.REFERRAL_SOURCE)
        lists.labels(lists.DISPUTE_TYPE)
        lists.labels(lists.OUTCOME)


def test_a_saved_entry_is_read_again_at_once():
    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Police"

    rename(lists.REFERRAL_SOURCE, "police", "Kent Police")

    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Kent Police"


def test_another_process_reads_again_when_the_stamp_is_gone():
    lists.label(lists.REFERRAL_SOURCE, "police")
    # As another process would: a change saved there, seen here through the shared stamp.
    ListEntry.objects.filter(list=lists.REFERRAL_SOURCE, code="police").update(label="Kent Police")
    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Police"

    cache.delete(lists.STAMP_KEY)

    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Kent Police"


def test_a_request_looks_at_the_stamp_once_and_keeps_one_version_throughout():
    # What request_started and request_finished call (sending them would close the test's
    # database connection).
    lists._request_starts()
    try:
        assert lists.label(lists.REFERRAL_SOURCE, "police") == "Police"
        ListEntry.objects.filter(list=lists.REFERRAL_SOURCE, code="police").update(label="Kent")
        cache.delete(lists.STAMP_KEY)  # as a save in another process would

        assert lists.label(lists.REFERRAL_SOURCE, "police") == "Police"  # the same page
    finally:
        lists._request_ends()

    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Kent"  # the next one


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/cases/",
        "/cases/?referral_source=school",
        "/reports/referrals/?start=2026-10-01&end=2026-12-31",
    ],
)
def test_edited_lists_cost_the_pages_no_query(login, coordinator, url):
    CaseFactory.create_batch(3, referral_source="school", dispute_type="family")
    client = login(coordinator)
    client.get(url)  # one-off per-process lookups out of the way
    with CaptureQueriesContext(connection) as before:
        client.get(url)

    rename(lists.DISPUTE_TYPE, "family", "Family (adults)")
    lists.entry_add(by=None, label="GP surgery")
    retire("school")
    assert "Family (adults)" in client.get(url).content.decode()  # read again, once
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    cache.delete(lists.STAMP_KEY)  # a change elsewhere: one query for the three lists
    with CaptureQueriesContext(connection) as cold:
        client.get(url)

    assert len(after) == len(before)
    assert len(cold) == len(before) + 1


def test_a_code_no_list_knows_shows_as_itself_and_an_empty_one_as_nothing():
    case = Case(dispute_type="family", referral_source="imported_2019", outcome="")

    assert case.get_referral_source_display() == "imported_2019"
    assert case.get_outcome_display() == ""
