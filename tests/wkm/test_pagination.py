"""Pages of a long list: a count that stops at the cap, pages found by their ids."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from tests.factories import CaseFactory
from wkm.pagination import CappedPaginator, page_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    CaseFactory.create_batch(12)
    return Case.objects.order_by("-received_on", "-id")


def references(page):
    return [case.reference for case in page.object_list]


def test_it_counts_and_pages_a_list_shorter_than_the_cap(cases):
    everything = [case.reference for case in cases]
    paginator = CappedPaginator(cases, 5, cap=20)

    first, third = paginator.get_page(1), paginator.get_page(3)

    assert (paginator.count, paginator.capped, paginator.num_pages) == (12, False, 3)
    assert references(first) == everything[:5] and first.has_next and not first.has_previous()
    assert references(third) == everything[10:] and not third.has_next and third.has_previous()


def test_it_stops_counting_at_the_cap_and_pages_on_until_the_rows_run_out(cases):
    everything = [case.reference for case in cases]
    paginator = CappedPaginator(cases, 5, cap=8)

    assert (paginator.count, paginator.capped, paginator.num_pages) == (8, True, None)
    third = paginator.get_page(3)  # beyond the cap: found all the same
    assert references(third) == everything[10:] and not third.has_next
    # A page past the end of the rows gives the last one.
    assert references(paginator.get_page(40)) == everything[10:]


def test_the_count_reads_no_more_than_the_cap(cases):
    with CaptureQueriesContext(connection) as captured:
        CappedPaginator(cases, 5, cap=8).count  # noqa: B018 - the property runs the query

    (query,) = captured.captured_queries
    assert "LIMIT 9" in query["sql"]


def test_rows_that_tie_on_the_ordering_each_appear_on_exactly_one_page():
    CaseFactory.create_batch(13, status="active")  # all the same status
    by_status = Case.objects.order_by("status")
    paginator = CappedPaginator(by_status, 4, cap=5)  # past the cap: pages go on by Next

    seen = []
    for number in range(1, 5):
        seen += references(paginator.get_page(number))

    assert sorted(seen) == sorted(case.reference for case in Case.objects.all())
    # PostgreSQL may order ties differently in the ids' query and the rows' query: only a
    # total order makes this hold every time, so the paginator adds one.
    assert paginator.queryset.query.order_by == ("status", "pk")
    default = CappedPaginator(Case.objects.all(), 4).queryset.query.order_by
    assert default == ()  # the model's ordering (-received_on, -id) already is one


def test_it_reads_a_pages_rows_by_id_without_running_the_filters_again(cases):
    filtered = cases.filter(reference__icontains="WKM-")
    paginator = CappedPaginator(filtered, 5, cap=20, rows=Case.objects.all())

    with CaptureQueriesContext(connection) as captured:
        page = paginator.get_page(2)

    assert references(page) == [case.reference for case in filtered][5:10]
    _count, rows = captured.captured_queries
    assert rows["sql"].count("LIKE") == 1  # in the page's ids only, not in the rows' query


def test_a_ranked_list_is_counted_and_paged_from_the_ids_of_its_first_rows(cases):
    # Ordered by something every row must be given first (as a search's likeness): the ids of
    # the first cap + 1 rows give the count and the pages, read from rows without it.
    ranked = cases.annotate(rank=F("id") % 3).order_by("-rank", "-id")
    expected = [case.reference for case in ranked]
    paginator = CappedPaginator(ranked, 5, cap=20, rows=Case.objects.all(), ranked=True)

    with CaptureQueriesContext(connection) as captured:
        second = paginator.get_page(2)

    assert references(second) == expected[5:10] and second.has_next
    assert (paginator.count, paginator.capped) == (12, False)
    head, rows = captured.captured_queries
    assert "LIMIT 21" in head["sql"] and "%" not in rows["sql"]
    assert references(paginator.get_page(3)) == expected[10:]


def test_a_ranked_list_longer_than_the_cap_pages_on_in_its_order(cases):
    ranked = cases.annotate(rank=F("id") % 3).order_by("-rank", "-id")
    expected = [case.reference for case in ranked]
    paginator = CappedPaginator(ranked, 5, cap=8, rows=Case.objects.all(), ranked=True)

    assert (paginator.count, paginator.capped) == (8, True)
    assert references(paginator.get_page(1)) == expected[:5]
    assert references(paginator.get_page(3)) == expected[10:]  # beyond the first ids


@pytest.mark.parametrize(
    "value, number",
    [("2", 2), ("0", 1), ("-3", 1), ("x", 1), (None, 1), ("1" + "0" * 20, 1_000_000)],
)
def test_a_page_number_is_a_positive_whole_number(value, number):
    assert page_number(value) == number


def test_the_case_list_says_more_than_the_cap(login, coordinator, monkeypatch):
    monkeypatch.setattr("wkm.pagination.COUNT_CAP", 3)
    CaseFactory.create_batch(27)  # more than a page of 25
    client = login(coordinator)

    first = client.get("/cases/").content.decode()
    second = client.get("/cases/", {"page": "2"}).content.decode()

    assert "More than 3 cases: search or filter to narrow them down" in first
    assert "Page 1</span>" in first and ">Next</a>" in first
    assert "Page 2</span>" in second and ">Previous</a>" in second and ">Next</a>" not in second
