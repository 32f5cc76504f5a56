"""The reports' CSV and XLSX kinds (exports.builders, for periods too long to make in the
request: reports.downloads): registered for the reports' roles, every report with a page,
and the requester's roles checked again when the worker builds."""

import pytest

from accounts.roles import ADMINISTRATOR, COORDINATOR
from exports import kinds
from exports.models import Export
from reports.views import REPORT_PAGES
from tests.exports.conftest import Q4, build_queued

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["report_csv", "report_xlsx"])
def test_the_report_kinds_are_for_the_reports_roles(key):
    kind = kinds.get(key)

    assert kind.roles == (COORDINATOR, ADMINISTRATOR)


@pytest.mark.parametrize(("page", "title"), [(name, title) for name, title, _ in REPORT_PAGES])
def test_every_report_page_can_be_asked_for_and_is_described_by_its_title(page, title):
    kind = kinds.get("report_csv")

    parameters = kind.parse({"report": page, **Q4}, None)

    assert parameters == {"report": page, **Q4}
    assert kind.describe(parameters) == f"{title}, 1 October 2025 to 31 December 2025"


def test_a_requester_who_lost_the_role_gets_no_report_file(login, coordinator):
    login(coordinator).post("/exports/new/", {"kind": "report_xlsx", "report": "outcomes", **Q4})
    coordinator.groups.clear()

    (export,) = build_queued()

    assert export.status == Export.Status.FAILED
    assert export.error == "You no longer have access to this kind of file."
