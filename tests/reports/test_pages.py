"""The report pages: who may open them, what they show, charts with their tables."""

import re

import pytest
from django.urls import reverse

from reports.periods import last_full_quarter
from tests.factories import UserFactory
from tests.reports.conftest import Q4_QUERY

pytestmark = pytest.mark.django_db

PAGES = ["index", "referrals", "outcomes", "timeliness", "sessions", "volunteers", "equality"]
URLS = [reverse(f"reports:{name}") for name in PAGES] + [reverse("reports:summary_pdf")]


def test_it_has_the_agreed_addresses():
    assert URLS == [
        "/reports/",
        "/reports/referrals/",
        "/reports/outcomes/",
        "/reports/timeliness/",
        "/reports/sessions/",
        "/reports/volunteers/",
        "/reports/equality/",
        "/reports/summary.pdf",
    ]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(
    ("cast", "status"),
    [("coordinator", 200), ("administrator", 200), ("mediator", 403), ("supervisor", 403)],
)
def test_it_lets_only_coordinators_and_administrators_in(request, login, cast, status, url):
    client = login(request.getfixturevalue(cast))

    assert client.get(url, Q4_QUERY).status_code == status
    if url != "/reports/summary.pdf":
        assert client.get(url, {**Q4_QUERY, "format": "csv"}).status_code == status


@pytest.mark.parametrize("url", URLS)
def test_it_sends_anonymous_users_to_log_in(client, url):
    response = client.get(url, Q4_QUERY)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_a_user_without_a_role(login, no_role_user):
    assert login(no_role_user).get("/reports/").status_code == 403


def test_it_refuses_to_change_anything(login, coordinator):
    assert login(coordinator).post("/reports/referrals/", Q4_QUERY).status_code == 405


@pytest.mark.parametrize(
    ("cast", "shown"), [("coordinator", True), ("administrator", True), ("mediator", False)]
)
def test_it_links_to_the_reports_from_the_menu(request, login, cast, shown):
    html = login(request.getfixturevalue(cast)).get("/").content.decode()

    assert ('href="/reports/">Reports</a>' in html) is shown


def test_it_shows_the_last_full_quarter_by_default(login, coordinator):
    quarter = last_full_quarter()

    response = login(coordinator).get("/reports/referrals/")

    html = response.content.decode()
    assert response.context["period"] == quarter
    assert f"{quarter.label}, compared with {quarter.previous.label}." in html
    assert f'value="{quarter.start.isoformat()}"' in html


def test_it_shows_a_bad_period_next_to_the_field_and_no_figures(login, coordinator):
    response = login(coordinator).get(
        "/reports/outcomes/", {"start": "2025-12-31", "end": "2025-10-01"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in html
    assert "Correct the period above to see the figures." in html
    assert "<svg" not in html


def test_it_shows_this_period_beside_the_previous_one(dataset, login, coordinator):
    html = login(coordinator).get("/reports/referrals/", Q4_QUERY).content.decode()

    assert "1 Oct 2025 to 31 Dec 2025, compared with 1 Jul 2025 to 30 Sep 2025." in html
    row = re.search(r"<th scope=\"row\">Housing provider</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r">([^<]+)</td>", row) == ["3", "1", "+2"]
    assert 'href="/reports/referrals/?start=2025-10-01&amp;end=2025-12-31&amp;format=csv"' in html


@pytest.mark.parametrize("page", PAGES[1:])
def test_it_draws_each_chart_with_its_numbers_in_a_table(dataset, login, coordinator, page):
    html = login(coordinator).get(f"/reports/{page}/", Q4_QUERY).content.decode()

    charts = re.findall(r"<svg [^>]*>", html)
    assert charts, "every report has at least one chart"
    for chart in charts:
        assert 'role="img"' in chart
        assert re.search(r'aria-label="Bar chart: [^"]+\. The same figures are in the table', chart)
        key = re.search(r'id="chart-([a-z0-9-]+)"', chart).group(1).replace("-", "_")
        assert f'id="{key}-table"' in html  # the table beside it
        assert f'<caption id="{key}-caption">' in html
    assert 'style="' not in html and "<style" not in html and "<script>" not in html


def test_it_states_its_definitions(dataset, login, coordinator):
    client = login(coordinator)

    outcomes = client.get("/reports/outcomes/", Q4_QUERY).content.decode()
    timeliness = client.get("/reports/timeliness/", Q4_QUERY).content.decode()
    equality = client.get("/reports/equality/", Q4_QUERY).content.decode()

    assert "A reopened case counts by its current closing date only" in outcomes
    assert "a case referred in one period and closed in the next is a referral in the" in outcomes
    assert "Agreement rate = (full agreement + partial agreement)" in outcomes
    assert "percentile_cont(0.5)" in timeliness
    assert "Any count from 1 to 4 is shown as “fewer than 5”" in equality


def test_it_never_shows_a_case_or_a_party_on_the_equality_page(dataset, login, coordinator):
    html = login(coordinator).get("/reports/equality/", Q4_QUERY).content.decode()

    assert "WKM-20" not in html
    assert "fewer than 5" in html and "withheld" in html
    assert "Quarry Hill Road" not in html  # the factories' party addresses


def test_it_names_trainees_for_coordinators_only(dataset, login, coordinator, administrator):
    for_coordinator = login(coordinator).get("/reports/volunteers/", Q4_QUERY).content.decode()
    for_administrator = login(administrator).get("/reports/volunteers/", Q4_QUERY).content.decode()

    assert "Tina Trainee" in for_coordinator and "2 of 3" in for_coordinator
    assert "Tina Trainee" not in for_administrator
    assert "2 of 3 signed off" in for_administrator  # the counts, without names


def test_it_shows_the_figures_at_a_glance_and_links_each_report(dataset, login, coordinator):
    html = login(coordinator).get("/reports/", Q4_QUERY).content.decode()

    for label, figures in (
        ("Referrals received", ["7", "4", "+3"]),
        ("Agreement rate", ["75.0%", "50.0%", "+25.0 points"]),
        ("Median days, referral to first contact", ["5", "3.5", "+1.5"]),
        ("Median days, referral to closure", ["68.5", "25", "+43.5"]),
        ("Sessions held", ["4", "3", "+1"]),
        ("Volunteer hours", ["8.0", "6.0", "+2.0"]),
    ):
        row = re.search(rf"<th scope=\"row\">{label}</th>(.*?)</tr>", html, re.S).group(1)
        assert re.findall(r">([^<]+)</td>", row) == figures
    for page in PAGES[1:]:
        assert f'href="/reports/{page}/?start=2025-10-01&amp;end=2025-12-31"' in html
    # The summary is asked for (a POST of the period) and made by the worker (tests/exports).
    assert 'form="trustees-summary-form"' in html
    assert 'action="/reports/summary.pdf"' in html and 'name="start" value="2025-10-01"' in html


def test_a_coordinator_who_is_also_a_mediator_may_see_reports(login):
    both = UserFactory(username="both", roles=["Coordinator", "Mediator"])

    assert login(both).get("/reports/").status_code == 200
