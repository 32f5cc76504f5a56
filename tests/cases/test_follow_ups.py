"""Follow-ups: a closed case's follow-up is done when a contact is logged on or after its date,
or when a coordinator marks it done; then it leaves the home page panel, the case list's
"Follow-up due" filter and the daily reminders."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases.filters import CaseFilter
from cases.models import Case
from notifications import jobs
from notifications.models import OutboxMessage
from reports.home import coordinator_panels
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def due_case(coordinator, *, follow_up_on=TODAY - 3 * DAY):
    case = CaseFactory(
        status="closed",
        outcome="full_agreement",
        closed_on=follow_up_on - 90 * DAY,
        follow_up_on=follow_up_on,
        coordinator=coordinator,
    )
    case.parties.create(full_name="Alice Carter", role="first_party")
    return case


def at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    """``hour`` o'clock on ``day``, or now if that is later today (a contact cannot be logged
    in the future: at 01:00 an 11:00 call today was refused)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now())


def log(case, coordinator, *, kind="call", day=TODAY, is_draft=False):
    return services.log_entry_add(
        case=case, by=coordinator, kind=kind, text="Rang to see how things are.",
        occurred_at=at(day), is_draft=is_draft,
    )  # fmt: skip


def is_due(case) -> bool:
    rows = coordinator_panels()["follow_ups_due"]["rows"]
    return case.pk in {row.pk for row in rows}


def test_a_call_on_or_after_the_follow_up_date_is_the_follow_up(coordinator):
    case = due_case(coordinator)
    assert is_due(case)

    log(case, coordinator, day=TODAY - DAY)

    case.refresh_from_db()
    assert case.follow_up_done_on == TODAY - DAY
    assert not is_due(case)
    assert not CaseFilter({"follow_up_due": "true"}, queryset=Case.objects.all()).qs.exists()
    assert AuditEvent.objects.filter(
        case_reference=case.reference, detail__follow_up_done_on=(TODAY - DAY).isoformat()
    ).exists()


@pytest.mark.parametrize(
    "kind, day, is_draft",
    [
        ("note", TODAY, False),  # a note is not contact
        ("call", TODAY, True),  # nor is a draft
        ("call", TODAY - 10 * DAY, False),  # nor a call before the follow-up date
    ],
)
def test_other_entries_leave_the_follow_up_due(coordinator, kind, day, is_draft):
    case = due_case(coordinator)

    log(case, coordinator, kind=kind, day=day, is_draft=is_draft)

    case.refresh_from_db()
    assert case.follow_up_done_on is None
    assert is_due(case)


def test_publishing_a_draft_call_does_the_follow_up(coordinator):
    case = due_case(coordinator)
    draft = log(case, coordinator, is_draft=True)

    services.log_entry_update(entry=draft, by=coordinator, fields={"is_draft": False})

    case.refresh_from_db()
    assert case.follow_up_done_on == TODAY


def test_a_coordinator_marks_it_done_once(coordinator):
    case = due_case(coordinator)

    services.follow_up_done(case=case, by=coordinator)

    assert Case.objects.get(pk=case.pk).follow_up_done_on == TODAY
    assert not is_due(case)
    with pytest.raises(ValidationError, match="already marked as done"):
        services.follow_up_done(case=case, by=coordinator)


def test_an_open_case_or_one_without_a_follow_up_has_none_to_mark(case, coordinator):
    with pytest.raises(ValidationError, match="no follow-up"):
        services.follow_up_done(case=case, by=coordinator)
    no_follow_up = due_case(coordinator)
    Case.objects.filter(pk=no_follow_up.pk).update(follow_up_on=None)
    with pytest.raises(ValidationError, match="no follow-up"):
        services.follow_up_done(case=no_follow_up, by=coordinator)


def test_reopening_and_closing_again_starts_a_new_follow_up(coordinator):
    case = due_case(coordinator)
    services.follow_up_done(case=case, by=coordinator)

    services.case_reopen(case=case, by=coordinator, reason="The noise started again.")
    assert Case.objects.get(pk=case.pk).follow_up_done_on is None
    services.case_close(
        case=case, by=coordinator, outcome="withdrawn", closed_on=TODAY, follow_up_on=TODAY
    )

    assert Case.objects.get(pk=case.pk).follow_up_done_on is None
    assert is_due(case)


def test_no_reminder_is_sent_for_a_follow_up_done(coordinator):
    done = due_case(coordinator)
    services.follow_up_done(case=done, by=coordinator)
    waiting = due_case(coordinator)

    assert jobs.queue_follow_ups() == 1
    assert jobs.queue_follow_ups() == 0
    (reminder,) = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.FOLLOW_UP)
    assert reminder.context["reference"] == waiting.reference


def test_the_panel_lists_the_longest_overdue_first(coordinator):
    recent = due_case(coordinator, follow_up_on=TODAY - DAY)
    oldest = due_case(coordinator, follow_up_on=TODAY - 40 * DAY)

    rows = coordinator_panels()["follow_ups_due"]["rows"]

    assert [row.pk for row in rows] == [oldest.pk, recent.pk]


def test_the_case_page_button_marks_it_done_for_a_coordinator(login, coordinator):
    case = due_case(coordinator)
    client = login(coordinator)
    assert "Mark the follow-up as done" in client.get(case.get_absolute_url()).content.decode()

    response = client.post(f"{case.get_absolute_url()}follow-up-done/", follow=True)

    html = response.content.decode()
    assert "is marked as done" in html
    assert f"Followed up on {TODAY:%-d %b %Y}" in html
    assert "Mark the follow-up as done" not in html


def test_a_contact_still_saves_when_someone_else_just_marked_the_follow_up_done(coordinator):
    case = due_case(coordinator)
    stale = Case.objects.get(pk=case.pk)  # the page that logs the call loaded it before
    services.follow_up_done(case=case, by=coordinator)

    entry = log(stale, coordinator)

    assert entry.pk is not None
    assert Case.objects.get(pk=case.pk).follow_up_done_on == TODAY


def test_the_migration_marks_follow_ups_already_done_by_a_logged_contact(coordinator):
    from django.db import connection

    from cases.models import ContactLogEntry

    migration = __import__("cases.migrations.0007_backfill_follow_ups_done", fromlist=["BACKFILL"])
    called = due_case(coordinator, follow_up_on=TODAY - 30 * DAY)
    too_early = due_case(coordinator, follow_up_on=TODAY - 30 * DAY)
    only_a_note = due_case(coordinator, follow_up_on=TODAY - 30 * DAY)
    for case, kind, day in (
        (called, "call", TODAY - 20 * DAY),
        (called, "letter", TODAY - 10 * DAY),
        (too_early, "call", TODAY - 40 * DAY),
        (only_a_note, "note", TODAY - 5 * DAY),
    ):  # written directly, as before the service marked follow-ups done
        ContactLogEntry.objects.create(case=case, kind=kind, text="x", occurred_at=at(day))

    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)

    done = dict(Case.objects.values_list("pk", "follow_up_done_on"))
    assert done[called.pk] == TODAY - 20 * DAY
    assert done[too_early.pk] is None and done[only_a_note.pk] is None
