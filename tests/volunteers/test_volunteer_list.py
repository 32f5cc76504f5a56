"""The list of volunteers: its DBS filters and labels, search, caseloads, its constant query count,
and the coordinator's DBS panel."""

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AccreditationFactory,
    AssignmentFactory,
    CaseFactory,
    DBSCheckFactory,
    VolunteerFactory,
)
from tests.volunteers.records import TODAY, days, url
from volunteers.selectors import dbs_attention

pytestmark = pytest.mark.django_db


def dbs_until(volunteer, until):
    """Give ``volunteer`` a check current until ``until`` (3 years after issue)."""
    return DBSCheckFactory(volunteer=volunteer, issued_on=until - relativedelta(years=3))


@pytest.fixture
def dbs_cast(db):
    """One volunteer in each DBS state."""
    current = VolunteerFactory(first_name="Cora", last_name="Current")
    dbs_until(current, days(400))
    expiring = VolunteerFactory(first_name="Evan", last_name="Expiring")
    dbs_until(expiring, days(30))
    dbs_until(expiring, days(-500))  # an older check does not matter
    expired = VolunteerFactory(first_name="Ezra", last_name="Expired")
    dbs_until(expired, days(-1))
    missing = VolunteerFactory(first_name="Mia", last_name="Missing")
    DBSCheckFactory(volunteer=missing, enhanced=False)  # a basic check is never current
    return {"current": current, "expiring": expiring, "expired": expired, "missing": missing}


def rows_listed(html):
    """The names in the list, in order (Faker can give two volunteers the same name)."""
    return re.findall(r'<th scope="row"><a href="/volunteers/\d+/">([^<]+)</a>', html)


def names_listed(html):
    return set(rows_listed(html))


@pytest.mark.parametrize("state", ["current", "expiring", "expired", "missing"])
def test_it_filters_the_list_by_dbs_state(login, coordinator, dbs_cast, state):
    html = login(coordinator).get(url("list"), {"dbs": state}).content.decode()

    volunteer = dbs_cast[state]
    assert names_listed(html) == {f"{volunteer.last_name}, {volunteer.first_name}"}


def test_it_labels_each_dbs_state_in_words(login, coordinator, dbs_cast):
    html = login(coordinator).get(url("list")).content.decode()

    assert f'Current</span> <span class="small">until {days(400):%-d %b %Y}' in html
    assert f'Expiring</span> <span class="small">{days(30):%-d %b %Y}' in html
    assert f'Expired</span> <span class="small">{days(-1):%-d %b %Y}' in html
    assert "Missing</span>" in html


def test_it_treats_a_check_ending_today_as_expiring_not_expired(login, coordinator):
    volunteer = VolunteerFactory(last_name="Lastday")
    dbs_until(volunteer, TODAY)
    client = login(coordinator)

    assert "Lastday" in client.get(url("list"), {"dbs": "expiring"}).content.decode()
    assert "Lastday" not in client.get(url("list"), {"dbs": "expired"}).content.decode()


def test_it_searches_and_filters_the_list(login, coordinator):
    priya = VolunteerFactory(first_name="Priya", last_name="Shah", email="p.shah@example.org")
    AccreditationFactory(volunteer=priya, kind="parent_teen")
    VolunteerFactory(first_name="Owen", last_name="Price", status="applicant")
    client = login(coordinator)

    def listed(**params):
        return names_listed(client.get(url("list"), params).content.decode())

    assert listed(q="shah") == {"Shah, Priya"}
    assert listed(q="p.shah@") == {"Shah, Priya"}
    assert listed(status="applicant") == {"Price, Owen"}
    assert listed(accreditation="parent_teen") == {"Shah, Priya"}
    assert listed(accreditation="restorative") == set()


def test_it_counts_each_volunteers_active_caseload_once(login, coordinator):
    volunteer = VolunteerFactory(first_name="Ada", last_name="Busy")
    for until in (days(-800), days(-400), days(300)):  # three checks must not triple the count
        dbs_until(volunteer, until)
    AccreditationFactory(volunteer=volunteer, kind="community")
    AccreditationFactory(volunteer=volunteer, kind="parent_teen")
    AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"))
    AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"))
    AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"), ended_on=TODAY)
    closed = CaseFactory(status="closed", closed_on=TODAY)
    AssignmentFactory(volunteer=volunteer, case=closed)

    html = login(coordinator).get(url("list")).content.decode()

    row = re.search(r"Busy, Ada.*?</tr>", html, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2"]
    assert "Community mediation; Parent/teen mediation" in row


def add_volunteers(count):
    """``count`` volunteers, each with two DBS checks, two accreditations and two cases."""
    for _ in range(count):
        volunteer = VolunteerFactory()
        dbs_until(volunteer, days(20))
        dbs_until(volunteer, days(700))
        AccreditationFactory(volunteer=volunteer, kind="community")
        AccreditationFactory(volunteer=volunteer, kind="restorative")
        AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"))
        AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"), ended_on=TODAY)


@pytest.mark.parametrize(
    "params", [{}, {"dbs": "current", "q": "e", "accreditation": "community"}], ids=str
)
def test_it_lists_volunteers_in_the_same_number_of_queries_for_3_or_30(
    login, coordinator, django_assert_num_queries, params
):
    client = login(coordinator)
    add_volunteers(3)
    client.get(url("list"), params)  # one-off lookups out of the way

    with CaptureQueriesContext(connection) as few:
        response = client.get(url("list"), params)
    assert response.status_code == 200
    add_volunteers(27)

    with django_assert_num_queries(len(few)):
        response = client.get(url("list"), params)

    html = response.content.decode()
    assert "Community mediation; Restorative conferencing" in html
    if not params:
        assert "30 volunteers" in html
        assert len(rows_listed(html)) == 25  # a full page


def test_it_renders_expired_and_expiring_names_in_the_dbs_panel(dbs_cast):
    applicant = VolunteerFactory(first_name="Abe", last_name="Applicant", status="applicant")
    dbs_until(applicant, days(-3))  # not working yet: not on the panel

    html = render_to_string("home/panels/dbs.html", {"dbs_attention": dbs_attention()})

    expired = html.split('<h3 class="h6">Expired</h3>')[1].split("</ul>")[0]
    expiring = html.split('<h3 class="h6">Expiring within')[1].split("</ul>")[0]
    missing = html.split('<h3 class="h6">No current check</h3>')[1].split("</ul>")[0]
    assert "Ezra Expired" in expired and f"expired {days(-1):%-d %b %Y}" in expired
    assert "Evan Expiring" in expiring and f"expires {days(30):%-d %b %Y}" in expiring
    assert "Mia Missing" in missing
    assert "Evan" not in expired and "Ezra" not in expiring
    assert "Cora Current" not in html and "Abe Applicant" not in html
    assert f'href="{url("detail", dbs_cast["expired"])}"' in expired
    assert f'href="{url("list")}?dbs=expired"' in html
    assert f'href="{url("list")}?dbs=expiring"' in html


def test_it_says_so_when_no_dbs_check_needs_attention(db):
    html = render_to_string("home/panels/dbs.html", {"dbs_attention": dbs_attention()})

    assert "Every trainee and mediator has a DBS check that is current" in html
