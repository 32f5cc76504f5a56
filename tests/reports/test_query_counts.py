"""Reports stay fast at scale: every figure is aggregated in SQL, so each page, CSV and the
summary PDF run a fixed number of queries whatever the amount of data.

Each test measures a URL on the fixed data set, adds many more cases (with parties, contacts,
sessions, hours and trainee cases) in both periods, and expects exactly the same count; each URL
also has a ceiling on the report's own queries: what the page runs beyond what any page runs
(the session, the user, their roles, saving the session...), measured as the same page asked
for an impossible period, which shows no figures.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import ContactLogEntry
from parties.models import Party
from sessions.models import MediationSession
from tests.factories import CaseFactory, PartyFactory, VolunteerFactory
from tests.reports.conftest import Q4_QUERY
from volunteers.models import TraineeCase, VolunteerHours

pytestmark = pytest.mark.django_db

# The report's own queries (+1 for the audit event of a download).
BUDGETS = {
    "/reports/": 5,  # referrals, outcomes, medians, sessions and hours at a glance
    "/reports/referrals/": 3,  # by month, by source, by type
    "/reports/outcomes/": 1,
    "/reports/timeliness/": 1,  # every median and count in one query
    "/reports/sessions/": 1,  # mode × kind × status in one GROUP BY
    # hours (by month and by activity: one scan), volunteers who logged time, sign-offs,
    # volunteers by status, trainees' progress, named trainees
    "/reports/volunteers/": 6,
    "/reports/equality/": 1,  # every answer of every question in one scan
}
CSV_BUDGETS = {url: budget + 1 for url, budget in BUDGETS.items() if url != "/reports/"}
PDF_BUDGET = 12 + 1  # every report but the trainees' names, and the audit event
IMPOSSIBLE = {"start": "2025-12-31", "end": "2025-01-01"}


def grow(count):
    """``count`` more cases in each of this period and the previous one, with two parties
    each, a call, two sessions, hours and a trainee case — bulk inserted."""
    cases = []
    for i in range(count):
        for received in (datetime.date(2025, 8, 1), datetime.date(2025, 11, 1)):
            day = received + datetime.timedelta(days=i % 28)
            cases.append(
                CaseFactory(
                    received_on=day,
                    referral_source=["self", "police", "health"][i % 3],
                    dispute_type=["neighbour", "family", "other"][i % 3],
                    status="closed",
                    outcome=["full_agreement", "no_agreement", "withdrawn"][i % 3],
                    closed_on=day + datetime.timedelta(days=20 + i % 9),
                )
            )
    Party.objects.bulk_create(
        [
            PartyFactory.build(case=case, gender=gender, age_band="25_44", ethnicity="white")
            for case in cases
            for gender in ("woman", "man")
        ]
    )
    ContactLogEntry.objects.bulk_create(
        [
            ContactLogEntry(
                case=case,
                kind="call",
                text="Called",
                occurred_at=datetime.datetime.combine(
                    case.received_on + datetime.timedelta(days=2),
                    datetime.time(10),
                    tzinfo=datetime.UTC,
                ),
            )
            for case in cases
        ]
    )
    MediationSession.objects.bulk_create(
        [
            MediationSession(
                case=case,
                kind="joint",
                mode=mode,
                status="held",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
            )
            for case in cases
            for mode in ("office", "video")
            for start in [
                datetime.datetime.combine(
                    case.received_on + datetime.timedelta(days=10),
                    datetime.time(14),
                    tzinfo=datetime.UTC,
                )
            ]
        ]
    )
    volunteers = VolunteerFactory.create_batch(5, status="trainee")
    VolunteerHours.objects.bulk_create(
        [
            VolunteerHours(
                volunteer=volunteers[i % 5],
                case=case,
                activity="casework",
                date=case.received_on,
                hours=Decimal("1.5"),
                miles=Decimal("3.0"),
            )
            for i, case in enumerate(cases)
        ]
    )
    TraineeCase.objects.bulk_create(
        [
            TraineeCase(
                trainee=volunteers[i % 5],
                co_mediator=volunteers[(i + 1) % 5],
                case=case,
                status="signed_off",
                signed_at=datetime.datetime.combine(
                    case.closed_on, datetime.time(12), tzinfo=datetime.UTC
                ),
            )
            for i, case in enumerate(cases)
        ]
    )


def count(client, url, params, status=200):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == status, url
    return len(queries)


def overhead(client, url):
    """What any page of the reports costs before its figures: the same URL with a period it
    refuses (no figures, no audit event)."""
    client.get(url, IMPOSSIBLE)
    return count(client, url, IMPOSSIBLE, status=400)


URLS = [pytest.param(url, Q4_QUERY, id=url) for url in BUDGETS] + [
    pytest.param(url, {**Q4_QUERY, "format": "csv"}, id=f"{url}csv") for url in CSV_BUDGETS
]


@pytest.mark.parametrize(("url", "params"), URLS)
def test_it_runs_the_same_number_of_queries_for_a_small_or_a_larger_data_set(
    dataset, login, coordinator, django_assert_num_queries, url, params
):
    client = login(coordinator)
    client.get(url, params)  # one-off per-process lookups out of the way
    few = count(client, url, params)
    grow(60)

    with django_assert_num_queries(few):
        response = client.get(url, params)

    assert response.status_code == 200


@pytest.mark.parametrize(("url", "params"), URLS)
def test_it_stays_within_the_query_budget(
    dataset, login, coordinator, django_assert_max_num_queries, url, params
):
    client = login(coordinator)
    grow(20)
    client.get(url, params)
    budget = (CSV_BUDGETS if params.get("format") else BUDGETS)[url]

    with django_assert_max_num_queries(overhead(client, url) + budget):
        response = client.get(url, params)

    assert response.status_code == 200


def test_it_builds_the_summary_in_the_same_number_of_queries_within_budget(
    dataset, coordinator, django_assert_num_queries
):
    """The summary is built by the worker (exports): its queries are the builder's."""
    from exports import services
    from exports.models import Export

    def build():
        export = services.request_export(kind="trustees_summary", parameters=Q4_QUERY,
                                         by=coordinator)  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            services.build(export.pk)
        assert Export.objects.get(pk=export.pk).status == "ready"
        return len(queries)

    build()
    few = build()
    grow(40)

    export = services.request_export(kind="trustees_summary", parameters=Q4_QUERY, by=coordinator)
    with django_assert_num_queries(few):
        services.build(export.pk)

    # Beyond the reports' own: the claim, its attempt, the export with its requester, their
    # roles, 7 progress updates (a report each, then the layout) and the finish: 12.
    assert few <= PDF_BUDGET - 1 + 12


def test_asking_for_the_summary_is_a_few_queries(
    dataset, login, coordinator, django_assert_max_num_queries
):
    client = login(coordinator)
    client.post("/reports/summary.pdf", Q4_QUERY)

    # the session, the user, the lock on the user, the count, the insert, the audit event
    with django_assert_max_num_queries(overhead(client, "/reports/") + 6):
        assert client.post("/reports/summary.pdf", Q4_QUERY).status_code == 302


def test_the_grown_data_set_changes_the_figures(dataset, login, coordinator):
    """The larger data set really is larger where the reports look."""
    from reports import builders
    from tests.reports.conftest import Q4

    grow(10)

    assert builders.referrals_report(Q4).figures("referrals_total") == {
        "Referrals received": (17, 14)
    }
    assert builders.sessions_report(Q4).figures("sessions_total") == {"Sessions held": (24, 23)}


@pytest.mark.parametrize("referrer", [False, True], ids=["report", "one-organisation"])
def test_asking_for_a_long_periods_report_file_is_a_few_queries(
    dataset, login, coordinator, django_assert_max_num_queries, referrer
):
    """The page's POST for a long period's CSV (reports.downloads) asks the worker and counts
    nothing itself: as few queries as asking for the summary, whatever the data."""
    from referrers.models import Referrer

    data = {"kind": "report_csv", "report": "referrer", "start": "2016-01-01",
            "end": "2025-12-31"}  # fmt: skip
    if referrer:
        data["referrer"] = Referrer.objects.create(name="Moat Homes", kind="housing").pk
    client = login(coordinator)
    client.post("/exports/new/", data)
    grow(40)

    # the session, the user, the lock on the user, the count, the insert, the audit event;
    # and the organisation chosen, if one
    with django_assert_max_num_queries(overhead(client, "/reports/") + 6 + referrer):
        assert client.post("/exports/new/", data).status_code == 302
