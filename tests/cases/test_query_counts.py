"""The case pages run a fixed number of queries, however many cases there are.

Each test measures a page with 5 cases, adds 195 more, and expects exactly the same count (no
query per case, party, consent or mediator), and each page has an absolute ceiling as well.

Every request already spends 2 queries outside the page: the session, and the user with their
roles (accounts.backends). The session is saved at most once a minute, not on every request.
"""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseAssignment
from parties.models import Consent, Party
from tests.factories import (
    AssignmentFactory,
    CaseFactory,
    ConsentFactory,
    PartyFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

# The list: the count (at most 1,000), the page of cases with their parties' and current
# mediators' names, and (for coordinators) the coordinator filter's choices: 2 + 3. A search or
# filter also writes its audit event (one insert): measured at 5 with it, 4 without.
LIST_MAX_QUERIES = 5
# The case: the case, its parties, consents, assignments with their volunteers, the audit event
# (in a savepoint in tests: 3), the possible duplicates, the sessions, the parties' answers to
# their reminders and the timeline, and the Files panel (the files, and for those who may upload
# the parties erased, whom nothing more is filed about): 2 + 13.
DETAIL_MAX_QUERIES = 15
FEW, MANY = 5, 200


def add_cases(count, *, pair_with):
    """``count`` cases, each with two consenting parties and a current pair of mediators: the
    volunteer record of ``pair_with`` and a co-mediator. Bulk inserts keep 200 cases quick."""
    cases = CaseFactory.create_batch(count)
    parties = Party.objects.bulk_create(
        [
            PartyFactory.build(case=case, full_name=name, role=role, postcode=postcode)
            for case in cases
            for name, role, postcode in (
                ("Alice Carter", "first_party", "TN9 1AA"),
                (f"Bob Dunn {case.reference}", "other_party", "TN9 1AB"),
            )
        ]
    )
    Consent.objects.bulk_create(
        [
            ConsentFactory.build(party=party, kind=kind)
            for party in parties
            for kind in ("mediate", "data_processing")
        ]
    )
    co_mediators = VolunteerFactory.create_batch(4)
    CaseAssignment.objects.bulk_create(
        [
            AssignmentFactory.build(case=case, volunteer=volunteer, role=role)
            for i, case in enumerate(cases)
            for volunteer, role in (
                (pair_with, "lead"),
                (co_mediators[i % len(co_mediators)], "co_mediator"),
            )
        ]
    )
    return cases


@pytest.fixture
def mediator_volunteer(mediator):
    return VolunteerFactory(
        user=mediator, first_name=mediator.first_name, last_name=mediator.last_name
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


LIST_URLS = [
    pytest.param(reverse("cases:list"), id="list"),
    pytest.param(reverse("cases:list") + "?status=referred&q=Carter", id="filtered"),
    # Each kind of search (cases.search), each finding every case: a name spelt nearly right
    # (ranked: its first ids give the count and the page), a street, a phone number, the start
    # of a postcode, the referrer's organisation.
    *(
        pytest.param(f"{reverse('cases:list')}?{urlencode({'q': q})}", id=kind)
        for kind, q in (
            ("misspelt name", "Cartr"),
            ("street", "Quarry Hill Road"),
            ("phone", "(01732) 123 456"),
            ("partial postcode", "tn9 1"),
            ("organisation", "Town & Country"),
        )
    ),
]


@pytest.mark.parametrize("cast", ["coordinator", "mediator"])
@pytest.mark.parametrize("url", LIST_URLS)
def test_it_lists_cases_in_the_same_number_of_queries_for_5_or_200(
    request, login, mediator_volunteer, django_assert_num_queries, cast, url
):
    client = login(request.getfixturevalue(cast))
    add_cases(FEW, pair_with=mediator_volunteer)
    client.get(url)  # one-off per-process lookups (content types, sessions) out of the way

    few, html = count_queries(client, url)
    assert f"{FEW} cases" in html
    add_cases(MANY - FEW, pair_with=mediator_volunteer)

    with django_assert_num_queries(few):
        response = client.get(url)

    html = response.content.decode()
    assert f"{MANY} cases" in html
    assert html.count("Alice Carter") == 25  # a full page of cases, each with its parties


@pytest.mark.parametrize("cast", ["coordinator", "mediator"])
@pytest.mark.parametrize("url", LIST_URLS)
def test_it_lists_200_cases_within_the_query_budget(
    request, login, mediator_volunteer, django_assert_max_num_queries, cast, url
):
    client = login(request.getfixturevalue(cast))
    add_cases(MANY, pair_with=mediator_volunteer)
    client.get(url)

    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = client.get(url)

    assert response.status_code == 200


def test_it_shows_a_case_in_the_same_number_of_queries_for_5_or_200(
    login, coordinator, mediator_volunteer, django_assert_num_queries
):
    client = login(coordinator)
    case = add_cases(FEW, pair_with=mediator_volunteer)[0]
    url = case.get_absolute_url()
    client.get(url)

    few, html = count_queries(client, url)
    assert html.count("Possible duplicate") == 1  # Alice Carter is in the other cases too
    add_cases(MANY - FEW, pair_with=mediator_volunteer)
    client.get(url)  # what needs attention on the case, checked again once after a change

    with django_assert_num_queries(few):
        response = client.get(url)

    html = response.content.decode()
    assert html.count("Possible duplicate") == 1
    linked = set(re.findall(r"WKM-[0-9]{4}-[0-9]{4,}", html)) - {case.reference}
    assert len(linked) == 50  # the duplicates' cases (at most 50), linked in no extra query


def test_it_shows_a_case_within_the_query_budget(
    login, coordinator, mediator_volunteer, django_assert_max_num_queries
):
    client = login(coordinator)
    case = add_cases(MANY, pair_with=mediator_volunteer)[-1]
    url = case.get_absolute_url()
    client.get(url)

    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert case.reference in response.content.decode()


def add_tasks(case, count):
    """``count`` calls to make about sessions of ``case`` (notifications.ManualContact)."""
    import datetime

    from django.utils import timezone

    from notifications.models import ManualContact
    from sessions.models import MediationSession

    party = case.parties.first()
    for _ in range(count):
        start = timezone.now() + datetime.timedelta(days=3)
        session = MediationSession.objects.create(
            case=case, kind="separate", mode="office", starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
        )  # fmt: skip
        ManualContact.objects.create(
            case=case, party=party, session=session, kind="session_reminder", method="phone",
            due_at=start - datetime.timedelta(hours=48), dedupe_key=f"test:{session.pk}",
        )  # fmt: skip


def test_it_shows_a_case_with_calls_to_make_in_the_same_number_of_queries_for_1_or_20(
    login, coordinator, mediator_volunteer, django_assert_num_queries, django_assert_max_num_queries
):
    client = login(coordinator)
    case = add_cases(FEW, pair_with=mediator_volunteer)[0]
    add_tasks(case, 1)
    url = case.get_absolute_url()
    client.get(url)

    few, html = count_queries(client, url)
    assert html.count("Phone call: Alice") == 1
    add_tasks(case, 19)
    client.get(url)  # what needs attention on the case, checked again once after a change

    with django_assert_num_queries(few), django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        response = client.get(url)

    assert response.content.decode().count("Phone call: Alice") == 20
