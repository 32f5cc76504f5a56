"""Volunteer records at /volunteers/: who may see and change what, the forms, the DBS policy on
the pages, the list's filters and its constant query count, the coordinator's DBS panel."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from tests.factories import (
    AccreditationFactory,
    AssignmentFactory,
    CaseFactory,
    DBSCheckFactory,
    TrainingFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import (
    Accreditation,
    Availability,
    DBSCheck,
    DeclaredConnection,
    TraineeCase,
    TrainingRecord,
    Volunteer,
)
from volunteers.selectors import dbs_attention

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def dbs_until(volunteer, until):
    """Give ``volunteer`` a check current until ``until`` (3 years after issue)."""
    return DBSCheckFactory(volunteer=volunteer, issued_on=until - relativedelta(years=3))


@pytest.fixture
def stranger(db):
    return VolunteerFactory(first_name="Sam", last_name="Stranger", email="sam@example.org")


@pytest.fixture
def own_volunteer(mediator):
    return VolunteerFactory(user=mediator, first_name="Mo", last_name="Mediator")


def url(name, volunteer=None, **kwargs):
    if volunteer is not None:
        kwargs["pk"] = volunteer.pk
    return reverse(f"volunteers:{name}", kwargs=kwargs)


PER_VOLUNTEER = ["detail", "edit", "dbs_new", "training_new", "accreditation_new"]
PER_VOLUNTEER += ["connection_new", "availability"]
COORDINATOR_ONLY = ["edit", "dbs_new", "training_new", "connection_new"]


def signed_off_cases(trainee, supervisor, count):
    for _ in range(count):
        TraineeCase.objects.create(
            trainee=trainee,
            case=CaseFactory(status="active"),
            co_mediator=VolunteerFactory(),
            supervisor=supervisor,
            status=TraineeCase.Status.SIGNED_OFF,
            signed_by=supervisor,
            signed_at=timezone.now(),
        )


# --- Who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "new"])
def test_it_sends_anonymous_users_to_log_in_from_the_list_pages(client, name):
    response = client.get(url(name))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", PER_VOLUNTEER)
def test_it_sends_anonymous_users_to_log_in_from_a_volunteer(client, stranger, name):
    response = client.get(url(name, stranger))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", ["list", "new"])
def test_it_opens_every_page_to_a_coordinator(login, coordinator, name):
    assert login(coordinator).get(url(name)).status_code == 200


@pytest.mark.parametrize("name", PER_VOLUNTEER)
def test_it_opens_every_volunteer_page_to_a_coordinator(login, coordinator, stranger, name):
    assert login(coordinator).get(url(name, stranger)).status_code == 200


@pytest.mark.parametrize("cast", ["mediator", "no_role_user"])
@pytest.mark.parametrize("name", ["list", "new"])
def test_it_refuses_the_list_and_new_pages_to_others(request, login, cast, name):
    client = login(request.getfixturevalue(cast))

    assert client.get(url(name)).status_code == 403


def test_it_refuses_adding_a_volunteer_to_a_supervisor(login, supervisor):
    response = login(supervisor).post(url("new"), {"first_name": "A", "last_name": "B"})

    assert response.status_code == 403
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize("name", PER_VOLUNTEER)
def test_it_hides_another_volunteer_from_a_mediator(login, mediator, own_volunteer, stranger, name):
    assert login(mediator).get(url(name, stranger)).status_code == 404


def test_it_shows_a_mediator_their_own_record_read_only(login, mediator, own_volunteer):
    html = login(mediator).get(url("detail", own_volunteer)).content.decode()

    assert "Mo Mediator" in html
    assert url("edit", own_volunteer) not in html
    assert url("dbs_new", own_volunteer) not in html
    assert url("accreditation_new", own_volunteer) not in html
    assert url("availability", own_volunteer) in html  # they keep their own availability


@pytest.mark.parametrize("name", COORDINATOR_ONLY + ["accreditation_new"])
def test_it_refuses_a_mediator_changes_to_their_own_record(login, mediator, own_volunteer, name):
    client = login(mediator)

    assert client.get(url(name, own_volunteer)).status_code == 403
    assert client.post(url(name, own_volunteer), {}).status_code == 403


def test_it_lists_only_a_supervisors_trainees(login, supervisor, trainee, stranger):
    html = login(supervisor).get(url("list")).content.decode()

    assert "Trainee, Tess" in html
    assert "Stranger" not in html
    assert url("new") not in html


def test_it_shows_a_supervisor_their_trainee_read_only(login, supervisor, trainee):
    html = login(supervisor).get(url("detail", trainee)).content.decode()

    assert "Tess Trainee" in html
    assert url("edit", trainee) not in html
    assert url("dbs_new", trainee) not in html
    assert url("availability", trainee) not in html
    assert url("accreditation_new", trainee) in html  # supervisors grant accreditation


@pytest.mark.parametrize("name", PER_VOLUNTEER)
def test_it_hides_other_volunteers_from_a_supervisor(login, supervisor, trainee, stranger, name):
    assert login(supervisor).get(url(name, stranger)).status_code == 404


@pytest.mark.parametrize("name", COORDINATOR_ONLY + ["availability"])
def test_it_refuses_a_supervisor_changes_to_their_trainee(login, supervisor, trainee, name):
    client = login(supervisor)

    assert client.get(url(name, trainee)).status_code == 403
    assert client.post(url(name, trainee), {}).status_code == 403


def test_it_refuses_a_status_check_to_a_supervisor(login, supervisor, trainee):
    check = DBSCheckFactory(volunteer=trainee, update_service=True)

    response = login(supervisor).post(
        url("dbs_status_check", trainee, check_pk=check.pk),
        {"last_status_check_on": TODAY.isoformat()},
    )

    assert response.status_code == 403


def test_it_audits_each_view_of_a_volunteer(login, coordinator, stranger):
    login(coordinator).get(url("detail", stranger))

    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert event.object_type == "volunteers.volunteer"
    assert event.object_id == str(stranger.pk)
    assert event.actor == coordinator
    assert "Stranger" not in event.object_repr  # no names in the audit trail


# --- The volunteer form -------------------------------------------------------------------------


def volunteer_data(**overrides):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya@example.org",
        "phone": "07911 123456",
        "address": "3 High Street\nTonbridge",
        "postcode": "tn9 1aa",
        "languages": "English, Gujarati",
        "status": "applicant",
    }
    data.update(overrides)
    return data


def test_it_adds_a_volunteer_with_a_normalised_postcode_and_phone(login, coordinator):
    login_user = UserFactory(username="priya", first_name="Priya", last_name="Shah")

    client = login(coordinator)

    response = client.post(url("new"), volunteer_data(user=login_user.pk))

    volunteer = Volunteer.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", volunteer)
    assert (volunteer.postcode, volunteer.phone) == ("TN9 1AA", "+447911123456")
    assert volunteer.user == login_user
    assert "07911 123456" in client.get(url("detail", volunteer)).content.decode()
    assert AuditEvent.objects.filter(action="create", object_id=str(volunteer.pk)).exists()


def test_it_refuses_a_bad_postcode_and_keeps_what_was_typed(login, coordinator):
    response = login(coordinator).post(url("new"), volunteer_data(postcode="TN9 XYZ"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a UK postcode" in html
    assert re.search(r'id="error_\d+_id_postcode"', html)  # next to the field
    assert 'value="Priya"' in html and "English, Gujarati" in html
    assert not Volunteer.objects.exists()


def test_it_offers_only_free_logins_and_supervisors(login, coordinator, supervisor, stranger):
    taken = UserFactory(username="taken")
    VolunteerFactory(user=taken)
    free = UserFactory(username="free", first_name="Fran", last_name="Free")
    UserFactory(username="gone", is_active=False)

    html = login(coordinator).get(url("new")).content.decode()
    user_select = re.search(r'<select name="user".*?</select>', html, re.S).group(0)
    supervisor_select = re.search(r'<select name="supervisor".*?</select>', html, re.S).group(0)

    assert f'value="{free.pk}"' in user_select and "Fran Free (free)" in user_select
    assert f'value="{taken.pk}"' not in user_select
    assert "(gone)" not in user_select
    assert f'value="{supervisor.pk}"' in supervisor_select
    assert f'value="{coordinator.pk}"' not in supervisor_select


def test_it_keeps_a_volunteers_own_login_on_edit(login, coordinator, mediator, own_volunteer):
    html = login(coordinator).get(url("edit", own_volunteer)).content.decode()
    user_select = re.search(r'<select name="user".*?</select>', html, re.S).group(0)

    assert re.search(rf'value="{mediator.pk}"[^>]*selected', user_select)


def test_it_edits_a_volunteer_through_the_service(login, coordinator, stranger):
    data = volunteer_data(first_name="Samuel", last_name="Stranger", status="inactive")

    response = login(coordinator).post(url("edit", stranger), data)

    assert response.status_code == 302
    stranger.refresh_from_db()
    assert (stranger.first_name, stranger.status, stranger.postcode) == (
        "Samuel",
        "inactive",
        "TN9 1AA",
    )
    assert AuditEvent.objects.filter(action="change", object_id=str(stranger.pk)).exists()


def test_it_shows_the_services_refusal_to_make_a_trainee_a_mediator(login, coordinator, trainee):
    data = volunteer_data(first_name="Tess", last_name="Trainee", status="mediator")

    response = login(coordinator).post(url("edit", trainee), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "three signed-off trainee cases (or, for someone" in html
    assert re.search(r'id="error_\d+_id_status"', html)
    trainee.refresh_from_db()
    assert trainee.status == "trainee"


# --- DBS ---------------------------------------------------------------------------------------


def test_it_refuses_an_11_digit_dbs_certificate_number(login, coordinator, stranger):
    response = login(coordinator).post(
        url("dbs_new", stranger),
        {"certificate_number": "00123456789", "enhanced": "on", "issued_on": days(-10)},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "A DBS certificate number has 12 digits." in html
    assert 'value="00123456789"' in html
    assert not DBSCheck.objects.exists()


def test_it_records_a_dbs_check_current_for_three_years(login, coordinator, stranger):
    issued = datetime.date(2025, 2, 14)
    client = login(coordinator)

    response = client.post(
        url("dbs_new", stranger),
        {"certificate_number": "001234567890", "enhanced": "on", "issued_on": issued},
    )

    assert response.status_code == 302
    check = DBSCheck.objects.get()
    assert check.current_until == datetime.date(2028, 2, 14)
    assert check.recorded_by == coordinator
    html = client.get(url("detail", stranger)).content.decode()
    assert "Current until 14 Feb 2028" in html
    assert "Certificate 001234567890" in html


def test_it_records_an_update_service_status_check(login, coordinator, stranger):
    check = DBSCheckFactory(
        volunteer=stranger, update_service=True, issued_on=TODAY - relativedelta(years=3, days=5)
    )
    client = login(coordinator)
    detail = client.get(url("detail", stranger)).content.decode()
    assert "Record an Update Service status check" in detail
    assert url("dbs_status_check", stranger, check_pk=check.pk) in detail

    response = client.post(
        url("dbs_status_check", stranger, check_pk=check.pk),
        {"last_status_check_on": TODAY.isoformat()},
    )

    assert response.status_code == 302
    check.refresh_from_db()
    assert check.last_status_check_on == TODAY
    assert check.current_until == TODAY + relativedelta(months=12)


def test_it_shows_a_status_check_refusal_next_to_the_date(login, coordinator, stranger):
    check = DBSCheckFactory(volunteer=stranger, update_service=True)

    response = login(coordinator).post(
        url("dbs_status_check", stranger, check_pk=check.pk),
        {"last_status_check_on": days(3).isoformat()},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The status check cannot be in the future." in html
    assert re.search(r'id="error_\d+_id_last_status_check_on"', html)
    check.refresh_from_db()
    assert check.last_status_check_on is None


def test_it_offers_no_status_check_for_a_check_off_the_update_service(login, coordinator, stranger):
    DBSCheckFactory(volunteer=stranger, update_service=False)

    html = login(coordinator).get(url("detail", stranger)).content.decode()

    assert "Record an Update Service status check" not in html


def test_it_finds_a_status_check_only_among_the_volunteers_own(login, coordinator, stranger):
    other_check = DBSCheckFactory(update_service=True)

    response = login(coordinator).post(
        url("dbs_status_check", stranger, check_pk=other_check.pk),
        {"last_status_check_on": TODAY.isoformat()},
    )

    assert response.status_code == 404


# --- Training, accreditation, connections -------------------------------------------------------


def test_it_totals_completed_community_course_hours(login, coordinator, stranger):
    client = login(coordinator)
    TrainingFactory(volunteer=stranger, hours=24)
    TrainingFactory(volunteer=stranger, hours=10, completed_on=None)  # still in progress

    response = client.post(
        url("training_new", stranger),
        {"course": "community", "hours": "12.5", "completed_on": days(-1), "notes": "Role play"},
    )

    assert response.status_code == 302
    assert TrainingRecord.objects.filter(volunteer=stranger).count() == 3
    html = client.get(url("detail", stranger)).content.decode()
    assert "36.5 of 40 hours completed" in html
    assert "not yet enough to be assigned" in html


def test_it_refuses_training_hours_out_of_range(login, coordinator, stranger):
    response = login(coordinator).post(
        url("training_new", stranger), {"course": "community", "hours": "600"}
    )

    assert "Enter the hours, between 0.5 and 500." in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_it_shows_the_rule_6_refusal_to_accredit_a_trainee(login, supervisor, trainee):
    signed_off_cases(trainee, supervisor, 2)
    client = login(supervisor)
    assert "2 of 3 supervised community cases signed off" in (
        client.get(url("accreditation_new", trainee)).content.decode()
    )

    response = client.post(
        url("accreditation_new", trainee), {"kind": "community", "granted_on": TODAY}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Tess Trainee has 2 of 3 supervised community cases signed off." in html
    assert re.search(r'id="error_\d+_id_kind"', html)
    assert not Accreditation.objects.exists()


def test_it_lets_a_supervisor_accredit_a_trainee_after_three_sign_offs(login, supervisor, trainee):
    signed_off_cases(trainee, supervisor, 3)
    client = login(supervisor)

    response = client.post(
        url("accreditation_new", trainee), {"kind": "community", "granted_on": TODAY}
    )

    assert response.status_code == 302
    accreditation = Accreditation.objects.get(volunteer=trainee)
    assert accreditation.granted_by == supervisor
    trainee.refresh_from_db()
    assert trainee.status == "mediator"
    html = client.get(url("detail", trainee)).content.decode()
    assert f"granted {TODAY:%-d %b %Y} by {escape(supervisor.get_full_name())}" in html


def test_it_shows_a_trainees_cases_and_sign_offs(login, coordinator, supervisor, trainee):
    signed_off_cases(trainee, supervisor, 1)

    html = login(coordinator).get(url("detail", trainee)).content.decode()

    assert "1 of 3 signed off." in html
    assert TraineeCase.objects.get().case.reference in html


def test_it_declares_a_connection_with_a_normalised_postcode(login, coordinator, stranger):
    response = login(coordinator).post(
        url("connection_new", stranger),
        {"person_name": "Bob Dunn", "street": "", "postcode": "tn91ab", "note": "Neighbour"},
    )

    assert response.status_code == 302
    connection_ = DeclaredConnection.objects.get()
    assert (connection_.person_name, connection_.postcode) == ("Bob Dunn", "TN9 1AB")


def test_it_refuses_an_empty_connection(login, coordinator, stranger):
    response = login(coordinator).post(url("connection_new", stranger), {"note": "Who?"})

    assert "Give a person&#x27;s name, a street or a postcode." in response.content.decode()
    assert not DeclaredConnection.objects.exists()


# --- Availability ------------------------------------------------------------------------------


def test_it_round_trips_the_availability_grid(login, coordinator, stranger):
    Availability.objects.create(volunteer=stranger, weekday=6, part_of_day="evening")
    client = login(coordinator)

    response = client.post(
        url("availability", stranger), {"slots": ["0-morning", "2-evening", "4-afternoon"]}
    )

    assert response.status_code == 302
    assert sorted(stranger.availability.values_list("weekday", "part_of_day")) == [
        (0, "morning"),
        (2, "evening"),
        (4, "afternoon"),
    ]
    form = client.get(url("availability", stranger)).content.decode()
    checked = re.findall(r'name="slots" value="([^"]+)"[^>]*checked', form)
    assert checked == ["0-morning", "2-evening", "4-afternoon"]
    assert '<label class="visually-hidden" for="slot-0-morning">Monday morning</label>' in form


def test_it_clears_availability_when_nothing_is_ticked(login, mediator, own_volunteer):
    Availability.objects.create(volunteer=own_volunteer, weekday=1, part_of_day="morning")

    response = login(mediator).post(url("availability", own_volunteer), {})

    assert response.status_code == 302
    assert not own_volunteer.availability.exists()


def test_it_refuses_an_unknown_availability_slot(login, coordinator, stranger):
    response = login(coordinator).post(url("availability", stranger), {"slots": ["9-midnight"]})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not stranger.availability.exists()


# --- The list ----------------------------------------------------------------------------------


@pytest.fixture
def dbs_cast(db):
    """One volunteer in each DBS state."""
    current = VolunteerFactory(first_name="Cora", last_name="Current")
    dbs_until(current, days(400))
    expiring = VolunteerFactory(first_name="Evan", last_name="Expiring")
    dbs_until(expiring, days(30))
    dbs_until(expiring, days(-500))  # an older check does not matter
    expired = VolunteerFactory(first_name="Ezra", last_name="Expired")
    dbs_until(expired, days(-1))
    missing = VolunteerFactory(first_name="Mia", last_name="Missing")
    DBSCheckFactory(volunteer=missing, enhanced=False)  # a basic check is never current
    return {"current": current, "expiring": expiring, "expired": expired, "missing": missing}


def rows_listed(html):
    """The names in the list, in order (Faker can give two volunteers the same name)."""
    return re.findall(r'<th scope="row"><a href="/volunteers/\d+/">([^<]+)</a>', html)


def names_listed(html):
    return set(rows_listed(html))


@pytest.mark.parametrize("state", ["current", "expiring", "expired", "missing"])
def test_it_filters_the_list_by_dbs_state(login, coordinator, dbs_cast, state):
    html = login(coordinator).get(url("list"), {"dbs": state}).content.decode()

    volunteer = dbs_cast[state]
    assert names_listed(html) == {f"{volunteer.last_name}, {volunteer.first_name}"}


def test_it_labels_each_dbs_state_in_words(login, coordinator, dbs_cast):
    html = login(coordinator).get(url("list")).content.decode()

    assert f'Current</span> <span class="small">until {days(400):%-d %b %Y}' in html
    assert f'Expiring</span> <span class="small">{days(30):%-d %b %Y}' in html
    assert f'Expired</span> <span class="small">{days(-1):%-d %b %Y}' in html
    assert "Missing</span>" in html


def test_it_treats_a_check_ending_today_as_expiring_not_expired(login, coordinator):
    volunteer = VolunteerFactory(last_name="Lastday")
    dbs_until(volunteer, TODAY)
    client = login(coordinator)

    assert "Lastday" in client.get(url("list"), {"dbs": "expiring"}).content.decode()
    assert "Lastday" not in client.get(url("list"), {"dbs": "expired"}).content.decode()


def test_it_searches_and_filters_the_list(login, coordinator):
    priya = VolunteerFactory(first_name="Priya", last_name="Shah", email="p.shah@example.org")
    AccreditationFactory(volunteer=priya, kind="parent_teen")
    VolunteerFactory(first_name="Owen", last_name="Price", status="applicant")
    client = login(coordinator)

    def listed(**params):
        return names_listed(client.get(url("list"), params).content.decode())

    assert listed(q="shah") == {"Shah, Priya"}
    assert listed(q="p.shah@") == {"Shah, Priya"}
    assert listed(status="applicant") == {"Price, Owen"}
    assert listed(accreditation="parent_teen") == {"Shah, Priya"}
    assert listed(accreditation="restorative") == set()


def test_it_counts_each_volunteers_active_caseload_once(login, coordinator):
    volunteer = VolunteerFactory(first_name="Ada", last_name="Busy")
    for until in (days(-800), days(-400), days(300)):  # three checks must not triple the count
        dbs_until(volunteer, until)
    AccreditationFactory(volunteer=volunteer, kind="community")
    AccreditationFactory(volunteer=volunteer, kind="parent_teen")
    AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"))
    AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"))
    AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"), ended_on=TODAY)
    closed = CaseFactory(status="closed", closed_on=TODAY)
    AssignmentFactory(volunteer=volunteer, case=closed)

    html = login(coordinator).get(url("list")).content.decode()

    row = re.search(r"Busy, Ada.*?</tr>", html, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2"]
    assert "Community mediation; Parent/teen mediation" in row


def add_volunteers(count):
    """``count`` volunteers, each with two DBS checks, two accreditations and two cases."""
    for _ in range(count):
        volunteer = VolunteerFactory()
        dbs_until(volunteer, days(20))
        dbs_until(volunteer, days(700))
        AccreditationFactory(volunteer=volunteer, kind="community")
        AccreditationFactory(volunteer=volunteer, kind="restorative")
        AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"))
        AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"), ended_on=TODAY)


@pytest.mark.parametrize(
    "params", [{}, {"dbs": "current", "q": "e", "accreditation": "community"}], ids=str
)
def test_it_lists_volunteers_in_the_same_number_of_queries_for_3_or_30(
    login, coordinator, django_assert_num_queries, params
):
    client = login(coordinator)
    add_volunteers(3)
    client.get(url("list"), params)  # one-off lookups out of the way

    with CaptureQueriesContext(connection) as few:
        response = client.get(url("list"), params)
    assert response.status_code == 200
    add_volunteers(27)

    with django_assert_num_queries(len(few)):
        response = client.get(url("list"), params)

    html = response.content.decode()
    assert "Community mediation; Restorative conferencing" in html
    if not params:
        assert "30 volunteers" in html
        assert len(rows_listed(html)) == 25  # a full page


# --- The coordinator's DBS panel ----------------------------------------------------------------


def test_it_renders_expired_and_expiring_names_in_the_dbs_panel(dbs_cast):
    applicant = VolunteerFactory(first_name="Abe", last_name="Applicant", status="applicant")
    dbs_until(applicant, days(-3))  # not working yet: not on the panel

    html = render_to_string("home/panels/dbs.html", {"dbs_attention": dbs_attention()})

    expired = html.split('<h3 class="h6">Expired</h3>')[1].split("</ul>")[0]
    expiring = html.split('<h3 class="h6">Expiring within')[1].split("</ul>")[0]
    missing = html.split('<h3 class="h6">No current check</h3>')[1].split("</ul>")[0]
    assert "Ezra Expired" in expired and f"expired {days(-1):%-d %b %Y}" in expired
    assert "Evan Expiring" in expiring and f"expires {days(30):%-d %b %Y}" in expiring
    assert "Mia Missing" in missing
    assert "Evan" not in expired and "Ezra" not in expiring
    assert "Cora Current" not in html and "Abe Applicant" not in html
    assert f'href="{url("detail", dbs_cast["expired"])}"' in expired
    assert f'href="{url("list")}?dbs=expired"' in html
    assert f'href="{url("list")}?dbs=expiring"' in html


def test_it_says_so_when_no_dbs_check_needs_attention(db):
    html = render_to_string("home/panels/dbs.html", {"dbs_attention": dbs_attention()})

    assert "Every trainee and mediator has a DBS check that is current" in html


# --- Admin -------------------------------------------------------------------------------------


def test_the_volunteer_admin_is_for_the_administrators_role(login, administrator, stranger):
    """Volunteers' records are part of the Administrator's job (its migration's permissions):
    all of them, not the own-record scope of the volunteer pages. Without the permission, 403."""
    from django.contrib.auth.models import Group

    client = login(administrator)

    assert "Stranger" in client.get("/admin/volunteers/volunteer/").content.decode()
    Group.objects.get(name="Administrator").permissions.clear()
    assert client.get("/admin/volunteers/volunteer/").status_code == 403


def test_it_saves_a_volunteer_in_admin_through_the_service(login, admin_coordinator, trainee):
    client = login(admin_coordinator)
    data = volunteer_data(first_name="Tess", last_name="Trainee", status="trainee")
    assert client.get(f"/admin/volunteers/volunteer/{trainee.pk}/change/").status_code == 200

    response = client.post(f"/admin/volunteers/volunteer/{trainee.pk}/change/", data)

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.postcode == "TN9 1AA"
    assert AuditEvent.objects.filter(action="change", object_id=str(trainee.pk)).count() == 1

    refused = client.post(
        f"/admin/volunteers/volunteer/{trainee.pk}/change/", {**data, "status": "mediator"}
    )

    assert refused.status_code == 200
    assert "after three signed-off trainee cases" in refused.content.decode()
    trainee.refresh_from_db()
    assert trainee.status == "trainee"


def test_it_adds_a_volunteer_in_admin_and_never_deletes(login, admin_coordinator, stranger):
    client = login(admin_coordinator)

    response = client.post("/admin/volunteers/volunteer/add/", volunteer_data())

    assert response.status_code == 302
    assert Volunteer.objects.filter(first_name="Priya", postcode="TN9 1AA").count() == 1
    assert AuditEvent.objects.filter(action="create").count() == 1
    delete = client.get(f"/admin/volunteers/volunteer/{stranger.pk}/delete/")
    assert delete.status_code == 403


@pytest.mark.parametrize(
    "path", ["dbscheck", "trainingrecord", "accreditation", "traineecase", "volunteerhours"]
)
def test_it_lists_volunteer_records_read_only_in_admin(login, admin_coordinator, path):
    client = login(admin_coordinator)

    assert client.get(f"/admin/volunteers/{path}/").status_code == 200
    assert client.get(f"/admin/volunteers/{path}/add/").status_code == 403


def test_a_volunteers_page_lists_only_the_cases_the_viewer_may_see(client, coordinator, supervisor):
    """A supervisor sees the volunteers they supervise; the cases listed on such a page are
    only those the supervisor may open (rule 11), while a coordinator sees them all."""
    from django.test import Client

    from tests.factories import eligible_volunteer, ready_case
    from volunteers import services as volunteer_services

    accredited = eligible_volunteer(supervisor=supervisor)  # kept their supervisor after training
    case = ready_case()
    volunteer_services.assign_pair(
        case=case, lead=accredited, co_mediator=eligible_volunteer(), by=coordinator
    )
    url = f"/volunteers/{accredited.pk}/"

    client.force_login(supervisor)
    theirs = client.get(url)
    staff = Client()
    staff.force_login(coordinator)

    assert theirs.status_code == 200 and accredited.last_name in theirs.content.decode()
    assert case.reference not in theirs.content.decode()
    assert case.reference in staff.get(url).content.decode()


def test_a_closed_case_is_listed_as_past_work(login, coordinator):
    volunteer = VolunteerFactory()
    AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"))
    closed = CaseFactory(status="closed", outcome="withdrawn", closed_on=TODAY)
    AssignmentFactory(volunteer=volunteer, case=closed)

    html = login(coordinator).get(f"/volunteers/{volunteer.pk}/").content.decode()

    current, past = html.split('<h3 class="h6">Past</h3>')
    assert closed.reference not in current.split('<h3 class="h6">Current</h3>')[1]
    assert closed.reference in past and "(case closed)" in past
