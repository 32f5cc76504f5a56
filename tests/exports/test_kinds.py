"""The registry of kinds: a report as a file is one register(report_file_kind(...)) call, and
the pages, the worker, the audit and the roles come with it."""

import pytest

from audit.models import AuditEvent
from exports import kinds
from exports.builders import report_file_kind
from exports.models import Export
from tests.exports.conftest import Q4, build_queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_kind():
    kind = kinds.register(
        report_file_kind(
            key="report_txt",
            title="Report (text)",
            extension="txt",
            content_type="text/plain",
            to_bytes=lambda report: f"{report.title}: {len(report.sections)} sections".encode(),
        )
    )
    yield kind
    del kinds.KINDS[kind.key]


def test_a_report_file_kind_is_asked_for_built_and_audited(login, coordinator, report_kind):
    client = login(coordinator)

    response = client.post("/exports/new/", {"kind": "report_txt", "report": "outcomes", **Q4})

    export = Export.objects.get()
    assert response["Location"] == f"/exports/{export.pk}/"
    assert export.parameters == {"report": "outcomes", **Q4}
    assert export.description == "Outcomes, 1 October 2025 to 31 December 2025"
    (built,) = build_queued()
    assert built.file_name == "wkm-outcomes-2025-10-01-to-2025-12-31.txt"
    assert bytes(built.content).startswith(b"Outcomes: ")
    download = client.get(f"/exports/{export.pk}/download/")
    assert download["Content-Type"] == "text/plain"
    events = AuditEvent.objects.filter(object_type="exports.export").order_by("id")
    assert [e.action for e in events] == ["export", "download"]
    assert [e.detail for e in events] == [
        {"export": "report_txt", "report": "outcomes", "format": "txt", **Q4},
    ] * 2


def test_a_report_file_kind_refuses_an_unknown_report_in_words(login, coordinator, report_kind):
    response = login(coordinator).post(
        "/exports/new/", {"kind": "report_txt", "report": "nope", **Q4}, follow=True
    )

    assert not Export.objects.exists()
    assert "Choose one of the reports." in response.content.decode()


def test_a_report_file_kind_is_for_coordinators_and_administrators(login, mediator, report_kind):
    response = login(mediator).post("/exports/new/", {"kind": "report_txt", "report": "outcomes"})

    assert response.status_code == 403
    assert not Export.objects.exists()


def test_a_kind_cannot_be_registered_twice(report_kind):
    with pytest.raises(ValueError, match="registered twice"):
        kinds.register(report_file_kind(key="report_txt", title="Other", extension="x",
                                        content_type="x", to_bytes=bytes))  # fmt: skip
