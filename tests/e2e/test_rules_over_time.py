"""When things change under a case, in a real browser: a party withdraws and the coordinator
confirms it; a mediator stops volunteering; the coordinator's home and /attention/ say what needs
doing, and the case page links to it. Every page is scanned with axe-core."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import MediationSession
from sessions.services import session_book
from tests.e2e.conftest import no_horizontal_scroll, scan
from tests.factories import eligible_volunteer, ready_case
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db(transaction=True)


def london(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_coordinator_records_a_withdrawal_and_sees_what_needs_attention(open_page, coordinator):
    case = ready_case()
    lead = eligible_volunteer(first_name="Martin", last_name="Lead", postcode="ME15 6RT")
    co = eligible_volunteer(first_name="Grace", last_name="Co", postcode="TN4 9LH")
    volunteer_services.assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    joint = session_book(
        case=case, by=coordinator, kind="joint", mode="office", venue="WKM office",
        starts_at=london(6, 18), ends_at=london(6, 19), parties=list(case.parties.all()),
    )  # fmt: skip
    page = open_page(coordinator)

    # Bob Dunn rings to say he no longer wants to take part.
    page.goto(case.get_absolute_url())
    page.get_by_role(
        "link", name="Record withdrawal of consent to take part in mediation for Bob Dunn"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a withdrawal: Bob Dunn")
    expect(page.locator("main")).to_contain_text("cancel the joint meeting on")
    scan(page, "record a withdrawal")
    page.get_by_role("button", name="Record the withdrawal").click()  # nothing chosen yet
    expect(page.locator("#id_method")).to_have_attribute("aria-invalid", "true")
    page.get_by_label(re.compile(r"^\s*How they told us")).select_option("verbal")
    page.get_by_label("Note (optional)").fill("Rang the office; does not want to meet.")
    page.get_by_role("button", name="Record the withdrawal").click()

    expect(page.locator("main")).to_contain_text("Recorded: Bob Dunn withdrew consent")
    expect(page.locator("main")).to_contain_text("Cancelled the joint meeting on")
    expect(page.locator("main")).to_contain_text("back to awaiting consent")
    expect(page.locator("main")).to_contain_text("This case needs attention")
    scan(page, "case page (needs attention)")
    joint.refresh_from_db()
    assert joint.status == MediationSession.Status.CANCELLED

    # Grace stops volunteering: the coordinator marks her inactive.
    page.goto(f"/volunteers/{co.pk}/edit/")
    page.get_by_label(re.compile(r"^\s*Status")).select_option("inactive")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text(
        f"which now needs a new mediator: {case.reference}"
    )

    # The home page and /attention/ list both, each with a way to put it right.
    page.goto("/")
    panel = page.locator("section[aria-labelledby=attention-heading]")
    expect(panel).to_contain_text("Bob Dunn withdrew from mediation")
    expect(panel).to_contain_text("Needs a new mediator: only Martin Lead")
    scan(page, "coordinator home (needs attention)")
    page.goto("/attention/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cases that need attention")
    scan(page, "cases that need attention")
    page.get_by_role("link", name=f"Assign a pair ({case.reference})").click()
    expect(page).to_have_url(re.compile(f"/cases/{case.reference}/assign/$"))

    # On a phone.
    phone = open_page(coordinator, width=375, height=800)
    phone.goto("/attention/")
    assert no_horizontal_scroll(phone) <= 375
    scan(phone, "cases that need attention (phone)")
