"""Updates to the referrer (referrers.updates): one at each stage (accepted, started, not going
ahead, closed), each told once, on the timeline; the stage reached told once when the last
consent comes in, never one after a later one, never two contradictory things."""

import pytest
from django.core import mail
from django.utils import timezone

from cases import services as case_services
from parties import services as party_services
from parties.models import Consent
from tests.factories import held_session
from tests.referrers.updates import send_all, updates, without_update_consent
from wkm.consequences import listen

pytestmark = pytest.mark.django_db


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
