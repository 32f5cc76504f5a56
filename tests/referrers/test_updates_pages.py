"""Updates to the referrer (referrers.updates): the coordinator is told on the pages whether the
referrer will be told, and that nothing more goes once the consent is withdrawn."""

import pytest
from django.utils import timezone

from cases import services as case_services
from parties.models import Consent
from tests.referrers.updates import without_update_consent

pytestmark = pytest.mark.django_db


# --- The coordinator is told, on the pages --------------------------------------------------


def test_the_status_page_says_the_referrer_will_be_told(login, referred_case, coordinator):
    referred_case.coordinator = coordinator
    referred_case.save()

    response = login(coordinator).post(
        f"/cases/{referred_case.reference}/status/", {"to": "contacting"}, follow=True
    )

    assert "Pat Jones at Town and Country Housing will be told: referral accepted." in (
        response.content.decode()
    )


def test_the_status_page_says_why_the_referrer_is_not_told(login, referred_case, coordinator):
    without_update_consent(referred_case)

    response = login(coordinator).post(
        f"/cases/{referred_case.reference}/status/", {"to": "contacting"}, follow=True
    )

    assert "not every party has consented to the referrer being told" in (response.content.decode())


def test_the_pairing_page_says_the_referrer_will_be_told(login, referred_case, coordinator):
    from tests.factories import eligible_volunteer

    type(referred_case).objects.filter(pk=referred_case.pk).update(status="ready")
    lead, co = eligible_volunteer(), eligible_volunteer()

    response = login(coordinator).post(
        f"/cases/{referred_case.reference}/assign/",
        {"lead": lead.pk, "co_mediator": co.pk},
        follow=True,
    )

    assert "will be told: mediation started." in response.content.decode()


# --- Withdrawing the consent -----------------------------------------------------------------


def test_withdrawing_the_consent_says_the_referrer_hears_nothing_more(
    login, referred_case, coordinator
):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    consent = Consent.objects.filter(
        party__case=referred_case, kind=Consent.Kind.UPDATE_REFERRER
    ).first()
    url = f"/cases/{referred_case.reference}/consents/{consent.pk}/withdraw/"
    client = login(coordinator)

    page = client.get(url).content.decode()
    assert "stop the updates to Pat Jones at Town and Country Housing" in page
    assert "1 waiting to be sent will be cancelled" in page

    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"withdrawn_at": when, "method": "verbal"}, follow=True)
    text = response.content.decode()
    assert (
        "Pat Jones at Town and Country Housing will not be told anything more about this case: "
        "1 update still to go was cancelled."
    ) in text
