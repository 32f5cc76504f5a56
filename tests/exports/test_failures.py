"""Failing and trying again: a failure in words, the file's own rules and size, retries after a
database error, a dead worker's export taken over, a lease lost."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from exports import services, tasks
from exports.models import Export
from tests.exports.conftest import build_queued

pytestmark = pytest.mark.django_db


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
