"""DBS checks on a volunteer's record: the certificate number, three years' currency, the Update
Service status checks and their refusals."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta

from tests.factories import DBSCheckFactory
from tests.volunteers.records import TODAY, days, url
from volunteers.models import DBSCheck

pytestmark = pytest.mark.django_db


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
