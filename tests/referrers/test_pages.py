"""The referring organisations' pages: who may use them, what they show, what they change."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from referrers.models import Referrer, ReferrerContact
from tests.factories import CaseFactory, ReferrerContactFactory, ReferrerFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    return ReferrerFactory(name="Kent Police ASB Unit", kind="police")


@pytest.fixture
def person(org):
    return ReferrerContactFactory(referrer=org, name="Sam Patel", email="sam@police.example.org")


def urls(org, person):
    pk, contact_pk = org.pk, person.pk
    return {
        "list": ("get", reverse("referrers:list")),
        "new": ("get", reverse("referrers:new")),
        "detail": ("get", reverse("referrers:detail", args=[pk])),
        "edit": ("get", reverse("referrers:edit", args=[pk])),
        "retire": ("post", reverse("referrers:retire", args=[pk])),
        "unretire": ("post", reverse("referrers:unretire", args=[pk])),
        "contact_new": ("get", reverse("referrers:contact_new", args=[pk])),
        "contact_edit": ("get", reverse("referrers:contact_edit", args=[pk, contact_pk])),
        "contact_retire": ("post", reverse("referrers:contact_retire", args=[pk, contact_pk])),
        "contact_unretire": (
            "post",
            reverse("referrers:contact_unretire", args=[pk, contact_pk]),
        ),
    }


@pytest.mark.parametrize("role", ["coordinator", "administrator"])
def test_staff_may_use_every_page(request, login, org, person, role):
    client = login(request.getfixturevalue(role))
    for name, (method, url) in urls(org, person).items():
        response = getattr(client, method)(url)
        assert response.status_code == (302 if method == "post" else 200), name


@pytest.mark.parametrize("role", ["mediator", "supervisor", "no_role_user"])
def test_mediators_and_supervisors_are_refused(request, login, org, person, role):
    client = login(request.getfixturevalue(role))
    for name, (method, url) in urls(org, person).items():
        assert getattr(client, method)(url).status_code == 403, name
    assert not AuditEvent.objects.filter(object_type="referrers.referrer").exists()


def test_anonymous_users_are_sent_to_log_in(client, org, person):
    for name, (method, url) in urls(org, person).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_an_organisation_or_person_that_does_not_exist_is_404(login, coordinator, org, person):
    client = login(coordinator)
    other = ReferrerContactFactory()  # someone at another organisation

    assert client.get(reverse("referrers:detail", args=[org.pk + 999])).status_code == 404
    assert client.get(reverse("referrers:contact_edit", args=[org.pk, other.pk])).status_code == 404
    assert (
        client.post(reverse("referrers:contact_retire", args=[org.pk, other.pk])).status_code == 404
    )


def test_the_navigation_offers_it_to_staff_only(login, coordinator, mediator):
    assert reverse("referrers:list") in login(coordinator).get("/").content.decode()
    assert reverse("referrers:list") not in login(mediator).get("/").content.decode()


# --- The list ---------------------------------------------------------------------------------


def test_the_list_hides_retired_organisations_unless_asked(login, coordinator, org):
    gone = ReferrerFactory(name="Old Housing Trust", retired_at="2026-01-01T00:00Z")
    client = login(coordinator)

    html = client.get(reverse("referrers:list")).content.decode()
    assert org.name in html and gone.name not in html

    html = client.get(reverse("referrers:list"), {"retired": "on"}).content.decode()
    assert gone.name in html and "Retired" in html


def test_the_list_searches_names_of_organisations_and_people(login, coordinator, org, person):
    ReferrerFactory(name="Sevenoaks District Council")
    client = login(coordinator)

    html = client.get(reverse("referrers:list"), {"q": "police asb"}).content.decode()
    assert org.name in html and "Sevenoaks" not in html
    html = client.get(reverse("referrers:list"), {"q": "patel"}).content.decode()
    assert org.name in html and "Sevenoaks" not in html


def test_the_list_pages_by_25(login, coordinator):
    for n in range(30):
        ReferrerFactory(name=f"Organisation {n:02}")
    client = login(coordinator)

    first = client.get(reverse("referrers:list")).content.decode()
    second = client.get(reverse("referrers:list"), {"page": 2}).content.decode()

    assert "Organisation 00" in first and "Organisation 29" not in first
    assert "Organisation 29" in second and "30 organisations" in first


def test_the_lists_queries_do_not_grow_with_the_organisations(
    login, coordinator, django_assert_max_num_queries
):
    client = login(coordinator)
    for n in range(3):
        ReferrerContactFactory(referrer=ReferrerFactory(name=f"Few {n}"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("referrers:list"))
    for n in range(40):
        ReferrerContactFactory(referrer=ReferrerFactory(name=f"Many {n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("referrers:list"))


# --- An organisation's page -----------------------------------------------------------------


def test_the_page_shows_its_people_and_only_the_cases_the_user_may_see(
    login, coordinator, administrator, org, person
):
    mine = CaseFactory(referrer=org, referrer_person=person)
    CaseFactory(referrer=ReferrerFactory())  # another organisation's

    html = login(coordinator).get(reverse("referrers:detail", args=[org.pk])).content.decode()
    assert "Sam Patel" in html and mine.reference in html and "1 you can see" in html
    # An administrator sees the organisation, but no cases (rule 11: they do no casework).
    html = login(administrator).get(reverse("referrers:detail", args=[org.pk])).content.decode()
    assert "Sam Patel" in html and mine.reference not in html and "No cases you can see" in html


def test_the_page_is_audited_as_a_view(login, coordinator, org):
    login(coordinator).get(reverse("referrers:detail", args=[org.pk]))

    assert AuditEvent.objects.filter(
        action="view", object_type="referrers.referrer", object_id=str(org.pk)
    ).exists()


def test_a_case_out_of_the_users_scope_is_not_listed(client, org, mediator):
    """Were a mediator let in, the list would still be scoped: the selector is."""
    from referrers.selectors import cases_of

    theirs, other = CaseFactory(referrer=org), CaseFactory(referrer=org)
    assign(theirs, mediator)

    assert list(cases_of(org, mediator)) == [theirs]
    assert other not in cases_of(org, mediator)


def test_the_pages_queries_do_not_grow_with_its_cases_or_people(
    login, coordinator, org, django_assert_max_num_queries
):
    client = login(coordinator)
    url = reverse("referrers:detail", args=[org.pk])
    ReferrerContactFactory(referrer=org)
    CaseFactory(referrer=org)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(10):
        person = ReferrerContactFactory(referrer=org)
        CaseFactory(referrer=org, referrer_person=person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- Changes ---------------------------------------------------------------------------------


def test_a_coordinator_adds_an_organisation(login, coordinator):
    response = login(coordinator).post(
        reverse("referrers:new"),
        {"name": "  Tonbridge   Grammar School ", "kind": "school", "phone": "01732 123456"},
    )

    org = Referrer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrers/{org.pk}/"
    assert org.name == "Tonbridge Grammar School" and org.phone == "+441732123456"


def test_a_name_already_taken_is_refused_with_everything_kept(login, coordinator, org):
    response = login(coordinator).post(
        reverse("referrers:new"),
        {"name": "kent police  asb unit", "email": "asb@example.org", "address": "1 High St"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is already an organisation called “Kent Police ASB Unit”" in html
    assert "asb@example.org" in html and "1 High St" in html
    assert Referrer.objects.count() == 1


def test_an_organisation_is_edited_retired_and_brought_back(login, coordinator, org):
    client = login(coordinator)

    client.post(reverse("referrers:edit", args=[org.pk]), {"name": "Kent Police", "kind": "police"})
    client.post(reverse("referrers:retire", args=[org.pk]))
    org.refresh_from_db()
    assert org.name == "Kent Police" and org.is_retired
    client.post(reverse("referrers:unretire", args=[org.pk]))
    org.refresh_from_db()
    assert not org.is_retired


def test_a_person_is_added_edited_and_retired(login, coordinator, org):
    client = login(coordinator)

    client.post(
        reverse("referrers:contact_new", args=[org.pk]),
        {"name": "Jo Bloggs", "email": "jo@example.org", "receives_updates": "on"},
    )
    jo = ReferrerContact.objects.get(name="Jo Bloggs")
    client.post(
        reverse("referrers:contact_edit", args=[org.pk, jo.pk]),
        {"name": "Jo Bloggs", "job_title": "ASB officer", "email": "jo@example.org"},
    )
    jo.refresh_from_db()
    assert jo.job_title == "ASB officer" and not jo.receives_updates
    client.post(reverse("referrers:contact_retire", args=[org.pk, jo.pk]))
    jo.refresh_from_db()
    assert jo.retired_at is not None
    html = client.get(reverse("referrers:detail", args=[org.pk])).content.decode()
    assert 'Bring back<span class="visually-hidden"> Jo Bloggs' in html


def test_a_bad_phone_number_is_shown_next_to_the_field(login, coordinator, org):
    response = login(coordinator).post(
        reverse("referrers:contact_new", args=[org.pk]), {"name": "Jo Bloggs", "phone": "123"}
    )

    assert "Enter a valid phone number" in response.content.decode()
    assert not ReferrerContact.objects.filter(name="Jo Bloggs").exists()


def test_the_case_page_links_its_organisation_for_coordinators_only(
    login, coordinator, mediator, org, person
):
    case = CaseFactory(referrer=org, referrer_person=person, referrer_organisation=org.name)
    assign(case, mediator)
    link = f'href="{reverse("referrers:detail", args=[org.pk])}"'

    assert link in login(coordinator).get(case.get_absolute_url()).content.decode()
    assert link not in login(mediator).get(case.get_absolute_url()).content.decode()


# --- What the pages say -----------------------------------------------------------------------


def test_a_person_with_no_email_or_mobile_is_shown_as_not_reachable(login, coordinator, org):
    ReferrerContactFactory(referrer=org, name="Jo Landline", email="", phone="+441732123456")

    html = login(coordinator).get(reverse("referrers:detail", args=[org.pk])).content.decode()

    assert "Cannot be sent case updates: no email address or mobile number" in html


def test_a_search_too_long_is_shown_its_error(login, coordinator, org):
    response = login(coordinator).get(reverse("referrers:list"), {"q": "x" * 101})

    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "at most 100 characters" in html
    assert org.name not in html


def test_no_match_but_retired_ones_offers_to_include_them(login, coordinator):
    ReferrerFactory(name="Old Housing Trust", retired_at="2026-01-01T00:00Z")

    html = login(coordinator).get(reverse("referrers:list"), {"q": "old"}).content.decode()

    assert "1 retired organisation matches" in html
    assert "retired=on" in html and "include retired" in html


def test_long_names_wrap_rather_than_push_the_page_sideways(login, coordinator):
    long = ReferrerFactory(name="X" * 180)

    html = login(coordinator).get(reverse("referrers:detail", args=[long.pk])).content.decode()

    assert 'class="h3 mb-0 text-break"' in html
    assert 'class="breadcrumb-item active text-break"' in html


def test_renaming_on_the_page_says_it_reached_the_cases(login, coordinator, org, person):
    CaseFactory(referrer=org, referrer_organisation=org.name)

    response = login(coordinator).post(
        reverse("referrers:edit", args=[org.pk]), {"name": "Kent Police ASB"}, follow=True
    )

    assert "The new name is on its 1 case too." in response.content.decode()
