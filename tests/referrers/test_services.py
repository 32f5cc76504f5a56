"""referrers.services: every change audited, names kept once, nothing deleted, and what a
retirement or a change of address does to the updates still to go."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases import services as case_services
from notifications.models import OutboxMessage
from referrers import services
from tests.factories import ReferrerContactFactory, ReferrerFactory

pytestmark = pytest.mark.django_db


def events(obj):
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("pk")
    )


def test_creating_and_editing_an_organisation_is_audited(coordinator):
    org = services.referrer_create(by=coordinator, fields={"name": " Clarion  Housing "})
    org = services.referrer_update(
        referrer=org, by=coordinator, fields={"name": "Clarion Housing Group"}
    )
    services.referrer_update(referrer=org, by=coordinator, fields={"name": "Clarion Housing Group"})

    create, change = events(org)  # an edit that changes nothing records nothing
    assert org.name == "Clarion Housing Group"
    assert (create.action, create.actor, create.object_repr) == (
        "create",
        coordinator,
        f"Referrer #{org.pk}",
    )
    assert change.detail == {"fields": ["name"]}


def test_a_name_is_kept_once_whatever_its_capitals_and_spaces(coordinator):
    ReferrerFactory(name="Kent Police")
    other = ReferrerFactory(name="Medway Council")

    with pytest.raises(ValidationError, match="already an organisation called “Kent Police”"):
        services.referrer_create(by=coordinator, fields={"name": "KENT  police"})
    with pytest.raises(ValidationError, match="already"):
        services.referrer_update(referrer=other, by=coordinator, fields={"name": "kent police"})


def test_its_usual_source_is_a_current_referral_source_whatever_calls_the_service(coordinator):
    """The service refuses what the form would (the admin, a command, intake all come here):
    a self-referral, or a code no list has; a source retired since stays on the organisation
    that has it, but no other may take it."""
    from cases import lists
    from cases.models import ListEntry

    for kind, message in (("self", "self-referral"), ("nonsense", "Choose one of the")):
        with pytest.raises(ValidationError, match=message):
            services.referrer_create(by=coordinator, fields={"name": f"Org {kind}", "kind": kind})
    school = services.referrer_create(
        by=coordinator, fields={"name": "Hayesbrook", "kind": "school"}
    )
    entry = ListEntry.objects.get(list=lists.REFERRAL_SOURCE, code="school")
    lists.entry_change(entry=entry, by=coordinator, retired=True)

    services.referrer_update(referrer=school, by=coordinator, fields={"notes": "Head of year"})
    with pytest.raises(ValidationError, match="has been retired"):
        services.referrer_create(by=coordinator, fields={"name": "Another", "kind": "school"})


def test_a_retired_name_says_to_bring_it_back(coordinator):
    ReferrerFactory(name="Kent Police", retired_at=timezone.now())

    with pytest.raises(ValidationError, match="retired: bring it back"):
        services.referrer_create(by=coordinator, fields={"name": "Kent Police"})


def test_retiring_and_bringing_back_is_audited_and_checked(coordinator):
    org = ReferrerFactory()

    services.referrer_retire(referrer=org, by=coordinator)
    with pytest.raises(ValidationError, match="already retired"):
        services.referrer_retire(referrer=org, by=coordinator)
    services.referrer_unretire(referrer=org, by=coordinator)

    assert [e.detail for e in events(org)] == [{"retired": True}, {"retired": False}]


def test_people_are_added_edited_retired_and_audited_without_their_names(coordinator):
    org = ReferrerFactory()
    jo = services.contact_create(
        referrer=org, by=coordinator, fields={"name": "Jo Bloggs", "phone": "07911 123456"}
    )
    services.contact_update(contact=jo, by=coordinator, fields={"job_title": "ASB officer"})
    services.contact_retire(contact=jo, by=coordinator)
    services.contact_unretire(contact=jo, by=coordinator)

    found = events(jo)
    assert [e.action for e in found] == ["create", "change", "change", "change"]
    assert jo.phone == "+447911123456"
    assert not any("Jo" in e.object_repr or "Jo" in str(e.detail) for e in found)


def test_nobody_is_added_to_a_retired_organisation(coordinator):
    org = ReferrerFactory(retired_at=timezone.now())
    jo = ReferrerContactFactory(referrer=org, retired_at=timezone.now())

    with pytest.raises(ValidationError, match="retired"):
        services.contact_create(referrer=org, by=coordinator, fields={"name": "Jo"})
    with pytest.raises(ValidationError, match="organisation is retired"):
        services.contact_unretire(contact=jo, by=coordinator)


def test_retiring_an_organisation_cancels_its_updates_still_to_go(referred_case, coordinator):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    services.referrer_retire(referrer=referred_case.referrer, by=coordinator)

    assert OutboxMessage.objects.get(kind="referrer_update").status == "cancelled"


def test_turning_updates_off_cancels_those_still_to_go(referred_case, coordinator, pat):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    services.contact_update(contact=pat, by=coordinator, fields={"receives_updates": False})

    assert OutboxMessage.objects.get(kind="referrer_update").status == "cancelled"


def test_removing_the_only_address_cancels_them(referred_case, coordinator, pat):
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)

    services.contact_update(contact=pat, by=coordinator, fields={"email": ""})

    assert OutboxMessage.objects.get(kind="referrer_update").status == "cancelled"


# --- Renames reach the cases; a person once per organisation ---------------------------------


def test_renaming_a_person_renames_them_on_their_cases_only(coordinator, pat, housing):
    from tests.factories import CaseFactory

    theirs = CaseFactory(
        referrer=housing, referrer_person=pat, referrer_organisation=housing.name,
        referrer_name=pat.name,
    )  # fmt: skip
    typed = CaseFactory(referrer_name="Pat Jones")  # text only: someone else perhaps
    from wkm.consequences import listen

    with listen() as heard:
        services.contact_update(contact=pat, by=coordinator, fields={"name": "Patricia Jones"})

    theirs.refresh_from_db()
    typed.refresh_from_db()
    assert theirs.referrer_name == "Patricia Jones"
    assert typed.referrer_name == "Pat Jones"
    assert "The new name is on its 1 case too." in heard
    # The case's history keeps the change (django-pghistory), as for any edit of the case.
    assert theirs.events.filter(referrer_name="Patricia Jones").exists()


def test_a_rename_is_found_by_the_case_search(coordinator, pat, housing):
    from cases.search import search_cases
    from tests.factories import CaseFactory

    case = CaseFactory(
        referrer=housing, referrer_person=pat, referrer_organisation=housing.name,
        referrer_name=pat.name,
    )  # fmt: skip
    services.referrer_update(referrer=housing, by=coordinator, fields={"name": "TCH Homes"})

    from cases.models import Case

    assert case in search_cases(Case.objects.all(), "TCH Homes")


def test_a_person_is_kept_once_per_organisation_whatever_their_capitals(coordinator, pat, housing):
    with pytest.raises(ValidationError) as refused:
        services.contact_create(referrer=housing, by=coordinator, fields={"name": "pat  JONES"})
    assert "Pat Jones is already a contact at Town and Country Housing" in str(refused.value)

    sam = services.contact_create(referrer=housing, by=coordinator, fields={"name": "Sam Lee"})
    with pytest.raises(ValidationError):
        services.contact_update(contact=sam, by=coordinator, fields={"name": "PAT JONES"})
    # Their own name in other capitals is theirs to correct; another organisation's Pat is fine.
    services.contact_update(contact=pat, by=coordinator, fields={"name": "PAT JONES"})
    other = ReferrerFactory(name="Kent Police")
    services.contact_create(referrer=other, by=coordinator, fields={"name": "Pat Jones"})
