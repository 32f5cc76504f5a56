"""Volunteer hours and mileage at /hours/: logged by the volunteer, per case or activity, with
totals per month worked out by the database."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import CaseFactory, VolunteerFactory, assign
from volunteers.models import VolunteerHours

pytestmark = pytest.mark.django_db

URL = reverse("volunteers:hours")


@pytest.fixture
def volunteer(mediator):
    """``mediator``'s volunteer record, named so the pages can be checked for it (not the
    root ``lead``: hours pages do not need the DBS check and training it brings)."""
    return VolunteerFactory(user=mediator, first_name="Mia", last_name="Mediator")


def log(client, **fields):
    data = {"activity": "other", "case": "", "date": "", "hours": "", "miles": "0", "note": ""}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post(URL, data)


def test_a_volunteer_logs_hours_on_their_case(login, mediator, volunteer, my_case):
    client = login(mediator)
    assert my_case.reference in client.get(URL).content.decode()  # offered in the case choices

    response = log(
        client,
        activity="casework",
        case=my_case.pk,
        date="2026-10-14",
        hours="2.5",
        miles="12.4",
        note="Home visit",
    )

    assert response.status_code == 302
    entry = VolunteerHours.objects.get(volunteer=volunteer)
    assert (entry.case, entry.date, entry.hours, entry.miles) == (
        my_case,
        datetime.date(2026, 10, 14),
        Decimal("2.5"),
        Decimal("12.4"),
    )
    response = client.get(URL)
    html = response.content.decode()
    assert "Logged 2.5 hours on 14 Oct 2026." in html
    assert my_case.reference in html and "Home visit" in html


def test_it_refuses_a_future_date(login, mediator, volunteer):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = log(login(mediator), date=tomorrow.isoformat(), hours="2")

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Hours cannot be logged for a future date."]
    assert 'value="2"' in response.content.decode()  # what was typed is kept
    assert not VolunteerHours.objects.exists()


def test_it_refuses_25_hours_in_a_day(login, mediator, volunteer):
    response = log(login(mediator), date="2026-10-14", hours="25")

    assert response.context["form"].errors["hours"] == [
        "Enter between 0.5 and 24 hours for one day."
    ]
    assert "Enter between 0.5 and 24 hours for one day." in response.content.decode()
    assert not VolunteerHours.objects.exists()


def test_it_refuses_a_case_that_is_not_theirs(login, mediator, volunteer, case):
    client = login(mediator)
    assert case.reference not in client.get(URL).content.decode()

    response = log(client, activity="casework", case=case.pk, date="2026-10-14", hours="1")

    assert response.context["form"].errors["case"] == ["Choose one of your cases."]
    assert not VolunteerHours.objects.exists()


def test_casework_needs_a_case(login, mediator, volunteer):
    response = log(login(mediator), activity="casework", date="2026-10-14", hours="1")

    assert response.context["form"].errors["case"] == ["Choose the case the casework was for."]


def test_it_totals_hours_and_miles_per_month(login, mediator, volunteer):
    client = login(mediator)
    for date, hours, miles in (
        ("2026-09-03", "1.5", "10"),
        ("2026-09-29", "2", "4.5"),
        ("2026-10-01", "3", "0"),
    ):
        assert log(
            client, activity="training", date=date, hours=hours, miles=miles
        ).status_code == (302)
    other = VolunteerFactory()  # someone else's hours never count
    VolunteerHours.objects.create(
        volunteer=other, activity="other", date=datetime.date(2026, 9, 10), hours=5, miles=50
    )

    response = client.get(URL)

    months = [(m["month"], m["hours"], m["miles"]) for m in response.context["months"]]
    assert months == [
        (datetime.date(2026, 10, 1), Decimal("3.0"), Decimal("0.0")),
        (datetime.date(2026, 9, 1), Decimal("3.5"), Decimal("14.5")),
    ]
    html = response.content.decode()
    assert "October 2026" in html and "September 2026" in html


def test_entries_are_paginated(login, mediator, volunteer):
    VolunteerHours.objects.bulk_create(
        VolunteerHours(
            volunteer=volunteer,
            activity="other",
            date=datetime.date(2026, 9, 1) + datetime.timedelta(days=n),
            hours=1,
        )
        for n in range(30)
    )
    client = login(mediator)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_someone_without_a_volunteer_record_gets_404(login, coordinator):
    assert login(coordinator).get(URL).status_code == 404


def test_it_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_any_assigned_volunteer_logs_casework_on_their_case(login, other_mediator):
    case = CaseFactory()
    assign(case, other_mediator)

    response = log(
        login(other_mediator), activity="casework", case=case.pk, date="2026-10-14", hours="1"
    )

    assert response.status_code == 302
    assert VolunteerHours.objects.get().case == case
