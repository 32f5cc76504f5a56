"""The assignment page on a case: suggestions, and every refusal shown with its reason."""

import pytest
from django.utils import timezone

from tests.factories import (
    AvailabilityFactory,
    UserFactory,
    eligible_volunteer,
    ready_case,
)
from volunteers.suggestions import suggest_pairs

pytestmark = pytest.mark.django_db


def test_it_assigns_the_chosen_pair(login, coordinator):
    case = ready_case()
    lead, co = eligible_volunteer(), eligible_volunteer()

    response = login(coordinator).post(
        f"/cases/{case.reference}/assign/", {"lead": lead.pk, "co_mediator": co.pk}, follow=True
    )

    assert "are assigned to" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "active"


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda v: v.training.update(hours=20), "has not completed 40 hours"),
        (lambda v: v.dbs_checks.all().delete(), "no current enhanced DBS check"),
        (lambda v: v.accreditations.all().delete(), "not accredited for community mediation"),
        (lambda v: setattr(v, "postcode", "TN9 1AA") or v.save(), "shares a postcode"),
    ],
)
def test_it_shows_why_a_pair_is_refused(login, coordinator, spoil, reason):
    case = ready_case()
    lead, co = eligible_volunteer(), eligible_volunteer()
    spoil(co)

    response = login(coordinator).post(
        f"/cases/{case.reference}/assign/", {"lead": lead.pk, "co_mediator": co.pk}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This pair cannot be assigned" in html and reason in html
    assert not case.assignments.exists()


def test_it_shows_the_trainee_rules_on_the_page(login, coordinator):
    case = ready_case(dispute_type="parent_teen")
    lead = eligible_volunteer(accredited=("community", "parent_teen"))
    trainee = eligible_volunteer(UserFactory(roles=["Mediator"]), status="trainee")

    html = (
        login(coordinator)
        .post(f"/cases/{case.reference}/assign/", {"lead": lead.pk, "co_mediator": trainee.pk})
        .content.decode()
    )

    assert "trainees only work on community cases" in html
    assert "not accredited for parent/teen mediation" in html


def test_it_ranks_suggestions_by_fit_availability_caseload_and_nearness(coordinator):
    case = ready_case()
    busy = eligible_volunteer(last_name="Busy", postcode="TN9 2ZZ")
    near = eligible_volunteer(last_name="Near", postcode="TN9 3AA")
    far = eligible_volunteer(last_name="Far", postcode="ME16 0DF")
    both_free = [(0, "evening"), (2, "evening")]
    for volunteer in (near, far):
        for day, part in both_free:
            AvailabilityFactory(volunteer=volunteer, weekday=day, part_of_day=part)
    other = ready_case()
    from volunteers.services import assign_pair

    assign_pair(
        case=other, lead=busy, co_mediator=eligible_volunteer(postcode="CT1 1AA"), by=coordinator
    )

    suggestions = suggest_pairs(case)

    first = {suggestions[0].lead, suggestions[0].co_mediator}
    assert first == {near, far}
    assert "2 shared availability slots a week" in suggestions[0].reasons
    assert all(busy not in {s.lead, s.co_mediator} for s in suggestions[:1])


def test_it_leaves_out_pairs_that_break_a_rule(coordinator):
    case = ready_case()
    fine = eligible_volunteer(last_name="Fine")
    lapsed = eligible_volunteer(last_name="Lapsed")
    lapsed.dbs_checks.all().delete()
    assert suggest_pairs(case) == []  # Fine has nobody to work with: Lapsed may not
    also_fine = eligible_volunteer(last_name="Also-Fine")

    (only,) = suggest_pairs(case)
    assert {only.lead, only.co_mediator} == {fine, also_fine}


def test_it_is_for_coordinators_only(login, mediator, my_case):
    my_case.status = "ready"
    my_case.save()

    assert login(mediator).get(f"/cases/{my_case.reference}/assign/").status_code == 403


def test_it_shows_history_after_a_replacement(login, coordinator):
    case = ready_case()
    a, b, c = (eligible_volunteer(last_name=n) for n in ("Ames", "Bell", "Cole"))
    client = login(coordinator)
    client.post(f"/cases/{case.reference}/assign/", {"lead": a.pk, "co_mediator": b.pk})
    client.post(f"/cases/{case.reference}/assign/", {"lead": a.pk, "co_mediator": c.pk})

    html = client.get(f"/cases/{case.reference}/assign/").content.decode()

    today = timezone.localdate().strftime("%-d %b %Y")
    assert f"{b.full_name}, co-mediator, {today} to {today}" in html


def _message(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_page_says_truthfully_who_will_be_told_and_how(login, coordinator):
    case = ready_case()
    emailed = eligible_volunteer(first_name="Martin", last_name="Hale", postcode="ME15 6RT")
    texted = eligible_volunteer(
        first_name="Grace", last_name="Obi", email="", phone="+447911123456", postcode="TN4 9LH"
    )

    response = login(coordinator).post(
        f"/cases/{case.reference}/assign/",
        {"lead": emailed.pk, "co_mediator": texted.pk},
        follow=True,
    )

    message = _message(response)
    assert f"Martin Hale and Grace Obi are assigned to {case.reference}." in message
    assert "Martin Hale will be emailed." in message
    assert "Grace Obi will get a text message." in message
    assert "both have been emailed" not in message


def test_the_page_names_whoever_has_no_address_for_the_coordinator_to_tell(login, coordinator):
    case = ready_case()
    lead = eligible_volunteer(first_name="Martin", last_name="Hale", postcode="ME15 6RT")
    unreachable = eligible_volunteer(
        first_name="Grace", last_name="Obi", email="", phone="", postcode="TN4 9LH"
    )

    response = login(coordinator).post(
        f"/cases/{case.reference}/assign/",
        {"lead": lead.pk, "co_mediator": unreachable.pk},
        follow=True,
    )

    message = _message(response)
    assert "Martin Hale will be emailed." in message
    assert (
        "Grace Obi has no email address or mobile number on record: tell them yourself." in message
    )
    assert "emailed" not in message.split("Martin Hale will be emailed.")[1]


def test_the_page_does_not_claim_to_tell_someone_already_on_the_case(login, coordinator):
    case = ready_case()
    lead = eligible_volunteer(first_name="Martin", last_name="Hale", postcode="ME15 6RT")
    co = eligible_volunteer(first_name="Grace", last_name="Obi", postcode="TN4 9LH")
    new = eligible_volunteer(first_name="Nia", last_name="Reed", postcode="TN1 1AA")
    client = login(coordinator)
    client.post(f"/cases/{case.reference}/assign/", {"lead": lead.pk, "co_mediator": co.pk})

    response = client.post(
        f"/cases/{case.reference}/assign/", {"lead": lead.pk, "co_mediator": new.pk}, follow=True
    )

    message = _message(response)
    assert "Nia Reed will be emailed." in message
    assert "Martin Hale was already on the case." in message
    assert "Martin Hale will be emailed" not in message
