"""Referring organisations in the browser: the pages at 375 px with axe-core, and intake
offering only the people of the organisation typed (static/js/referrer-picker.js), then adding a
new organisation with what was typed kept through the refusal."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.e2e.conftest import no_horizontal_scroll, scan
from tests.factories import CaseFactory, ReferrerContactFactory, ReferrerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_pages_on_a_phone(open_page, coordinator):
    org = ReferrerFactory(name="Town and Country Housing")
    person = ReferrerContactFactory(referrer=org, name="Pat Jones", job_title="ASB officer")
    CaseFactory(referrer=org, referrer_person=person)
    ReferrerContactFactory(referrer=org, name="Sam Lee", retired_at="2026-01-01T00:00Z")
    page = open_page(coordinator, width=375, height=700)

    page.goto("/referrers/")
    assert no_horizontal_scroll(page) <= 375
    scan(page, "referrers list (375 px)")
    page.get_by_role("link", name="Town and Country Housing").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "referrer page (375 px)")
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name").fill("Jo Bloggs")
    page.get_by_label("Phone").fill("123")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Enter a valid phone number").first).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Jo Bloggs")
    scan(page, "add a person, with errors (375 px)")


def test_intake_offers_the_people_of_the_organisation_typed(open_page, coordinator):
    housing = ReferrerFactory(name="Town and Country Housing")
    ReferrerContactFactory(referrer=housing, name="Pat Jones")
    ReferrerContactFactory(referrer=ReferrerFactory(name="Kent Police"), name="Sam Patel")
    page = open_page(coordinator, width=375, height=800)
    page.goto("/cases/new/")
    people = page.locator("#referrer-people option")
    expect(people).to_have_count(2)

    page.locator("#id_referrer_organisation").fill("town and country housing")

    expect(people).to_have_count(1)
    expect(people.first).to_have_attribute("value", "Pat Jones")
    scan(page, "new referral with the referrer's lists (375 px)")


def test_a_new_organisation_is_added_at_intake_after_one_refusal(open_page, coordinator):
    page = open_page(coordinator, width=1280, height=900)
    page.goto("/cases/new/")
    page.locator("#id_dispute_type").select_option("neighbour")
    page.locator("#id_referral_source").select_option("housing")
    page.locator("#id_referrer_organisation").fill("Clarion Housing")
    page.locator("#id_referrer_name").fill("Jo Bloggs")
    page.locator("#id_referrer_contact").fill("jo@clarion.example.org")
    page.locator("#id_summary").fill("Noise through a shared wall.")
    page.locator("#id_parties-0-full_name").fill("Alice Carter")
    page.locator("#id_parties-0-phone").fill("01732 123456")
    page.locator("#id_parties-0-preferred_contact").select_option("phone")
    page.get_by_role("button", name="Save referral").click()

    expect(page.locator("[data-error-summary]")).to_contain_text("Referring organisation")
    expect(page.locator("#id_referrer_name")).to_have_value("Jo Bloggs")
    page.get_by_label("Add it as a new organisation").check()
    page.get_by_role("button", name="Save referral").click()

    expect(page.get_by_text("Referral logged as")).to_be_visible()
    case = Case.objects.get()
    assert case.referrer.name == "Clarion Housing"
    assert case.referrer_person.email == "jo@clarion.example.org"


def test_picking_a_person_on_record_fills_in_their_organisation(open_page, coordinator):
    housing = ReferrerFactory(name="Town and Country Housing")
    ReferrerContactFactory(referrer=housing, name="Pat Jones")
    page = open_page(coordinator, width=375, height=800)
    page.goto("/cases/new/")

    page.locator("#id_referrer_name").fill("pat jones")
    page.locator("#id_referrer_name").dispatch_event("change")

    expect(page.locator("#id_referrer_organisation")).to_have_value("Town and Country Housing")


def test_a_long_unbroken_name_wraps_on_a_phone(open_page, coordinator):
    org = ReferrerFactory(name="Kent" + "X" * 150)
    ReferrerContactFactory(referrer=org, name="Jo" + "Y" * 150, email="", phone="")
    page = open_page(coordinator, width=375, height=700)

    page.goto(f"/referrers/{org.pk}/")

    expect(page.get_by_text("Cannot be sent case updates")).to_be_visible()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "referrer page with long names (375 px)")
