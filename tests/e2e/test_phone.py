"""On a phone: the case list shows cases, not filters — each a card with its status and parties
— and the case page gives numbers to tap. At 375 and 320 pixels, with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import no_horizontal_scroll, scan
from tests.factories import CaseFactory, PartyFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [375, 320])
def test_the_case_list_on_a_phone_shows_cases_first(open_page, coordinator, width):
    for n in range(3):
        case = CaseFactory(status="awaiting_consent")
        PartyFactory(case=case, full_name=f"Party {n} Carter")
    page = open_page(coordinator, width=width, height=700)

    page.goto("/cases/")

    first = page.locator("table.table-cards tbody tr").first
    expect(first.locator(".badge")).to_be_in_viewport()  # the status, without scrolling
    expect(first).to_contain_text("Record the parties' consent")
    expect(page.get_by_label("Type")).to_be_hidden()  # the other filters are folded away
    assert no_horizontal_scroll(page) <= width
    scan(page, f"case list ({width} px)")
    page.get_by_role("button", name="More filters").click()
    expect(page.get_by_label("Type")).to_be_visible()
    expect(page.locator("#more-filters.show")).to_be_visible()  # opened, not still opening
    scan(page, f"case list, filters open ({width} px)")


def test_a_filter_in_use_is_counted_on_the_button(open_page, coordinator):
    CaseFactory(status="referred", dispute_type="neighbour")
    page = open_page(coordinator, width=375, height=700)

    page.goto("/cases/?dispute_type=neighbour&status=referred")

    expect(page.get_by_role("button", name="More filters (2 in use)")).to_be_visible()


def test_the_case_page_gives_a_number_to_tap(open_page, coordinator):
    case = CaseFactory()
    PartyFactory(case=case, full_name="Alice Carter", phone="+441732123456")
    page = open_page(coordinator, width=375, height=700)

    page.goto(case.get_absolute_url())

    expect(page.get_by_role("link", name="01732 123456")).to_have_attribute(
        "href", "tel:+441732123456"
    )
    assert no_horizontal_scroll(page) <= 375
    scan(page, "case page (375 px)")


@pytest.mark.parametrize("report", ["referrals", "outcomes"])
def test_the_reports_scroll_with_the_keyboard_on_a_phone(open_page, coordinator, report):
    for _ in range(3):
        CaseFactory()
    page = open_page(coordinator, width=375, height=700)

    response = page.goto(f"/reports/{report}/")

    assert response.status == 200
    assert no_horizontal_scroll(page) <= 375
    scan(page, f"{report} report (375 px)")
