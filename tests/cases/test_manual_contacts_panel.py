"""The case page's "To phone or write" panel and its Done button: coordinators see and complete
the calls and letters due in place of messages; mediators neither (they do not contact parties
on the service's behalf); anyone out of the case's scope gets 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import ManualContact
from sessions.models import MediationSession
from tests.factories import assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(my_case):
    """A call to Alice Carter about a session of ``my_case`` (mediator's case) in three days."""
    start = timezone.now() + datetime.timedelta(days=3)
    session = MediationSession.objects.create(
        case=my_case,
        kind="separate",
        mode="office",
        venue="WKM office",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    alice = my_case.parties.get(full_name="Alice Carter")
    session.parties.set([alice])
    return ManualContact.objects.create(
        case=my_case,
        party=alice,
        session=session,
        kind="session_reminder",
        method="phone",
        reason="Prefers phone calls; their number is not a mobile.",
        due_at=start - datetime.timedelta(hours=48),
        dedupe_key=f"test:{session.pk}:{alice.pk}",
    )


def done_url(task):
    return reverse("cases:manual_contact_done", args=[task.case.reference, task.pk])


def test_a_coordinator_sees_the_calls_to_make_in_london_time(login, coordinator, task):
    html = login(coordinator).get(task.case.get_absolute_url()).content.decode()

    assert "To phone or write" in html
    assert "Phone call: Alice" in html
    due = timezone.localtime(task.due_at)
    assert f"due by {due:%a} {due.day} {due:%b %Y, %H:%M}" in html
    assert done_url(task) in html


def test_a_coordinator_marks_a_call_done(login, coordinator, task):
    response = login(coordinator).post(done_url(task))

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.done_by) == ("done", coordinator)
    html = login(coordinator).get(task.case.get_absolute_url()).content.decode()
    assert "To phone or write" not in html
    assert "Phoned Alice Carter to remind them of" in html


def test_the_mediator_of_the_case_neither_sees_nor_completes_it(login, mediator, task):
    client = login(mediator)

    assert "To phone or write" not in client.get(task.case.get_absolute_url()).content.decode()
    assert client.post(done_url(task)).status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


def test_a_mediator_of_another_case_gets_404(login, other_mediator, task, case):
    from tests.factories import CaseFactory

    assign(CaseFactory(), other_mediator)

    assert login(other_mediator).post(done_url(task)).status_code == 404


def test_a_task_of_another_case_is_404_through_this_one(login, coordinator, task):
    from tests.factories import CaseFactory

    other = CaseFactory()
    url = reverse("cases:manual_contact_done", args=[other.reference, task.pk])

    assert login(coordinator).post(url).status_code == 404


def test_done_needs_a_post(login, coordinator, task):
    assert login(coordinator).get(done_url(task)).status_code == 405


def test_a_task_already_done_says_so(login, coordinator, task):
    client = login(coordinator)
    client.post(done_url(task))

    response = client.post(done_url(task), follow=True)

    assert "This was already done." in response.content.decode()


def test_the_coordinators_home_counts_what_is_due_soon_with_a_link(login, coordinator, task):
    html = login(coordinator).get(reverse("home")).content.decode()

    assert "To phone or write in the next 2 days" in html
    assert f'href="{task.case.get_absolute_url()}#manual-contacts-heading"' in html
