"""Rules asked again as time passes and facts change: a DBS check that lapses after the pair was
assigned, and a conflict of interest that appears after it (a connection declared, a party who
moves or joins)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import OutboxMessage
from parties import services as party_services
from rules.jobs import queue_rule_digest
from tests.factories import DBSCheckFactory
from tests.rules.conftest import breaches, reasons, topics
from volunteers import services
from volunteers.models import DBSCheck
from wkm.consequences import listen

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def dbs_current_until(volunteer, until):
    """Give ``volunteer`` one enhanced check, current until ``until``."""
    DBSCheck.objects.filter(volunteer=volunteer).delete()
    check = DBSCheckFactory(volunteer=volunteer, issued_on=TODAY - 30 * DAY)
    DBSCheck.objects.filter(pk=check.pk).update(current_until=until)


# --- DBS ----------------------------------------------------------------------------------------


def test_a_check_that_lapses_before_a_booked_session_is_flagged(team, book):
    session = book(team.case, days=10)
    dbs_current_until(team.co, TODAY + 5 * DAY)

    found = [b for b in breaches(team.case) if b.topic == "DBS"]

    assert len(found) == 1 and found[0].volunteer_id == team.co.pk
    assert "stops being current on" in found[0].reason
    assert f"{timezone.localtime(session.starts_at).day} " in found[0].reason


def test_no_session_is_booked_after_a_mediators_check_lapses(team, book):
    dbs_current_until(team.co, TODAY + 5 * DAY)

    book(team.case, days=4)  # still current that day
    with pytest.raises(ValidationError, match="no current enhanced DBS check"):
        book(team.case, days=8)


def test_time_passing_lapses_a_check_and_the_daily_job_says_so(
    team, book, coordinator, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    dbs_current_until(team.co, TODAY + 2 * DAY)
    assert "DBS" not in topics(team.case)

    time_machine.shift(datetime.timedelta(days=3))

    assert "lapsed on" in reasons(team.case)
    assert queue_rule_digest() == 1  # one coordinator
    assert queue_rule_digest() == 0  # once a day
    digest = OutboxMessage.objects.get(kind="rule_digest")
    assert digest.user == coordinator
    assert digest.context["rows"] == [
        {"reference": team.case.reference, "volunteer_id": None, "topics": ["DBS"]}
    ]
    with pytest.raises(ValidationError, match="no current enhanced DBS check"):
        book(team.case, days=4)


def test_a_lapsed_check_shows_on_the_case_page_the_session_page_and_the_home_page(
    team, book, coordinator, login
):
    session = book(team.case, days=10)
    dbs_current_until(team.co, TODAY - DAY)
    client = login(coordinator)

    case_page = client.get(team.case.get_absolute_url()).content.decode()
    session_page = client.get(session.get_absolute_url()).content.decode()
    home = client.get("/").content.decode()

    reason = f"{team.co.full_name}&#x27;s enhanced DBS check lapsed on"
    assert "This case needs attention" in case_page and reason in case_page
    assert "The case needs attention before this session" in session_page
    assert reason in session_page
    attention = home[home.index('id="attention-heading"') :]
    assert reason in attention and team.case.reference in attention


def test_the_digest_says_nothing_when_nothing_is_wrong(team, coordinator):
    assert queue_rule_digest() == 0
    assert not OutboxMessage.objects.filter(kind="rule_digest").exists()


# --- Impartiality --------------------------------------------------------------------------------


def test_a_connection_declared_later_flags_the_case_and_stops_bookings(team, book, coordinator):
    with listen() as told:
        services.connection_add(
            volunteer=team.co, by=coordinator, fields={"person_name": "Bob Dunn", "note": "Cousin"}
        )

    assert f"{team.case.reference} now has a conflict of interest" in " ".join(told)
    assert "declared a connection with Bob Dunn" in reasons(team.case)
    with pytest.raises(ValidationError, match="declared a connection with Bob Dunn"):
        book(team.case, days=4)


def test_a_party_moving_next_to_a_mediator_flags_the_case(team, coordinator):
    with listen() as told:
        party_services.party_update(
            party=team.alice, by=coordinator, fields={"postcode": team.co.postcode}
        )

    assert "now has a conflict of interest" in " ".join(told)
    assert f"shares a postcode ({team.co.postcode}) with Alice Carter" in reasons(team.case)


def test_a_party_added_who_knows_a_mediator_flags_the_case(team, coordinator):
    services.connection_add(volunteer=team.lead, by=coordinator, fields={"street": "Priory Road"})
    assert "Impartiality" not in topics(team.case)

    with listen() as told:
        party_services.party_add(
            case=team.case,
            by=coordinator,
            fields={
                "full_name": "Carol Dunn",
                "role": "family_member",
                "preferred_contact": "letter",
                "address_line1": "14 Priory Road",
                "postcode": "TN9 1AB",
            },
        )

    assert f"{team.case.reference} now has a conflict of interest" in " ".join(told)
    assert "declared a connection with Carol Dunn (Priory Road)" in reasons(team.case)


def test_keeping_the_pair_with_a_written_reason_settles_the_conflict(
    team, book, coordinator, login
):
    services.connection_add(volunteer=team.co, by=coordinator, fields={"person_name": "Bob Dunn"})
    url = f"/cases/{team.case.reference}/assign/"
    pair = {"lead": team.lead.pk, "co_mediator": team.co.pk}

    refused = login(coordinator).post(url, pair)
    assert "Record why it is acceptable to assign them anyway." in refused.content.decode()
    assert "Impartiality" in topics(team.case)

    login(coordinator).post(url, {**pair, "override_reason": "Met once, years ago; both agree"})

    assert "Impartiality" not in topics(team.case)
    book(team.case, days=4)
    assignment = team.case.assignments.get(volunteer=team.co, ended_on__isnull=True)
    assert "Met once, years ago" in assignment.override_reason
    assert AuditEvent.objects.filter(case_reference=team.case.reference, detail__overridden=True)
    # A new conflict later is not covered by the reason given for this one.
    party_services.party_update(
        party=team.alice, by=coordinator, fields={"postcode": team.lead.postcode}
    )
    assert "Impartiality" in topics(team.case)
    with pytest.raises(ValidationError, match="shares a postcode"):
        book(team.case, days=6)


def party_form(party, **changes) -> dict:
    """What the party form posts: the party as stored, with ``changes``."""
    from django.forms.models import model_to_dict

    from parties.services import PARTY_EDITABLE_FIELDS

    values = model_to_dict(party, fields=PARTY_EDITABLE_FIELDS)
    return {k: "" if v is None else v for k, v in {**values, **changes}.items()}


def test_editing_a_party_on_the_page_says_it_makes_a_conflict(team, coordinator, login):
    url = f"/cases/{team.case.reference}/parties/{team.alice.pk}/edit/"

    response = login(coordinator).post(url, party_form(team.alice, postcode=team.co.postcode))

    assert response.status_code == 302
    said = " ".join(str(m) for m in response.wsgi_request._messages)
    assert f"{team.case.reference} now has a conflict of interest" in said
    page = login(coordinator).get(team.case.get_absolute_url()).content.decode()
    assert f"shares a postcode ({team.co.postcode}) with Alice Carter" in page


def test_adding_a_party_on_the_page_says_it_makes_a_conflict(team, coordinator, login):
    services.connection_add(
        volunteer=team.lead, by=coordinator, fields={"person_name": "Carol Dunn"}
    )

    response = login(coordinator).post(
        f"/cases/{team.case.reference}/parties/new/",
        {"full_name": "Carol Dunn", "role": "family_member", "preferred_contact": "letter",
         "address_line1": "3 Quarry Hill", "postcode": "TN9 2AA"},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    said = " ".join(str(m) for m in response.wsgi_request._messages)
    assert f"{team.case.reference} now has a conflict of interest" in said


@pytest.mark.parametrize("stored", ["me156rt", "ME156RT\t", "Me15 6rt"])
def test_the_checker_matches_postcodes_however_they_were_stored(team, stored):
    """A postcode written by a data fix or an import, not normalised by the form."""
    from parties.models import Party

    Party.objects.filter(pk=team.alice.pk).update(postcode=stored)

    assert f"{team.lead.full_name} shares a postcode (ME15 6RT) with Alice Carter" in reasons(
        team.case
    )
