"""A coordinator keeps the scan of a signed agreement in a browser: the agreement page takes the
file, shows the version signed with the scan's SHA-256, and the scan downloads as an attachment
with its bytes intact; the case page lists it in its Files panel. Axe-clean throughout."""

import hashlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import agreements as services
from documents.models import CaseFile
from tests.documents.samples import pdf_bytes
from tests.documents.test_agreements import draft_with_terms
from tests.e2e.conftest import scan
from tests.factories import assign, ready_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_keeps_the_signed_scan_and_downloads_it(
    open_page, coordinator, mediator, tmp_path
):
    case = ready_case(status="active")
    assign(case, mediator)
    agreement = services.agreement_mark_agreed(
        agreement=draft_with_terms(case, coordinator), by=coordinator
    )
    content = pdf_bytes(2)
    path = tmp_path / "Signed agreement – Carter & Dunn.pdf"
    path.write_bytes(content)

    page = open_page(coordinator)
    page.goto(agreement.get_absolute_url())
    expect(page.get_by_role("heading", name="Signed copy")).to_be_visible()
    scan(page, "agreement, agreed, before the scan")

    page.get_by_label("Scan of the signed agreement").set_input_files(str(path))
    page.get_by_label("Signed on").fill(timezone.localdate(agreement.agreed_at).isoformat())
    page.get_by_role("button", name="Keep the signed copy").click()

    expect(page.get_by_text("is signed.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Signed")
    kept = CaseFile.objects.get()
    expect(page.locator(".scan-sha256")).to_have_text(hashlib.sha256(content).hexdigest())
    scan(page, "agreement, signed, with its scan")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the signed copy").click()
    download = info.value
    assert download.suggested_filename == "Signed agreement – Carter & Dunn.pdf" == kept.name
    with open(download.path(), "rb") as file:
        assert file.read() == content

    page.goto(case.get_absolute_url())
    files = page.locator("#files")
    expect(files.get_by_role("link", name=kept.name, exact=True)).to_be_visible()
    version = f"Signed agreement, version {agreement.version}"
    expect(files.get_by_text(version).first).to_be_visible()
    scan(page, "case page with its Files panel")
