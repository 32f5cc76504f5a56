"""A report over a long period on a phone: the download buttons ask the worker (a POST), an old
?format=csv link shows the button that asks, and the file comes from the export's page;
axe-clean at 375 px, no sideways scroll."""

import csv
import io
import uuid

import pytest
from playwright.sync_api import expect

from exports import services
from exports.models import Export
from tests.e2e.conftest import no_horizontal_scroll, scan

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "start=2016-01-01&end=2025-12-31"


def test_a_coordinator_prepares_a_ten_year_csv(open_page, coordinator, settings):
    settings.EXPORT_QUEUE = f"test-{uuid.uuid4().hex[:8]}"  # no worker: built below, in-process
    page = open_page(coordinator, width=375, height=740)

    page.goto(f"/reports/?{LONG}")
    expect(page.get_by_role("button", name="Prepare CSV of the timeliness report")).to_be_visible()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "reports, long period (375 px)")

    page.goto(f"/reports/timeliness/?{LONG}")
    expect(page.get_by_text("prepared in the background")).to_be_visible()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "timeliness, long period (375 px)")

    page.goto(f"/reports/timeliness/?{LONG}&format=csv")  # an old link: nothing is made
    expect(page.get_by_role("heading", name="Timeliness report (CSV)")).to_be_visible()
    assert not Export.objects.exists()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "prepare a long period's CSV (375 px)")

    page.get_by_role("button", name="Prepare the CSV file").click()

    expect(page.get_by_text("Timeliness, 1 January 2016 to 31 December 2025")).to_be_visible()
    export = Export.objects.get()
    assert services.build(export.pk) == "ready"
    page.reload()
    name = "wkm-timeliness-2016-01-01-to-2025-12-31.csv"
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Download {name}").click()
    with open(info.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows[0] == ["Report", "Timeliness"]
    assert rows[2] == ["This period", "2016-01-01", "2025-12-31"]
