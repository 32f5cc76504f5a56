"""The volunteer, DBS check and hours forms, fuzzed.

Fed arbitrary text, numbers and dates (DESIGN.md rule 13): never a 500; either it is saved (a
redirect to a page that shows it), or the form comes back with a clear message for each problem
and no row saved anywhere, not even half.
"""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from audit.models import AuditEvent
from tests.factories import UserFactory, VolunteerFactory
from tests.hostile.fuzz import volunteer_form
from volunteers.models import DBSCheck, Volunteer, VolunteerHours

from . import strategies
from .checks import submit
from .conftest import verified_login

pytestmark = pytest.mark.django_db


@strategies.HOSTILE
@given(data=st.data())
def test_volunteer_create(staff, data):
    free_user = UserFactory()
    values = data.draw(volunteer_form(free_user))
    submit(staff, "/volunteers/new/", values, counted=[Volunteer, AuditEvent])


DBS = strategies.form_data(
    valid={
        "certificate_number": st.integers(0, 10**12 - 1).map(lambda n: f"{n:012d}"),
        "enhanced": strategies.checkbox,
        "issued_on": st.sampled_from(["2025-06-01", "01/06/2024", "2000-01-01"]),
        "update_service": st.sampled_from(["on", ""]),
    },
    hostile={
        "certificate_number": st.one_of(strategies.hostile_text(12), strategies.hostile_number()),
        "enhanced": strategies.checkbox,
        "issued_on": strategies.hostile_date(),
        "update_service": strategies.checkbox,
        "last_status_check_on": strategies.hostile_date(),
    },
)


@strategies.HOSTILE
@given(data=DBS)
@example(data={"certificate_number": "001234567890", "issued_on": "0001-01-01"})
@example(data={"certificate_number": "001234567890", "issued_on": "9999-12-31"})
@example(data={"certificate_number": "001234567890", "issued_on": "2026-01-01",
               "update_service": "on", "last_status_check_on": "0001-01-01"})  # fmt: skip
def test_dbs_check_add(staff, data):
    volunteer = VolunteerFactory()
    submit(
        staff,
        f"/volunteers/{volunteer.pk}/dbs/new/",
        data,
        counted=[DBSCheck, AuditEvent],
    )


@pytest.mark.parametrize(
    "number",
    [  # Arabic-Indic, superscript and full-width digits; a NUL; spaces
        "١٢٣٤٥٦٧٨٩٠١٢",
        "¹²³⁴⁵⁶⁷⁸⁹⁰¹²",
        "１２３４５６７８９０１２",
        "12345678901\x00",
        "1234 567 8901",
    ],
)
def test_a_dbs_number_is_twelve_plain_digits(staff, number):
    """str.isdigit() says yes to other scripts' digits and to superscripts: not a certificate."""
    volunteer = VolunteerFactory()
    data = {"certificate_number": number, "enhanced": "on", "issued_on": "2025-06-01"}

    response = submit(staff, f"/volunteers/{volunteer.pk}/dbs/new/", data, counted=[DBSCheck])

    assert response.status_code == 200
    assert "A DBS certificate number has 12 digits." in response.content.decode()
    assert not DBSCheck.objects.filter(volunteer=volunteer).exists()


@pytest.fixture
def volunteer_client(mediator, my_case, client):
    """The mediator (with a volunteer record, assigned to ``my_case``), logged in."""
    return verified_login(client, mediator)


def hours_form(case):
    return strategies.form_data(
        valid={
            "activity": st.sampled_from(["casework", "training", "other"]),
            "case": str(case.pk),
            "date": st.sampled_from(["2026-11-20", "2000-01-01"]),
            "hours": st.sampled_from(["1.5", "0.5", "24"]),
            "miles": st.sampled_from(["", "0", "12.5"]),
            "note": strategies.odd_text(),
        },
        hostile={
            "activity": strategies.hostile_choice("casework", "training", "other"),
            "case": st.one_of(strategies.hostile_number(), strategies.hostile_text(8)),
            "date": strategies.hostile_date(),
            "hours": strategies.hostile_number(),
            "miles": strategies.hostile_number(),
            "note": strategies.hostile_text(),
        },
    )


@strategies.HOSTILE
@given(data=st.data())
def test_hours_log(volunteer_client, my_case, data):
    values = data.draw(hours_form(my_case))
    submit(volunteer_client, "/hours/", values, counted=[VolunteerHours, AuditEvent])


@pytest.mark.parametrize(
    "date, hours, miles",
    [
        ("0001-01-01", "1", "0"),
        ("2026-11-20", "NaN", "-Infinity"),
        ("2026-11-20", "1e18", "1e309"),
        ("2026-11-20", "-1", "-1"),
        ("2026-11-20", "24.1", "1000.1"),
    ],
)
def test_hours_log_numbers(volunteer_client, my_case, date, hours, miles):
    data = {"activity": "casework", "case": str(my_case.pk), "date": date, "hours": hours,
            "miles": miles, "note": ""}  # fmt: skip
    submit(volunteer_client, "/hours/", data, counted=[VolunteerHours, AuditEvent])
