"""Keyboard-only use of the self-referral form, and pages at 320 px wide."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.e2e.conftest import RESULTS, no_horizontal_scroll, scan
from tests.factories import ready_case

pytestmark = pytest.mark.django_db(transaction=True)

MAX_TABS = 120


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '',
                    type: el.getAttribute('type') || '', value: el.value || '',
                    text: (el.textContent || '').trim()};
        }"""
    )


def tab_to(page, visited: list, **wanted) -> dict:
    """Press Tab until the focused element matches ``wanted`` (e.g. name="summary")."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        visited.append(element)
        if all(element.get(key) == value for key, value in wanted.items()):
            return element
    raise AssertionError(f"Tab never reached {wanted}; visited {visited[-10:]}")


def test_the_self_referral_form_can_be_completed_with_the_keyboard_alone(open_page):
    page = open_page()
    page.goto("/help/refer/")
    visited: list[dict] = []

    # The first Tab stop is the skip link, which leads to the main content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")

    def type_into(name: str, text: str):
        tab_to(page, visited, name=name)
        page.keyboard.type(text)

    # "I am one of the people…" is chosen already; a radio group with nothing chosen takes the
    # focus on its first option, which Space selects.
    tab_to(page, visited, name="who", value="self")
    tab_to(page, visited, name="dispute_type")
    page.keyboard.press("Space")
    type_into("summary", "Our neighbour's dog barks all day while they are at work.")
    type_into("person-full_name", "Carol Keys")
    tab_to(page, visited, name="person-preferred_contact")  # "Phone call"
    page.keyboard.press("Space")
    type_into("person-phone", "01622 123456")
    type_into("person-postcode", "ME14 2LP")
    type_into("person-preferred_times", "Any weekday after 5pm")
    tab_to(page, visited, name="consent_contact")
    page.keyboard.press("Space")
    tab_to(page, visited, name="consent_data")
    page.keyboard.press("Space")
    tab_to(page, visited, tag="button", type="submit")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("we have your request")
    assert "website" not in {element["name"] for element in visited}  # never the honeypot
    party = Case.objects.get().parties.get()
    assert (party.full_name, party.postcode, party.phone) == (
        "Carol Keys",
        "ME14 2LP",
        "+441622123456",
    )


def test_the_case_page_and_the_public_form_work_at_320_pixels(open_page, coordinator):
    RESULTS.mkdir(exist_ok=True)
    case = ready_case()

    staff = open_page(coordinator, width=320, height=800)
    staff.goto(f"/cases/{case.reference}/")
    expect(staff.get_by_role("heading", level=1)).to_contain_text(case.reference)
    staff.screenshot(path=str(RESULTS / "case-page-320.png"), full_page=True)
    assert no_horizontal_scroll(staff) <= 320
    scan(staff, "case page at 320 px")

    public = open_page(width=320, height=800)
    public.goto("/help/refer/")
    public.screenshot(path=str(RESULTS / "self-referral-form-320.png"), full_page=True)
    assert no_horizontal_scroll(public) <= 320
    scan(public, "self-referral form at 320 px")
    public.goto("/help/volunteer/")
    assert no_horizontal_scroll(public) <= 320
