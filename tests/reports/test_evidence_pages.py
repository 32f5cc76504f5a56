"""The funders' report pages and downloads: who may see them, the figures and notes, one
organisation, periods, and their query counts within budget."""

import pytest

from referrers.models import Referrer
from tests.reports.conftest import Q4_QUERY, at, d
from tests.reports.evidence_data import closed_case, invite

pytestmark = pytest.mark.django_db


# --- Pages, downloads -------------------------------------------------------------------------

PAGES = ["satisfaction", "sustained", "referrer", "area"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("cast", "status"),
    [("coordinator", 200), ("administrator", 200), ("mediator", 403), ("supervisor", 403)],
)
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_the_pages_are_for_coordinators_and_administrators(request, login, cast, status, page, fmt):
    client = login(request.getfixturevalue(cast))

    response = client.get(f"/reports/{page}/", {**Q4_QUERY, **({"format": fmt} if fmt else {})})

    assert response.status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, page):
    response = client.get(f"/reports/{page}/", Q4_QUERY)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_pages_show_the_figures_and_the_notes(survey_data, login, coordinator):
    body = login(coordinator).get("/reports/satisfaction/", Q4_QUERY).content.decode()

    assert "Feedback by local authority" in body
    assert "80.0%" in body
    assert "fewer than 5" in body and "withheld" in body
    assert "Not in the table" in body
    assert "format=xlsx" in body


def test_the_referrer_page_shows_one_organisation(referrer_data, login, coordinator):
    client = login(coordinator)
    pk = referrer_data["moat"].pk

    response = client.get("/reports/referrer/", {**Q4_QUERY, "referrer": pk})

    assert response.status_code == 200
    body = response.content.decode()
    assert "What happened to the referrals: Moat Homes" in body
    assert f"referrer={pk}&amp;format=xlsx" in body
    assert client.get("/reports/referrer/", {**Q4_QUERY, "referrer": "nope"}).status_code == 400
    assert client.get("/reports/referrer/", {**Q4_QUERY, "referrer": 999999}).status_code == 400


def test_a_period_is_a_period_for_the_new_pages_too(login, coordinator):
    client = login(coordinator)

    assert (
        client.get("/reports/area/", {"start": "2025-12-31", "end": "2025-01-01"}).status_code
        == 400
    )


# --- Query counts -----------------------------------------------------------------------------

# The report's own queries beyond any page's (the same page with a period it refuses), +1 for
# a download's audit event: satisfaction and sustained: the invitations, the district table;
# area: referrals and outcomes, each with the district table; referrer: the list of
# organisations for the form, the cases, the survey, the names (or the chosen one).
EVIDENCE_BUDGETS = {
    "/reports/satisfaction/": 2,
    "/reports/sustained/": 2,
    "/reports/area/": 4,
    "/reports/referrer/": 4,
}


def grow_surveys(n):
    """``n`` more cases in each period, across new referrers and districts, each with a
    feedback and a follow-up survey asked and answered."""
    for i in range(n):
        referrer = Referrer.objects.create(name=f"Grown referrer {Referrer.objects.count()}")
        for closed_on, when in ((d(11, 1 + i % 28), at(11, 2)), (d(8, 1 + i % 28), at(8, 2))):
            case = closed_case(
                ["neighbour", "family"][i % 2], referrer, f"TN{1 + i % 30}", closed_on
            )
            invite(case, when, answer=True, felt_heard=4)
            invite(case, when, kind="follow_up", answer=True, agreement_holding="yes")


def queries_of(client, url, params, status=200):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == status, url
    return len(queries)


@pytest.mark.parametrize("url", list(EVIDENCE_BUDGETS))
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_the_new_reports_run_a_fixed_number_of_queries_within_budget(
    survey_data, login, coordinator, url, fmt
):
    client = login(coordinator)
    params = {**Q4_QUERY, **({"format": fmt} if fmt else {})}
    client.get(url, params)
    few = queries_of(client, url, params)
    grow_surveys(12)

    assert queries_of(client, url, params) == few
    if url == "/reports/referrer/":
        one = {**params, "referrer": survey_data["moat"].pk}
        client.get(url, one)
        assert queries_of(client, url, one) <= few
    impossible = {"start": "2025-12-31", "end": "2025-01-01"}
    client.get(url, impossible)
    overhead = queries_of(client, url, impossible, status=400)
    assert few <= overhead + EVIDENCE_BUDGETS[url] + (1 if fmt else 0)
