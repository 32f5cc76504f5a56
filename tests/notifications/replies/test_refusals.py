"""What a link refuses and reveals: wrong, expired and foreign links answer the same branded 404,
sessions that are off, consent withdrawn, and the throttle on wrong links."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from notifications.models import PartyReply, ReplyLinkMiss
from notifications.reply_links import reply_token
from parties.models import Consent
from tests.factories import PartyFactory, ready_case
from tests.notifications.replies.helpers import ADDRESS, get, post, url_for
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


# --- What a link refuses, and what it reveals -------------------------------------------------


def test_wrong_links_answer_the_same_404_and_reveal_nothing(client, session, alice, bob, book):
    token = reply_token(party_id=alice.pk, session_id=session.pk)
    value, signature = token.rsplit(".", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    alone = book(kind="separate", starts_at=at(4, 10), ends_at=at(4, 11), parties=[alice])
    stranger = PartyFactory(case=ready_case(), full_name="Carol Stranger")
    swapped = reply_token(party_id=bob.pk, session_id=session.pk).split(".")[:2]
    wrong = {
        "tampered signature": f"{value}.{flipped}",
        "another party's signature": f"{'.'.join(swapped)}.{signature}",
        "another session's signature": f"{alone.pk:x}.{alice.pk:x}.{signature}",
        "a party not at that session": reply_token(party_id=bob.pk, session_id=alone.pk),
        "a party of another case": reply_token(party_id=stranger.pk, session_id=session.pk),
        "no such session": reply_token(party_id=alice.pk, session_id=999_999),
        "rubbish": "hello",
    }
    bodies = set()
    for why, bad in wrong.items():
        response = get(client, f"/r/{bad}/")
        assert response.status_code == 404, why
        bodies.add(response.content)
    assert len(bodies) == 1
    body = bodies.pop().decode()
    for secret in ("Alice", "Bob", "Library", "joint", session.case.reference):
        assert secret not in body
    assert not PartyReply.objects.exists()
    assert ReplyLinkMiss.objects.count() == len(wrong)
    # Nor does sending an answer through one of them record anything.
    assert post(client, f"/r/{wrong['tampered signature']}/", answer="cancel").status_code == 404
    assert not PartyReply.objects.exists()


def test_a_party_of_another_case_put_on_a_session_by_hand_gets_no_page(client, session):
    stranger = PartyFactory(case=ready_case(), full_name="Carol Stranger")
    session.parties.add(stranger)  # as the admin could, past the booking service's checks

    assert get(client, url_for(stranger, session)).status_code == 404


def test_a_link_expires_when_its_session_starts(client, session, alice):
    url = url_for(alice, session)
    assert get(client, url).status_code == 200

    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )

    assert get(client, url).status_code == 404
    assert post(client, url, answer="confirm").status_code == 404
    assert not PartyReply.objects.exists()


def test_a_session_moved_later_keeps_its_link(client, session, alice, coordinator):
    from sessions.services import session_reschedule

    url = url_for(alice, session)
    session_reschedule(session=session, by=coordinator, starts_at=at(5, 14), ends_at=at(5, 15))

    body = get(client, url).content.decode()
    assert "14:00" in body


@pytest.mark.parametrize("change", ["cancelled", "held", "case closed", "consent withdrawn"])
def test_a_session_that_is_off_or_a_party_we_may_not_contact_get_a_page_to_phone(
    client, session, alice, change
):
    url = url_for(alice, session)
    if change in ("cancelled", "held"):
        type(session).objects.filter(pk=session.pk).update(status=change)
    elif change == "case closed":
        type(session.case).objects.filter(pk=session.case_id).update(
            status="closed", closed_on=timezone.localdate(), outcome="withdrawn"
        )
    else:
        Consent.objects.filter(party=alice, kind="data_processing").update(
            withdrawn_at=timezone.now()
        )

    page = get(client, url)
    answered = post(client, url, answer="confirm")

    assert page.status_code == answered.status_code == 200
    body = page.content.decode()
    assert "Please phone us" in body and "01732 000000" in body
    assert "Library" not in body and "10:00" not in body and "joint" not in body
    assert not PartyReply.objects.exists()


def test_a_hundred_wrong_links_from_one_address_are_throttled(client, session, alice):
    good = url_for(alice, session)
    for n in range(100):
        assert get(client, f"/r/guess{n}/").status_code == 404

    assert get(client, "/r/guess-once-more/").status_code == 429
    # Throttled means everything from that address, for the hour; others are not.
    assert get(client, good).status_code == 429
    assert post(client, good, answer="cancel").status_code == 429
    assert not PartyReply.objects.exists()
    assert get(client, good, address="198.51.100.9").status_code == 200
    # Only a hash of the address is kept.
    assert not ReplyLinkMiss.objects.filter(ip_hash__contains="203.0.113").exists()


def test_the_throttle_forgets_after_an_hour(client, session, alice):
    from wkm.addresses import ip_hash

    earlier = timezone.now() - datetime.timedelta(minutes=61)
    ReplyLinkMiss.objects.bulk_create(
        ReplyLinkMiss(ip_hash=ip_hash(ADDRESS), at=earlier) for _ in range(100)
    )

    assert get(client, url_for(alice, session)).status_code == 200


def test_an_expired_link_is_not_counted_as_a_wrong_one(client, session, alice):
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    get(client, url_for(alice, session))

    assert not ReplyLinkMiss.objects.exists()


# --- 3. A dead link's page --------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_a_wrong_or_expired_link_gets_the_branded_404_and_nothing_of_the_case(
    client, session, alice, settings
):
    for url in (
        "/r/not-a-link/",
        f"/r/{reply_token(party_id=alice.pk, session_id=session.pk + 999)}/",
    ):
        page = get(client, url)
        body = page.content.decode()
        assert page.status_code == 404
        assert "This page is not here" in body and "no longer works" in body
        assert settings.SERVICE_PHONE in body and settings.SERVICE_NAME in body
        assert session.case.reference not in body and "Alice" not in body
        assert "Library" not in body and "<script>" not in body and "style=" not in body


@override_settings(DEBUG=False)
def test_the_404_of_a_logged_in_user_leads_home(login, coordinator):
    page = login(coordinator).get("/cases/WKM-0000-0000/no-such-page/")
    assert page.status_code == 404
    assert "This page is not here" in page.content.decode()


def test_the_500_and_400_pages_need_no_context():
    from django.template import loader

    for name in ("500.html", "400.html"):
        body = loader.get_template(name).render()  # as Django renders them: no request at all
        assert "phone the office" in body and "<script>" not in body and "style=" not in body
    assert loader.get_template("403.html")


# --- 4. The throttle's Retry-After --------------------------------------------------------------


def test_the_throttle_says_when_to_try_again(client, session, alice):
    from wkm.addresses import ip_hash

    now = timezone.now()
    ReplyLinkMiss.objects.bulk_create(
        ReplyLinkMiss(ip_hash=ip_hash(ADDRESS), at=now - datetime.timedelta(minutes=m))
        for m in [50] + [10] * 99
    )

    page = get(client, url_for(alice, session))

    assert page.status_code == 429
    # The oldest of the hundred leaves the hour in ten minutes: then the address may try again.
    assert 590 <= int(page["Retry-After"]) <= 600
