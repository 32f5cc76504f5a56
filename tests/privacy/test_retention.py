"""Retention: closed cases six years on, and unsuccessful volunteer applications after a year,
are anonymised — statistics kept, people removed, history included — once."""

import datetime
import io
import json
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, InternalError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import (
    AgreementSignature,
    Case,
    CaseAssignment,
)
from documents.models import GeneratedDocument
from notifications.models import OutboxMessage
from parties.models import Consent, Party
from privacy import services, tasks
from privacy.models import Anonymisation
from sessions.models import MediationSession
from tests.factories import (
    AccreditationFactory,
    CaseFactory,
    DBSCheckFactory,
    DeclaredConnectionFactory,
    TrainingFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.privacy.planted import CASE_RECORDS, VOLUNTEER_RECORDS, plant, records, still_there
from volunteers.models import (
    TraineeCase,
    Volunteer,
    VolunteerHours,
)
from wkm.personal_data import declaring_models

pytestmark = pytest.mark.django_db

CAROL = ("Carol Evans", "carol.evans@example.org", "+447700900123", "TN9 2RJ", "Quarry Hill")
DAN = ("Dan Fowler", "dan.fowler@example.org", "+447700900456", "TN9 2RL", "debt")

EVENTS = {
    "case": ("cases.CaseEvent", "pgh_obj_id"),
    "assignment": ("cases.CaseAssignmentEvent", "case_id"),
    "log": ("cases.ContactLogEntryEvent", "case_id"),
    "agreement": ("cases.AgreementEvent", "case_id"),
    "session": ("mediation_sessions.MediationSessionEvent", "case_id"),
}


def history(case) -> dict[str, int]:
    """How many event rows (django-pghistory) each kind of record of ``case`` has."""
    counts = {
        name: apps.get_model(label).objects.filter(**{column: case.pk}).count()
        for name, (label, column) in EVENTS.items()
    }
    party_ids = list(case.parties.values_list("pk", flat=True))
    counts["party"] = (
        apps.get_model("parties.PartyEvent").objects.filter(pgh_obj_id__in=party_ids).count()
    )
    counts["consent"] = (
        apps.get_model("parties.ConsentEvent").objects.filter(party_id__in=party_ids).count()
    )
    counts["term"] = (
        apps.get_model("cases.AgreementTermEvent").objects.filter(agreement__case=case).count()
    )
    return counts


def snapshot(case) -> str:
    """Every value of a case and its records, to show that nothing changed."""
    rows = [
        list(Case.objects.filter(pk=case.pk).values()),
        list(Party.objects.filter(case=case).values()),
        list(Consent.objects.filter(party__case=case).values()),
        list(case.log_entries.values()),
        list(MediationSession.objects.filter(case=case).values()),
        list(OutboxMessage.objects.filter(session__case=case).values()),
        list(case.agreements.values()),
        list(GeneratedDocument.objects.filter(case=case).values()),
        history(case),
    ]
    return json.dumps(rows, default=str, sort_keys=True)


def run(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.apply_retention(**kwargs)


@pytest.fixture
def case_rule_only(settings):
    """Only the case rule: the recent case's reminders went over a year ago, so the shorter
    rule for messages (OUTBOX_RETENTION_DAYS, tests/notifications/test_retention.py) would clear
    them too; test_old_messages_of_a_case_still_kept_lose_only_their_addresses shows that."""
    settings.OUTBOX_RETENTION_DAYS = 100 * 365


def test_the_policy_is_in_settings_and_runs_daily_from_beat():
    assert settings.RETENTION_CLOSED_CASE_YEARS == 6
    assert settings.RETENTION_APPLICATION_MONTHS == 12
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "privacy.tasks.apply_retention"
    )  # fmt: skip
    schedule = entry["schedule"]
    assert schedule.hour == {2} and schedule.minute == {30} and len(schedule.day_of_week) == 7


def test_only_the_case_past_retention_is_anonymised(
    world, django_capture_on_commit_callbacks, case_rule_only
):
    old, recent = world.old, world.recent
    recent_before = snapshot(recent.case)
    files = [Path(d.file.path) for d in GeneratedDocument.objects.filter(case=old.case)]
    assert all(f.read_bytes()[:4] == b"%PDF" for f in files)

    result = run(django_capture_on_commit_callbacks)

    assert result.cases == [old.case.reference] and not result.failed
    # The recent case (closed last year) is untouched, to the last value and history row.
    assert snapshot(recent.case) == recent_before
    assert recent.case.parties.filter(full_name="Carol Evans").exists()

    case = Case.objects.get(pk=old.case.pk)
    # The statistics stay.
    assert (case.reference, case.dispute_type, case.referral_source) == (
        old.case.reference, "neighbour", "housing",
    )  # fmt: skip
    assert case.received_on == old.case.received_on and case.closed_on == old.case.closed_on
    assert (case.status, case.outcome, case.risk_violence) == ("closed", "full_agreement", True)
    assert case.referrer_organisation == "Town and Country Housing"
    assert case.parties.count() == 2 and case.log_entries.count() == 8  # 5 typed, 3 updates
    sessions = MediationSession.objects.filter(case=case).order_by("starts_at")
    assert [(s.kind, s.mode, s.status, s.starts_at) for s in sessions] == [
        (s.kind, s.mode, s.status, s.starts_at) for s in (old.separate, old.joint)
    ]
    assert sessions[1].parties.count() == 2 and sessions[1].mediators.count() == 2
    assert Consent.objects.filter(party__case=case).count() == 6
    assert case.agreements.get().terms.count() == 2
    assert CaseAssignment.objects.filter(case=case).count() == 2

    # The people go: names, contact details, addresses, notes, equality answers.
    assert list(case.parties.order_by("pk").values_list("full_name", flat=True)) == [
        "Party 1 (anonymised)", "Party 2 (anonymised)",
    ]  # fmt: skip
    # (Every other declared personal field: test_no_declared_personal_value_survives_*.)
    assert not case.parties.exclude(email="", phone="", postcode="", safeguarding_notes="").exists()
    assert case.summary == services.REMOVED and case.risk_notes == ""
    assert case.referrer_name == case.referrer_contact == ""
    assert set(case.log_entries.values_list("text", flat=True)) == {services.REMOVED}
    assert {(s.notes, s.venue) for s in sessions} == {("", "")}
    assert not Consent.objects.filter(party__case=case).exclude(notes="").exists()
    agreement = case.agreements.get()
    assert agreement.introduction == ""
    assert {(t.who, t.what, t.by_when) for t in agreement.terms.all()} == {
        ("", services.REMOVED, "")
    }
    assert set(
        AgreementSignature.objects.filter(agreement=agreement).values_list("note", flat=True)
    ) == {""}  # noqa: E501
    assert (
        CaseAssignment.objects.filter(case=case).exclude(override_reason="").get().override_reason
        == services.REMOVED
    )  # noqa: E501
    reminders = OutboxMessage.objects.filter(session__case=case)
    assert reminders.count() == 2
    assert {(r.address, json.dumps(r.context)) for r in reminders} == {("", "{}")}
    # Generated PDFs: the rows and the files.
    assert not GeneratedDocument.objects.filter(case=case).exists()
    assert not any(f.exists() for f in files)

    # Nothing personal is left anywhere in the case's rows.
    leftovers = snapshot(case)
    for secret in (*CAROL, *DAN, "Priya Shah", "fence", "Angel Centre", "tenancy"):
        assert secret not in leftovers, secret


def test_history_rows_of_the_anonymised_case_are_gone_and_the_others_remain(
    world, django_capture_on_commit_callbacks
):
    old_before, recent_before = history(world.old.case), history(world.recent.case)
    assert all(old_before.values()) and all(recent_before.values())

    run(django_capture_on_commit_callbacks)

    assert history(world.old.case) == dict.fromkeys(old_before, 0)
    assert history(world.recent.case) == recent_before
    # The history of the other case is still append-only: the bypass was for the service only.
    party_event = apps.get_model("parties.PartyEvent")
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        party_event.objects.filter(pgh_obj_id=world.recent.carol.pk).delete()
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        party_event.objects.filter(pgh_obj_id=world.recent.carol.pk).update(full_name="x")


def test_the_anonymisation_is_audited_with_counts_and_no_personal_data(
    world, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)

    event = AuditEvent.objects.get(case_reference=world.old.case.reference, action="delete")
    assert event.detail["anonymised"] == "retention"
    assert event.detail["parties"] == 2 and event.detail["log_entries"] == 8
    assert event.detail["documents"] == 2 and event.detail["history_rows"] > 10
    assert event.object_repr == world.old.case.reference and event.actor is None
    text = json.dumps([event.object_repr, event.detail])
    for secret in (*CAROL, *DAN):
        assert secret not in text


def test_running_twice_does_nothing_more(world, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    after_first = (
        snapshot(world.old.case),
        snapshot(world.recent.case),
        AuditEvent.objects.count(),
    )

    result = run(django_capture_on_commit_callbacks)

    assert result.cases == [] and result.volunteers == []
    assert (snapshot(world.old.case), snapshot(world.recent.case), AuditEvent.objects.count()) == (
        after_first
    )
    assert Anonymisation.objects.filter(case=world.old.case).count() == 1


def test_a_reopened_case_is_not_anonymised(world, django_capture_on_commit_callbacks):
    Case.objects.filter(pk=world.old.case.pk).update(status="contacting", closed_on=None)

    assert run(django_capture_on_commit_callbacks).cases == []
    assert world.old.case.parties.filter(full_name="Carol Evans").exists()


def test_dry_run_lists_what_would_go_and_changes_nothing(world):
    before = (snapshot(world.old.case), snapshot(world.recent.case), AuditEvent.objects.count())
    out = io.StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    output = out.getvalue()
    assert "Dry run" in output and world.old.case.reference in output
    assert world.recent.case.reference not in output
    assert "2 parties" in output and "8 log entries" in output and "2 documents" in output
    for secret in CAROL + DAN:
        assert secret not in output
    assert (snapshot(world.old.case), snapshot(world.recent.case), AuditEvent.objects.count()) == (
        before
    )
    assert not Anonymisation.objects.exists()


def test_the_command_and_the_task_apply_it(world, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=out)
    assert f"case {world.old.case.reference}" in out.getvalue()
    assert "Anonymised 1 case(s)" in out.getvalue()

    assert tasks.apply_retention() == {
        "cases": 0, "volunteers": 0, "outbox_messages": 0, "failed": 0,
    }  # fmt: skip


def test_old_messages_of_a_case_still_kept_lose_only_their_addresses(
    world, django_capture_on_commit_callbacks
):
    """The recent case (closed last year) is kept, but its reminders went more than
    OUTBOX_RETENTION_DAYS ago: the same run clears their address and context, and nothing
    else of the case."""
    recent = world.recent.case
    before = json.loads(snapshot(recent))

    result = run(django_capture_on_commit_callbacks)

    # The recent case's two, and the old case's two (cleared by its anonymisation, now marked).
    assert result.outbox_messages == {"session_reminder": 4}
    after = json.loads(snapshot(recent))
    messages = 5  # snapshot(): the case's outbox messages
    for row in after[messages]:
        assert (row["address"], row["context"]) == ("", {}) and row["scrubbed_at"]
        row.update(address="", context={}, scrubbed_at=None)
    for row in before[messages]:
        assert row["address"] and row["context"]
        row.update(address="", context={})
    assert after == before


def _created(volunteer, months_ago):
    Volunteer.objects.filter(pk=volunteer.pk).update(
        created_at=timezone.now() - relativedelta(months=months_ago)
    )


def test_unsuccessful_applications_are_anonymised_after_a_year(
    world, django_capture_on_commit_callbacks
):
    old_applicant = VolunteerFactory(
        first_name="Harriet", last_name="Quinn", email="harriet@example.org", phone="+447700900321",
        postcode="ME14 1XX", address="3 Mill Lane, Maidstone", languages="English, Welsh",
        status="applicant", notes="Applied after a talk at the library.",
    )  # fmt: skip
    DBSCheckFactory(volunteer=old_applicant)
    old_applicant.connections.create(person_name="Dan Fowler")
    login = UserFactory(username="harriet", first_name="Harriet", email="h@example.org")
    Volunteer.objects.filter(pk=old_applicant.pk).update(user=login)
    new_applicant = VolunteerFactory(first_name="Ivan", status="applicant")
    lapsed = VolunteerFactory(first_name="Jo", status="inactive")
    lapsed_mediator = VolunteerFactory(first_name="Kim", status="inactive")
    CaseAssignment.objects.create(
        case=world.recent.case, volunteer=lapsed_mediator, role="co_mediator",
        started_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2020, 2, 1),
    )  # fmt: skip
    for volunteer, months in ((old_applicant, 13), (new_applicant, 2), (lapsed, 30),
                              (lapsed_mediator, 40)):  # fmt: skip
        _created(volunteer, months)
    _created(world.pair[0], 60)  # a working mediator: never touched
    volunteer_event = apps.get_model("volunteers.VolunteerEvent")

    result = run(django_capture_on_commit_callbacks)

    assert sorted(result.volunteers) == sorted([old_applicant.pk, lapsed.pk])
    old_applicant.refresh_from_db()
    assert old_applicant.full_name == f"Volunteer {old_applicant.pk} (anonymised)"
    assert (old_applicant.email, old_applicant.phone, old_applicant.postcode) == ("", "", "")
    assert (old_applicant.address, old_applicant.languages, old_applicant.notes) == ("", "", "")
    assert old_applicant.status == "applicant" and old_applicant.user is None
    assert old_applicant.dbs_checks.get().certificate_number == ""
    assert not old_applicant.connections.exists()
    login.refresh_from_db()
    assert not login.is_active and login.email == "" and "Harriet" not in login.get_full_name()
    assert not login.has_usable_password()
    assert not volunteer_event.objects.filter(pgh_obj_id__in=[old_applicant.pk, lapsed.pk]).exists()
    assert (
        not apps.get_model("volunteers.DBSCheckEvent")
        .objects.filter(volunteer_id=old_applicant.pk)
        .exists()
    )
    for kept in (new_applicant, lapsed_mediator, world.pair[0]):
        kept.refresh_from_db()
        assert "anonymised" not in kept.full_name
        assert volunteer_event.objects.filter(pgh_obj_id=kept.pk).exists()
    event = AuditEvent.objects.get(object_type="volunteers.volunteer", action="delete",
                                   object_id=str(old_applicant.pk))  # fmt: skip
    assert "Harriet" not in json.dumps(event.detail) and event.detail["volunteers"] == 1

    assert run(django_capture_on_commit_callbacks).volunteers == []


def test_the_period_ends_on_the_anniversary_of_closing():
    today = timezone.localdate()
    due = CaseFactory(
        received_on=today - relativedelta(years=7), status="closed", outcome="withdrawn",
        closed_on=today - relativedelta(years=6),
    )  # fmt: skip
    not_yet = CaseFactory(
        received_on=today - relativedelta(years=7), status="closed", outcome="withdrawn",
        closed_on=today - relativedelta(years=6) + datetime.timedelta(days=1),
    )  # fmt: skip
    open_case = CaseFactory(received_on=today - relativedelta(years=9), status="contacting")

    assert list(services.cases_due(today)) == [due]
    assert not_yet not in services.cases_due(today) and open_case not in services.cases_due(today)


def test_one_failure_neither_undoes_nor_blocks_the_rest(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    other = CaseFactory(
        received_on=today - relativedelta(years=9), status="closed", outcome="withdrawn",
        closed_on=today - relativedelta(years=8),
    )  # fmt: skip
    real = services._anonymise_parties

    def fails_for_the_old_case(case, parties, counts):
        if case.pk == world.old.case.pk:
            raise RuntimeError("disk full")
        return real(case, parties, counts)

    monkeypatch.setattr(services, "_anonymise_parties", fails_for_the_old_case)

    result = run(django_capture_on_commit_callbacks)

    assert result.cases == [other.reference] and result.failed == [world.old.case.reference]
    old = Case.objects.get(pk=world.old.case.pk)
    assert "Carol Evans" in old.summary  # rolled back whole: not half anonymised
    assert old.parties.filter(full_name="Carol Evans").exists()
    monkeypatch.setattr(services, "_anonymise_parties", real)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=out)
    assert f"case {world.old.case.reference}" in out.getvalue()


def test_every_model_with_personal_fields_is_cleared_by_an_anonymisation_tested_here():
    """A model that declares a personal field must be in CASE_RECORDS or VOLUNTEER_RECORDS,
    so that the tests below plant values in it and look for them afterwards."""
    declaring = {m for m in declaring_models() if m.personal_data.cleared_by_anonymisation}
    assert declaring - set(CASE_RECORDS) - set(VOLUNTEER_RECORDS) == set()


def test_no_declared_personal_value_survives_in_a_case_past_retention(
    world, django_capture_on_commit_callbacks, case_rule_only
):
    for case in (world.old.case, world.recent.case):
        TraineeCase.objects.create(
            trainee=world.pair[1], case=case, co_mediator=world.pair[0], status="signed_off"
        )
        VolunteerHours.objects.create(
            volunteer=world.pair[0], case=case, activity="casework", date=case.received_on,
            hours=2,
        )  # fmt: skip
    old = plant(records(CASE_RECORDS, world.old.case))
    recent = plant(records(CASE_RECORDS, world.recent.case))

    run(django_capture_on_commit_callbacks)

    assert still_there(old) == []
    # The recent case keeps every one of them, in its rows.
    assert len([key for key in still_there(recent) if "history" not in key]) == len(recent)


def test_no_declared_personal_value_survives_in_an_anonymised_application(
    django_capture_on_commit_callbacks,
):
    applicant = VolunteerFactory(status="inactive")
    DBSCheckFactory(volunteer=applicant)
    TrainingFactory(volunteer=applicant)
    AccreditationFactory(volunteer=applicant)
    DeclaredConnectionFactory(volunteer=applicant, person_name="Dan Fowler")
    VolunteerHours.objects.create(
        volunteer=applicant, activity="training", date=datetime.date(2024, 1, 1), hours=3
    )
    OutboxMessage.objects.create(
        kind="dbs_expiry", channel="email", volunteer=applicant, address="a@example.org",
        due_at=timezone.now() - relativedelta(months=14), status="sent",
    )  # fmt: skip
    planted = plant(records(VOLUNTEER_RECORDS, applicant))
    _created(applicant, 13)

    assert run(django_capture_on_commit_callbacks).volunteers == [applicant.pk]

    assert still_there(planted) == []


def test_an_anonymised_case_keeps_no_link_to_the_person_who_referred_it(
    world, coordinator, django_capture_on_commit_callbacks, case_rule_only
):
    """The referrer's name is cleared, and so is the link to their record: the organisation's
    page no longer names them on that case, and renaming them later writes nothing back."""
    from referrers.services import contact_update
    from tests.factories import ReferrerContactFactory

    pat = ReferrerContactFactory(name="Pat Jones")
    for case in (world.old.case, world.recent.case):
        Case.objects.filter(pk=case.pk).update(
            referrer=pat.referrer, referrer_person=pat, referrer_name="Pat Jones"
        )

    run(django_capture_on_commit_callbacks)
    contact_update(contact=pat, by=coordinator, fields={"name": "Patricia Jones"})

    old = Case.objects.get(pk=world.old.case.pk)
    assert (old.referrer_person_id, old.referrer_name) == (None, "")
    assert old.referrer_id == pat.referrer_id  # the organisation is not personal: kept
    recent = Case.objects.get(pk=world.recent.case.pk)
    assert (recent.referrer_person_id, recent.referrer_name) == (pat.pk, "Patricia Jones")
