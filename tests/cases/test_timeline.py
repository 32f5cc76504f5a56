"""The case timeline tells the story: what the services did, in plain words with names, beside
the notes people typed; "Notes only" hides the updates. Nothing private leaks through it."""

import datetime

import pytest
from django.utils import timezone

from cases import agreements
from cases import services as case_services
from cases.models import ContactLogEntry
from parties import services as party_services
from sessions import services as session_services
from tests.factories import eligible_volunteer, held_session
from tests.sessions.conftest import at
from volunteers.services import assign_pair

pytestmark = pytest.mark.django_db


def updates(case) -> list[str]:
    return list(
        case.log_entries.filter(kind="event")
        .order_by("occurred_at", "id")
        .values_list("text", flat=True)
    )


@pytest.fixture
def story(coordinator, mediator, other_mediator):
    """A case taken from referral to a closed agreement through the services."""
    case = case_services.case_create(
        by=coordinator,
        fields={"dispute_type": "neighbour", "referral_source": "housing",
                "received_on": timezone.localdate(), "summary": "Noise."},
        parties=[{"full_name": "Alice Carter", "role": "first_party", "preferred_contact": "phone",
                  "phone": "+441732123456"},
                 {"full_name": "Bob Dunn", "role": "other_party", "preferred_contact": "phone",
                  "phone": "+441732654321"}],
    )  # fmt: skip
    for status in ("contacting", "awaiting_consent"):
        case_services.case_transition(case=case, to=status, by=coordinator)
    for party in case.parties.all():
        party_services.consents_record(
            party=party, by=coordinator, kinds=["mediate", "data_processing"], method="verbal",
            given_at=timezone.now() - datetime.timedelta(minutes=5),
        )  # fmt: skip
    case_services.case_transition(case=case, to="ready", by=coordinator)
    lead = eligible_volunteer(mediator, postcode="ME15 6RT")
    co = eligible_volunteer(other_mediator, postcode="TN4 9LH")
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    session = session_services.session_book(
        case=case, by=coordinator, kind="joint", mode="office", venue="WKM office",
        starts_at=at(3, 10), ends_at=at(3, 11), parties=list(case.parties.all()),
    )  # fmt: skip
    session_services.session_cancel(session=session, by=coordinator, reason="Room flooded")
    held_session(case)
    draft = agreements.agreement_start(case=case, by=coordinator)
    agreements.term_add(agreement=draft, by=coordinator, who="Both", what="Talk first")
    agreements.agreement_mark_agreed(agreement=draft, by=coordinator)
    case_services.case_close(
        case=case, by=coordinator, outcome="full_agreement", closed_on=timezone.localdate()
    )
    return case


def test_every_step_of_the_case_is_on_its_timeline_in_plain_words(story):
    told = "\n".join(updates(story))

    for words in [
        "Referral logged (housing provider), with Alice Carter, Bob Dunn.",
        "Status: Referred → Contacting parties.",
        "Status: Contacting parties → Awaiting consent.",
        "Alice Carter consented to take part in mediation; to the processing of their personal "
        "data (verbally).",
        "Status: Awaiting consent → Ready to assign.",
        "Mediators: ",
        "Joint meeting booked for",
        "cancelled: Room flooded.",
        "Agreement version 1 agreed by every party (1 term).",
        "Case closed: full agreement.",
    ]:
        assert words in told, words
    assert "#" not in told  # names, never ids
    lead = story.assignments.get(role="lead").volunteer
    co = story.assignments.exclude(role="lead").get().volunteer
    assert f"Mediators: {lead.full_name} (lead) and {co.full_name}." in told


def test_updates_are_not_contact_and_cannot_be_typed(story, coordinator, login):
    from cases.filters import not_contacted_q
    from cases.models import Case

    # A referral moved to "contacting parties": updates on its timeline, nobody contacted yet.
    fresh = case_services.case_create(
        by=coordinator,
        fields={"dispute_type": "neighbour", "referral_source": "self",
                "received_on": timezone.localdate(), "summary": "Noise."},
        parties=[{"full_name": "Dee Ford", "role": "first_party", "preferred_contact": "phone",
                  "phone": "+441732123456"}],
    )  # fmt: skip
    case_services.case_transition(case=fresh, to="contacting", by=coordinator)
    assert fresh.log_entries.filter(kind="event").count() == 2
    assert Case.objects.filter(not_contacted_q(), pk=fresh.pk).exists()
    html = login(coordinator).get(f"/cases/{story.reference}/").content.decode()
    assert 'value="event"' not in html  # not offered in "Add a call, letter, visit or note"


def test_notes_only_hides_the_updates(story, coordinator, login):
    ContactLogEntry.objects.create(
        case=story, kind="call", text="Rang Alice back.", occurred_at=timezone.now(),
        author=coordinator,
    )  # fmt: skip
    client = login(coordinator)

    everything = client.get(f"/cases/{story.reference}/").content.decode()
    notes = client.get(f"/cases/{story.reference}/?timeline=notes").content.decode()

    assert "Rang Alice back." in everything and "Case closed: full agreement." in everything
    assert "Rang Alice back." in notes and "Case closed: full agreement." not in notes


def test_the_assigned_mediator_reads_the_story_too(story, mediator, login):
    html = login(mediator).get(f"/cases/{story.reference}/").content.decode()

    assert "Agreement version 1 agreed by every party" in html


def test_the_timeline_page_asks_the_same_queries_however_long_the_story(
    story, coordinator, login, django_assert_max_num_queries
):
    client = login(coordinator)
    client.get(f"/cases/{story.reference}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as short:
        client.get(f"/cases/{story.reference}/")
    ContactLogEntry.objects.bulk_create(
        ContactLogEntry(case=story, kind="note", text=f"Note {n}", occurred_at=timezone.now(),
                        author=coordinator)
        for n in range(30)
    )  # fmt: skip

    with django_assert_max_num_queries(len(short)):
        client.get(f"/cases/{story.reference}/")


def test_a_party_is_shown_only_the_updates_about_themselves(story, coordinator):
    from cases.disclosure import log_entries_for

    alice = story.parties.get(full_name="Alice Carter")
    texts = " ".join(e.text for e in log_entries_for(story, audience=alice))

    assert "Alice Carter consented" in texts
    assert "Bob Dunn" not in texts  # his consent is his
