"""Asking for an export, the worker building it, its page and its download: who may see it,
its headers, the audit trail, expiry, failure and trying again, and the limit on how many."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from audit.models import AuditEvent
from exports import services, tasks
from exports.models import Export
from tests.exports.conftest import Q4, build_queued, client_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- Asking ---------------------------------------------------------------------------------------


def test_asking_for_the_summary_queues_an_export_and_goes_to_its_page(
    login, coordinator, no_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator).post("/reports/summary.pdf", Q4)

    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{export.pk}/"
    assert (export.requester, export.kind, export.status) == (
        coordinator,
        "trustees_summary",
        "queued",
    )
    assert export.parameters == Q4
    assert no_broker == [export.pk]  # handed to the worker once the request committed
    assert export.expires_at - export.created_at == datetime.timedelta(days=1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == coordinator
    assert (event.object_type, event.object_id) == ("exports.export", str(export.pk))
    assert event.detail == {
        "export": "trustees_summary", "report": "summary", "format": "pdf",
        "start": "2025-10-01", "end": "2025-12-31",
    }  # fmt: skip


def test_nothing_is_handed_to_the_worker_if_the_request_fails(
    login, coordinator, no_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        login(coordinator).post("/reports/summary.pdf", Q4)

    assert no_broker == []  # only on commit
    assert len(callbacks) == 1


def test_an_old_link_to_the_summary_shows_the_button_and_makes_nothing(login, coordinator):
    response = login(coordinator).get("/reports/summary.pdf", Q4)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post" action="/reports/summary.pdf">' in html
    assert 'name="start" value="2025-10-01"' in html and 'name="end" value="2025-12-31"' in html
    assert "1 October 2025 to 31 December 2025" in html
    assert not Export.objects.exists()


def test_the_report_pages_ask_for_the_summary_with_a_post(login, coordinator):
    html = login(coordinator).get("/reports/", Q4).content.decode()

    assert 'form="trustees-summary-form"' in html
    assert 'id="trustees-summary-form" method="post" action="/reports/summary.pdf"' in html
    assert 'href="/exports/"' in html


def test_a_bad_period_is_refused_and_nothing_is_made(login, coordinator):
    response = login(coordinator).post("/reports/summary.pdf", {"start": "2025-13-01"})

    assert response.status_code == 400
    assert not Export.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("cast", ["mediator", "supervisor"])
def test_only_coordinators_and_administrators_may_ask_for_the_summary(request, login, cast):
    response = login(request.getfixturevalue(cast)).post("/reports/summary.pdf", Q4)

    assert response.status_code == 403
    assert not Export.objects.exists()


def test_the_service_refuses_a_kind_the_user_may_not_have(mediator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.request_export(kind="trustees_summary", parameters=Q4, by=mediator)
    assert not Export.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.post("/reports/summary.pdf", Q4)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Export.objects.exists()


def test_asking_through_the_generic_address_uses_the_kind(login, coordinator, echo_kind):
    response = login(coordinator).post("/exports/new/", {"kind": "echo", "word": "pears"})

    export = Export.objects.get()
    assert response["Location"] == f"/exports/{export.pk}/"
    assert export.parameters == {"word": "pears"}
    assert login(coordinator).post("/exports/new/", {"kind": "nothing"}).status_code == 404


def test_a_broker_that_is_down_does_not_fail_the_page(
    login, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    from exports.services import enqueue as real_enqueue

    monkeypatch.setattr(services, "enqueue", real_enqueue)

    def down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.build_export, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator).post("/reports/summary.pdf", Q4)

    assert response.status_code == 302
    assert Export.objects.get().status == "queued"  # resume_exports hands it over later


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


# --- Who may see it -------------------------------------------------------------------------------


def pages(export):
    return [f"/exports/{export.pk}/{tail}" for tail in ("", "progress/", "download/")]


@pytest.mark.parametrize("cast", ["other_coordinator", "administrator", "mediator", "supervisor"])
def test_nobody_but_the_requester_sees_an_export(request, ask, cast):
    export = ask()
    build_queued()
    client = client_of(request.getfixturevalue(cast))

    for url in pages(export):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/exports/{export.pk}/retry/").status_code == 404
    assert f"/exports/{export.pk}/" not in client.get("/exports/").content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_the_list_shows_the_requester_their_own_exports_only(
    login, coordinator, ask, other_coordinator
):
    mine = ask()
    theirs = ask(by=other_coordinator)
    old = ask()
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now())

    html = login(coordinator).get("/exports/").content.decode()

    assert f'href="/exports/{mine.pk}/"' in html
    assert f'href="/exports/{theirs.pk}/"' not in html
    assert f'href="/exports/{old.pk}/"' not in html  # past its day
    assert "Trustees&#x27; summary (PDF)" in html
    assert "1 October 2025 to 31 December 2025" in html


def test_a_requester_who_lost_the_role_no_longer_sees_it(login, coordinator, ask):
    export = ask()
    build_queued()
    client = login(coordinator)
    coordinator.groups.clear()

    for url in pages(export):
        assert client.get(url).status_code == 404, url


def test_anonymous_users_cannot_open_an_export(client, ask):
    export = ask()

    for url in pages(export):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- A day, then gone -----------------------------------------------------------------------------


def test_an_expired_export_is_gone_and_the_daily_job_deletes_it(
    login, coordinator, ask, time_machine
):
    export = ask()
    build_queued()
    kept = ask()
    client = login(coordinator)
    Export.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    for url in pages(export):
        response = client.get(url)
        assert response.status_code == 410, url
        assert "This file has been deleted" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()

    assert tasks.delete_expired_exports() == 1

    assert list(Export.objects.all()) == [kept]
    assert client.get(f"/exports/{export.pk}/").status_code == 404


def test_the_clean_up_is_scheduled_daily_and_the_resume_every_minute(settings):
    from celery.schedules import crontab

    schedule = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert isinstance(schedule["exports.tasks.delete_expired_exports"], crontab)
    assert schedule["exports.tasks.resume_exports"] == 60.0


def test_an_export_is_kept_for_the_setting(settings, ask):
    settings.EXPORT_KEEP_SECONDS = 3600

    export = ask()

    assert export.expires_at - export.created_at == pytest.approx(
        datetime.timedelta(hours=1), abs=datetime.timedelta(seconds=1)
    )


# --- Failing, and trying again --------------------------------------------------------------------


def test_a_failure_is_said_in_words_and_the_requester_can_try_again(
    login, coordinator, ask, echo_kind, caplog
):
    def broken(parameters, progress, user):
        raise RuntimeError("a bug")

    echo_kind["build"] = broken
    export = ask(kind="echo", word="again")

    build_queued()

    export.refresh_from_db()
    assert export.status == "failed" and export.content is None
    assert export.error == services.FAILED_UNEXPECTEDLY
    assert "a bug" not in export.error
    assert any(r.levelname == "ERROR" and "failed" in r.getMessage() for r in caplog.records)
    client = login(coordinator)
    html = client.get(f"/exports/{export.pk}/").content.decode()
    assert "Something went wrong while preparing this file" in html
    assert f'action="/exports/{export.pk}/retry/"' in html
    assert client.get(f"/exports/{export.pk}/download/")["Location"] == f"/exports/{export.pk}/"

    del echo_kind["build"]
    response = client.post(f"/exports/{export.pk}/retry/")

    again = Export.objects.exclude(pk=export.pk).get()
    assert response["Location"] == f"/exports/{again.pk}/"
    assert (again.kind, again.parameters, again.status) == ("echo", {"word": "again"}, "queued")
    build_queued()
    again.refresh_from_db()
    assert again.status == "ready"


def test_a_rule_of_the_file_itself_is_said_as_it_is(ask, echo_kind):
    def too_long(parameters, progress, user):
        raise ValidationError("This document would run to 300 pages; the most we print is 200.")

    echo_kind["build"] = too_long
    export = ask(kind="echo", word="long")

    build_queued()

    export.refresh_from_db()
    assert export.error == "This document would run to 300 pages; the most we print is 200."


def test_a_file_over_the_size_limit_is_not_kept(settings, ask, echo_kind):
    settings.EXPORT_MAX_BYTES = 4
    export = ask(kind="echo", word="much too long")

    build_queued()

    export.refresh_from_db()
    assert export.status == "failed" and export.content is None
    assert "more than the 0 MB that can be kept" in export.error


def test_only_a_failed_export_can_be_asked_for_again(login, coordinator, ask):
    export = ask()

    response = login(coordinator).post(f"/exports/{export.pk}/retry/")

    assert response.status_code == 302
    assert Export.objects.count() == 1
    with pytest.raises(ValidationError):
        services.retry_export(export=export, by=coordinator)


def test_a_database_error_puts_it_back_in_the_queue_for_a_retry(ask, echo_kind, settings):
    def flaky(parameters, progress, user):
        raise OperationalError("server closed the connection unexpectedly")

    echo_kind["build"] = flaky
    export = ask(kind="echo", word="flaky")

    assert services.build(export.pk) == services.RETRY

    export.refresh_from_db()
    assert (export.status, export.attempts) == ("queued", 1)
    # Through the task (eagerly: its retries run at once), until the attempts run out.
    tasks.build_export.apply(args=[export.pk])
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("failed", settings.EXPORT_MAX_ATTEMPTS)
    assert export.error == services.FAILED_UNEXPECTEDLY


def test_the_minute_job_takes_over_what_a_dead_worker_left(ask, echo_kind, no_broker, settings):
    settings.EXPORTS_MAX_UNFINISHED = 10
    now = timezone.now()
    stale = ask(kind="echo", word="stale")
    hopeless = ask(kind="echo", word="hopeless")
    lost = ask(kind="echo", word="lost")
    running = ask(kind="echo", word="running")  # by a live worker: left alone
    Export.objects.filter(pk__in=[stale.pk, hopeless.pk]).update(
        status="running", started_at=now - datetime.timedelta(minutes=11), attempts=1
    )
    Export.objects.filter(pk=hopeless.pk).update(attempts=settings.EXPORT_MAX_ATTEMPTS)
    Export.objects.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(minutes=2))
    Export.objects.filter(pk=running.pk).update(
        status="running", started_at=now - datetime.timedelta(minutes=1), attempts=1
    )

    assert tasks.resume_exports() == {"requeued": 1, "resent": 2, "failed": 1}

    status = dict(Export.objects.values_list("pk", "status"))
    assert status == {stale.pk: "queued", hopeless.pk: "failed", lost.pk: "queued",
                      running.pk: "running"}  # fmt: skip
    assert sorted(no_broker) == sorted([stale.pk, lost.pk])
    assert Export.objects.get(pk=hopeless.pk).error == services.WORKER_LOST
    build_queued()
    assert Export.objects.get(pk=stale.pk).attempts == 2


def test_an_export_no_worker_ever_started_fails_in_words(ask, settings):
    export = ask()
    Export.objects.filter(pk=export.pk).update(
        created_at=timezone.now()
        - datetime.timedelta(seconds=settings.EXPORT_QUEUE_TIMEOUT_SECONDS + 1)
    )

    tasks.resume_exports()

    export.refresh_from_db()
    assert (export.status, export.error) == ("failed", services.NEVER_STARTED)


def test_a_worker_whose_lease_was_taken_over_does_not_finish_it(ask, echo_kind):
    def overtaken(parameters, progress, user):
        Export.objects.update(attempts=5)  # another worker claimed it meanwhile
        return __import__("exports.kinds").kinds.Built(b"late", "x.txt", "text/plain")

    echo_kind["build"] = overtaken
    export = ask(kind="echo", word="late")

    assert services.build(export.pk) is None

    export.refresh_from_db()
    assert export.status == "running" and export.content is None


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


def test_a_deleted_user_s_exports_go_with_them(ask):
    user = UserFactory(username="leaver", roles=["Coordinator"])
    ask(by=user)

    user.delete()

    assert not Export.objects.exists()
