""" "Leave with your data": administrators (only) export everything the service holds as one
file per table in a ZIP with a README, built by the worker, audited with its SHA-256; no
secret of any kind goes in it."""

import csv
import datetime
import hashlib
import io
import zipfile

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from accounts.models import EnrolmentLink, UserSession
from audit.models import AuditEvent
from exports import everything
from exports.everything import TABLES, build_zip
from exports.models import Export
from notifications.models import OutboxMessage, PartyReply
from sessions.models import CalendarFeed
from tests.exports.conftest import build_queued, client_of
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    DBSCheckFactory,
    PartyFactory,
    UserFactory,
    VolunteerFactory,
    eligible_volunteer,
    held_session,
)

pytestmark = pytest.mark.django_db

FILES = {f"{table.file}.csv" for table in TABLES} | {"README.txt"}


@pytest.fixture
def held(coordinator):
    """A little of everything: a case with a party (whose name is a formula), a consent, a
    volunteer with a DBS check and a calendar feed, a message, a reply."""
    case = CaseFactory(coordinator=coordinator, summary="A fence and late-night music.")
    party = PartyFactory(
        case=case, full_name='=HYPERLINK("http://evil.example")',
        # A control character pasted into a note: fine in CSV, not allowed in a workbook.
        accessibility_needs="Large print\x0bplease",
    )  # fmt: skip
    ConsentFactory(party=party)
    volunteer = eligible_volunteer(first_name="Martin", last_name="Hale")
    DBSCheckFactory(volunteer=VolunteerFactory(first_name="Lena"))
    feed = CalendarFeed.objects.create(volunteer=volunteer)
    message = OutboxMessage.objects.create(
        kind="session_reminder", channel="email", party=party, address="p@example.org",
        due_at=timezone.now(), claim_token="0d4c1a4e-5b7e-4c39-9f0e-3a6f1c2b9d11",
    )  # fmt: skip
    return {"case": case, "party": party, "feed": feed, "message": message}


def ask_page(client):
    return client.get("/exports/everything/")


def download(user, fmt="csv") -> tuple[Export, bytes]:
    client = client_of(user)
    response = client.post("/exports/new/", {"kind": "everything", "format": fmt})
    export = Export.objects.get(requester=user)
    assert response.status_code == 302 and response["Location"] == f"/exports/{export.pk}/"
    (built,) = build_queued()
    assert built.status == "ready", built.error
    got = client.get(f"/exports/{export.pk}/download/")
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    assert got["Cache-Control"] == "no-store"
    return built, got.content


def test_only_administrators_reach_the_page(
    client, login, administrator, coordinator, mediator, supervisor, django_assert_max_num_queries
):
    response = client.get("/exports/everything/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    no_role = UserFactory(username="nobody")
    for user in (coordinator, mediator, supervisor, no_role):
        assert login(user).get("/exports/everything/").status_code == 403
    client = login(administrator)
    client.get("/exports/everything/")  # the first request of a session sets it up
    with django_assert_max_num_queries(3):
        page = client.get("/exports/everything/")
    text = page.content.decode()
    assert page.status_code == 200 and "Prepare the export of everything" in text
    assert "case_files" in text and "secret keys" in text
    # Reachable from the exports page, for administrators only.
    assert "/exports/everything/" in login(administrator).get("/exports/").content.decode()
    assert "/exports/everything/" not in login(coordinator).get("/exports/").content.decode()


def test_nobody_else_may_ask_for_it(login, coordinator, mediator, supervisor):
    for user in (coordinator, mediator, supervisor, UserFactory(username="nobody")):
        response = login(user).post("/exports/new/", {"kind": "everything", "format": "csv"})
        assert response.status_code == 403
    assert not Export.objects.exists()


def test_a_bad_format_is_refused_with_a_message(login, administrator):
    response = login(administrator).post(
        "/exports/new/", {"kind": "everything", "format": "pdf"}, follow=True
    )
    assert "Choose CSV or XLSX." in response.content.decode()
    assert not Export.objects.exists()


def test_the_zip_holds_every_table_and_a_readme_and_is_audited(held, administrator):
    export, content = download(administrator)

    archive = zipfile.ZipFile(io.BytesIO(content))
    assert set(archive.namelist()) == FILES
    readme = archive.read("README.txt").decode()
    for table in TABLES:
        assert f"{table.file}.csv (" in readme
    assert "password" in readme and "MEDIA_ROOT" in readme

    def rows(name):
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))

    cases = rows("cases.csv")
    assert [c["reference"] for c in cases] == [held["case"].reference]
    assert cases[0]["summary"] == "A fence and late-night music."
    parties = rows("parties.csv")
    # A formula typed as a name is defused, as the reports' downloads do.
    assert parties[0]["full_name"] == '\'=HYPERLINK("http://evil.example")'
    assert parties[0]["case_id"] == str(held["case"].pk)
    assert len(rows("consents.csv")) == 1 and len(rows("dbs_checks.csv")) == 2
    assert "password" not in rows("users.csv")[0]
    assert "claim_token" not in rows("outbox_messages.csv")[0]
    assert f"parties.csv ({1:,} rows)" in readme

    events = AuditEvent.objects.filter(action="export", object_id=str(export.pk))
    asked = events.exclude(detail__has_key="made").get()
    assert asked.actor == administrator
    assert asked.detail == {"export": "everything", "format": "csv"}
    made = events.get(detail__made=True)
    assert made.actor == administrator
    assert made.detail["sha256"] == hashlib.sha256(content).hexdigest()
    assert made.detail["bytes"] == len(content)
    assert made.detail["rows"]["parties"] == 1 and made.detail["rows"]["cases"] == 1
    assert AuditEvent.objects.filter(action="download", object_id=str(export.pk)).exists()


def test_no_secret_of_any_kind_is_in_it(held, administrator, coordinator):
    """Every kind of secret the project holds is planted, and looked for in the ZIP."""
    coordinator.set_password("correct horse battery staple")
    coordinator.save()
    totp = TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)
    static = StaticDevice.objects.create(user=coordinator, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=static, token="x7k2m9q4")
    session = SessionStore()
    session["planted"] = "session data"
    session.create()
    UserSession.objects.create(user=coordinator, session_key=session.session_key)
    EnrolmentLink.objects.create(
        user=coordinator, token_hash="e" * 64, created_by=administrator,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip
    PartyReply.objects.create(
        party=held["party"], session=held_session(held["case"]), answer="coming",
        channel="web", received_at=timezone.now(), for_starts_at=timezone.now(),
        ip_hash="f" * 64,
    )  # fmt: skip

    for fmt in ("csv", "xlsx"):
        Export.objects.all().delete()
        _export, content = download(administrator, fmt)
        archive = zipfile.ZipFile(io.BytesIO(content))
        # XLSX entries are themselves ZIPs: look inside them too.
        texts = []
        for name in archive.namelist():
            data = archive.read(name)
            if name.endswith(".xlsx"):
                inner = zipfile.ZipFile(io.BytesIO(data))
                data = b"".join(inner.read(n) for n in inner.namelist())
            texts.append(data.decode("utf-8", "replace"))
        text = "\n".join(texts)
        coordinator.refresh_from_db()
        for secret in (
            coordinator.password, coordinator.password.split("$")[-1], "pbkdf2_", "argon2",
            totp.key, "x7k2m9q4", session.session_key, "e" * 64, "f" * 64,
            held["feed"].token, str(held["message"].claim_token), "session data",
        ):  # fmt: skip
            assert secret not in text, (fmt, secret)


def test_every_installed_model_is_exported_or_left_out_with_a_reason():
    exported = {table.source()._meta.label for table in TABLES}
    undecided = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.label not in exported and not everything.left_out_reason(model)
    ]
    assert undecided == []
    # No typing mistake in an app's name (the imports app's model is decided before it is
    # merged here, so the model itself is not asked for).
    assert {label.split(".")[0] for label in everything.LEFT_OUT} <= {
        config.label for config in apps.get_app_configs()
    }
    assert exported.isdisjoint(everything.LEFT_OUT)
    assert len({table.file for table in TABLES}) == len(TABLES)


def test_each_table_is_one_query_whatever_the_number_of_rows(
    held, coordinator, django_assert_num_queries
):
    with django_assert_num_queries(len(TABLES)):
        small = build_zip("csv", lambda percent, text: None)
    for _ in range(5):
        case = CaseFactory(coordinator=coordinator)
        PartyFactory(case=case)
    with django_assert_num_queries(len(TABLES)):
        larger = build_zip("csv", lambda percent, text: None)
    assert larger.counts["cases"] == small.counts["cases"] + 5


def test_the_xlsx_option_has_one_workbook_per_table_with_text_never_a_formula(held, administrator):
    _export, content = download(administrator, "xlsx")

    archive = zipfile.ZipFile(io.BytesIO(content))
    assert set(archive.namelist()) == {n.replace(".csv", ".xlsx") for n in FILES}
    sheet = load_workbook(io.BytesIO(archive.read("parties.xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    name = sheet.cell(row=2, column=header.index("full_name") + 1)
    assert name.data_type == "s" and name.value == '\'=HYPERLINK("http://evil.example")'
    needs = sheet.cell(row=2, column=header.index("accessibility_needs") + 1)
    assert needs.value == "Large printplease"
    created = sheet.cell(row=2, column=header.index("created_at") + 1)
    assert isinstance(created.value, datetime.datetime)


def test_a_file_larger_than_its_own_limit_fails_in_words(held, administrator, settings):
    settings.EXPORT_EVERYTHING_MAX_BYTES = 1000
    client_of(administrator).post("/exports/new/", {"kind": "everything", "format": "csv"})

    (export,) = build_queued()

    assert export.status == "failed" and "EXPORT_EVERYTHING_MAX_BYTES" in export.error
    assert not AuditEvent.objects.filter(detail__made=True).exists()


def test_another_administrator_cannot_see_it(held, administrator):
    export, _content = download(administrator)
    other = UserFactory(username="admin2", roles=["Administrator"])

    assert client_of(other).get(f"/exports/{export.pk}/download/").status_code == 404


def test_a_worker_has_an_hour_to_make_it_before_another_takes_it_over(
    administrator, coordinator, echo_kind
):
    """It takes minutes at scale (XLSX of 100,000 cases: over the usual 10-minute lease), so
    the usual lease would hand it to a second worker half-way; other kinds keep theirs."""
    from exports import services

    everything_export = services.request_export(
        kind="everything", parameters={"format": "xlsx"}, by=administrator
    )
    echo = services.request_export(kind="echo", parameters={"word": "hi"}, by=coordinator)
    eleven_minutes_ago = timezone.now() - datetime.timedelta(minutes=11)
    Export.objects.update(status="running", started_at=eleven_minutes_ago, attempts=1)

    services.resume_unfinished()

    assert Export.objects.get(pk=everything_export.pk).status == "running"
    assert Export.objects.get(pk=echo.pk).status == "queued"
    Export.objects.filter(pk=everything_export.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    services.resume_unfinished()
    assert Export.objects.get(pk=everything_export.pk).status == "queued"
