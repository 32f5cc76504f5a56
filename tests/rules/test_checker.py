"""The invariant checker finds what breaks a rule however it came about (here: raw SQL, as a data
fix would), in a fixed number of queries; ``manage.py check_rules`` and the attention page show
it."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboxMessage
from rules.checker import find_breaches
from rules.selectors import breaches
from sessions.models import MediationSession, ServiceSettings
from tests.factories import (
    CaseFactory,
    PartyFactory,
    UserFactory,
    consent_all,
    eligible_volunteer,
    ready_case,
)
from tests.rules.conftest import topics
from volunteers.models import TraineeCase, Volunteer
from volunteers.services import assign_pair

pytestmark = pytest.mark.django_db


def sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# --- Whatever went round the services ------------------------------------------------------------

BYPASSES = {
    # rule 1: the volunteer is inactive, their assignment never ended
    "inactive": (
        "UPDATE volunteers_volunteer SET status = 'inactive' WHERE id = %(co)s",
        "Pair",
        "Needs a new mediator",
    ),
    # rule 4: the check is no longer current
    "dbs": (
        "UPDATE volunteers_dbscheck SET current_until = CURRENT_DATE - 1 "
        "WHERE volunteer_id = %(co)s",
        "DBS",
        "enhanced DBS check lapsed on",
    ),
    # rule 5: the training record is corrected to fewer hours
    "training": (
        "UPDATE volunteers_trainingrecord SET hours = 30 WHERE volunteer_id = %(co)s",
        "Training",
        "has 30 of 40 hours",
    ),
    # rule 6: the accreditation is revoked by hand
    "accreditation": (
        "UPDATE volunteers_accreditation SET revoked_on = CURRENT_DATE WHERE volunteer_id = %(co)s",
        "Accreditation",
        "no longer holds community accreditation",
    ),
    # rule 2: both made trainees
    "two_trainees": (
        "UPDATE volunteers_volunteer SET status = 'trainee' WHERE id IN (%(co)s, %(lead)s)",
        "Trainee",
        "paired with another trainee",
    ),
    # rule 7: consent withdrawn by hand
    "consent": (
        "UPDATE parties_consent SET withdrawn_at = now() "
        "WHERE kind = 'mediate' AND party_id = %(bob)s",
        "Consent",
        "Bob Dunn withdrew from mediation",
    ),
    # rule 1 / 7: the case closed by hand, its session left booked
    "closed": (
        "UPDATE cases_case SET status = 'closed', closed_on = CURRENT_DATE WHERE id = %(case)s",
        "Sessions",
        "is still booked, but the case is closed",
    ),
    # rule 8: a party's postcode changed by hand to a mediator's
    "postcode": (
        "UPDATE parties_party SET postcode = 'TN4 9LH' WHERE id = %(bob)s",
        "Impartiality",
        "shares a postcode (TN4 9LH) with Bob Dunn",
    ),
}


@pytest.mark.parametrize("name", BYPASSES)
def test_it_finds_a_breach_made_behind_the_services(name, coordinator, book):
    case = ready_case()
    lead = eligible_volunteer(postcode="ME15 6RT")
    co = eligible_volunteer(postcode="TN4 9LH")
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    session = book(case, kind="joint", days=5)
    ids = {
        "case": case.pk,
        "lead": lead.pk,
        "co": co.pk,
        "bob": case.parties.get(full_name="Bob Dunn").pk,
        "session": session.pk,
    }
    assert not find_breaches()
    statement, topic, reason = BYPASSES[name]

    sql(statement % ids)

    found = [b for b in find_breaches() if b.topic == topic]
    assert found and reason in " ".join(b.reason for b in found)


def test_it_finds_a_trainee_case_left_with_the_old_supervisor(coordinator, supervisor):
    case = ready_case()
    trainee = eligible_volunteer(status="trainee", supervisor=supervisor)
    assign_pair(case=case, lead=eligible_volunteer(), co_mediator=trainee, by=coordinator)
    new = UserFactory(username="new_supervisor", roles=["Supervisor"])

    Volunteer.objects.filter(pk=trainee.pk).update(supervisor=new)

    assert "Supervision" in topics(case)
    assert TraineeCase.objects.get().supervisor == supervisor


def test_it_finds_a_message_waiting_for_someone_who_withdrew(team, book, coordinator):
    session = book(team.case, days=4)
    sql(
        "UPDATE parties_consent SET withdrawn_at = now() "
        "WHERE kind = 'data_processing' AND party_id = %s",
        team.bob.pk,
    )

    found = [b for b in find_breaches() if b.topic == "Messages"]

    assert len(found) == session.reminders.filter(party=team.bob, status="pending").count() == 2


def test_it_finds_home_visits_booked_while_they_are_suspended(team, book, administrator):
    from sessions.services import home_visits_suspend

    visit = book(team.case, mode="home_visit", days=5)
    home_visits_suspend(by=administrator, reason="Storm damage")

    found = [b for b in find_breaches() if b.topic == "Home visits"]

    assert [b.url for b in found] == [
        f"/cases/{team.case.reference}/sessions/{visit.pk}/reschedule/"
    ]
    ServiceSettings.objects.filter(pk=1).update(home_visits_suspended=False)
    assert not find_breaches()


def test_it_finds_volunteer_records_that_break_a_rule(db):
    mediator = eligible_volunteer(accredited=())
    trainee = eligible_volunteer(status="trainee")
    Volunteer.objects.filter(pk=trainee.pk).update(supervisor=None)

    found = {(b.volunteer_id, b.topic) for b in find_breaches()}

    assert found == {(mediator.pk, "Volunteer"), (trainee.pk, "Volunteer")}


def test_it_leaves_closed_cases_alone(team, coordinator):
    MediationSession.objects.filter(case=team.case).delete()
    sql(
        "UPDATE cases_case SET status = 'closed', closed_on = CURRENT_DATE WHERE id = %s",
        team.case.pk,
    )
    sql("UPDATE volunteers_volunteer SET status = 'inactive' WHERE id = %s", team.co.pk)

    assert not find_breaches(with_volunteers=False)


# --- manage.py check_rules ------------------------------------------------------------------------


def test_check_rules_is_quiet_on_the_demo_data_and_names_a_case_broken_by_hand(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo password for tests")
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()

    call_command("check_rules", stdout=out)  # returns: the command exits 0
    assert out.getvalue() == "No problems: every open case and volunteer keeps the rules.\n"

    mediator = Volunteer.objects.get(user__username="mediator")
    sql("UPDATE volunteers_volunteer SET status = 'inactive' WHERE id = %s", mediator.pk)
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("check_rules", stdout=out)

    assert error.value.returncode == 1  # manage.py exits with it
    active = mediator.assignments.filter(case__status="active").get().case
    assert f"{active.reference}\trule 1\tPair\tNeeds a new mediator" in out.getvalue()
    assert str(error.value).endswith("found.")


# --- Queries and the cache ------------------------------------------------------------------------


def broken_cases(n, coordinator):
    """``n`` active cases, each with a half pair, a lapsed DBS check and a party without consent."""
    for _ in range(n):
        case = CaseFactory(status="active")
        consent_all(PartyFactory(case=case, full_name="Alice Carter", postcode="TN9 1AA"))
        PartyFactory(case=case, full_name="Ed New", postcode="TN9 1AB")
        volunteer = eligible_volunteer()
        sql(
            "UPDATE volunteers_dbscheck SET current_until = CURRENT_DATE - 1 "
            "WHERE volunteer_id = %s",
            volunteer.pk,
        )
        case.assignments.create(volunteer=volunteer, role="lead", started_on=timezone.localdate())


def test_it_asks_the_same_number_of_queries_for_few_or_many_cases(coordinator):
    broken_cases(2, coordinator)
    with CaptureQueriesContext(connection) as few:
        found_few = find_breaches()
    broken_cases(20, coordinator)

    with CaptureQueriesContext(connection) as many:
        found_many = find_breaches()

    assert len(many) == len(few) <= 15
    assert len(found_many) == 11 * len(found_few) == 22 * 3


def test_pages_ask_one_query_while_nothing_changed(coordinator, django_assert_num_queries):
    broken_cases(2, coordinator)
    first = breaches()

    with django_assert_num_queries(1):
        assert breaches() == first

    sql("UPDATE volunteers_volunteer SET status = 'inactive'")  # seen by the history triggers
    assert breaches() != first


def test_the_attention_page_lists_everything_for_coordinators_only(coordinator, mediator, login):
    broken_cases(3, coordinator)

    html = login(coordinator).get("/attention/").content.decode()

    assert html.count("Needs a new mediator") == 3
    assert html.count("Ed New has not consented") == 3
    assert login(mediator).get("/attention/").status_code == 403


def test_the_home_page_shows_the_first_twenty_and_counts_them_all(coordinator, login):
    broken_cases(8, coordinator)

    html = login(coordinator).get("/").content.decode()
    panel = html[html.index('id="attention-heading"') : html.index('id="not-contacted"')]

    assert '<span class="badge text-bg-warning">24</span>' in panel
    assert panel.count("<tr>") == 21  # the header and twenty rows
    assert "All 24 things that need attention" in panel


def test_the_daily_digest_names_cases_but_no_people(coordinator):
    from notifications.messages import render_message
    from rules.jobs import queue_rule_digest

    broken_cases(1, coordinator)
    queue_rule_digest()

    message = render_message(OutboxMessage.objects.get(kind="rule_digest"))
    assert "1 case or volunteer record" in message.text or "1 case" in message.text
    assert "Pair, DBS, Consent" in message.text
    assert "Ed New" not in message.text and "Alice" not in message.text
    assert message.subject == "1 case or volunteer needs attention"


def test_the_checker_keeps_no_state_between_days(coordinator, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    broken_cases(1, coordinator)
    today = breaches()
    time_machine.shift(datetime.timedelta(days=1))
    assert breaches() == today  # recomputed (a new day), the same facts


def test_a_mediator_is_told_plainly_that_the_list_is_not_for_them(mediator, login):
    response = login(mediator).get("/attention/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "This page is not available to you" in html and 'href="/"' in html
