"""The lists' search and filters, fuzzed: never a 500."""

import pytest
from hypothesis import example, given

from .strategies import (
    HOSTILE,
    checkbox,
    form_data,
    hostile_choice,
    hostile_date,
    hostile_number,
    hostile_text,
)

pytestmark = pytest.mark.django_db


LIST_QUERY = form_data(
    valid={},
    hostile={
        "q": hostile_text(),
        "status": hostile_choice("referred", "closed"),
        "dispute_type": hostile_choice("neighbour"),
        "coordinator": hostile_number(),
        "mediator": hostile_number(),
        "received_from": hostile_date(),
        "received_to": hostile_date(),
        "not_contacted": checkbox,
        "order": hostile_choice("received", "-reference"),
        "page": hostile_number(),
        "dbs": hostile_choice("expired", "missing"),
        "accreditation": hostile_choice("community"),
        "retired": checkbox,
    },
    max_changes=6,
)


@HOSTILE
@given(query=LIST_QUERY)
@example(query={"q": "\x00", "received_from": "0001-01-01", "page": "NaN"})
@example(query={"q": "TN9\x001AA", "received_to": "9999-12-31", "page": str(10**18)})
def test_lists_and_their_filters(staff, case, query):
    from urllib.parse import urlencode

    from tests.exports.conftest import build_queued

    for url in ("/cases/", "/cases/export.csv", "/volunteers/", "/hours/", "/referrers/"):
        response = staff.get(url, query)
        assert response.status_code in (200, 404), (url, response.status_code)
    # The list's export: asked for (refused in words, or queued), then built by the worker.
    response = staff.post(f"/cases/export.csv?{urlencode(query, doseq=True)}")
    assert response.status_code == 302
    for export in build_queued():
        assert export.status == "ready", export.error
