"""The worker building an export: the file the requester downloads, progress on the page, built
once, for what the requester may still have."""

import re

import pytest

from audit.models import AuditEvent
from exports import tasks
from exports.models import Export
from tests.exports.conftest import build_queued

pytestmark = pytest.mark.django_db


# --- The worker -----------------------------------------------------------------------------------


def test_the_worker_builds_the_summary_and_the_requester_downloads_it(login, coordinator, ask):
    export = ask()

    (built,) = build_queued()
    assert (built.status, built.progress, built.attempts) == ("ready", 100, 1)
    assert built.content_type == "application/pdf"
    assert built.file_name == "wkm-summary-2025-10-01-to-2025-12-31.pdf"
    assert bytes(built.content).startswith(b"%PDF") and built.size == len(built.content)
    assert built.finished_at is not None
    client = login(coordinator)
    page = client.get(f"/exports/{export.pk}/").content.decode()
    assert f'href="/exports/{export.pk}/download/"' in page
    assert "Download wkm-summary-2025-10-01-to-2025-12-31.pdf" in page

    response = client.get(f"/exports/{export.pk}/download/")

    assert response.status_code == 200
    assert response.content == bytes(built.content)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="wkm-summary-2025-10-01-to-2025-12-31.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert event.actor == coordinator
    assert (event.object_type, event.object_id) == ("exports.export", str(export.pk))
    assert event.detail["report"] == "summary"
    assert (event.detail["start"], event.detail["end"]) == ("2025-10-01", "2025-12-31")


def test_the_page_shows_progress_while_it_waits(login, coordinator, ask):
    export = ask()
    Export.objects.filter(pk=export.pk).update(
        status="running", progress=40, progress_text="Counted the figures: outcomes"
    )

    response = login(coordinator).get(f"/exports/{export.pk}/")

    html = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert '<progress class="export-progress" id="export-bar" max="100" value="40">' in html
    assert '<label class="form-label d-block" for="export-bar">' in html
    assert "Being prepared: Counted the figures: outcomes" in html
    assert 'role="status" id="export-announce"' in html  # the live region the script fills
    assert f'<a href="/exports/{export.pk}/">Check again</a>' in html  # without the script
    assert '<script src="/static/js/export-progress.js">' in html
    assert not re.search(r"<script>(?!</script>)", html)  # no inline script (CSP)
    assert "download/" not in html
    fragment = login(coordinator).get(f"/exports/{export.pk}/progress/").content.decode()
    assert "data-unfinished" in fragment and 'value="40"' in fragment
    assert "<html" not in fragment


def test_the_builder_s_progress_reaches_the_page_as_it_works(login, coordinator, ask, echo_kind):
    seen = []

    def build(parameters, progress, user):
        progress(30, "A third")
        seen.append(Export.objects.values_list("status", "progress", "progress_text").get())
        return __import__("exports.kinds").kinds.Built(b"x", "x.txt", "text/plain")

    echo_kind["build"] = build
    ask(kind="echo", word="x")

    build_queued()

    assert seen == [("running", 30, "A third")]


def test_the_worker_builds_an_export_once(ask, echo_kind):
    export = ask(kind="echo", word="once")
    tasks.build_export(export.pk)
    tasks.build_export(export.pk)  # the same message delivered again

    export.refresh_from_db()
    assert (export.status, export.attempts) == ("ready", 1)
    assert bytes(export.content) == b"echo once"


def test_the_summary_is_built_for_what_the_requester_may_still_have(ask, coordinator):
    export = ask()
    coordinator.groups.clear()
    coordinator.refresh_from_db()

    build_queued()

    export.refresh_from_db()
    assert export.status == "failed"
    assert export.error == "You no longer have access to this kind of file."
