"""A coordinator asks for the trustees' summary in a browser on a phone: the export's page
shows it waiting, a real Celery worker starts on it, the page (its script polling) shows the
download without a reload and says so in its live region; axe-clean, no CSP violation."""

import uuid

import pytest
from playwright.sync_api import expect

from exports.models import Export
from tests.e2e.conftest import no_horizontal_scroll, scan

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_coordinator_asks_for_the_trustees_summary_and_downloads_it(
    open_page, coordinator, worker_factory, settings
):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.EXPORT_QUEUE = queue  # no worker on it yet: the export waits
    page = open_page(coordinator, width=375, height=740)
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/reports/?start=2025-10-01&end=2025-12-31")

    page.get_by_role("button", name="Prepare the trustees' summary (PDF)").click()

    expect(page.get_by_role("heading", name="Trustees' summary (PDF)")).to_be_visible()
    expect(page.get_by_text("1 October 2025 to 31 December 2025")).to_be_visible()
    expect(page.get_by_label("Waiting to start")).to_be_visible()  # the <progress>, labelled
    expect(page.get_by_role("link", name="Check again")).to_be_visible()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "export waiting (375 px)")

    worker_factory(queue=queue)  # the worker comes up and takes it

    name = "wkm-summary-2025-10-01-to-2025-12-31.pdf"
    download_link = page.get_by_role("link", name=f"Download {name}")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator("#export-announce")).to_have_text("Ready: the file can be downloaded.")
    assert no_horizontal_scroll(page) <= 375
    scan(page, "export ready (375 px)")
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == name
    with open(download.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
    assert Export.objects.get().status == "ready"

    page.goto("/exports/")
    expect(page.get_by_role("link", name="Trustees' summary (PDF)")).to_be_visible()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "your exports (375 px)")
    assert not violations
