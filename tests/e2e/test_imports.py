"""An administrator imports volunteers from a CSV with one bad row, in a browser: the preview
(the problems by row and column, the first rows) is axe-clean, the valid row goes in and the
bad one comes back as a sheet. The worker's task runs in the page's own request here (as
tests/imports runs it in-process); tests/imports/test_worker.py covers a real worker."""

import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent
from imports import services
from imports.models import ImportBatch
from tests.e2e.conftest import scan
from tests.imports.sheets import as_csv, volunteer_row
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_imports_the_valid_rows_and_downloads_the_rest(
    open_page, administrator, monkeypatch, tmp_path
):
    monkeypatch.setattr(services, "enqueue", services.run_batch)
    sheet = tmp_path / "volunteers.csv"
    sheet.write_bytes(as_csv([volunteer_row(1), volunteer_row(2, email="not an email")]))
    page = open_page(administrator)

    page.goto("/")
    page.get_by_role("link", name="Import").first.click()
    expect(page.get_by_role("heading", name="Import from a spreadsheet")).to_be_visible()
    scan(page, "import page")
    page.get_by_role("radio", name="Volunteers").check()
    page.get_by_label("The sheet").set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and check the sheet").click()

    expect(page.get_by_role("heading", name="What the check found")).to_be_visible()
    problems = page.get_by_role("region", name="Problems found, by row and column")
    expect(problems.get_by_role("row").nth(1)).to_contain_text("email")
    expect(page.get_by_role("region", name="The first rows of the sheet as read")).to_contain_text(
        "Sam1"
    )
    scan(page, "import preview")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()

    page.get_by_role("button", name="Import the 1 valid record and give me the rest back").click()

    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    expect(page.get_by_text("Sam1")).to_have_count(0)  # the preview's rows are gone
    scan(page, "import done")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the 1 row not imported").click()
    download = info.value
    assert download.suggested_filename == "volunteers-not-imported.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        rest = file.read()
    assert "V-00002" in rest and "V-00001" not in rest
    assert list(Volunteer.objects.values_list("external_id", flat=True)) == ["V-00001"]
    assert ImportBatch.objects.get().sample == []
