"""A day, then gone: expired exports, the daily clean-up and the minute's resume, the setting, and
a deleted user's exports."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from exports import tasks
from exports.models import Export
from tests.exports.conftest import build_queued, pages
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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


def test_a_deleted_user_s_exports_go_with_them(ask):
    user = UserFactory(username="leaver", roles=["Coordinator"])
    ask(by=user)

    user.delete()

    assert not Export.objects.exists()
