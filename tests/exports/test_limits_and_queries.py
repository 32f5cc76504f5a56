"""How many exports a user may have on the way, and the pages' query counts (the files never
loaded)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exports.models import Export
from tests.exports.conftest import Q4, build_queued

pytestmark = pytest.mark.django_db


# --- How many at once -----------------------------------------------------------------------------


def test_a_user_may_have_only_a_few_exports_on_the_way(
    login, coordinator, ask, settings, other_coordinator
):
    settings.EXPORTS_MAX_UNFINISHED = 2
    first = ask()
    ask()
    ask(by=other_coordinator)  # someone else's do not count
    client = login(coordinator)

    response = client.post("/reports/summary.pdf", Q4, follow=True)

    assert Export.objects.filter(requester=coordinator).count() == 2
    assert response.redirect_chain[-1][0] == "/exports/"
    html = response.content.decode()
    assert "You already have 2 files being prepared, and 2 at once is the most." in html
    assert html.count('href="/exports/') >= 2  # the list shows what is on the way

    Export.objects.filter(pk=first.pk).update(status="ready", content=b"x")
    assert client.post("/reports/summary.pdf", Q4).status_code == 302
    assert Export.objects.filter(requester=coordinator).count() == 3


def test_expired_and_failed_exports_do_not_count_towards_the_limit(coordinator, ask, settings):
    settings.EXPORTS_MAX_UNFINISHED = 1
    old = ask()
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    failed = ask()
    Export.objects.filter(pk=failed.pk).update(status="failed")

    ask()
    with pytest.raises(ValidationError, match="1 at once is the most"):
        ask()


# --- Queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("tail", ["", "progress/", "download/"])
def test_an_export_s_pages_run_a_fixed_number_of_queries(
    login, coordinator, ask, echo_kind, django_assert_max_num_queries, tail
):
    export = ask(kind="echo", word="q")
    build_queued()
    client = login(coordinator)
    client.get("/")

    # the session, the user with their roles, the export (+ the audit event of a download)
    with django_assert_max_num_queries(4 if tail == "download/" else 3):
        assert client.get(f"/exports/{export.pk}/{tail}").status_code == 200


def test_the_list_runs_the_same_queries_however_many_exports(
    login, coordinator, ask, echo_kind, django_assert_num_queries, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EXPORTS_MAX_UNFINISHED = 100
    ask(kind="echo", word="one")
    client = login(coordinator)
    client.get("/exports/")
    with CaptureQueriesContext(connection) as few:
        client.get("/exports/")
    for n in range(20):
        ask(kind="echo", word=str(n))
    build_queued()

    with django_assert_num_queries(len(few)):
        html = client.get("/exports/").content.decode()

    assert html.count("Echo (text)") == 21
    assert len(few) <= 3


def test_the_list_never_loads_the_files(login, coordinator, ask, echo_kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ask(kind="echo", word="big")
    build_queued()

    with CaptureQueriesContext(connection) as queries:
        login(coordinator).get("/exports/")

    export_queries = [q["sql"] for q in queries if 'FROM "exports_export"' in q["sql"]]
    assert export_queries and all('"content"' not in sql for sql in export_queries)
