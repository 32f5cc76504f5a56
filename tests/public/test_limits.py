"""Two limits on the public forms that the attack of issue 17 found missing: a token sends one
form (one fetched page sent a hundred referrals from a hundred addresses), and every address
together sends at most PUBLIC_FORMS_TOTAL_PER_HOUR forms an hour. Each refusal keeps what was
typed."""

import datetime
import re

import pytest
from django.db import IntegrityError
from django.utils import timezone

from cases.models import Case
from public import spam
from public.models import PublicSubmission
from tests.public.helpers import application_data, referral_data
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

REFER, VOLUNTEER = "/help/refer/", "/help/volunteer/"


def token_on(html: str) -> str:
    return re.search(r'name="form_started" value="([^"]+)"', html).group(1)


def test_a_token_sends_one_referral_and_a_replay_keeps_what_was_typed(client, settings):
    settings.PUBLIC_FORMS_MIN_SECONDS = 0  # so that the fresh token can be sent at once below
    data = referral_data()
    assert client.post(REFER, data, REMOTE_ADDR="203.0.113.1").status_code == 302

    response = client.post(REFER, data, REMOTE_ADDR="203.0.113.1")

    html = response.content.decode()
    assert response.status_code == 200
    assert "This copy of the form has already been sent" in html
    assert "Music from next door" in html and 'value="Alice Carter"' in html
    fresh = token_on(html)
    assert fresh != data["form_started"]
    assert Case.objects.count() == 1
    # Meaning to send another, the person sends the form as it came back.
    again = client.post(REFER, {**data, "form_started": fresh}, REMOTE_ADDR="203.0.113.1")
    assert again.status_code == 302 and Case.objects.count() == 2


def test_one_token_cannot_send_forms_from_many_addresses(client):
    data = referral_data()
    statuses = [
        client.post(REFER, data, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(1, 6)
    ]

    assert statuses == [302, 200, 200, 200, 200]
    assert Case.objects.count() == 1


def test_a_token_sends_one_volunteer_application(client):
    data = application_data()
    client.post(VOLUNTEER, data)

    html = client.post(VOLUNTEER, data).content.decode()

    assert "This copy of the form has already been sent" in html and 'value="Priya"' in html
    assert Volunteer.objects.count() == 1


def test_a_refused_form_does_not_use_up_its_token(client, settings):
    settings.PUBLIC_FORMS_PER_HOUR = 0
    data = referral_data()
    assert client.post(REFER, data).status_code == 429

    settings.PUBLIC_FORMS_PER_HOUR = 5
    assert client.post(REFER, data).status_code == 302


def test_the_record_refuses_a_nonce_used_meanwhile():
    """The view looks first; the record, under its lock, is what decides (two requests at
    once with one token both pass the view's look)."""
    spam.record_submission(form="referral", hashed_ip="a" * 64, token_nonce="n1")

    with pytest.raises(spam.TokenUsed):
        spam.record_submission(form="referral", hashed_ip="b" * 64, token_nonce="n1")
    assert PublicSubmission.objects.count() == 1


def test_a_token_used_between_the_look_and_the_save_is_refused_as_used(client, monkeypatch):
    """Two requests at once with one token: both pass the view's look, one is saved."""
    monkeypatch.setattr(spam, "check_token", lambda token, form: None)
    data = referral_data()
    client.post(REFER, data)

    html = client.post(REFER, data).content.decode()

    assert "This copy of the form has already been sent" in html
    assert token_on(html) != data["form_started"] and "Music from next door" in html
    assert Case.objects.count() == 1


def test_the_database_holds_each_nonce_once():
    PublicSubmission.objects.create(form="referral", ip_hash="a" * 64, token_nonce="n1")
    PublicSubmission.objects.create(form="referral", ip_hash="a" * 64)  # no token: a robot's
    PublicSubmission.objects.create(form="referral", ip_hash="a" * 64)

    with pytest.raises(IntegrityError):
        PublicSubmission.objects.create(form="volunteer", ip_hash="b" * 64, token_nonce="n1")


def test_every_address_together_is_capped_with_a_message_to_phone(client, settings):
    settings.PUBLIC_FORMS_TOTAL_PER_HOUR = 3
    settings.SERVICE_PHONE = "01732 555 000"
    for n in range(3):
        response = client.post(REFER, referral_data(), REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 302

    response = client.post(REFER, referral_data(), REMOTE_ADDR="192.0.2.99")

    assert response.status_code == 429
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "an unusually large number of forms in the last hour" in html
    assert "Please phone us on 01732 555 000" in html
    assert "Music from next door" in html and 'value="Alice Carter"' in html
    assert Case.objects.count() == 3
    # The volunteer form shares the cap.
    response = client.post(VOLUNTEER, application_data(), REMOTE_ADDR="192.0.2.98")
    assert response.status_code == 429 and not Volunteer.objects.exists()


def test_the_cap_counts_only_the_last_hours_saved_forms(client, settings):
    settings.PUBLIC_FORMS_TOTAL_PER_HOUR = 2
    over_an_hour_ago = timezone.now() - datetime.timedelta(minutes=61)
    for n in range(2):
        PublicSubmission.objects.create(form="referral", ip_hash=f"{n}" * 64, at=over_an_hour_ago)
    # Robots that filled the honeypot saved nothing, and do not keep people out.
    for n in range(3):
        client.post(REFER, referral_data(website="spam"), REMOTE_ADDR=f"192.0.2.{n}")

    statuses = [
        client.post(REFER, referral_data(), REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]
