"""Updates to the referrer (referrers.updates): only to a contact who receives them and still
referred the case, by email or text, or the coordinator is told; nothing for a case reopened,
erased or anonymised."""

import pytest
from django.core import mail
from django.utils import timezone

from cases import services as case_services
from privacy.models import Anonymisation
from referrers import services as referrer_services
from tests.factories import MOBILE, ReferrerContactFactory
from tests.referrers.updates import send_all, updates
from wkm.consequences import listen

pytestmark = pytest.mark.django_db


# --- The contact -----------------------------------------------------------------------------


def test_a_contact_not_receiving_updates_gets_none(referred_case, coordinator, pat):
    pat.receives_updates = False
    pat.save()

    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    assert not updates().exists()


def test_a_contact_retired_after_the_update_was_written_gets_nothing(
    referred_case, coordinator, pat
):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    referrer_services.contact_retire(contact=pat, by=coordinator)

    assert updates().get().status == "cancelled"
    assert send_all() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"retired_at": timezone.now()},
        {"receives_updates": False},
        {"email": "someone.else@example.org"},
    ],
)
def test_the_dispatcher_asks_again_about_the_contact(referred_case, coordinator, pat, change):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    type(pat).objects.filter(pk=pat.pk).update(**change)  # not through the services

    assert send_all() == 0
    assert updates().get().status == "cancelled" and not mail.outbox


def test_the_dispatcher_refuses_when_the_organisation_was_retired(referred_case, coordinator):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    type(referred_case.referrer).objects.update(retired_at=timezone.now())

    assert send_all() == 0


def test_a_new_email_address_takes_the_update_with_it(referred_case, coordinator, pat):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    referrer_services.contact_update(
        contact=pat, by=coordinator, fields={"email": "pat@new.example.org"}
    )

    assert send_all() == 1
    assert mail.outbox[0].to == ["pat@new.example.org"]


def test_an_update_goes_only_to_whoever_still_referred_the_case(
    referred_case, coordinator, housing
):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    other = ReferrerContactFactory(referrer=housing, name="Sam Lee")
    type(referred_case).objects.filter(pk=referred_case.pk).update(referrer_person=other)

    assert send_all() == 0


def test_a_contact_with_only_a_mobile_gets_a_text(referred_case, coordinator, pat, settings):
    settings.SMS_BACKEND = "notifications.sms.LoggingBackend"
    type(pat).objects.filter(pk=pat.pk).update(email="", phone=MOBILE)

    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    update = updates().get()
    assert (update.channel, update.address) == ("sms", MOBILE)
    assert send_all() == 1


def test_a_contact_with_no_email_or_mobile_gets_nothing_and_the_coordinator_is_told(
    referred_case, coordinator, pat
):
    type(pat).objects.filter(pk=pat.pk).update(email="", phone="+441732123456")

    with listen() as heard:
        case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    assert not updates().exists()
    assert any("no email address or mobile number" in s for s in heard)


def test_a_case_without_a_referring_person_tells_nobody(referred_case, coordinator):
    type(referred_case).objects.filter(pk=referred_case.pk).update(referrer_person=None)
    referred_case.refresh_from_db()

    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    assert not updates().exists()


# --- Reopened, erased ------------------------------------------------------------------------


def test_a_reopened_case_cancels_its_closing_update(referred_case, coordinator):
    case_services.case_close(
        case=referred_case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )

    case_services.case_reopen(case=referred_case, by=coordinator, reason="They called back.")

    assert updates().get().status == "cancelled"
    assert send_all() == 0


def test_the_dispatcher_refuses_a_closing_update_for_a_case_open_again(referred_case, coordinator):
    case_services.case_close(
        case=referred_case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )
    type(referred_case).objects.filter(pk=referred_case.pk).update(status="contacting")

    assert send_all() == 0


def test_nobody_is_told_anything_after_the_case_was_erased(referred_case, coordinator):
    case_services.case_close(
        case=referred_case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )
    Anonymisation.objects.create(
        case=referred_case, party=referred_case.parties.first(), reason="erasure"
    )

    assert send_all() == 0 and not mail.outbox


def test_an_anonymised_case_writes_no_update(referred_case, coordinator):
    Anonymisation.objects.create(case=referred_case, reason="retention")

    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    assert not updates().exists()
