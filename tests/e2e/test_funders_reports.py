"""The funders' reports on a phone, with figures in them: wide breakdown tables scroll inside
their own focusable box, the page does not scroll sideways, and axe-core finds nothing."""

import pytest

from tests.e2e.conftest import no_horizontal_scroll, scan
from tests.reports.conftest import Q4_QUERY
from tests.reports.evidence_data import survey_data  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "path",
    [
        "satisfaction",
        "sustained",
        "area",
        "referrer",
        "referrer-one",
    ],
)
def test_the_funders_reports_on_a_phone(open_page, coordinator, survey_data, path):  # noqa: F811
    query = f"start={Q4_QUERY['start']}&end={Q4_QUERY['end']}"
    if path == "referrer-one":
        path, query = "referrer", f"{query}&referrer={survey_data['moat'].pk}"
    page = open_page(coordinator, width=375, height=700)

    response = page.goto(f"/reports/{path}/?{query}")

    assert response.status == 200
    assert no_horizontal_scroll(page) <= 375
    scan(page, f"{path} report (375 px)")
