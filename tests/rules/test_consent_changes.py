"""Consent withdrawn (to mediate, to the use of data) and a party added to a case under way:
joint work stops, nothing more is sent to whoever withdrew, and the case says what is missing."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Status
from notifications import dispatch
from notifications.models import OutboxMessage
from parties import services as party_services
from parties.models import Consent
from sessions.models import MediationSession
from tests.rules.conftest import breaches, reasons
from wkm.consequences import listen

pytestmark = pytest.mark.django_db


def withdraw(party, kind, by, **fields):
    with listen() as told:
        party_services.consent_withdraw(
            consent=party.consents.get(kind=kind, withdrawn_at__isnull=True), by=by, **fields
        )
    return told


def withdraw_url(team, party, kind):
    consent = party.consents.get(kind=kind, withdrawn_at__isnull=True)
    return f"/cases/{team.case.reference}/consents/{consent.pk}/withdraw/"


# --- Consent to mediate withdrawn ----------------------------------------------------------------


def test_the_withdrawal_page_says_what_it_will_stop_and_asks_when_and_how(
    team, book, coordinator, login
):
    joint = book(team.case, kind="joint", days=6)

    html = login(coordinator).get(withdraw_url(team, team.bob, "mediate")).content.decode()

    assert f"cancel the joint meeting on {timezone.localtime(joint.starts_at):%a}" in html
    assert "stop every reminder and notice the system sends to Bob Dunn" in html
    assert "back to “Awaiting consent”" in html
    for field in ("withdrawn_at", "method", "note"):
        assert f'for="id_{field}"' in html
    assert team.bob.consents.get(kind="mediate").withdrawn_at is None  # nothing done yet


def test_an_incomplete_withdrawal_changes_nothing_and_keeps_what_was_typed(
    team, coordinator, login
):
    response = login(coordinator).post(
        withdraw_url(team, team.bob, "mediate"), {"note": "Rang the office, upset."}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html and "Rang the office, upset." in html
    assert team.bob.consents.get(kind="mediate").withdrawn_at is None


def test_withdrawing_consent_to_mediate_records_when_how_and_why(team, coordinator, login):
    when = timezone.localtime() - datetime.timedelta(hours=2)
    response = login(coordinator).post(
        withdraw_url(team, team.bob, "mediate"),
        {
            "withdrawn_at": when.strftime("%Y-%m-%dT%H:%M"),
            "method": "written",
            "note": "Does not want to meet Alice.",
        },
    )

    assert response.status_code == 302
    consent = team.bob.consents.get(kind="mediate")
    assert consent.withdrawn_at == when.replace(second=0, microsecond=0)
    assert (consent.withdrawn_method, consent.withdrawal_note) == (
        "written",
        "Does not want to meet Alice.",
    )
    assert consent.withdrawn_recorded_by == coordinator
    timeline = team.case.log_entries.values_list("text", flat=True)
    assert any(
        "Bob Dunn withdrew consent to take part in mediation (in writing)" in t for t in timeline
    )


def test_withdrawing_from_mediation_cancels_joint_work_but_not_meetings_with_others(
    team, book, coordinator
):
    joint = book(team.case, kind="joint", days=6)
    shuttle = book(team.case, kind="shuttle", days=7)
    with_alice = book(team.case, kind="separate", days=4, parties=[team.alice])
    with_bob = book(team.case, kind="separate", days=5, parties=[team.bob])

    told = withdraw(team.bob, "mediate", coordinator)

    status = dict(MediationSession.objects.values_list("pk", "status"))
    assert status[joint.pk] == status[shuttle.pk] == status[with_bob.pk] == "cancelled"
    assert status[with_alice.pk] == "scheduled"
    assert with_alice.reminders.filter(status="pending").count() == 6  # Alice and both mediators
    assert "Cancelled 3 sessions" in told[0]
    # Alice, still taking part, hears the joint work is off; Bob hears nothing more.
    notices = OutboxMessage.objects.filter(kind="session_cancelled", session=joint)
    assert team.alice.pk in {n.party_id for n in notices}
    assert not OutboxMessage.objects.filter(party=team.bob, status="pending").exists()


def test_withdrawing_from_mediation_takes_the_case_back_to_awaiting_consent(
    team, coordinator, login
):
    told = withdraw(team.bob, "mediate", coordinator)

    team.case.refresh_from_db()
    assert team.case.status == Status.AWAITING_CONSENT
    assert "back to awaiting consent: close it as withdrawn" in " ".join(told)
    html = login(coordinator).get(team.case.get_absolute_url()).content.decode()
    assert "Close the case as withdrawn" in html
    assert "Bob Dunn withdrew from mediation" in reasons(team.case)


@pytest.mark.parametrize("kind", ["joint", "shuttle", "restorative"])
def test_no_joint_work_can_be_booked_after_a_withdrawal(team, book, coordinator, kind):
    withdraw(team.bob, "mediate", coordinator)

    with pytest.raises(Exception, match="until every party has consented"):
        book(team.case, kind=kind, days=6)
    book(team.case, kind="separate", days=6, parties=[team.alice])


# --- Consent to the use of their data withdrawn --------------------------------------------------


def test_withdrawing_data_consent_stops_every_message_to_them(team, book, coordinator):
    session = book(team.case, kind="separate", days=4)
    assert session.reminders.filter(party=team.bob, status="pending").exists()

    told = withdraw(team.bob, "data_processing", coordinator)

    assert not OutboxMessage.objects.filter(party=team.bob, status="pending").exists()
    assert session.reminders.filter(party=team.alice, status="pending").exists()
    assert "nothing more will be sent to them" in " ".join(told)
    assert "Bob Dunn withdrew consent to the use of their personal data" in reasons(team.case)
    # A session booked later writes no reminder to Bob, and cancelling tells him nothing.
    later = book(team.case, kind="separate", days=8)
    assert not later.reminders.filter(party=team.bob).exists()


def test_the_dispatcher_never_sends_to_someone_who_withdrew(team, book, coordinator):
    session = book(team.case, kind="separate", days=4)
    withdraw(team.bob, "data_processing", coordinator)
    # Left waiting by something that went round the services (a data fix, the admin).
    OutboxMessage.objects.filter(party=team.bob).update(status="pending", last_error="")
    session.reminders.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert any(b.topic == "Messages" for b in breaches(team.case))

    sent = dispatch.dispatch_due(max_seconds=10)

    assert sent == session.reminders.exclude(party=team.bob).count()
    assert set(OutboxMessage.objects.filter(party=team.bob).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_recording_consent_again_lets_messages_go_again(team, book, coordinator):
    withdraw(team.bob, "data_processing", coordinator)
    party_services.consent_record(
        party=team.bob, by=coordinator, kind="data_processing", method="written",
        given_at=timezone.now(),
    )  # fmt: skip

    session = book(team.case, kind="separate", days=4)

    assert session.reminders.filter(party=team.bob).exists()
    assert "withdrew" not in reasons(team.case)


# --- A party added to a case under way -----------------------------------------------------------


def test_a_party_added_to_an_active_case_blocks_joint_bookings_and_flags_booked_ones(
    team, book, coordinator
):
    joint = book(team.case, kind="joint", days=6)

    with listen() as told:
        carol = party_services.party_add(
            case=team.case,
            by=coordinator,
            fields={
                "full_name": "Carol Dunn",
                "role": "family_member",
                "preferred_contact": "letter",
                "postcode": "TN9 1AB",
                "address_line1": "3 Quarry Hill Road",
            },
        )

    assert "Carol Dunn has not consented yet" in told[0] and "joint meeting" in told[0]
    joint.refresh_from_db()
    assert joint.status == "scheduled"  # flagged, not cancelled: she may yet consent
    found = reasons(team.case)
    assert "Carol Dunn has not consented" in found
    assert "is booked, but Carol Dunn has not consented" in found
    with pytest.raises(Exception, match="waiting for Carol Dunn"):
        book(team.case, kind="joint", days=8)

    for kind in ("mediate", "data_processing"):
        party_services.consent_record(
            party=carol, by=coordinator, kind=kind, method="verbal", given_at=timezone.now()
        )
    assert not [b for b in breaches(team.case) if b.topic == "Consent"]
    book(team.case, kind="joint", days=8)


def test_a_withdrawal_is_refused_twice_and_before_it_was_given(team, coordinator):
    consent = team.bob.consents.get(kind="mediate")
    with pytest.raises(Exception, match="before it was given"):
        party_services.consent_withdraw(
            consent=consent,
            by=coordinator,
            withdrawn_at=consent.given_at - datetime.timedelta(days=1),
        )
    party_services.consent_withdraw(consent=consent, by=coordinator)
    with pytest.raises(Exception, match="already been withdrawn"):
        party_services.consent_withdraw(consent=consent, by=coordinator)
    assert Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=False).count() == 1
