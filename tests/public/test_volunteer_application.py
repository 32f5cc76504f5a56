"""The volunteer application at /help/volunteer/, and what the coordinator does with it."""

import re

import pytest

from public.models import PublicSubmission
from tests.public.helpers import application_data
from volunteers.models import Availability, Volunteer

pytestmark = pytest.mark.django_db

URL = "/help/volunteer/"


def test_an_application_becomes_an_applicant_with_availability_and_notes(client):
    response = client.post(URL, application_data())

    assert response.status_code == 302 and response["Location"] == "/help/thanks/volunteer/"
    volunteer = Volunteer.objects.get()
    assert volunteer.status == "applicant" and volunteer.user is None
    assert (volunteer.postcode, volunteer.phone) == ("ME14 2LP", "+447911123456")
    assert volunteer.languages == "English, Gujarati"
    assert "I run a residents' group" in volunteer.notes
    assert "Ten years on a helpline." in volunteer.notes
    assert "Agreed on the form to the service keeping and using their details" in volunteer.notes
    slots = set(Availability.objects.values_list("weekday", "part_of_day"))
    assert slots == {(0, "evening"), (5, "morning")}


def test_the_thanks_page_says_what_happens_next(client):
    html = client.post(URL, application_data(), follow=True).content.decode()

    assert "Thank you for applying to volunteer" in html and "40-hour" in html


def test_bad_input_keeps_everything_typed_including_the_ticked_times(client):
    response = client.post(
        URL, application_data(postcode="nowhere", why="", phone="12", consent_data=None)
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a UK postcode, for example TN9 1AA." in html
    assert "Enter a valid phone number" in html
    assert "Tell us a little about why you would like to volunteer." in html
    assert "Tick this box so that we can keep your application." in html
    assert 'value="Priya"' in html and 'value="nowhere"' in html
    assert re.search(r'value="0-evening"[^>]*checked', html)
    assert re.search(r'value="5-morning"[^>]*checked', html)
    assert not re.search(r'value="1-evening"[^>]*checked', html)
    assert not Volunteer.objects.exists()


def test_a_filled_honeypot_saves_nothing(client):
    response = client.post(URL, application_data(website="buy now"))

    assert response.status_code == 302
    assert not Volunteer.objects.exists() and PublicSubmission.objects.get().discarded


def test_it_shares_the_rate_limit(client, settings):
    settings.PUBLIC_FORMS_PER_HOUR = 1
    client.post(URL, application_data())

    response = client.post(URL, application_data(email="second@example.org"))

    assert response.status_code == 429 and Volunteer.objects.count() == 1


def test_the_coordinator_finds_applicants_and_moves_one_into_training(client, login, coordinator):
    client.post(URL, application_data())
    volunteer = Volunteer.objects.get()
    staff = login(coordinator)

    listing = staff.get("/volunteers/", {"status": "applicant"}).content.decode()
    assert "Shah" in listing
    assert "Shah" not in staff.get("/volunteers/", {"status": "mediator"}).content.decode()
    detail = staff.get(f"/volunteers/{volunteer.pk}/").content.decode()
    assert "I run a residents&#x27; group" in detail

    edit = staff.get(f"/volunteers/{volunteer.pk}/edit/").context["form"]
    data = {name: value for name, value in edit.initial.items() if value is not None}
    data.update(status="in_training", supervisor="", user="")
    response = staff.post(f"/volunteers/{volunteer.pk}/edit/", data)

    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == "in_training"
    assert "Shah" in staff.get("/volunteers/", {"status": "in_training"}).content.decode()
