"""Logging a referral in the browser never loses or hides what was typed: an error in Party 2
is named at the top, the focus waits on it, and everything else is still there. At 1280 and
375 pixels, with axe-core on every page."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.e2e.conftest import scan

pytestmark = pytest.mark.django_db(transaction=True)


class Counted:
    """The page, counting what the coordinator does (a fill, a choice, a click)."""

    def __init__(self, page):
        self.page, self.actions = page, 0

    def fill(self, selector, value):
        self.actions += 1
        self.page.locator(selector).fill(value)

    def choose(self, selector, value):
        self.actions += 1
        self.page.locator(selector).select_option(value)

    def click(self, role, name):
        self.actions += 1
        self.page.get_by_role(role, name=name).click()


def typed(page) -> dict:
    fields = ["#id_summary", "#id_referrer_name", "#id_parties-0-full_name",
              "#id_parties-0-phone", "#id_parties-1-full_name", "#id_parties-1-email"]  # fmt: skip
    return {f: page.locator(f).input_value() for f in fields}


@pytest.mark.parametrize("width", [1280, 375])
def test_an_error_in_party_2_is_shown_at_the_top_and_nothing_typed_is_lost(
    open_page, coordinator, width
):
    page = open_page(coordinator, width=width, height=800)
    page.goto("/cases/new/")
    scan(page, f"new referral ({width} px)")
    me = Counted(page)
    me.choose("#id_dispute_type", "neighbour")
    me.choose("#id_referral_source", "housing")
    me.fill("#id_referrer_name", "Pat Jones, Town & Country Housing")
    me.fill("#id_summary", "Noise through a shared wall late at night.")
    me.fill("#id_parties-0-full_name", "Alice Carter")
    me.fill("#id_parties-0-phone", "01732 123456")
    me.choose("#id_parties-0-preferred_contact", "phone")
    me.fill("#id_parties-0-postcode", "tn9 1aa")
    me.fill("#id_parties-1-full_name", "Bob Dunn")
    me.fill("#id_parties-1-email", "bob@example.org")
    me.fill("#id_parties-1-phone", "12345")  # the mistake
    me.choose("#id_parties-1-preferred_contact", "email")
    before = typed(page)
    me.click("button", "Save referral")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Party 2: Phone")
    expect(page.locator("#id_parties-1-phone")).to_be_focused()
    assert typed(page) == before
    scan(page, f"new referral with an error ({width} px)")

    page.keyboard.press("Control+a")  # the focus is on the field: correct it straight away
    me.actions += 1
    page.keyboard.type("01732 654321")
    me.click("button", "Save referral")

    expect(page.get_by_text("Referral logged as")).to_be_visible()
    case = Case.objects.get()
    assert sorted(p.role for p in case.parties.all()) == ["first_party", "other_party"]
    assert me.actions <= 16, me.actions  # the aim for a two-party referral


def test_a_summary_link_takes_the_focus_to_its_field(open_page, coordinator):
    page = open_page(coordinator)
    page.goto("/cases/new/")
    page.get_by_role("button", name="Save referral").click()

    page.locator("[data-error-summary] a", has_text="Party 1: Full name").click()

    expect(page.locator("#id_parties-0-full_name")).to_be_focused()
