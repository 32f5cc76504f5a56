"""The lists' search and filters, fuzzed: never a 500."""

import pytest
from hypothesis import example, given

from . import strategies

pytestmark = pytest.mark.django_db


LIST_QUERY = strategies.form_data(
    valid={},
    hostile={
        "q": strategies.hostile_text(),
        "status": strategies.hostile_choice("referred", "closed"),
        "dispute_type": strategies.hostile_choice("neighbour"),
        "coordinator": strategies.hostile_number(),
        "mediator": strategies.hostile_number(),
        "received_from": strategies.hostile_date(),
        "received_to": strategies.hostile_date(),
        "not_contacted": strategies.checkbox,
        "order": strategies.hostile_choice("received", "-reference"),
        "page": strategies.hostile_number(),
        "dbs": strategies.hostile_choice("expired", "missing"),
        "accreditation": strategies.hostile_choice("community"),
        "retired": strategies.checkbox,
    },
    max_changes=6,
)


@strategies.HOSTILE
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
