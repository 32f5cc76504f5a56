"""Updates to the referrer at each stage (referrers.updates): written by the service where the
stage is reached, only with every party's consent, and checked again just before sending."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from cases import services as case_services
from notifications import dispatch
from notifications.models import OutboxMessage
from parties import services as party_services
from parties.models import Consent
from privacy.models import Anonymisation
from referrers import services as referrer_services
from tests.factories import (
    MOBILE,
    ConsentFactory,
    PartyFactory,
    ReferrerContactFactory,
    held_session,
)
from wkm.consequences import listen

pytestmark = pytest.mark.django_db

KIND = OutboxMessage.Kind.REFERRER_UPDATE


def updates():
    return OutboxMessage.objects.filter(kind=KIND).order_by("pk")


def send_all() -> int:
    """Send the referrer updates due (the other messages a change writes, such as the parties'
    feedback survey when a case closes, are set aside: they are tested with their kind)."""
    pending = OutboxMessage.objects.filter(status="pending")
    pending.exclude(kind=OutboxMessage.Kind.REFERRER_UPDATE).update(status="cancelled")
    pending.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    return dispatch.dispatch_due(max_seconds=10)


# --- One test per stage ----------------------------------------------------------------------


def test_it_tells_the_referrer_the_referral_was_accepted(referred_case, coordinator, pat):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    (update,) = updates()
    assert update.referrer_contact == pat and update.channel == "email"
    assert update.address == "pat.jones@tch.example.org"
    assert update.context["stage"] == "accepted"
    assert send_all() == 1
    (email,) = mail.outbox
    assert email.to == ["pat.jones@tch.example.org"]
    assert referred_case.reference in email.subject
    assert "Dear Pat Jones" in email.body
    assert "Town and Country Housing" in email.body
    assert "we accepted the referral" in email.body
    assert update.__class__.objects.get(pk=update.pk).status == "sent"


def test_it_tells_the_referrer_mediation_started(paired):
    # A pair assigned to a case ready for one starts mediation (volunteers.services.assign_pair).
    assert paired.status == "active"
    (update,) = updates()
    assert update.context["stage"] == "started"
    assert send_all() == 1
    assert "mediation started." in mail.outbox[0].body


def test_it_tells_the_referrer_mediation_will_not_go_ahead(referred_case, coordinator):
    case_services.case_close(
        case=referred_case, by=coordinator, outcome="unsuitable", closed_on=timezone.localdate()
    )

    (update,) = updates()
    assert update.context["stage"] == "declined"
    assert update.context["category"] == "Did not go ahead"
    send_all()
    body = mail.outbox[0].body
    assert "mediation will not go ahead" in body and "Did not go ahead" in body
    # The exact outcome is the parties' business, not the referrer's.
    assert "unsuitable" not in body.lower()


@pytest.mark.parametrize(
    "outcome, category",
    [
        ("full_agreement", "Resolved"),
        ("partial_agreement", "Partly resolved"),
        ("improved_communication", "Partly resolved"),
        ("no_agreement", "Not resolved"),
        ("withdrawn", "Not resolved"),  # after mediation took place
    ],
)
def test_it_tells_the_referrer_the_case_closed_with_a_category(
    paired, coordinator, outcome, category
):
    held_session(paired)

    case_services.case_close(
        case=paired, by=coordinator, outcome=outcome, closed_on=timezone.localdate()
    )

    update = updates().get(context__stage="closed")
    assert update.context["category"] == category
    send_all()
    closing = next(m for m in mail.outbox if "we closed the case." in m.body)
    assert f"Outcome: {category}." in closing.body
    assert outcome.replace("_", " ") not in closing.body.lower()


def test_each_stage_is_told_once(paired, coordinator):
    case_services.case_transition(case=paired, to="awaiting_consent", by=coordinator)
    case_services.case_transition(case=paired, to="ready", by=coordinator)
    case_services.case_transition(case=paired, to="active", by=coordinator)

    assert updates().filter(context__stage="started").count() == 1


def test_the_case_timeline_and_the_coordinator_are_told(referred_case, coordinator):
    with listen() as heard:
        case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    assert any("Pat Jones at Town and Country Housing will be told" in s for s in heard)
    assert referred_case.log_entries.filter(
        text__startswith="Town and Country Housing will be told by email"
    ).exists()


# --- Consent ---------------------------------------------------------------------------------


def test_nothing_is_written_without_every_partys_consent(referred_case, coordinator):
    alice = referred_case.parties.get(full_name="Alice Carter")
    alice.consents.filter(kind=Consent.Kind.UPDATE_REFERRER).delete()

    with listen() as heard:
        case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    assert not updates().exists()
    assert any("not every party has consented" in s for s in heard)


def test_the_consent_is_not_needed_for_mediation(referred_case):
    from parties.consent import REQUIRED_KINDS, consent_state

    Consent.objects.filter(kind=Consent.Kind.UPDATE_REFERRER).delete()

    assert Consent.Kind.UPDATE_REFERRER not in REQUIRED_KINDS
    assert consent_state(referred_case).all_consented


def test_a_consent_withdrawn_later_cancels_the_update_still_to_go(referred_case, coordinator):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    consent = Consent.objects.filter(
        party__case=referred_case, kind=Consent.Kind.UPDATE_REFERRER
    ).first()

    party_services.consent_withdraw(consent=consent, by=coordinator)

    assert updates().get().status == "cancelled"
    assert send_all() == 0 and not mail.outbox


def test_a_withdrawal_of_data_processing_cancels_it_too(referred_case, coordinator):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    consent = Consent.objects.filter(
        party__case=referred_case, kind=Consent.Kind.DATA_PROCESSING
    ).first()

    party_services.consent_withdraw(consent=consent, by=coordinator)

    assert updates().get().status == "cancelled"


def test_the_dispatcher_refuses_an_update_whose_consent_went_by_any_means(
    referred_case, coordinator
):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    Consent.objects.filter(party__case=referred_case, kind=Consent.Kind.UPDATE_REFERRER).update(
        withdrawn_at=timezone.now()
    )

    assert send_all() == 0
    assert updates().get().status == "cancelled" and not mail.outbox


def test_a_party_added_without_the_consent_stops_the_update(referred_case, coordinator):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    PartyFactory(case=referred_case, full_name="Carol Evans")

    assert send_all() == 0 and not mail.outbox


def test_the_consent_given_again_lets_the_next_stage_go(referred_case, coordinator):
    alice = referred_case.parties.get(full_name="Alice Carter")
    alice.consents.filter(kind=Consent.Kind.UPDATE_REFERRER).delete()
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    ConsentFactory(party=alice, kind=Consent.Kind.UPDATE_REFERRER)

    case_services.case_close(
        case=referred_case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )

    assert [u.context["stage"] for u in updates()] == ["declined"]
    assert send_all() == 1


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


# --- Consent that comes later, and the order stages are told in ------------------------------


def record_update_consent(case, coordinator, parties=None):
    for party in parties or case.parties.all():
        party_services.consent_record(
            party=party,
            by=coordinator,
            kind=Consent.Kind.UPDATE_REFERRER,
            given_at=timezone.now(),
            method="verbal",
        )


def without_update_consent(case):
    Consent.objects.filter(party__case=case, kind=Consent.Kind.UPDATE_REFERRER).delete()


def test_the_last_consent_in_tells_the_stage_reached_once(referred_case, coordinator):
    without_update_consent(referred_case)
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    alice, bob = referred_case.parties.order_by("pk")

    with listen() as heard:
        record_update_consent(referred_case, coordinator, [alice])
    assert not updates().exists()
    assert any("not every party has consented" in s for s in heard)

    with listen() as heard:
        record_update_consent(referred_case, coordinator, [bob])
    assert [u.context["stage"] for u in updates()] == ["accepted"]
    assert any("Pat Jones at Town and Country Housing will be told" in s for s in heard)

    # Consent given again later (withdrawn and given) writes nothing twice.
    consent = bob.consents.get(kind=Consent.Kind.UPDATE_REFERRER, withdrawn_at__isnull=True)
    party_services.consent_withdraw(consent=consent, by=coordinator)
    record_update_consent(referred_case, coordinator, [bob])
    assert updates().count() == 1 and updates().get().status == "pending"  # written again
    send_all()
    assert len(mail.outbox) == 1


def test_a_case_already_active_is_told_only_that_mediation_started(paired, coordinator):
    """Only the latest stage reached: "mediation started" says the referral was taken on."""
    updates().delete()
    without_update_consent(paired)

    record_update_consent(paired, coordinator)

    assert [u.context["stage"] for u in updates()] == ["started"]


def test_a_case_closed_before_the_consent_is_told_its_closing(referred_case, coordinator):
    without_update_consent(referred_case)
    case_services.case_close(
        case=referred_case, by=coordinator, outcome="unsuitable", closed_on=timezone.localdate()
    )

    record_update_consent(referred_case, coordinator)

    (update,) = updates()
    assert update.context["stage"] == "declined"


def test_a_stage_is_never_told_after_a_later_one(paired, coordinator):
    """ "Mediation started" is on its way: "accepted" is not written after it."""
    from referrers import updates as referrer_updates

    assert referrer_updates.queue(paired, referrer_updates.Stage.ACCEPTED, by=coordinator) is None
    assert [u.context["stage"] for u in updates()] == ["started"]


def test_a_referred_case_is_told_nothing_on_consent(referred_case, coordinator):
    without_update_consent(referred_case)

    record_update_consent(referred_case, coordinator)

    assert not updates().exists()


def test_a_consent_other_than_the_referrers_says_nothing_about_them(referred_case, coordinator):
    without_update_consent(referred_case)
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    party = referred_case.parties.first()

    with listen() as heard:
        party_services.consent_record(
            party=party, by=coordinator, kind=Consent.Kind.SHARE_DETAILS,
            given_at=timezone.now(), method="verbal",
        )  # fmt: skip

    assert not any("Town and Country Housing" in s for s in heard)


# --- Never two contradictory things ----------------------------------------------------------


def test_a_case_that_was_active_closes_as_not_resolved_not_as_declined(paired, coordinator):
    """ "Mediation started" was told; withdrawn before any session was held."""
    case_services.case_close(
        case=paired, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )

    closing = updates().exclude(context__stage="started").get()
    assert closing.context["stage"] == "closed"
    assert closing.context["category"] == "Not resolved"


def test_a_case_paused_after_it_was_active_still_closes_as_not_resolved(paired, coordinator):
    case_services.case_transition(case=paired, to="awaiting_consent", by=coordinator)

    case_services.case_close(
        case=paired, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate()
    )

    assert updates().filter(context__stage="closed").exists()
    assert not updates().filter(context__stage="declined").exists()


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
