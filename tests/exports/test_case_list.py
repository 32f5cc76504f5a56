"""The case list's CSV as an export: the list's filters, the requester's scope when the worker
builds it (not when they asked), and refusals in words."""

import csv
import io

import pytest

from cases.models import CaseAssignment
from exports.models import Export
from tests.exports.conftest import build_queued
from tests.factories import CaseFactory, assign

pytestmark = pytest.mark.django_db


def rows_of(export) -> list[list[str]]:
    text = bytes(export.content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_list_s_button_asks_for_an_export_of_its_filters(login, coordinator):
    closed = CaseFactory(status="closed", outcome="withdrawn", closed_on="2026-11-10")
    CaseFactory()

    response = login(coordinator).post("/cases/export.csv?status=closed&page=3")

    export = Export.objects.get()
    assert response["Location"] == f"/exports/{export.pk}/"
    assert export.kind == "case_list"
    assert export.parameters == {"query": "status=closed", "filters": {"status": "closed"}}
    assert export.description == "The cases matching your search and filters"
    (built,) = build_queued()
    assert built.file_name.startswith("wkm-cases-") and built.content_type.startswith("text/csv")
    assert built.progress_text == "Ready"
    assert [row[0] for row in rows_of(built)[1:]] == [closed.reference]


def test_the_worker_exports_only_what_the_requester_may_see_then(login, mediator):
    kept, taken = CaseFactory(), CaseFactory()
    assign(kept, mediator)
    assign(taken, mediator)
    CaseFactory()  # never theirs
    login(mediator).post("/cases/export.csv")
    # Before the worker gets to it, the mediator comes off one of the cases.
    CaseAssignment.objects.filter(case=taken).update(ended_on="2026-11-01")

    (export,) = build_queued()

    assert [row[0] for row in rows_of(export)[1:]] == [kept.reference]


def test_an_old_link_shows_the_button_and_keeps_the_filters(login, coordinator):
    response = login(coordinator).get("/cases/export.csv", {"status": "closed", "page": "2"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post" action="/cases/export.csv?status=closed">' in html
    assert "Prepare the case list (csv)" in html
    assert not Export.objects.exists()


def test_filters_the_list_refuses_are_refused_in_words(login, coordinator):
    response = login(coordinator).post("/cases/export.csv?received_from=not-a-date", follow=True)

    assert not Export.objects.exists()
    assert "Enter a valid date." in response.content.decode()
