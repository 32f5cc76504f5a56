"""The right channel (notifications.channels): each party's preferred method and restrictions,
texts only to mobiles, and nothing at all to a party who withdrew consent."""

import datetime

import pytest
from django.utils import timezone

from notifications.channels import is_mobile, party_route, volunteer_route
from notifications.models import ManualContact, OutboxMessage
from tests.factories import ConsentFactory, PartyFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

LANDLINE = "+441732123456"  # 01732 123456
MOBILE = "+447911123456"  # 07911 123456


@pytest.mark.parametrize(
    "number, mobile",
    [
        ("07911 123456", True),
        ("+447911123456", True),
        ("01732 123456", False),
        ("+441732123456", False),
        ("0800 123 4567", False),  # freephone
        ("", False),
        ("not a number", False),
    ],
)
def test_it_knows_a_mobile_from_a_landline(number, mobile):
    assert is_mobile(number) is mobile


def party(**fields):
    defaults = {"phone": LANDLINE, "email": "alice@example.org", "preferred_contact": "phone"}
    return PartyFactory(**{**defaults, **fields})


def route_of(party_):
    route = party_route(party_)
    if route is None:
        return None
    return route.method or route.channel


@pytest.mark.parametrize(
    "fields, expected",
    [
        # Texts: to a mobile only, then email, then a call or a letter.
        ({"preferred_contact": "sms", "phone": MOBILE}, "sms"),
        ({"preferred_contact": "sms", "phone": LANDLINE}, "email"),
        ({"preferred_contact": "sms", "phone": MOBILE, "no_text_messages": True}, "email"),
        ({"preferred_contact": "sms", "phone": LANDLINE, "email": ""}, "phone"),
        ({"preferred_contact": "sms", "phone": "", "email": "", "no_email": True}, "letter"),
        # Email, then a text to a mobile, then by hand.
        ({"preferred_contact": "email"}, "email"),
        ({"preferred_contact": "email", "no_email": True, "phone": MOBILE}, "sms"),
        ({"preferred_contact": "email", "no_email": True, "phone": LANDLINE}, "phone"),
        # Calls: a landline is phoned by a coordinator, never texted nor swapped for email.
        ({"preferred_contact": "phone", "phone": LANDLINE}, "phone"),
        ({"preferred_contact": "phone", "phone": MOBILE}, "sms"),
        ({"preferred_contact": "phone", "phone": MOBILE, "no_text_messages": True}, "phone"),
        ({"preferred_contact": "phone", "phone": ""}, "email"),
        # Letters: always a letter, never anything electronic.
        ({"preferred_contact": "letter", "phone": MOBILE}, "letter"),
    ],
)
def test_it_follows_the_preferred_method_and_the_restrictions(fields, expected):
    assert route_of(party(**fields)) == expected


def test_a_reason_never_repeats_the_number_or_the_address():
    for fields in (
        {"preferred_contact": "phone"},
        {"preferred_contact": "letter"},
        {"preferred_contact": "sms", "email": ""},
    ):
        p = party(**fields)
        route = party_route(p)
        assert route.by_hand and route.reason
        for detail in (p.phone, "01732", p.address_line1, p.postcode, p.email):
            assert not detail or detail not in route.reason


@pytest.mark.parametrize("kind", ["mediate", "data_processing"])
@pytest.mark.parametrize("preferred", ["sms", "email", "phone", "letter"])
def test_a_party_who_withdrew_consent_gets_nothing_by_any_route(kind, preferred):
    p = party(preferred_contact=preferred, phone=MOBILE)
    ConsentFactory(party=p, kind=kind, withdrawn_at=timezone.now())

    assert party_route(p) is None


def test_a_volunteer_is_texted_only_on_a_mobile():
    assert volunteer_route(VolunteerFactory(email="", phone=LANDLINE)) is None
    texted = volunteer_route(VolunteerFactory(email="", phone=MOBILE))
    assert texted.channel == OutboxMessage.Channel.SMS


# --- Through booking: what is written -----------------------------------------------------


def to_parties(session):
    return OutboxMessage.objects.filter(session=session, party__isnull=False)


def test_it_sends_no_text_to_a_landline_but_asks_a_coordinator_to_phone(active_case, book):
    """The reproduced bug: a party who prefers calls, on 01732 123456, had 4 texts scheduled."""
    active_case.parties.update(preferred_contact="phone", phone=LANDLINE)

    session = book()

    assert not to_parties(session).exists()
    tasks = ManualContact.objects.filter(session=session)
    assert (
        sorted(tasks.values_list("method", "kind", "status"))
        == [("phone", "session_reminder", "open")] * 2
    )
    # One call each, by the time the first reminder would have gone: 48 real hours before.
    assert {t.due_at for t in tasks} == {session.starts_at - datetime.timedelta(hours=48)}


def test_it_texts_a_mobile(active_case, book):
    active_case.parties.update(preferred_contact="sms", phone=MOBILE)

    session = book()

    assert set(to_parties(session).values_list("channel", flat=True)) == {"sms"}
    assert to_parties(session).count() == 4  # two parties, two reminders each
    assert not ManualContact.objects.exists()


def test_it_asks_for_a_letter_to_a_party_who_prefers_letters(active_case, book):
    alice = active_case.parties.get(full_name="Alice Carter")
    active_case.parties.update(preferred_contact="email")
    alice.preferred_contact = "letter"
    alice.save()

    session = book()

    assert not to_parties(session).filter(party=alice).exists()
    assert to_parties(session).exclude(party=alice).count() == 2  # Bob, by email
    (task,) = ManualContact.objects.all()
    assert (task.party, task.method, task.case) == (alice, "letter", active_case)


def test_a_party_who_withdrew_data_consent_gets_no_message_and_no_task(active_case, book):
    alice = active_case.parties.get(full_name="Alice Carter")
    alice.consents.filter(kind="data_processing").update(withdrawn_at=timezone.now())
    active_case.parties.update(preferred_contact="letter")

    book(parties=[alice, active_case.parties.get(full_name="Bob Dunn")])

    assert not OutboxMessage.objects.filter(party=alice).exists()
    assert not ManualContact.objects.filter(party=alice).exists()
    assert ManualContact.objects.filter(party__full_name="Bob Dunn").count() == 1


def test_mediators_without_email_or_a_mobile_get_nothing(active_case, book):
    from cases.models import CaseAssignment

    for assignment in CaseAssignment.objects.filter(case=active_case):
        volunteer = assignment.volunteer
        volunteer.email, volunteer.phone = "", LANDLINE
        volunteer.save()

    session = book()

    assert not OutboxMessage.objects.filter(session=session, volunteer__isnull=False).exists()
